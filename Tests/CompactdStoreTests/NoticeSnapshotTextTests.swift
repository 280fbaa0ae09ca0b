@testable import CompactdStore
import Foundation
import Testing

/// The outbox's snapshot text read back member by member, against Foundation's JSONDecoder
/// reading the same text: in the order written, in other orders, with members it does not
/// know, and with members missing or of another type.
@Suite("Notice snapshot text")
struct NoticeSnapshotTextTests {
    static let snapshot = NoticeSnapshot(
        compactID: "bell", partner: "City of Bell \"Ciudad\" \\ Día 🏫", cycleID: "summer", cycleTitle: "Summer\nre-engagement",
        occurrence: "2026-07-01", stepID: "goals", stepTitle: "Set goals\tfor next year", kind: "reminder", label: "7d before",
        detail: "7d", dueAtUTC: "2026-07-01T16:00:00Z", dueAtLocal: "2026-07-01 09:00 PDT", timeZone: "America/Los_Angeles",
        daysUntilDue: -3, commitments: ["School safety", "Parks \u{7}"]
    )

    static func decoded(_ text: String) -> (ours: NoticeSnapshot?, foundation: NoticeSnapshot?) {
        var text = text
        let ours = text.withUTF8 { NoticeSnapshot(json: $0) }
        return (ours, try? JSONDecoder().decode(NoticeSnapshot.self, from: Data(text.utf8)))
    }

    /// The members of `text` (a flat object) written again in `order`.
    static func reordered(_ text: String, _ order: (inout [(String, Any)]) -> Void) throws -> String {
        let object = try #require(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        var members = object.map { ($0.key, $0.value) }.sorted { $0.0 < $1.0 }
        order(&members)
        let parts = try members.map { key, value in
            let data = try JSONSerialization.data(withJSONObject: [key: value])
            return String(decoding: data.dropFirst().dropLast(), as: UTF8.self)
        }
        return "{" + parts.joined(separator: ",") + "}"
    }

    @Test("as written, reversed and shuffled: the same snapshot Foundation reads")
    func orders() throws {
        let written = SQLiteStateStore.encode(Self.snapshot)
        var generator = SystemRandomNumberGenerator()
        let texts = [
            written,
            try Self.reordered(written) { $0.reverse() },
            try Self.reordered(written) { $0.shuffle(using: &generator) },
            try Self.reordered(written) { $0.shuffle(using: &generator) },
        ]
        for text in texts {
            let (ours, foundation) = Self.decoded(text)
            #expect(foundation == Self.snapshot, "\(text)")
            #expect(ours == foundation, "\(text)")
        }
    }

    @Test("members it does not know are ignored; a repeated member counts as written last")
    func unknownAndRepeated() throws {
        let written = SQLiteStateStore.encode(Self.snapshot)
        let extra = try Self.reordered(written) { $0.insert(("aaa", "x"), at: 3); $0.append(("zzz", ["y"])) }
        #expect(Self.decoded(extra).ours == Self.snapshot)
        let repeated = String(written.dropLast()) + #","partner":"Cudahy"}"#
        var expected = Self.snapshot
        expected.partner = "Cudahy"
        #expect(Self.decoded(repeated).ours == expected)
    }

    @Test("a member missing or of another type: no snapshot, as Foundation finds none", arguments: [
        "compactID", "partner", "daysUntilDue", "commitments", "timeZone",
    ])
    func missingOrWrongType(member: String) throws {
        let written = SQLiteStateStore.encode(Self.snapshot)
        let missing = try Self.reordered(written) { $0.removeAll { $0.0 == member } }
        let wrongType = try Self.reordered(written) { members in
            members = members.map { $0.0 == member ? ($0.0, $0.1 is String ? 7 as Any : "7" as Any) : $0 }
        }
        for text in [missing, wrongType] {
            let (ours, foundation) = Self.decoded(text)
            #expect(foundation == nil, "\(text)")
            #expect(ours == nil, "\(text)")
        }
        let (snapshot, damage) = SQLiteStateStore.decodeChecked(missing)
        #expect(snapshot == SQLiteStateStore.emptySnapshot)
        #expect(damage == "the notice snapshot (\(missing.utf8.count) bytes) is not a readable notice")
    }
}
