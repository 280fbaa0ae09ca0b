import CompactdCore
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
}
