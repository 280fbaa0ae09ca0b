import Foundation

/// Starts a thread under a name the operating system knows: `top -H`, `ps -L`, `perf` and
/// `/proc/PID/task/*/comm` show it. Foundation's `Thread.name` on Linux stays inside
/// Foundation, so every compactd thread but the main one showed as the dispatch worker that
/// started it (`oot.default-qos`), and which one spent the CPU could not be told.
public enum NamedThread {
    /// Linux keeps 15 bytes of a thread's name (and refuses a longer one).
    public static let maximumNameLength = 15

    /// Starts `body` on a new thread named `name` (at most `maximumNameLength` bytes).
    public static func start(_ name: String, stackSize: Int? = nil, _ body: @escaping @Sendable () -> Void) {
        precondition(name.utf8.count <= maximumNameLength, "thread name \(name) is longer than \(maximumNameLength) bytes")
        let thread = Thread {
            nameCurrentThread(name)
            body()
        }
        thread.name = name
        if let stackSize { thread.stackSize = stackSize }
        thread.start()
    }

    /// The calling thread's name, as the kernel keeps it (what `pthread_setname_np` does, which
    /// the Glibc module does not import): written to its own `comm`. A /proc that cannot be
    /// written leaves the thread unnamed, which costs nothing but the name.
    static func nameCurrentThread(_ name: String) {
        let fd = open("/proc/thread-self/comm", O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = name.withCString { write(fd, $0, name.utf8.count) }
        close(fd)
    }
}
