#if canImport(Glibc)
import Glibc
#endif
import CSystemd
import Foundation
import Synchronization

/// The daemon's control socket: a Unix stream socket in the runtime directory. `compactctl
/// reload --wait` sends `reload` and waits for the answer, which is how the unit's ExecReload=
/// waits for a reload to finish (systemd 252 has no Type=notify-reload). Access is the socket
/// file's: 0660, owned by the service user and its group.
///
/// Clients are served side by side, each on a thread of its own with its own read deadline, so
/// one that connects and says nothing delays no one else; at most `maxClients` at once (more
/// are told so and closed). Each connection is closed exactly once, by its reply.
public final class ControlSocket: Sendable {
    public let path: String
    public let requests: AsyncStream<ControlRequest>
    private let listener: Int32
    private let closed = Mutex(false)

    /// Clients served at once; a further one is answered "error busy".
    public static let maxClients = 16
    /// The longest request line (a write acknowledging many steps at once); a longer one is
    /// refused, not cut.
    public static let maxLineBytes = 1 << 20
    /// How long a client may take to send its one line.
    public static let readDeadlineSeconds = 5

    /// Where the socket lives: `$COMPACTD_CONTROL_SOCKET`, else `$RUNTIME_DIRECTORY/control.sock`,
    /// else /run/compactd/control.sock.
    public static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let explicit = environment["COMPACTD_CONTROL_SOCKET"], !explicit.isEmpty { return explicit }
        if let runtime = environment["RUNTIME_DIRECTORY"]?.split(separator: ":").first { return "\(runtime)/control.sock" }
        return "/run/compactd/control.sock"
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
        /// Another compactd answers on this socket: this one must not start.
        public var anotherInstanceRunning = false
    }

    public init(path: String) throws(Failure) {
        self.path = path
        // A socket file is left behind by a process that died; one that still answers belongs
        // to a live compactd, and unlinking it would cut that daemon off from its operators.
        if Self.answers(path) {
            throw Failure(description: "another compactd is already running with control socket \(path); stop it first (or give this one another COMPACTD_CONTROL_SOCKET)", anotherInstanceRunning: true)
        }
        unlink(path)
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "control socket: socket() failed: \(String(cString: strerror(errno)))") }
        guard Self.withAddress(path, { bind(fd, $0, $1) }) == 0, listen(fd, 16) == 0 else {
            let reason = String(cString: strerror(errno))
            Glibc.close(fd)
            throw Failure(description: "control socket \(path): \(reason)")
        }
        chmod(path, 0o660)
        listener = fd
        let (stream, continuation) = AsyncStream.makeStream(of: ControlRequest.self)
        requests = stream
        NamedThread.start("compactd-ctl") { Self.acceptLoop(fd, continuation) }
    }

    /// Stops accepting and removes the socket file. Safe to call more than once. The listener
    /// is only shut down here; the accept thread closes it when its loop ends. Closed here, its
    /// number could be reused (by the next socket opened) while that thread, not yet in
    /// accept(2), was about to use it: it would then take another socket's clients.
    public func close() {
        let first = closed.withLock { wasClosed -> Bool in
            defer { wasClosed = true }
            return !wasClosed
        }
        guard first else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        unlink(path)
    }

    /// Whether a live process accepts connections on the socket at `path`.
    static func answers(_ path: String) -> Bool {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { Glibc.close(fd) }
        return withAddress(path, { connect(fd, $0, $1) }) == 0
    }

    private static func acceptLoop(_ listener: Int32, _ continuation: AsyncStream<ControlRequest>.Continuation) {
        let active = Mutex(0)
        while true {
            let connection = compactd_accept_cloexec(listener)
            if connection < 0 {
                if errno == EINTR || errno == ECONNABORTED { continue }
                break
            }
            let admitted = active.withLock { count -> Bool in
                guard count < maxClients else { return false }
                count += 1
                return true
            }
            guard admitted else {
                ControlConnection(fd: connection).reply("error busy: \(maxClients) clients are being served; try again")
                continue
            }
            NamedThread.start("compactd-client") {
                serve(ControlConnection(fd: connection), continuation)
                active.withLock { $0 -= 1 }
            }
        }
        continuation.finish()
        Glibc.close(listener)
    }

    /// Reads one line (within the deadline) and hands it to the daemon; the daemon's reply
    /// closes the connection. A client that sends nothing in time is closed unanswered.
    private static func serve(_ connection: ControlConnection, _ continuation: AsyncStream<ControlRequest>.Continuation) {
        var timeout = timeval(tv_sec: readDeadlineSeconds, tv_usec: 0)
        setsockopt(connection.fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var line: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16_384)
        var complete = false
        while line.count < Self.maxLineBytes && !complete {
            let n = buffer.withUnsafeMutableBytes { read(connection.fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            for byte in buffer[0..<n] {
                if byte == UInt8(ascii: "\n") { complete = true; break }
                line.append(byte)
            }
        }
        guard complete || !line.isEmpty else {
            connection.closeOnce()
            return
        }
        if !complete && line.count >= maxLineBytes {
            connection.reply("error too-long: a request is one line of at most \(maxLineBytes) bytes")
            return
        }
        let command = String(decoding: line, as: UTF8.self).trimmingWhitespace()
        continuation.yield(ControlRequest(command: command, peer: connection.peer) { answer in connection.reply(answer) })
    }

    static func withAddress<T>(_ path: String, _ body: (UnsafePointer<sockaddr>, socklen_t) -> T) -> T {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8.prefix(107)) + [0]
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
        }
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
    }

    /// The client side: sends one command and returns the answer line.
    public static func send(_ command: String, to path: String, timeoutSeconds: Int = 120) throws(Failure) -> String {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket() failed") }
        defer { Glibc.close(fd) }
        guard withAddress(path, { connect(fd, $0, $1) }) == 0 else {
            throw Failure(description: "cannot reach compactd at \(path): \(String(cString: strerror(errno))) (is it running? are you root or in the compactd group?)")
        }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let bytes = Array((command + "\n").utf8)
        // MSG_NOSIGNAL: a daemon that closed the connection is an error to report, not a
        // SIGPIPE that ends the caller.
        _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        var answer: [UInt8] = []
        var byte: UInt8 = 0
        while answer.count < 4096, read(fd, &byte, 1) == 1, byte != UInt8(ascii: "\n") { answer.append(byte) }
        guard !answer.isEmpty else { throw Failure(description: "compactd at \(path) closed the connection without an answer") }
        return String(decoding: answer, as: UTF8.self)
    }
}

/// One accepted client: its descriptor, who it is (`SO_PEERCRED`), and a reply that writes
/// and closes exactly once.
final class ControlConnection: Sendable {
    let fd: Int32
    let peer: ControlPeer?
    private let done = Mutex(false)

    init(fd: Int32) {
        self.fd = fd
        var pid: Int32 = 0
        var uid: UInt32 = 0
        var gid: UInt32 = 0
        if compactd_peer_credentials(fd, &pid, &uid, &gid) == 0 {
            peer = ControlPeer(pid: pid, uid: uid, gid: gid)
        } else {
            peer = nil
        }
    }

    func reply(_ answer: String) {
        guard takeOnce() else { return }
        let bytes = Array((answer + "\n").utf8)
        // MSG_NOSIGNAL: a client that went away (compactctl interrupted, a timed-out caller)
        // must not end the daemon with SIGPIPE; its answer is simply dropped.
        _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        Glibc.close(fd)
    }

    func closeOnce() {
        guard takeOnce() else { return }
        Glibc.close(fd)
    }

    private func takeOnce() -> Bool {
        done.withLock { wasDone in
            defer { wasDone = true }
            return !wasDone
        }
    }
}
