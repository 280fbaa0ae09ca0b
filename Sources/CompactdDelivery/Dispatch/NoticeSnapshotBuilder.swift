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
        guard let place = configuration.compactIndex(step.compactID) else {
            return snapshot(for: notice, compact: nil)
        }
        // Read in place: a copy of the compact retained every one of its arrays.
        return configuration.compacts.withUnsafeBufferPointer { snapshot(for: notice, compact: $0.baseAddress! + place) }
    }

    private func snapshot(for notice: PlannedNotice, compact: UnsafePointer<Compact>?) -> NoticeSnapshot {
        let step = notice.step
        let cycle = compact.flatMap { compact in compact.pointee.cycles.firstIndex { $0.id == step.cycleID }.map { compact.pointee.cycles[$0] } }
        let commitmentIDs = step.commitments
        let all = compact?.pointee.commitments ?? []
        let commitments = commitmentIDs.isEmpty ? all.map(\.title) : all.filter { commitmentIDs.contains($0.id) }.map(\.title)
        let zone = configuration.timeZone
        let detail: String = switch notice.kind {
        case .reminder(let lead): lead.description
        case .overdue(let n), .escalation(let n): String(n)
        }
        let sendDay = zone.localDateTime(at: notice.sendAt).date.daysSinceEpoch
        let dueDay = step.dueLocal.date.daysSinceEpoch
        return NoticeSnapshot(
            compactID: step.compactID, partner: compact?.pointee.partner ?? step.compactID,
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
