@testable import CompactdSystemd
import Logging
import Testing

@Suite("Journal log handler")
struct JournaldLogHandlerTests {
    @Test("metadata keys become journal field names", arguments: [
        ("compact_id", "COMPACT_ID"), ("latency_ms", "LATENCY_MS"), ("_private", "PRIVATE"), ("next-attempt.at", "NEXT_ATTEMPT_AT"),
        ("día", "D_A"), ("__", "FIELD"), ("x2", "X2"),
    ])
    func fieldNames(key: String, field: String) {
        #expect(JournaldLogHandler.fieldName(key) == field)
    }

    @Test("a summary shows the reminder, else the channel a 'channel disabled' is about, else the error")
    func shownField() {
        let both = [JournalField("channel", "hook"), JournalField("error", "full"), JournalField("reminder_id", "a/b")]
        let noReminder = Array(both.prefix(2))
        #expect(JournaldLogHandler.shownField(message: "delivered", sortedFields: both) == 2)
        #expect(JournaldLogHandler.shownField(message: "channel disabled", sortedFields: noReminder) == 0)
        #expect(JournaldLogHandler.shownField(message: "claiming deliveries failed", sortedFields: noReminder) == 1)
        #expect(JournaldLogHandler.shownField(message: "ready", sortedFields: [JournalField("channel", "hook")]) == nil)
        let line = JournaldLogHandler.stderrLine(level: .error, message: "claiming deliveries failed", sortedFields: noReminder, shown: 1)
        #expect(String(decoding: line, as: UTF8.self) == "<3>claiming deliveries failed: full channel=hook\n")
    }

    @Test("every CR and LF in a line becomes a space, alone or in pairs, wherever it falls")
    func lineBreaksAnywhere() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<3_000 {
            // Pieces, not Characters: "\r\n" is one Character, so a CR or an LF alone never came.
            let value = (0..<Int.random(in: 0...70, using: &generator)).map { _ in ["a", "b", "\r", "\n", "ç", "🏫", " ", "="].randomElement(using: &generator)! }.joined()
            let fields = JournaldLogHandler.textFields(["reason": .string(value), "reminder_id": "a/b"])
            let line = JournaldLogHandler.stderrLine(level: .info, message: "delivered", sortedFields: fields, shown: JournaldLogHandler.shownField(message: "delivered", sortedFields: fields))
            let flattened = value.unicodeScalars.map { $0 == "\r" || $0 == "\n" ? " " : String($0) }.joined()
            #expect(String(decoding: line, as: UTF8.self) == "<6>delivered: a/b reason=\(flattened)\n", "\(value.debugDescription)")
        }
    }

    @Test("journal field names keep at most 64 characters, counted after leading underscores")
    func longFieldNames() {
        let key = "__" + String(repeating: "ab", count: 40)
        #expect(JournaldLogHandler.fieldName(key) == String(repeating: "AB", count: 32))
    }

    @Test("levels map to syslog priorities")
    func priorities() {
        #expect(JournaldLogHandler.priority(.critical) == 2)
        #expect(JournaldLogHandler.priority(.error) == 3)
        #expect(JournaldLogHandler.priority(.warning) == 4)
        #expect(JournaldLogHandler.priority(.notice) == 5)
        #expect(JournaldLogHandler.priority(.info) == 6)
        #expect(JournaldLogHandler.priority(.debug) == 7)
    }

    @Test("every event kind has its own fixed message id")
    func messageIDs() {
        let ids = Array(JournalMessageID.byMessage.values)
        #expect(Set(ids).count == ids.count)
        #expect(ids.allSatisfy { $0.count == 32 && $0.allSatisfy(\.isHexDigit) })
        for event in ["started", "ready", "reloaded", "reload failed", "reminder due", "delivered", "delivery failed, will retry", "delivery dead-lettered", "channel disabled", "acknowledged", "reminder missed", "stopping"] {
            #expect(JournalMessageID.byMessage[event] != nil, "\(event)")
        }
    }

    @Test("the catalog explains every message id")
    func catalog() throws {
        let path = #filePath.replacingOccurrences(of: "Tests/CompactdSystemdTests/JournaldLogHandlerTests.swift", with: "Units/compactd.catalog")
        let text = try String(contentsOfFile: path, encoding: .utf8)
        for id in JournalMessageID.byMessage.values {
            #expect(text.contains("-- \(id)\nSubject: "), "\(id)")
        }
    }

    @Test("outside the journal, lines carry a <N> priority prefix (syslog(3) levels) and stay one line", arguments: [
        (Logger.Level.critical, "<2>"), (.error, "<3>"), (.warning, "<4>"), (.notice, "<5>"), (.info, "<6>"), (.debug, "<7>"),
    ])
    func stderrLine(level: Logger.Level, prefix: String) {
        let fields = JournaldLogHandler.textFields(["reminder_id": "a/b", "reason": "HTTP 503\r\nInjected: yes", "channel": .stringConvertible("hook")])
        let shown = JournaldLogHandler.shownField(message: "delivered", sortedFields: fields)
        let line = String(decoding: JournaldLogHandler.stderrLine(level: level, message: "delivered", sortedFields: fields, shown: shown), as: UTF8.self)
        #expect(line == "\(prefix)delivered: a/b channel=hook reason=HTTP 503  Injected: yes\n")
        #expect(!JournalStream.stderrIsJournal(environment: ["JOURNAL_STREAM": "1:2"]))
        #expect(!JournalStream.stderrIsJournal(environment: [:]))
    }
}
