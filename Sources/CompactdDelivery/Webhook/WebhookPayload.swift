import CompactdCore
import CompactdStore
import Foundation

/// The JSON body of a `standard` webhook, version 1. Documented in README ("Webhook payload");
/// fields are only ever added within a version (`links` was, with the HTTP listener: absent
/// when `[http]` is not configured).
public struct WebhookPayload: Encodable, Sendable {
    public struct Data: Encodable, Sendable {
        public struct Named: Encodable, Sendable {
            var id: String
            var title: String
        }

        public struct Partner: Encodable, Sendable {
            var id: String
            var partner: String
        }

        var compact: Partner
        var cycle: Named
        var occurrence: String
        var step: Named
        var kind: String
        var label: String
        var dueAt: String
        var dueAtLocal: String
        var timeZone: String
        var daysUntilDue: Int
        var commitments: [String]
        var noticeID: String

        enum CodingKeys: String, CodingKey {
            case compact, cycle, occurrence, step, kind, label, commitments
            case dueAt = "due_at", dueAtLocal = "due_at_local", timeZone = "time_zone", daysUntilDue = "days_until_due", noticeID = "notice_id"
        }
    }

    public var type: String
    public var version: Int
    public var eventID: String
    public var timestamp: String
    public var data: Data
    /// The step's "Mark done" and "Snooze" links, signed for this receiver.
    public var links: ActionLinks?

    enum CodingKeys: String, CodingKey {
        case type, version, timestamp, data
        case eventID = "event_id"
    }

    public init(noticeID: String, eventID: String, sentAt: String, snapshot: NoticeSnapshot, links: ActionLinks? = nil) {
        self.links = links
        type = "compact.step.\(snapshot.kind)"
        version = 1
        self.eventID = eventID
        timestamp = sentAt
        data = Data(
            compact: .init(id: snapshot.compactID, partner: snapshot.partner),
            cycle: .init(id: snapshot.cycleID, title: snapshot.cycleTitle),
            occurrence: snapshot.occurrence,
            step: .init(id: snapshot.stepID, title: snapshot.stepTitle),
            kind: snapshot.kind, label: snapshot.label, dueAt: snapshot.dueAtUTC, dueAtLocal: snapshot.dueAtLocal,
            timeZone: snapshot.timeZone, daysUntilDue: snapshot.daysUntilDue, commitments: snapshot.commitments,
            noticeID: noticeID
        )
        if snapshot.kind == "test" { type = "compact.test" }
    }

    /// Compact JSON with sorted keys: the exact bytes that are signed and sent.
    public func encoded() -> [UInt8] {
        // A body is 700 to 900 bytes: room made once (from 512 it was grown and copied).
        var w = JSONWriter(capacity: 1024)
        w.beginObject()
        w.key(verbatim: "data")
        w.beginObject()
        w.field(verbatim: "commitments", data.commitments)
        w.key(verbatim: "compact")
        w.beginObject()
        w.field(verbatim: "id", data.compact.id)
        w.field(verbatim: "partner", data.compact.partner)
        w.endObject()
        w.key(verbatim: "cycle")
        w.beginObject()
        w.field(verbatim: "id", data.cycle.id)
        w.field(verbatim: "title", data.cycle.title)
        w.endObject()
        w.field(verbatim: "days_until_due", data.daysUntilDue)
        w.field(verbatim: "due_at", data.dueAt)
        w.field(verbatim: "due_at_local", data.dueAtLocal)
        w.field(verbatim: "kind", data.kind)
        w.field(verbatim: "label", data.label)
        w.field(verbatim: "notice_id", data.noticeID)
        w.field(verbatim: "occurrence", data.occurrence)
        w.key(verbatim: "step")
        w.beginObject()
        w.field(verbatim: "id", data.step.id)
        w.field(verbatim: "title", data.step.title)
        w.endObject()
        w.field(verbatim: "time_zone", data.timeZone)
        w.endObject()
        w.field(verbatim: "event_id", eventID)
        if let links {
            w.key(verbatim: "links")
            w.beginObject()
            w.field(verbatim: "expires", links.expires)
            w.field(verbatim: "mark_done", links.markDone)
            w.field(verbatim: "snooze", links.snooze)
            w.field(verbatim: "snooze_days", links.snoozeDays)
            w.endObject()
        }
        w.field(verbatim: "timestamp", timestamp)
        w.field(verbatim: "type", type)
        w.field(verbatim: "version", version)
        w.endObject()
        return w.bytes
    }
}
