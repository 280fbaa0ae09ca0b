import CompactdCore
import CompactdTestSupport
import Foundation

/// The built daemon with its HTTP listener on 127.0.0.1, a real SMTP server, one compact
/// (whose partner's name is an XSS probe) with one contact and one deadline that fell due a
/// minute ago, and link keys in files the test can rotate.
final class HTTPLoopFixture {
    static let oldKey = "old-link-key-0123456789abcdefXYZ"
    static let newKey = "new-link-key-9876543210fedcbaQRS"

    let directory: URL
    let config: String
    let mailDirectory: String
    let smtp: ServerProcess
    /// A city's system: a signed-webhook receiver that records what it gets.
    let receiver: ServerProcess
    let received: String
    let port: Int
    var daemon: Process?
    /// More environment for the daemon (test-only switches).
    var extraEnvironment: [String: String] = [:]

    var base: String { "http://127.0.0.1:\(port)" }
    var stateDirectory: String { directory.appendingPathComponent("state").path }
    var environment: [String: String] {
        ["COMPACTD_CONFIG": config, "STATE_DIRECTORY": stateDirectory, "COMPACTD_CONTROL_SOCKET": stateDirectory + "/control.sock", "COMPACTD_IDLE_PAGE_RELEASE": "off"]
    }
    /// The deadline's step occurrence key.
    let stepKey: String

    /// - Parameter language: the contact's language (`en` or `es`).
    init(keys: [String] = [HTTPLoopFixture.oldKey], language: String = "en") throws {
        directory = try CommandRunner.configFolder("http")
        try FileManager.default.createDirectory(atPath: directory.appendingPathComponent("state").path, withIntermediateDirectories: true)
        mailDirectory = directory.appendingPathComponent("mail").path
        smtp = try ServerProcess(script: "smtp_server.py", arguments: ["--messages", mailDirectory])
        received = directory.appendingPathComponent("received.jsonl").path
        receiver = try ServerProcess(script: "http_receiver.py", arguments: ["--record", received])
        try "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".write(to: directory.appendingPathComponent("hook.secret"), atomically: true, encoding: .utf8)
        port = try Self.freePort()
        config = directory.appendingPathComponent("compactd.toml").path
        var due = ZoneInfo.utc.localDateTime(at: Instant.now.adding(seconds: -60))
        due.second = 0
        stepKey = "carson/deadline/\(due.date)/board-report"
        try writeConfig(keys: keys)
        try """
        id = "carson"
        partner = "<script>alert(1)</script> City of Carson"
        status = "active"
        notify = ["mail", "hook"]

        [[commitments]]
        id = "traffic-safety"
        title = "Crossing guards & other traffic safety improvements"

        [[contacts]]
        id = "rocio"
        name = "Rocío Rivas"
        email = "rocio@carson.example.org"
        language = "\(language)"

        [[deadlines]]
        id = "board-report"
        title = "Report to the Board of Education"
        due = \(due.date)T\(String(format: "%02d:%02d:00", due.hour, due.minute))
        """.write(to: directory.appendingPathComponent("compacts/carson.toml"), atomically: true, encoding: .utf8)
    }

