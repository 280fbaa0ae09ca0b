import CompactdCore

/// The coordinator's read-only pages: the partnership at a glance and a page per compact. Every
/// figure is `PartnershipReport`'s (the model behind `compactctl report`), never recomputed
/// here; each step's row carries its key and state as data attributes, so a test can hold the
/// page to `report -o json`.
struct StatusPages: Sendable {
    let report: PartnershipReport
    let next: [PlannedNotice]
    let configuration: Configuration
    let language: PageLanguage
    /// The base of the status pages' own links (`/status/TOKEN` or `/status`).
    let base: String
    /// The overview's page of compacts (1-based), as `page(asked:of:)` gives it: the report's
    /// rows are that page's compacts, its totals every compact's.
    var page = 1

    /// Compacts on one overview page: a district's dozen fit on one; at 10,000 compacts the
    /// single page was 9 MB of HTML (a county office's agreements).
    static let compactsPerPage = 100

    /// The next notices the overview lists (of the next 30 days).
    static let nextShown = 25

    /// The overview page shown when `asked` is asked for among `total` compacts (out of
    /// range is the nearest page), and the places of its compacts in the configuration: the
    /// rows the report keeps for it.
    static func page(asked: Int, of total: Int) -> (page: Int, rows: Range<Int>) {
        let page = min(max(1, asked), pageCount(of: total))
        let first = (page - 1) * compactsPerPage
        return (page, first..<min(first + compactsPerPage, total))
    }

    /// How many overview pages `total` compacts fill (one, when there are none).
    static func pageCount(of total: Int) -> Int { max(1, (total + compactsPerPage - 1) / compactsPerPage) }

    /// A link to the overview (page `page`) or a compact's page, always in this page's
    /// language: a link without `?lang=` would fall back to the browser's language, so a
    /// reader with a Spanish browser who chose English would be sent back to Spanish.
    private func link(_ path: String = "", language: PageLanguage? = nil, page: Int = 1) -> String {
        e("\(base)\(path)?lang=\((language ?? l).rawValue)" + (page > 1 ? "&page=\(page)" : ""))
    }

    private var l: PageLanguage { language }
    private func plural(_ n: Int, _ one: String, _ many: String) -> String { n == 1 ? one : many }
    private func e(_ text: String) -> String { HTMLText.escape(text) }
    private func shown(_ rfc3339: String?) -> String {
        JSONTime.display(rfc3339, configuration.timeZone) ?? l.say("none recorded", "sin registro")
    }

    private func state(_ step: PartnershipReport.Step) -> String {
        switch step.state {
        case "done":
            return "<span class=\"done\">\(l.say("done", "hecho"))</span>" + (step.acknowledgedBy.map { " " + l.say("by", "por") + " " + e($0) } ?? "")
                + (step.acknowledgedAt.map { " " + l.say("on", "el") + " " + e(shown($0)) } ?? "") + (step.note.map { " <span class=\"note\">&ldquo;\(e($0))&rdquo;</span>" } ?? "")
        case "snoozed": return l.say("snoozed until", "pospuesto hasta") + " " + e(shown(step.snoozedUntil))
        case "overdue":
            let late = step.days == 0 ? l.say("overdue since earlier today", "vencido hoy")
                : l.say("overdue by \(step.days) day\(step.days == 1 ? "" : "s")", "vencido hace \(step.days) día\(step.days == 1 ? "" : "s")")
            return "<span class=\"overdue\">" + late + "</span>"
        default: return step.days == 0 ? l.say("due today", "vence hoy") : l.say("due in \(step.days) day\(step.days == 1 ? "" : "s")", "vence en \(step.days) día\(step.days == 1 ? "" : "s")")
        }
    }

    private func stepRows(_ compact: PartnershipReport.Compact) -> String {
        compact.steps.map { step in
            let name = step.kind == "Deadline" ? l.say("Deadline", "Fecha límite") + ": " + step.title : step.title
            return "<tr data-step=\"\(e(step.key))\" data-state=\"\(e(step.state))\"><td>\(e(name))</td><td>\(e(shown(step.due)))</td><td>\(state(step))</td></tr>"
        }.joined(separator: "\n")
    }

    private var goals: String {
        report.goals.map { goal in
            "<li data-goal=\"\(e(goal.id))\" data-active=\"\(goal.active)\" data-minimum=\"\(goal.minimum)\" data-met=\"\(goal.met)\"><strong>\(e(goal.title))</strong>: \(e(goal.plainly))</li>"
        }.joined(separator: "\n")
    }

