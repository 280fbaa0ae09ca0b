import CompactdCore

/// `report -o json`'s parts, each object's keys as `JSONOutput` names and orders those of
/// `PartnershipReport` (snake_case, sorted; a nil optional left out), so that the report
/// written a row at a time is the report encoded whole, byte for byte. The keys are listed
/// here again, beside the model's properties: a property added there must be added here
/// (`ReportAndExportTests` compares the output with JSONEncoder's encoding of the model, and
/// fails when one is missing).
extension PrettyJSONWriter {
    /// The document's keys before its rows (`compacts`), the rows by `writeRows`, then the
    /// keys after them, with the totals the rows counted.
    mutating func writeReport(opening header: PartnershipReport, writeRows: (inout PrettyJSONWriter) -> PartnershipReport) {
        beginObject()
        field("active_compacts", header.activeCompacts)
        key("compacts")
        beginArray()
        let report = writeRows(&self)
        endArray()
        field("generated", report.generated)
        field("generated_utc", report.generatedUtc)
        key("goals")
        beginArray()
        for goal in report.goals { write(goal) }
        endArray()
        field("steps_done", report.stepsDone)
        field("steps_open", report.stepsOpen)
        field("steps_overdue", report.stepsOverdue)
        field("steps_snoozed", report.stepsSnoozed)
        field("time_zone", report.timeZone)
        field("total_compacts", report.totalCompacts)
        endObject()
    }

    mutating func write(_ goal: PartnershipReport.Goal) {
        beginObject()
        field("active", goal.active)
        field("by", goal.by)
        field("days_left", goal.daysLeft)
        field("id", goal.id)
        field("met", goal.met)
        field("minimum", goal.minimum)
        field("plainly", goal.plainly)
        field("title", goal.title)
        endObject()
    }

    mutating func write(_ row: PartnershipReport.Compact) {
        beginObject()
        field("commitments", row.commitments)
        field("commitments_reviewed", row.commitmentsReviewed)
        field("cycle", row.cycle)
        field("id", row.id)
        field("last_contact", row.lastContact)
        field("last_contact_utc", row.lastContactUtc)
        field("occurrence", row.occurrence)
        field("partner", row.partner)
        field("status", row.status)
        key("steps")
        beginArray()
        for step in row.steps { write(step) }
        endArray()
        endObject()
    }

    mutating func write(_ step: PartnershipReport.Step) {
        beginObject()
        field("acknowledged_at", step.acknowledgedAt)
        field("acknowledged_at_utc", step.acknowledgedAtUtc)
        field("acknowledged_by", step.acknowledgedBy)
        field("days", step.days)
        field("due", step.due)
        field("due_utc", step.dueUtc)
        field("key", step.key)
        field("kind", step.kind)
        field("note", step.note)
        field("snoozed_until", step.snoozedUntil)
        field("snoozed_until_utc", step.snoozedUntilUtc)
        field("state", step.state)
        field("step", step.step)
        field("title", step.title)
        endObject()
    }
}
