#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// The daemon's control socket: a Unix stream socket in the runtime directory. `compactctl
/// reload --wait` sends `reload` and waits for the answer, which is how the unit's ExecReload=
/// waits for a reload to finish (systemd 252 has no Type=notify-reload). Access is the socket
/// file's: 0660, owned by the service user and its group.
public final class ControlSocket: Sendable {
    public let path: String
    public let requests: AsyncStream<ControlRequest>
    private let listener: Int32

    /// Where the socket lives: `$COMPACTD_CONTROL_SOCKET`, else `$RUNTIME_DIRECTORY/control.sock`,
    /// else /run/compactd/control.sock.
    public static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let explicit = environment["COMPACTD_CONTROL_SOCKET"], !explicit.isEmpty { return explicit }
        if let runtime = environment["RUNTIME_DIRECTORY"]?.split(separator: ":").first { return "\(runtime)/control.sock" }
        return "/run/compactd/control.sock"
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public init(path: String) throws(Failure) {
        self.path = path
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
        let thread = Thread { Self.acceptLoop(fd, continuation) }
        thread.name = "compactd-control"
        thread.start()
    }

    public func close() {
        shutdown(listener, Int32(SHUT_RDWR))
        Glibc.close(listener)
        unlink(path)
    }

    private static func acceptLoop(_ listener: Int32, _ continuation: AsyncStream<ControlRequest>.Continuation) {
        while true {
            let connection = accept(listener, nil, nil)
            if connection < 0 {
                if errno == EINTR { continue }
                break
            }
            var timeout = timeval(tv_sec: 5, tv_usec: 0)
            setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            var line: [UInt8] = []
            var byte: UInt8 = 0
            while line.count < 256, read(connection, &byte, 1) == 1, byte != UInt8(ascii: "\n") { line.append(byte) }
            let command = String(decoding: line, as: UTF8.self).trimmingWhitespace()
            continuation.yield(ControlRequest(command: command) { answer in
                let bytes = Array((answer + "\n").utf8)
                _ = bytes.withUnsafeBytes { write(connection, $0.baseAddress, $0.count) }
                Glibc.close(connection)
            })
        }
        continuation.finish()
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
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        var answer: [UInt8] = []
        var byte: UInt8 = 0
        while answer.count < 4096, read(fd, &byte, 1) == 1, byte != UInt8(ascii: "\n") { answer.append(byte) }
        guard !answer.isEmpty else { throw Failure(description: "compactd at \(path) closed the connection without an answer") }
        return String(decoding: answer, as: UTF8.self)
    }
}