    /// The partnership at a glance.
    func overview() -> String {
        var body = """
        <h1>\(l.say("Education Compacts at a glance", "Pactos Educativos de un vistazo"))</h1>
        <p class="small">\(l.say("As of", "Al")) \(e(shown(report.generated))).</p>
        <p id="summary" data-active="\(report.activeCompacts)" data-total="\(report.totalCompacts)" data-done="\(report.stepsDone)" data-snoozed="\(report.stepsSnoozed)" data-open="\(report.stepsOpen)" data-overdue="\(report.stepsOverdue)">\(l.say("\(report.activeCompacts) active \(plural(report.activeCompacts, "compact", "compacts")) of \(report.totalCompacts). In the current review cycles and deadlines: \(report.stepsDone) \(plural(report.stepsDone, "step", "steps")) done, \(report.stepsSnoozed) snoozed, \(report.stepsOpen) open, \(report.stepsOverdue) overdue.", "\(report.activeCompacts) \(plural(report.activeCompacts, "pacto activo", "pactos activos")) de \(report.totalCompacts). En los ciclos de revisión y fechas límite actuales: \(report.stepsDone) \(plural(report.stepsDone, "paso hecho", "pasos hechos")), \(report.stepsSnoozed) \(plural(report.stepsSnoozed, "pospuesto", "pospuestos")), \(report.stepsOpen) \(plural(report.stepsOpen, "abierto", "abiertos")), \(report.stepsOverdue) \(plural(report.stepsOverdue, "vencido", "vencidos"))."))</p>

        """
        if !report.goals.isEmpty { body += "<h2>\(l.say("Goals", "Metas"))</h2>\n<ul>\n\(goals)\n</ul>\n" }
        // The summary and goals count every compact; the tables show one page of them, the
        // report's rows.
        let pages = Self.pageCount(of: report.totalCompacts)
        let first = Self.page(asked: page, of: report.totalCompacts).rows.lowerBound
        let shownCompacts = report.compacts
        // Above and below the table, the same.
        let navigation = pages > 1 ? pageNavigation(page: page, pages: pages, first: first + 1, last: first + shownCompacts.count) : ""
        body += "<h2>\(l.say("Compacts", "Pactos"))</h2>\n" + navigation
        body += "<table>\n<thead><tr><th>\(l.say("Partner", "Socio"))</th><th>\(l.say("Current cycle", "Ciclo actual"))</th><th>\(l.say("Steps", "Pasos"))</th><th>\(l.say("Last contact", "Último contacto"))</th></tr></thead>\n<tbody>\n"
        for compact in shownCompacts {
            let done = compact.steps.filter { $0.state == "done" }.count, overdue = compact.steps.filter { $0.state == "overdue" }.count
            body += "<tr data-compact=\"\(e(compact.id))\"><td><a href=\"\(link("/compact/" + compact.id))\">\(e(compact.partner))</a> <span class=\"small\">(\(e(compact.status)))</span></td>"
            body += "<td>\(e(compact.cycle.map { "\($0) \(compact.occurrence ?? "")" } ?? "-"))</td>"
            body += "<td>\(l.say("\(done) of \(compact.steps.count) done", "\(done) de \(compact.steps.count) hechos"))\(overdue > 0 ? ", <span class=\"overdue\">\(l.say("\(overdue) overdue", "\(overdue) vencidos"))</span>" : "")</td>"
            body += "<td>\(e(shown(compact.lastContact)))</td></tr>\n"
        }
        body += "</tbody>\n</table>\n" + navigation
        body += "<h2>\(l.say("Open and overdue steps", "Pasos abiertos y vencidos"))</h2>\n"
        if pages > 1 {
            body += "<p class=\"small\">\(l.say("Of the compacts on this page.", "De los pactos de esta página."))</p>\n"
        }
        if !shownCompacts.contains(where: { $0.steps.contains { $0.state != "done" } }) {
            body += pages > 1
                ? "<p>\(l.say("None: every step of these compacts' current cycles and deadlines is done.", "Ninguno: todos los pasos de los ciclos y fechas límite actuales de estos pactos están hechos."))</p>\n"
                : "<p>\(l.say("None: every step of the current cycles and deadlines is done.", "Ninguno: todos los pasos de los ciclos y fechas límite actuales están hechos."))</p>\n"
        }
        body += "<table>\n<thead><tr><th>\(l.say("Step", "Paso"))</th><th>\(l.say("Due", "Vence"))</th><th>\(l.say("State", "Estado"))</th></tr></thead>\n<tbody>\n"
        for compact in shownCompacts {
            for step in compact.steps where step.state != "done" {
                body += "<tr data-step=\"\(e(step.key))\" data-state=\"\(e(step.state))\"><td>\(e(compact.partner)): \(e(step.kind == "Deadline" ? l.say("Deadline", "Fecha límite") + ": " + step.title : step.title))</td><td>\(e(shown(step.due)))</td><td>\(state(step))</td></tr>\n"
            }
        }
        body += "</tbody>\n</table>\n"
        body += "<h2>\(l.say("Next notices", "Próximos avisos"))</h2>\n"
        if next.isEmpty {
            body += "<p>\(l.say("None in the next 30 days.", "Ninguno en los próximos 30 días."))</p>\n"
        } else {
            body += "<table>\n<thead><tr><th>\(l.say("When", "Cuándo"))</th><th>\(l.say("Step", "Paso"))</th><th>\(l.say("Notice", "Aviso"))</th></tr></thead>\n<tbody>\n"
            for notice in next.prefix(Self.nextShown) {
                body += "<tr><td>\(e(TimestampFormat.short(notice.sendAt, in: configuration.timeZone)))</td><td>\(e(configuration.compact(notice.step.compactID)?.partner ?? notice.step.compactID)): \(e(notice.step.stepTitle))</td><td>\(e(notice.kind.label))</td></tr>\n"
            }
            body += "</tbody>\n</table>\n"
        }
        body += "<p class=\"small\"><a href=\"\(link(language: l == .es ? .en : .es, page: page))\">\(l.say("En español", "In English"))</a></p>\n"
        return HTMLPage.render(title: l.say("Education Compacts at a glance", "Pactos Educativos de un vistazo"), language: language, body: body)
    }

    /// "Compacts 101-200 of 10000", with the previous and next pages' links where there are some.
    private func pageNavigation(page: Int, pages: Int, first: Int, last: Int) -> String {
        var nav = "<nav class=\"pages\" data-page=\"\(page)\" data-pages=\"\(pages)\"><p>"
        if page > 1 { nav += "<a rel=\"prev\" href=\"\(link(page: page - 1))\">&larr; \(l.say("Previous", "Anterior"))</a> " }
        nav += l.say("Compacts \(first)&ndash;\(last) of \(report.totalCompacts)", "Pactos \(first)&ndash;\(last) de \(report.totalCompacts)")
        if page < pages { nav += " <a rel=\"next\" href=\"\(link(page: page + 1))\">\(l.say("Next", "Siguiente")) &rarr;</a>" }
        return nav + "</p></nav>\n"
    }

    /// One compact: its commitments, its current cycle's steps and its deadlines.
    func compact(_ id: String) -> String? {
        guard let compact = report.compacts.first(where: { $0.id == id }) else { return nil }
        var body = """
        <p class="small"><a href="\(link())">\(l.say("All compacts", "Todos los pactos"))</a></p>
        <h1>\(e(compact.partner))</h1>
        <dl>
        <dt>\(l.say("Status", "Estado"))</dt><dd>\(e(compact.status))</dd>
        <dt>\(l.say("Last contact", "Último contacto"))</dt><dd>\(e(shown(compact.lastContact)))</dd>
        <dt>\(l.say("Current cycle", "Ciclo actual"))</dt><dd>\(e(compact.cycle.map { "\($0) \(compact.occurrence ?? "")" } ?? "-"))</dd>
        <dt>\(l.say("Commitments reviewed", "Compromisos revisados"))</dt><dd data-reviewed="\(compact.commitmentsReviewed)">\(l.say("\(compact.commitmentsReviewed) of \(compact.commitments.count)", "\(compact.commitmentsReviewed) de \(compact.commitments.count)"))</dd>
        </dl>

        """
        if !compact.commitments.isEmpty {
            body += "<h2>\(l.say("Commitments", "Compromisos"))</h2>\n<ul>\n" + compact.commitments.map { "<li>\(e($0))</li>" }.joined(separator: "\n") + "\n</ul>\n"
        }
        body += "<h2>\(l.say("Steps", "Pasos"))</h2>\n<table>\n<thead><tr><th>\(l.say("Step", "Paso"))</th><th>\(l.say("Due", "Vence"))</th><th>\(l.say("State", "Estado"))</th></tr></thead>\n<tbody>\n\(stepRows(compact))\n</tbody>\n</table>\n"
        return HTMLPage.render(title: compact.partner, language: language, body: body)
    }
}
