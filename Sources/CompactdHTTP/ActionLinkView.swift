import CompactdCore

/// The pages of one action link: what the step is (the compact, the cycle, the step, its due
/// date, the commitments concerned, who is asking) with the button, and the outcome. Every
/// configured string is escaped.
struct ActionLinkView: Sendable {
    let claim: ActionClaim
    let step: StepIdentity
    let described: (compact: Compact, cycleTitle: String?, title: String, commitments: [String], policy: ReminderPolicy)
    let who: String
    let configuration: Configuration
    let language: PageLanguage
    let now: Instant

    private var l: PageLanguage { language }
    private func e(_ text: String) -> String { HTMLText.escape(text) }
    private func time(_ instant: Instant) -> String { TimestampFormat.short(instant, in: configuration.timeZone) }

    /// The step, as a definition list.
    var details: String {
        let compact = described.compact
        let commitments = compact.commitments.filter { described.commitments.isEmpty || described.commitments.contains($0.id) }.map(\.title)
        var rows = [
            (l.say("Compact", "Pacto"), e(compact.partner)),
            step.isDeadline ? (l.say("Deadline", "Fecha límite"), e(described.title))
                : (l.say("Review cycle", "Ciclo de revisión"), e("\(described.cycleTitle ?? step.cycleID) (\(step.occurrence))")),
        ]
        if !step.isDeadline { rows.append((l.say("Step", "Paso"), e(described.title))) }
        if let due = dueAt { rows.append((l.say("Due", "Vence"), e(time(due)))) }
        if !commitments.isEmpty {
            rows.append((l.say("Commitments concerned", "Compromisos relacionados"), "<ul>" + commitments.map { "<li>\(e($0))</li>" }.joined() + "</ul>"))
        }
        rows.append((l.say("Sent to", "Enviado a"), e(who)))
        rows.append((l.say("Asked by", "Lo solicita"), l.say("the district's Education Compacts team", "el equipo de Pactos Educativos del distrito")))
        return "<dl>\n" + rows.map { "<dt>\($0.0)</dt><dd>\($0.1)</dd>" }.joined(separator: "\n") + "\n</dl>"
    }

    /// The occurrence's due time, from the planner (the step's schedule as configured now).
    var dueAt: Instant? {
        let around = configuration.timeZone.instant(for: LocalDateTime(date: step.occurrence, hour: 0))
        return Planner(configuration: configuration).stepOccurrences(from: around.adding(seconds: -2 * 86_400), to: around.adding(seconds: 800 * 86_400), compactID: step.compactID)
            .first { $0.key == step.key }?.dueAt
    }

    private func page(_ title: String, _ body: String) -> String {
        HTMLPage.render(title: title, language: language, body: "<h1>\(e(title))</h1>\n" + body)
    }

    /// GET: the step and one button. Nothing changes until the button is pressed.
    func confirmation(state: PlannerState, snoozeDays: Int) -> String {
        if let done = state.acknowledgments[step.key], claim.action == .done || claim.action == .snooze { return alreadyDone(done) }
        switch claim.action {
        case .done:
            return page(l.say("Mark this step done?", "¿Marcar este paso como hecho?"), details + """
            \n<form method="post"><button type="submit">\(l.say("Mark done", "Marcar como hecho"))</button></form>
            <p class="small">\(l.say("The reminders for this step stop once it is marked done.", "Los recordatorios de este paso se detienen al marcarlo como hecho."))</p>
            """)
        case .snooze:
            var note = ""
            if let snooze = state.snoozes[step.key], snooze.until > now {
                note = "<p class=\"note\">\(l.say("Already snoozed until", "Ya pospuesto hasta")) \(e(time(snooze.until)))\(snooze.by.map { " " + l.say("by", "por") + " " + e($0) } ?? "").</p>\n"
            }
            return page(l.say("Snooze this step's reminders for \(snoozeDays) days?", "¿Posponer los recordatorios de este paso \(snoozeDays) días?"), details + "\n" + note + """
            <form method="post"><button type="submit">\(l.say("Snooze \(snoozeDays) days", "Posponer \(snoozeDays) días"))</button></form>
            """)
        case .undoDone, .undoSnooze:
            return page(l.say("Undo?", "¿Deshacer?"), details + """
            \n<form method="post"><button type="submit" class="secondary">\(l.say("Undo", "Deshacer"))</button></form>
            """)
        }
    }

    func alreadyDone(_ done: StepAcknowledgment) -> String {
        page(l.say("Already marked done", "Ya está marcado como hecho"), """
        <p class="done">\(l.say("Marked done", "Marcado como hecho"))\(done.by.map { " " + l.say("by", "por") + " " + e($0) } ?? "") \(l.say("on", "el")) \(e(time(done.at))).</p>
        \(details)
        <p>\(l.say("Nothing more to do here.", "No hay nada más que hacer aquí."))</p>
        """)
    }

    func nothingToUndo() -> String {
        page(l.say("Nothing to undo", "Nada que deshacer"), "<p>\(l.say("This step is no longer as your link left it; nothing was changed.", "Este paso ya no está como lo dejó su enlace; no se cambió nada."))</p>\n" + details)
    }

    /// After the POST: what happened, and the undo button while it works.
    func result(undoURL: String?, snoozeDays: Int) -> String {
        let title: String
        let text: String
        switch claim.action {
        case .done:
            title = l.say("Marked done. Thank you, \(who).", "Marcado como hecho. Gracias, \(who).")
            text = l.say("The reminders for this step have stopped.", "Los recordatorios de este paso se han detenido.")
        case .snooze:
            title = l.say("Snoozed for \(snoozeDays) days", "Pospuesto \(snoozeDays) días")
            text = l.say("The reminders for this step resume after that, unless it is marked done.", "Los recordatorios de este paso se reanudan después, a menos que se marque como hecho.")
        case .undoDone:
            title = l.say("Undone: the step is open again", "Deshecho: el paso está abierto de nuevo")
            text = l.say("Its reminders resume as planned.", "Sus recordatorios se reanudan según lo previsto.")
        case .undoSnooze:
            title = l.say("Undone: the snooze has ended", "Deshecho: ya no está pospuesto")
            text = l.say("Its reminders resume as planned.", "Sus recordatorios se reanudan según lo previsto.")
        }
        var body = "<p class=\"done\">\(e(text))</p>\n" + details
        if let undoURL {
            body += "\n<form method=\"post\" action=\"\(e(undoURL))\"><button type=\"submit\" class=\"secondary\">\(l.say("Undo", "Deshacer"))</button></form>"
        }
        return page(title, body)
    }
}
