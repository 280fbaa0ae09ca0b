import CompactdCore
import Foundation
import Testing

/// The report's days, read by people beside a date: counted in calendar days of the
/// configuration's time zone, whatever the hour.
@Suite("Partnership report")
struct PartnershipReportTests {
    /// Deadlines due at noon in Los Angeles on the given dates, planned from one compact.
    private func report(now: String, due dates: [String]) -> [String: PartnershipReport.Step] {
        let deadlines = dates.enumerated().map { index, date in
            Deadline(id: "d\(index)", title: date, due: LocalDateTime(date: LocalDate(parsing: date)!, hour: 12), policy: PlannerFixture.policy())
        }
        let configuration = PlannerFixture.configuration([PlannerFixture.compact(deadlines: deadlines)])
        let report = PartnershipReport(configuration: configuration, state: .empty, lastContact: [:], now: PlannerFixture.at(now))
        return Dictionary(uniqueKeysWithValues: report.compacts[0].steps.map { ($0.title, $0) })
    }

    @Test("days are calendar days in the time zone: due on the 29th is 2 days overdue on the 1st at any hour", arguments: ["2026-12-01 00:01:00", "2026-12-01 11:59:00", "2026-12-01 12:01:00", "2026-12-01 23:59:00"])
    func calendarDays(now: String) {
        let steps = report(now: now, due: ["2026-11-29", "2026-11-30", "2026-12-02", "2026-12-11"])
        #expect(steps["2026-11-29"]?.state == "overdue" && steps["2026-11-29"]?.days == 2, "\(String(describing: steps["2026-11-29"]))")
        #expect(steps["2026-11-30"]?.state == "overdue" && steps["2026-11-30"]?.days == 1, "\(String(describing: steps["2026-11-30"]))")
        #expect(steps["2026-12-02"]?.state == "open" && steps["2026-12-02"]?.days == 1, "\(String(describing: steps["2026-12-02"]))")
        #expect(steps["2026-12-11"]?.state == "open" && steps["2026-12-11"]?.days == 10, "\(String(describing: steps["2026-12-11"]))")
    }

    @Test("a step due today is 0 days away, open before its hour and overdue after it")
    func dueToday() {
        let before = report(now: "2026-12-01 08:00:00", due: ["2026-12-01"])["2026-12-01"]
        #expect(before?.state == "open" && before?.days == 0, "\(String(describing: before))")
        let after = report(now: "2026-12-01 18:00:00", due: ["2026-12-01"])["2026-12-01"]
        #expect(after?.state == "overdue" && after?.days == 0, "\(String(describing: after))")
    }

    @Test("rows kept for a page: the same rows as the whole report's at those places, the same totals counted over every compact")
    func keptRowsArePlacesOfWhole() throws {
        typealias F = PlannerFixture
        var draft = F.compact("draft", cycles: [F.cycle(calendar: "*-*-01 09:00", steps: [F.step()])])
        draft.status = .draft
        let deadline = Deadline(id: "report", title: "Report", due: LocalDateTime(date: LocalDate(parsing: "2026-12-10")!, hour: 12), policy: F.policy())
        let c = F.configuration([
            F.compact("bell", cycles: [F.cycle(calendar: "*-11-01 09:00", steps: [F.step(due: "14d"), F.step("review", due: "45d")])]),
            draft,
            F.compact("carson", cycles: [F.cycle("monthly", calendar: "*-*-01 09:00", steps: [F.step(due: "3d")])], deadlines: [deadline]),
            F.compact("cudahy"),
            F.compact("maywood", cycles: [F.cycle("quarterly", calendar: "*-01,04,07,10-15 10:30", steps: [F.step(due: "3d")])]),
            F.compact("vernon", deadlines: [deadline]),
            F.compact("bell-2", cycles: [F.cycle(calendar: "*-11-01 09:00", steps: [F.step(due: "14d"), F.step("review", due: "45d")])]),
        ])
        let now = F.at("2026-12-01 12:00")
        // Every state a step can be in, in several compacts: done, snoozed, overdue, open.
        var state = PlannerState.empty
        for key in ["bell/summer/2026-11-01/kickoff", "carson/deadline/2026-12-10/report", "bell-2/summer/2026-11-01/review"] {
            state.acknowledgments[key] = StepAcknowledgment(stepKey: key, at: now, by: "maria")
        }
        state.snoozes["carson/monthly/2026-12-01/kickoff"] = StepSnooze(stepKey: "carson/monthly/2026-12-01/kickoff", at: now, until: now.adding(seconds: 9 * 86_400))
        let whole = PartnershipReport(configuration: c, state: state, lastContact: ["vernon": now], now: now)
        #expect(whole.compacts.map(\.id) == c.compacts.map(\.id))
        #expect(whole.stepsDone == 3 && whole.stepsSnoozed == 1 && whole.stepsOverdue > 0 && whole.stepsOpen > 0, "\(whole.stepsDone) \(whole.stepsSnoozed) \(whole.stepsOverdue) \(whole.stepsOpen)")
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        for rows in [0..<3, 3..<7, 2..<3, 6..<7, 7..<7, 0..<7] {
            let kept = PartnershipReport(configuration: c, state: state, lastContact: ["vernon": now], now: now, keptRows: rows)
            let keptRows: [Data] = try kept.compacts.map { try encoder.encode($0) }
            let wholeRows: [Data] = try whole.compacts[rows].map { try encoder.encode($0) }
            #expect(keptRows == wholeRows, "rows \(rows)")
            let keptTotals: [Int] = [kept.stepsDone, kept.stepsSnoozed, kept.stepsOpen, kept.stepsOverdue, kept.activeCompacts, kept.totalCompacts]
            let wholeTotals: [Int] = [whole.stepsDone, whole.stepsSnoozed, whole.stepsOpen, whole.stepsOverdue, whole.activeCompacts, whole.totalCompacts]
            #expect(keptTotals == wholeTotals, "rows \(rows)")
        }
    }
}
