import CompactdCore
import Foundation

/// Runs the installed `systemd-analyze calendar` and reads its answer, so calendar tests
/// compare compactd's engine with systemd's own instead of hand-written expectations.
struct SystemdAnalyzeOracle {
    struct Answer: Equatable, CustomStringConvertible {
        var valid: Bool
        var normalized: String?
        /// Elapses in whole seconds since the epoch (systemd prints no fractions).
        var elapses: [Int64]

        var description: String {
            valid ? "\(normalized ?? "?") -> \(elapses.map { Instant(secondsSinceEpoch: $0).rfc3339UTC })" : "invalid"
        }
    }

    static let executable = "/usr/bin/systemd-analyze"

    static var isAvailable: Bool { FileManager.default.isExecutableFile(atPath: executable) }

    /// Asks systemd-analyze about one expression, with TZ set to `timeZone`.
    static func answer(expression: String, base: Instant, iterations: Int, timeZone: String) throws -> Answer {
        guard let output = try run(["calendar", "--base-time=@\(base.secondsSinceEpoch)", "--iterations=\(iterations)", "--", expression], timeZone: timeZone) else {
            return Answer(valid: false, normalized: nil, elapses: [])
        }
        return parse(output)
    }

    /// systemd-analyze with these arguments and TZ set; its standard output, or nil when it
    /// refused (non-zero exit).
    static func run(_ arguments: [String], timeZone: String) throws -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["TZ"] = timeZone
        environment["SYSTEMD_COLORS"] = "0"
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return process.terminationStatus == 0 ? String(decoding: data, as: UTF8.self) : nil
    }

    /// Reads systemd-analyze's text: the normalized form and each elapse, taking the
    /// "(in UTC)" line when the local zone is not UTC.
    static func parse(_ text: String) -> Answer {
        var normalized: String?
        var elapses: [Int64] = []
        var pendingLocal: Int64?
        for rawLine in text.split(separator: "\n") {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            guard let colon = line.firstIndex(of: ":") else { continue }
            let label = line[..<colon]
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            let isElapse = label == "Next elapse" || label.hasPrefix("Iter. #")
            switch label {
            case "Normalized form":
                normalized = value
            case _ where isElapse:
                if let pendingLocal { elapses.append(pendingLocal) }
                pendingLocal = value == "never" ? nil : parseTimestamp(value)
            case "(in UTC)":
                if let utc = parseTimestamp(value) { elapses.append(utc) }
                pendingLocal = nil
            default:
                continue
            }
        }
        if let pendingLocal { elapses.append(pendingLocal) }
        return Answer(valid: true, normalized: normalized, elapses: elapses)
    }

    /// `Sun 2024-11-03 08:30:00 UTC` as seconds since the epoch (UTC lines only).
    static func parseTimestamp(_ text: String) -> Int64? {
        let words = text.split(separator: " ")
        guard words.count == 4, words[3] == "UTC" else { return nil }
        return TimestampFormat.parse("\(words[1]) \(words[2]) UTC", zone: .utc)?.secondsSinceEpoch
    }

    /// compactd's answer to the same question.
    static func compactdAnswer(expression: String, base: Instant, iterations: Int, timeZone: String) throws -> Answer {
        let zone = try ZoneInfo.named(timeZone)
        guard let spec = try? CalendarSpec(parsing: expression, localZone: zone) else {
            return Answer(valid: false, normalized: nil, elapses: [])
        }
        return Answer(
            valid: true,
            normalized: spec.normalizedDescription,
            elapses: spec.elapses(after: base, count: iterations, localZone: zone).map(\.secondsSinceEpoch)
        )
    }
}
