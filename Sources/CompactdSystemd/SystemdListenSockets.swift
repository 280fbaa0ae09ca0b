import Foundation

/// The sockets systemd passed to this process (socket activation, `sd_listen_fds(3)`): fds 3…
/// when `$LISTEN_PID` is this process and `$LISTEN_FDS` says how many. The variables are
/// removed once read, so that no child process takes them for its own.
public enum SystemdListenSockets {
    public static let firstDescriptor: Int32 = 3

    public static func take(environment: [String: String] = ProcessInfo.processInfo.environment) -> [Int32] {
        guard let pid = environment["LISTEN_PID"].flatMap(Int32.init), pid == getpid(),
              let count = environment["LISTEN_FDS"].flatMap(Int32.init), count > 0 else { return [] }
        unsetenv("LISTEN_PID")
        unsetenv("LISTEN_FDS")
        unsetenv("LISTEN_FDNAMES")
        let descriptors = (0..<count).map { firstDescriptor + $0 }
        // Not inherited by anything compactd runs.
        for fd in descriptors { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        return descriptors
    }
}
