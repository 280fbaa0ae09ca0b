import CompactdSystemd
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The control socket on a real Unix socket: concurrent clients, a silent client delaying no
/// one, the cap, peer credentials, closing once, and a second instance refused.
@Suite("control socket", .serialized)
struct ControlSocketTests {
    static func path() -> String { FileManager.default.temporaryDirectory.appendingPathComponent("ctl-\(UUID().uuidString.prefix(8)).sock").path }

    /// A client connected to `path` that has sent nothing.
    static func silentClient(_ path: String) throws -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8) + [0]
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let result = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } }
        try #require(result == 0)
        return fd
    }

    /// `ControlSocket.send` on a thread of its own: it blocks in read(2), and blocking one of
    /// the cooperative pool's threads (two on this machine) could starve the task that answers.
    static func send(_ command: String, to path: String) async throws -> String {
        let result: Result<String, ControlSocket.Failure> = await withCheckedContinuation { continuation in
            Thread {
                do throws(ControlSocket.Failure) {
                    continuation.resume(returning: .success(try ControlSocket.send(command, to: path, timeoutSeconds: 30)))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }.start()
        }
        return try result.get()
    }

    /// Answers every request "ok <command> uid=<peer uid>" until the socket closes.
    static func answerAll(_ socket: ControlSocket) -> Task<Void, Never> {
        Task {
            for await request in socket.requests {
                request.reply("ok \(request.command) uid=\(request.peer.map { String($0.uid) } ?? "?")")
            }
        }
    }

    @Test("a client that connects and says nothing does not hold up the next one; the peer's uid comes from the kernel")
    func silentClientDelaysNoOne() async throws {
        let path = Self.path()
        let control = try ControlSocket(path: path)
        defer { control.close() }
        let answering = Self.answerAll(control)
        defer { answering.cancel() }
        let silent = try Self.silentClient(path)
        defer { close(silent) }
        let answer = try await Self.send("status", to: path)
        #expect(answer == "ok status uid=\(getuid())")
        // The silent client is still connected and unanswered: nothing was waiting on it.
        var byte: UInt8 = 0
        let n = recv(silent, &byte, 1, Int32(MSG_DONTWAIT))
        #expect(n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
    }

    @Test("more clients than the cap at once: the one over it is told so, not left hanging")
    func capRefusesClearly() async throws {
        let path = Self.path()
        let control = try ControlSocket(path: path)
        defer { control.close() }
        let silent = try (0..<ControlSocket.maxClients).map { _ in try Self.silentClient(path) }
        defer { silent.forEach { close($0) } }
        // Each silent client is admitted by the accept thread in turn; the next is over the cap.
        var answer = ""
        for _ in 0..<100 {
            answer = (try? await Self.send("status", to: path)) ?? ""
            if answer.hasPrefix("error busy") { break }
        }
        #expect(answer.hasPrefix("error busy"), "\(answer)")
    }

    @Test("close twice closes the listener once: a descriptor opened in between stays open")
    func closeIsIdempotent() throws {
        let control = try ControlSocket(path: Self.path())
        control.close()
        // The lowest free descriptor: likely the listener's old number.
        let reused = open("/dev/null", O_RDONLY)
        try #require(reused >= 0)
        defer { close(reused) }
        control.close()
        #expect(fcntl(reused, F_GETFD) >= 0, "the second close() closed an unrelated descriptor")
    }

    @Test("a second instance on a live socket is refused and the first still answers")
    func secondInstanceRefused() async throws {
        let path = Self.path()
        let first = try ControlSocket(path: path)
        defer { first.close() }
        let answering = Self.answerAll(first)
        defer { answering.cancel() }
        do {
            _ = try ControlSocket(path: path)
            Issue.record("a second control socket was opened on a live one")
        } catch {
            #expect(error.anotherInstanceRunning)
            #expect(error.description.contains("another compactd is already running"))
        }
        #expect(try await Self.send("poke", to: path).hasPrefix("ok poke"))
    }

    @Test("a socket file left by a dead process is replaced")
    func staleSocketReplaced() async throws {
        let path = Self.path()
        let stale = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8) + [0]) }
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(stale, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } }
        close(stale)
        #expect(FileManager.default.fileExists(atPath: path))
        let control = try ControlSocket(path: path)
        defer { control.close() }
        let answering = Self.answerAll(control)
        defer { answering.cancel() }
        #expect(try await Self.send("status", to: path).hasPrefix("ok status"))
    }
}
