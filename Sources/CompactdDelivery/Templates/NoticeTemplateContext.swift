import CompactdCore
import CompactdStore

/// The variables a template may use, built from a notice snapshot.
public enum NoticeTemplateContext {
    /// Every variable name templates may use; anything else is reported by `compactctl check`.
    public static let variables: Set<String> = [
        "partner", "compact_id", "cycle_id", "cycle_title", "occurrence", "step_id", "step_title", "kind", "label",
        "due_local", "due_utc", "time_zone", "days_until_due", "days_overdue", "is_overdue", "commitments",
        "has_commitments", "contact_name", "is_deadline", "due_today", "due_tomorrow", "due_later", "label_es",
        "mark_done_url", "snooze_url", "snooze_days",
    ]

    /// `contact_name` is left out when the notice goes to no person (a channel, a team
    /// address): a section `{{#contact_name}}` is then skipped, where an empty string would
    /// still open it ("Hello ,").
    /// `mark_done_url`, `snooze_url` and `snooze_days` are there only when the notice carries
    /// action links (`[http]` configured), so `{{#mark_done_url}}…{{/mark_done_url}}` shows them
    /// only then.
    public static func values(for snapshot: NoticeSnapshot, contactName: String?, links: ActionLinks? = nil) -> [String: Any] {
        var values: [String: Any] = [
            "partner": snapshot.partner,
            "compact_id": snapshot.compactID,
            "cycle_id": snapshot.cycleID,
            "cycle_title": snapshot.cycleTitle,
            "occurrence": snapshot.occurrence,
            "step_id": snapshot.stepID,
            "step_title": snapshot.stepTitle,
            "kind": snapshot.kind,
            "label": snapshot.label,
            "due_local": snapshot.dueAtLocal,
            "due_utc": snapshot.dueAtUTC,
            "time_zone": snapshot.timeZone,
            "days_until_due": snapshot.daysUntilDue,
            "days_overdue": max(0, -snapshot.daysUntilDue),
            "is_overdue": snapshot.daysUntilDue < 0,
            "commitments": snapshot.commitments,
            "has_commitments": !snapshot.commitments.isEmpty,
            // So templates can say "today", "tomorrow" ("hoy", "mañana") instead of "0 days", and
            // name a one-off deadline without a cycle title in the wrong language.
            "is_deadline": snapshot.cycleID == StepOccurrence.deadlineCycleID,
            "due_today": snapshot.daysUntilDue == 0,
            "due_tomorrow": snapshot.daysUntilDue == 1,
            "due_later": snapshot.daysUntilDue > 1,
            "label_es": spanishLabel(kind: snapshot.kind, detail: snapshot.detail),
        ]
        if let contactName, !contactName.trimmingWhitespace().isEmpty { values["contact_name"] = contactName }
        if let links {
            values["mark_done_url"] = links.markDone
            values["snooze_url"] = links.snooze
            values["snooze_days"] = links.snoozeDays
        }
        return values
    }

    /// Sample data for checking templates.
    /// The notice's kind in Spanish: `7d antes`, `vencimiento`, `aviso de vencimiento n.º 2`,
    /// `escalamiento n.º 3` (the English `label` must not appear inside Spanish text).
    static func spanishLabel(kind: String, detail: String) -> String {
        switch kind {
        case "reminder": detail == "0" ? "vencimiento" : "\(detail) antes"
        case "overdue": "aviso de vencimiento n.º \(detail)"
        case "escalation": "escalamiento n.º \(detail)"
        default: "prueba"
        }
    }

    public static let sample = NoticeSnapshot(
        compactID: "carson", partner: "City of Carson", cycleID: "summer-reengagement", cycleTitle: "Summer re-engagement",
        occurrence: "2026-05-01", stepID: "kickoff", stepTitle: "Re-engage the City of Carson on the compact",
        kind: "reminder", label: "7d before", detail: "7d", dueAtUTC: "2026-05-15T16:00:00Z",
        dueAtLocal: "2026-05-15 09:00 PDT", timeZone: "America/Los_Angeles", daysUntilDue: 7,
        commitments: ["Crossing guards and other traffic safety improvements", "Parent and family engagement"]
    )
}