    /// The main file, with these link keys (the first signs).
    func writeConfig(keys: [String]) throws {
        var files: [String] = []
        for (index, key) in keys.enumerated() {
            let file = directory.appendingPathComponent("link-\(index)-\(key.prefix(3)).key").path
            try key.write(toFile: file, atomically: true, encoding: .utf8)
            files.append("\"\(file)\"")
        }
        try """
        time_zone = "UTC"
        state_path = "state/compactd.sqlite"
        [policy]
        reminders = ["0"]
        overdue_every = "7d"
        overdue_limit = 2
        shift = "keep"
        [channels.mail]
        type = "email"
        server = "smtp://127.0.0.1:\(smtp.port)"
        from = "compacts@district.example.org"
        tls = "none"
        [channels.hook]
        type = "webhook"
        url = "http://127.0.0.1:\(receiver.port)/hook"
        secret_files = ["\(directory.appendingPathComponent("hook.secret").path)"]
        [http]
        listen = "127.0.0.1:\(port)"
        public_url = "http://127.0.0.1:\(port)"
        link_key_files = [\(files.joined(separator: ", "))]
        undo_minutes = 30
        """.write(toFile: config, atomically: true, encoding: .utf8)
    }

    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw ServerProcess.ServerError(message: "no free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Starts compactd and waits until `/readyz` answers 200 (a bounded wait on that event).
    func start() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CommandRunner.executable("compactd"))
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment.merging(extraEnvironment, uniquingKeysWith: { $1 }) { env[k] = v }
        process.environment = env
        let log = FileHandle(forWritingAtPath: directory.appendingPathComponent("daemon.log").path) ?? {
            FileManager.default.createFile(atPath: directory.appendingPathComponent("daemon.log").path, contents: nil)
            return FileHandle(forWritingAtPath: directory.appendingPathComponent("daemon.log").path)!
        }()
        log.seekToEndOfFile()
        process.standardOutput = log
        process.standardError = log
        try process.run()
        daemon = process
        for _ in 0..<300 {
            if (try? curl(["\(base)/readyz"]).status) == 200 { return }
            guard process.isRunning else { break }
            usleep(50_000)
        }
        throw ServerProcess.ServerError(message: "compactd did not become ready: \(daemonLog)")
    }

    /// Writes `count` more compact files beside the fixture's carson, `compacts/ID.toml`, where
    /// `id` names the nth and `text` is its file given that id and n.
    func addCompacts(_ count: Int, id: (Int) -> String, text: (String, Int) -> String) throws {
        for n in 0..<count {
            try text(id(n), n).write(to: directory.appendingPathComponent("compacts/\(id(n)).toml"), atomically: true, encoding: .utf8)
        }
    }

    var daemonLog: String { (try? String(contentsOfFile: directory.appendingPathComponent("daemon.log").path, encoding: .utf8)) ?? "" }

    func stop() {
        guard let daemon, daemon.isRunning else { return }
        daemon.terminate()
        daemon.waitUntilExit()
    }

    /// curl, a real HTTP client: the status code and the body.
    func curl(_ arguments: [String]) throws -> (status: Int, body: String) {
        let result = try CommandRunner.runProgram("/usr/bin/curl", ["-s", "-S", "--max-time", "20", "-w", "\n%{http_code}"] + arguments)
        var lines = result.stdout.components(separatedBy: "\n")
        let status = Int(lines.removeLast()) ?? 0
        return (status, lines.joined(separator: "\n"))
    }

    /// Waits for `count` messages at the SMTP server; returns their files, oldest first.
    func mails(atLeast count: Int) throws -> [String] {
        for _ in 0..<400 {
            let files = ((try? FileManager.default.contentsOfDirectory(atPath: mailDirectory)) ?? []).filter { $0.hasSuffix(".eml") }.sorted { Int($0.dropLast(4)) ?? 0 < Int($1.dropLast(4)) ?? 0 }
            if files.count >= count { return files.map { mailDirectory + "/" + $0 } }
            usleep(50_000)
        }
        throw ServerProcess.ServerError(message: "no mail arrived: \(daemonLog)")
    }

    /// Every compactd link in a message's text and HTML parts, read with Python's email package.
    func links(in mail: String) throws -> (text: [String], html: [String]) {
        let parsed = try ServerProcess.runScript("parse_mail.py", [mail])
        let object = try JSONSerialization.jsonObject(with: Data(parsed.output.utf8)) as? [String: Any]
        let parts = object?["parts"] as? [[String: Any]] ?? []
        func urls(_ type: String) -> [String] {
            let content = parts.first { $0["type"] as? String == type }?["content"] as? String ?? ""
            let pattern = try! NSRegularExpression(pattern: "http://127\\.0\\.0\\.1:\(port)/link/[a-z-]+/[A-Za-z0-9_-]+(\\?lang=[a-z]+)?")
            return pattern.matches(in: content, range: NSRange(content.startIndex..., in: content)).map { String(content[Range($0.range, in: content)!]) }
        }
        return (urls("text/plain"), urls("text/html"))
    }

    /// The `links` object of the first webhook the city's system received (waits for it).
    func webhookLinks() throws -> [String: Any] {
        for _ in 0..<400 {
            if let first = RecordedRequest.load(received).first,
               let body = try JSONSerialization.jsonObject(with: first.body) as? [String: Any] {
                return body["links"] as? [String: Any] ?? [:]
            }
            usleep(50_000)
        }
        throw ServerProcess.ServerError(message: "no webhook arrived: \(daemonLog)")
    }

    /// The acknowledgments as the SQLite file holds them, read with Python's sqlite3.
    func acknowledgments() throws -> [[String]] {
        let script = "import json, sqlite3, sys; c = sqlite3.connect('file:' + sys.argv[1] + '?mode=ro', uri=True); print(json.dumps([[r[0], r[1] or '', r[2] or '', r[3] or ''] for r in c.execute('SELECT step_key, actor, source, note FROM acknowledgments')]))"
        let result = try CommandRunner.runProgram("/usr/bin/env", ["python3", "-c", script, stateDirectory + "/compactd.sqlite"])
        return (try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String]]) ?? []
    }

    func remove() {
        stop()
        smtp.stop()
        receiver.stop()
        try? FileManager.default.removeItem(at: directory)
    }
}
