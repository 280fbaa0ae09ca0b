import Foundation

/// A real server for a test, started from one of the Python scripts in Tests/Fixtures, on
/// 127.0.0.1 and a port it chose itself (it prints the port first thing).
public final class ServerProcess: @unchecked Sendable {
    let process = Process()
    public let port: Int
    /// The server's stderr (removed when it stops, if empty).
    let log: String

    public static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")

    public init(script: String, arguments: [String]) throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Self.fixtures.appendingPathComponent(script).path] + arguments
        let output = Pipe()
        process.standardOutput = output
        // Its complaints go to a file of its own, not to the test process's stderr: a server
        // holding swift-test's pipe open would keep swift-test waiting for ever if the test
        // process died first (seen once: the run hung after a crash instead of failing).
        log = FileManager.default.temporaryDirectory.appendingPathComponent("\(script)-\(UUID().uuidString.prefix(8)).log").path
        FileManager.default.createFile(atPath: log, contents: nil)
        process.standardError = FileHandle(forWritingAtPath: log) ?? FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // The first line is the port; reading it waits until the server listens.
        var line = Data()
        while true {
            let byte = output.fileHandleForReading.readData(ofLength: 1)
            if byte.isEmpty || byte == Data("\n".utf8) { break }
            line.append(byte)
        }
        guard let port = Int(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespaces)) else {
            process.terminate()
            throw ServerError(message: "\(script) did not start (printed '\(String(decoding: line, as: UTF8.self))')")
        }
        self.port = port
    }

    /// Kills the server and waits (bounded) for it to go. Process.waitUntilExit spins a run
    /// loop on Linux, so this polls instead.
    public func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            for _ in 0..<500 where process.isRunning { usleep(10_000) }
        }
        if (try? FileManager.default.attributesOfItem(atPath: log)[.size] as? Int) == 0 { try? FileManager.default.removeItem(atPath: log) }
    }

    deinit { stop() }

    public struct ServerError: Error, CustomStringConvertible {
        public var message: String
        public var description: String { message }
        public init(message: String) { self.message = message }
    }

    /// Runs a fixture script to completion and returns its output and exit status.
    public static func runScript(_ script: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        try runPython([fixtures.appendingPathComponent(script).path] + arguments)
    }

    /// The first 32 hex digits of SHA-256 over `text`, computed by Python's hashlib: the
    /// independent oracle for the identities compactd derives (`msg_...`, Message-ID).
    public static func sha256Prefix32(_ text: String) throws -> String {
        try runPython(["-c", "import hashlib, sys; print(hashlib.sha256(sys.argv[1].encode()).hexdigest()[:32])", text]).output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Runs python3 with these arguments to completion; its output and exit status.
    public static func runPython(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        for _ in 0..<3000 where process.isRunning { usleep(10_000) }
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}

/// A request the receiver recorded.
public struct RecordedRequest {
    public var n: Int
    public var path: String
    public var headers: [String: String]
    public var body: Data
    public var action: String
    public var status: Int

    public static func load(_ path: String) -> [RecordedRequest] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { return nil }
            return RecordedRequest(
                n: object["n"] as? Int ?? -1, path: object["path"] as? String ?? "",
                headers: object["headers"] as? [String: String] ?? [:],
                body: Data(base64Encoded: object["body"] as? String ?? "") ?? Data(),
                action: object["action"] as? String ?? "", status: object["status"] as? Int ?? 0
            )
        }.sorted { $0.n < $1.n }
    }

    public var json: [String: Any] { (try? JSONSerialization.jsonObject(with: body) as? [String: Any]) ?? [:] }
}
