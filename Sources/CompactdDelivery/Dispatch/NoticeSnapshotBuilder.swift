import CompactdCore
import CompactdStore

/// Freezes a planned notice into what the outbox keeps: names, titles, times and commitments
/// as the configuration says them now.
public struct NoticeSnapshotBuilder: Sendable {
    public let configuration: Configuration

    public init(configuration: Configuration) {
        self.configuration = configuration
    }

    public func snapshot(for notice: PlannedNotice) -> NoticeSnapshot {
        let step = notice.step
        let compact = configuration.compact(step.compactID)
        let cycle = compact?.cycles.first { $0.id == step.cycleID }
        let commitmentIDs: [String]
        if let cycle, let s = cycle.steps.first(where: { $0.id == step.stepID }) {
            commitmentIDs = s.commitments
        } else if let deadline = compact?.deadlines.first(where: { $0.id == step.stepID }) {
            commitmentIDs = deadline.commitments
        } else {
            commitmentIDs = []
        }
        let all = compact?.commitments ?? []
        let commitments = commitmentIDs.isEmpty ? all.map(\.title) : all.filter { commitmentIDs.contains($0.id) }.map(\.title)
        let zone = configuration.timeZone
        let detail: String = switch notice.kind {
        case .reminder(let lead): lead.description
        case .overdue(let n), .escalation(let n): String(n)
        }
        let sendDay = zone.localDateTime(at: notice.sendAt).date.daysSinceEpoch
        let dueDay = step.dueLocal.date.daysSinceEpoch
        return NoticeSnapshot(
            compactID: step.compactID, partner: compact?.partner ?? step.compactID,
            cycleID: step.cycleID, cycleTitle: cycle?.title ?? (step.cycleID == StepOccurrence.deadlineCycleID ? "Deadline" : step.cycleID),
            occurrence: step.occurrence.description, stepID: step.stepID, stepTitle: step.stepTitle,
            kind: notice.kind.name, label: notice.kind.label, detail: detail,
            dueAtUTC: step.dueAt.rfc3339UTC, dueAtLocal: TimestampFormat.short(step.dueAt, in: zone),
            timeZone: zone.identifier, daysUntilDue: Int(dueDay - sendDay), commitments: commitments
        )
    }

    public func newDelivery(for notice: PlannedNotice, missed: Bool) -> NewDelivery {
        NewDelivery(
            id: notice.id, stepKey: notice.step.key, channel: notice.recipient.channelID, contact: notice.recipient.contactID,
            sendAt: notice.sendAt, snapshot: snapshot(for: notice), missed: missed
        )
    }
}
