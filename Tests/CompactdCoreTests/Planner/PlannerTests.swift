import CompactdCore
import CompactdTestSupport
import Testing

@Suite("Planner over multi-year horizons with a fixed clock")
struct PlannerTests {
    typealias F = PlannerFixture

    @Test("09:00 stays 09:00 local across every DST change, 2024-2030")
    func wallClockAcrossDST() {
        // Occurrences in March and November, steps due across the DST changes.
        let compact = F.compact(cycles: [
            F.cycle("spring", calendar: "*-03-01 09:00", steps: [F.step(due: "+14d", policy: F.policy(reminders: ["10d", "0"], overdue: "7d", limit: 2))]),
            F.cycle("fall", calendar: "*-10-28 09:00", steps: [F.step(due: "+7d", policy: F.policy(reminders: ["3d", "0"], overdue: "7d", limit: 2))]),
        ])
        let notices = Planner(configuration: F.configuration([compact])).plan(from: F.at("2024-01-01 00:00"), to: F.at("2031-01-01 00:00"))
        #expect(notices.count == 7 * 2 * 4)
        for notice in notices {
            #expect(F.la.localDateTime(at: notice.sendAt).hour == 9, "\(notice.id) at \(F.local(notice.sendAt))")
            #expect(F.la.localDateTime(at: notice.sendAt).minute == 0)
        }
        // Spring 2024: due 2024-03-15 09:00 PDT (16:00 UTC); 10 days before is 03-05 09:00 PST (17:00 UTC).
        let spring2024 = notices.filter { $0.step.cycleID == "spring" && $0.step.occurrence.year == 2024 }
        #expect(spring2024.map(\.sendAt.rfc3339UTC) == ["2024-03-05T17:00:00Z", "2024-03-15T16:00:00Z", "2024-03-22T16:00:00Z", "2024-03-29T16:00:00Z"])
    }

    @Test("a cycle on February 29 occurs only in leap years; a year before Feb 29 is Feb 28")
    func february29() {
        let compact = F.compact(cycles: [
            F.cycle("leap", calendar: "*-02-29 10:00", steps: [F.step(policy: F.policy(reminders: ["1y", "1M", "0"], overdue: nil))]),
        ])
        let planner = Planner(configuration: F.configuration([compact]))
        let notices = planner.plan(from: F.at("2023-01-01 00:00"), to: F.at("2033-01-01 00:00"))
        #expect(Set(notices.map(\.step.occurrence.year)) == [2024, 2028, 2032])
        let leap2028 = notices.filter { $0.step.occurrence.year == 2028 }.map { F.local($0.sendAt) }
        #expect(leap2028 == ["2027-02-28 10:00:00", "2028-01-29 10:00:00", "2028-02-29 10:00:00"])
    }

    @Test("months are anchor + n months: Jan 31 + 1 month is Feb 28 or 29, and never drifts")
    func monthEnds() {
        let compact = F.compact(cycles: [
            F.cycle("monthly", calendar: "*-01-31 09:00", steps: [
                F.step("one-month", due: "+1M", policy: F.policy(reminders: ["0"], overdue: nil)),
                F.step("three-months", due: "+3M", policy: F.policy(reminders: ["0"], overdue: nil)),
            ]),
            F.cycle("last-day", calendar: "*-*~01 09:00", steps: [F.step("close", policy: F.policy(reminders: ["0"], overdue: nil))]),
        ])
        let planner = Planner(configuration: F.configuration([compact]))
        let notices = planner.plan(from: F.at("2024-01-01 00:00"), to: F.at("2026-01-01 00:00"))
        let oneMonth = notices.filter { $0.step.stepID == "one-month" }.map { F.local($0.sendAt) }
        #expect(oneMonth == ["2024-02-29 09:00:00", "2025-02-28 09:00:00"])
        let threeMonths = notices.filter { $0.step.stepID == "three-months" }.map { F.local($0.sendAt) }
        #expect(threeMonths == ["2024-04-30 09:00:00", "2025-04-30 09:00:00"])
        let lastDays = notices.filter { $0.step.cycleID == "last-day" }.map { F.la.localDateTime(at: $0.sendAt).date }
        #expect(lastDays.count == 24)
        #expect(lastDays.allSatisfy { $0.day == CivilCalendar.daysInMonth(year: $0.year, month: $0.month) })
    }

    @Test("a due date on a holiday moves per the shift policy", arguments: [
        (BusinessDayShift.before, "2024-07-03 09:00:00"),
        (BusinessDayShift.after, "2024-07-05 09:00:00"),
        (BusinessDayShift.keep, "2024-07-04 09:00:00"),
    ])
    func holidayShift(shift: BusinessDayShift, expected: String) throws {
        let independenceDay = Holiday(name: "Independence Day", rule: .calendar(try CalendarSpec(parsing: "*-07-04", localZone: F.la)))
        let compact = F.compact(cycles: [
            F.cycle(calendar: "*-06-20 09:00", steps: [F.step(due: "+14d", policy: F.policy(reminders: ["0"], overdue: nil, shift: shift))]),
        ])
        let notices = Planner(configuration: F.configuration([compact], holidays: [independenceDay]))
            .plan(from: F.at("2024-01-01 00:00"), to: F.at("2025-01-01 00:00"))
        #expect(notices.map { F.local($0.sendAt) } == [expected])
        #expect(notices.first.map { F.local($0.step.dueAt) } == expected)
    }

    @Test("weekend reminders move before or after; a third-Monday holiday rule is honoured")
    func weekendAndRuleHolidays() throws {
        let mlk = Holiday(name: "MLK Day", rule: .calendar(try CalendarSpec(parsing: "Mon *-01-15..21", localZone: F.la)))
        let window = (F.at("2025-01-01 00:00"), F.at("2025-02-01 00:00"))
        // Due Wednesday 2025-01-22; the 4-day reminder falls on Saturday 01-18.
        let make = { (shift: BusinessDayShift) in
            F.compact(cycles: [F.cycle(calendar: "*-01-22 09:00", steps: [F.step(policy: F.policy(reminders: ["4d", "0"], overdue: nil, shift: shift))])])
        }
        let before = Planner(configuration: F.configuration([make(.before)], holidays: [mlk])).plan(from: window.0, to: window.1)
        #expect(before.map { F.local($0.sendAt) } == ["2025-01-17 09:00:00", "2025-01-22 09:00:00"])
        // After: Monday 01-20 is MLK Day, so Tuesday.
        let after = Planner(configuration: F.configuration([make(.after)], holidays: [mlk])).plan(from: window.0, to: window.1)
        #expect(after.map { F.local($0.sendAt) } == ["2025-01-21 09:00:00", "2025-01-22 09:00:00"])

        // Due on MLK Day itself: the due moves first, and reminders count back from the moved due.
        let onHoliday = F.compact(cycles: [F.cycle(calendar: "*-01-20 09:00", steps: [F.step(policy: F.policy(reminders: ["2d", "0"], overdue: nil, shift: .before))])])
        let moved = Planner(configuration: F.configuration([onHoliday], holidays: [mlk])).plan(from: window.0, to: window.1)
        #expect(moved.map { F.local($0.sendAt) } == ["2025-01-15 09:00:00", "2025-01-17 09:00:00"])
    }

    @Test("an acknowledged step gets nothing more; other steps are untouched")
    func acknowledgment() {
        let compact = F.compact(cycles: [F.cycle(calendar: "*-05-01 09:00", steps: [F.step("kickoff", due: "+14d"), F.step("review", due: "+45d")])])
        let planner = Planner(configuration: F.configuration([compact]))
        let window = (F.at("2025-04-01 00:00"), F.at("2025-09-01 00:00"))
        let all = planner.plan(from: window.0, to: window.1)
        let state = PlannerState(acknowledgments: [StepAcknowledgment(stepKey: "bell/summer/2025-05-01/kickoff", at: F.at("2025-05-10 12:00"), by: "ops")])
        let afterAck = planner.plan(from: window.0, to: window.1, state: state)
        #expect(all.contains { $0.step.stepID == "kickoff" })
        #expect(!afterAck.contains { $0.step.stepID == "kickoff" })
        #expect(afterAck == all.filter { $0.step.stepID != "kickoff" })
    }

    @Test("a snooze holds notices back and sends the last one when it ends")
    func snooze() {
        let compact = F.compact(cycles: [F.cycle(calendar: "*-05-01 09:00", steps: [F.step("kickoff", due: "+14d", policy: F.policy(reminders: ["7d", "1d", "0"], overdue: "7d", limit: 3))])])
        let planner = Planner(configuration: F.configuration([compact]))
        let snooze = StepSnooze(stepKey: "bell/summer/2025-05-01/kickoff", at: F.at("2025-05-01 12:00"), until: F.at("2025-05-20 08:00"))
        let notices = planner.plan(from: F.at("2025-04-01 00:00"), to: F.at("2025-07-01 00:00"), state: PlannerState(snoozes: [snooze]))
        // Unsnoozed: 05-08, 05-14, 05-15 (due), 05-22, 05-29, 06-05.
        #expect(notices.map { F.local($0.sendAt) } == ["2025-05-20 08:00:00", "2025-05-22 09:00:00", "2025-05-29 09:00:00", "2025-06-05 09:00:00"])
        #expect(notices[0].kind == .reminder(lead: .zero))
        #expect(notices[0].resumedFromSnooze)
        #expect(notices[0].id == "bell/summer/2025-05-01/kickoff/remind-0/log")
    }

    @Test("a long snooze's resumed notice is planned in any window that holds its end")
    func longSnooze() {
        // Due 2025-05-15; snoozed from 05-01 until 2025-12-01, far past the step's own schedule
        // (its last overdue notice would have been 06-05): the last held notice of each family
        // goes out on 12-01, which a window around that date must find.
        let compact = F.compact(cycles: [F.cycle(calendar: "*-05-01 09:00", steps: [F.step("kickoff", due: "+14d", policy: F.policy(reminders: ["7d", "1d", "0"], overdue: "7d", limit: 3))])])
        let planner = Planner(configuration: F.configuration([compact]))
        let snooze = StepSnooze(stepKey: "bell/summer/2025-05-01/kickoff", at: F.at("2025-05-01 12:00"), until: F.at("2025-12-01 08:00"))
        let state = PlannerState(snoozes: [snooze])
        let whole = planner.plan(from: F.at("2025-04-01 00:00"), to: F.at("2026-02-01 00:00"), state: state).filter { $0.step.occurrence.description == "2025-05-01" }
        // Every notice held; the last of them, the third overdue notice, moves to 12-01.
        #expect(whole.map { "\(F.local($0.sendAt)) \($0.kind)" } == ["2025-12-01 08:00:00 \(NoticeKind.overdue(number: 3))"])
        let around = planner.plan(from: F.at("2025-11-30 00:00"), to: F.at("2025-12-02 00:00"), state: state)
        #expect(around == whole)
        #expect(planner.earliestSendTime(from: F.at("2025-11-01 00:00"), to: F.at("2026-01-01 00:00"), state: state) == F.at("2025-12-01 08:00"))
    }

    @Test("identities survive an unrelated configuration change")
    func identityStability() {
        let bell = F.compact(cycles: [F.cycle(calendar: "*-05-01 09:00", steps: [F.step("kickoff", due: "+14d"), F.step("review", due: "+45d")])])
        let window = (F.at("2024-01-01 00:00"), F.at("2029-01-01 00:00"))
        let before = Planner(configuration: F.configuration([bell])).plan(from: window.0, to: window.1)

        // Another compact added, a step retitled, a new step, and one reminder dropped.
        var changed = bell
        changed.cycles[0].steps[1].title = "Implementation review (renamed)"
        changed.cycles[0].steps.append(F.step("goals", due: "+75d"))
        changed.cycles[0].steps[0].policy.reminders.removeFirst()
        let carson = F.compact("carson", cycles: bell.cycles)
        let after = Planner(configuration: F.configuration([changed, carson])).plan(from: window.0, to: window.1)

        let beforeByID = Dictionary(uniqueKeysWithValues: before.map { ($0.id, $0.sendAt) })
        let afterByID = Dictionary(uniqueKeysWithValues: after.map { ($0.id, $0.sendAt) })
        let kept = before.filter { !$0.id.contains("/kickoff/remind-7d/") }
        #expect(kept.count == before.count - 5)
        for notice in kept {
            #expect(afterByID[notice.id] == beforeByID[notice.id], "\(notice.id)")
        }
        #expect(before.allSatisfy { $0.id.hasPrefix("bell/summer/") })
        #expect(Set(before.map(\.id)).count == before.count)
    }

    @Test("overdue notices escalate after N and stop at the limit; email fans out to contacts; disabled channels get nothing")
    func escalationAndRecipients() {
        let contacts = [Contact(id: "liaison", name: "Liaison", email: "l@example.org"), Contact(id: "deputy", name: "Deputy", email: "d@example.org")]
        let policy = F.policy(reminders: ["0"], overdue: "7d", limit: 4, escalateAfter: 2, escalateTo: [.contact("district-team"), .channel("log")])
        let compact = F.compact(notify: ["log", "mail", "hook"], cycles: [F.cycle(calendar: "*-05-01 09:00", steps: [F.step(policy: policy)])], contacts: contacts)
        let channels = [
            Channel(id: "log", kind: .log),
            Channel(id: "mail", kind: .email(EmailSettings(serverURL: "smtp://127.0.0.1:2525", from: "c@example.org", tls: .none))),
            Channel(id: "hook", kind: .webhook(WebhookSettings(url: "https://x.example.org")), enabled: false),
        ]
        let team = Contact(id: "district-team", name: "Team", email: "t@example.org")
        let notices = Planner(configuration: F.configuration([compact], channels: channels, districtContacts: [team]))
            .plan(from: F.at("2025-04-01 00:00"), to: F.at("2025-07-01 00:00"))
        let kinds = notices.map { "\($0.kind.identityComponent) \($0.recipient)" }
        #expect(kinds == [
            "remind-0 log", "remind-0 mail:liaison", "remind-0 mail:deputy",
            "overdue-1 log", "overdue-1 mail:liaison", "overdue-1 mail:deputy",
            "overdue-2 log", "overdue-2 mail:liaison", "overdue-2 mail:deputy",
            "overdue-3 log", "overdue-3 mail:liaison", "overdue-3 mail:deputy", "escalate-3 mail:district-team", "escalate-3 log",
            "overdue-4 log", "overdue-4 mail:liaison", "overdue-4 mail:deputy", "escalate-4 mail:district-team", "escalate-4 log",
        ])
    }

    /// Recipients are worked out per compact, when its first notice falls in the window, and
    /// escalation recipients per `escalate_to`: compacts planned one after another must each
    /// get their own, and steps of one compact with different escalation targets theirs.
    @Test("each compact and step its own recipients: escalations to no one are not planned; a compact with no everyday recipient plans nothing")
    func recipientsPerCompactAndStep() {
        let escalating = { (to: [RecipientReference]) in F.policy(reminders: ["0"], overdue: "7d", limit: 2, escalateAfter: 1, escalateTo: to) }
        let channels = [
            Channel(id: "log", kind: .log),
            Channel(id: "mail", kind: .email(EmailSettings(serverURL: "smtp://127.0.0.1:2525", from: "c@example.org", tls: .none))),
            Channel(id: "hook", kind: .webhook(WebhookSettings(url: "https://x.example.org")), enabled: false),
        ]
        let compacts = [
            // Its first step escalates only to a disabled channel, its second to the log.
            F.compact("alpha", notify: ["log"], cycles: [F.cycle(calendar: "*-05-01 09:00", steps: [
                F.step("first", policy: escalating([.channel("hook")])), F.step("second", due: "+1d", policy: escalating([.channel("log")])),
            ])]),
            // Everyday notices only to a disabled channel: nothing, not even its escalations.
            F.compact("beta", notify: ["hook"], cycles: [F.cycle(calendar: "*-05-01 09:00", steps: [F.step("first", policy: escalating([.channel("log")]))])]),
            F.compact("gamma", notify: ["mail"], cycles: [F.cycle(calendar: "*-05-01 09:00", steps: [F.step("first", policy: escalating([.contact("district-team")]))])],
                      contacts: [Contact(id: "liaison", name: "Liaison", email: "l@example.org")]),
        ]
        let team = Contact(id: "district-team", name: "Team", email: "t@example.org")
        let planner = Planner(configuration: F.configuration(compacts, channels: channels, districtContacts: [team]))
        let (from, to) = (F.at("2025-04-01 00:00"), F.at("2025-07-01 00:00"))
        let notices = planner.plan(from: from, to: to).map { "\(F.local($0.sendAt)) \($0.step.compactID)/\($0.step.stepID) \($0.kind.identityComponent) \($0.recipient)" }
        #expect(notices == [
            "2025-05-01 09:00:00 alpha/first remind-0 log",
            "2025-05-01 09:00:00 gamma/first remind-0 mail:liaison",
            "2025-05-02 09:00:00 alpha/second remind-0 log",
            "2025-05-08 09:00:00 alpha/first overdue-1 log",
            "2025-05-08 09:00:00 gamma/first overdue-1 mail:liaison",
            "2025-05-09 09:00:00 alpha/second overdue-1 log",
            "2025-05-15 09:00:00 alpha/first overdue-2 log",
            "2025-05-15 09:00:00 gamma/first overdue-2 mail:liaison",
            "2025-05-15 09:00:00 gamma/first escalate-2 mail:district-team",
            "2025-05-16 09:00:00 alpha/second overdue-2 log",
            "2025-05-16 09:00:00 alpha/second escalate-2 log",
        ])
        // The compact with no everyday recipient is passed over by the next-notice search too.
        let beta = Planner(configuration: F.configuration([compacts[1]], channels: channels, districtContacts: [team]))
        #expect(beta.earliestSendTime(from: from, to: to) == nil)
    }

    @Test("a deadline plans like a step; draft and expired compacts plan nothing")
    func deadlinesAndStatus() {
        let deadline = Deadline(id: "board-report", title: "Board report", due: LocalDateTime(date: LocalDate(year: 2025, month: 3, day: 14), hour: 17), policy: F.policy(reminders: ["7d", "0"], overdue: nil))
        var compact = F.compact(deadlines: [deadline])
        let planner = { Planner(configuration: F.configuration([compact])) }
        let notices = planner().plan(from: F.at("2025-01-01 00:00"), to: F.at("2026-01-01 00:00"))
        #expect(notices.map(\.id) == ["bell/deadline/2025-03-14/board-report/remind-7d/log", "bell/deadline/2025-03-14/board-report/remind-0/log"])
        #expect(notices.map { F.local($0.sendAt) } == ["2025-03-07 17:00:00", "2025-03-14 17:00:00"])
        for status in [CompactStatus.draft, .expired] {
            compact.status = status
            #expect(planner().plan(from: F.at("2025-01-01 00:00"), to: F.at("2026-01-01 00:00")).isEmpty)
        }
    }

    @Test("planning a window in pieces gives the same notices as planning it whole")
    func windowsCompose() {
        let compact = F.compact(cycles: [
            F.cycle(calendar: "*-01,04,07,10-01 09:00", steps: [F.step("check-in", due: "+10d", policy: F.policy(reminders: ["5d", "0"], overdue: "3d", limit: 5))]),
        ])
        let planner = Planner(configuration: F.configuration([compact]))
        let whole = planner.plan(from: F.at("2024-01-01 00:00"), to: F.at("2027-01-01 00:00"))
        var pieces: [PlannedNotice] = []
        var cursor = F.at("2024-01-01 00:00")
        while cursor < F.at("2027-01-01 00:00") {
            let next = min(cursor.adding(seconds: 86_400 * 17 + 3_601), F.at("2027-01-01 00:00"))
            pieces += planner.plan(from: cursor, to: next)
            cursor = next
        }
        #expect(whole.count == 12 * 7)
        #expect(pieces == whole)
    }

    /// What the daemon relies on to plan only what fell due since its last pass: with
    /// acknowledgments and snoozes (short, and long enough to outlast every search), windows
    /// laid end to end plan what the whole window plans, in the same order.
    @Test("windows laid end to end plan what the whole does, with acknowledgments and snoozes")
    func windowsComposeWithState() throws {
        let escalating = F.policy(reminders: ["7d", "0"], overdue: "7d", limit: 4, escalateAfter: 2, escalateTo: [.channel("log")], shift: .after)
        let compacts = [
            F.compact("bell", cycles: [F.cycle(calendar: "*-05-01 09:00", steps: [F.step("kickoff", due: "+14d", policy: escalating), F.step("review", due: "+45d")])]),
            F.compact("vernon", cycles: [F.cycle("quarterly", calendar: "*-01,04,07,10-15 10:30", steps: [F.step("check-in", due: "3d", policy: F.policy(reminders: ["30d", "0"], overdue: "2d", limit: 6))])],
                      deadlines: [Deadline(id: "report", title: "Report", due: LocalDateTime(date: LocalDate(year: 2025, month: 9, day: 30), hour: 17, minute: 0), policy: escalating)]),
            F.compact("maywood", cycles: [F.cycle("monthly", calendar: "*-*-01 08:00", steps: [F.step("note", due: "+5d", policy: F.policy(reminders: ["1d"], overdue: "1d", limit: 2, shift: .before))])]),
        ]
        let holidays = [Holiday(name: "Independence Day", rule: .calendar(try CalendarSpec(parsing: "*-07-04", localZone: F.la)))]
        let planner = Planner(configuration: F.configuration(compacts, holidays: holidays))
        let start = F.at("2025-01-01 00:00")
        let end = F.at("2026-07-01 00:00")
        let occurrences = planner.stepOccurrences(from: start, to: end)
        var state = PlannerState.empty
        for (n, occurrence) in occurrences.enumerated() {
            switch n % 7 {
            case 1: state.acknowledgments[occurrence.key] = StepAcknowledgment(stepKey: occurrence.key, at: occurrence.dueAt)
            case 3: state.snoozes[occurrence.key] = StepSnooze(stepKey: occurrence.key, at: occurrence.dueAt.adding(seconds: -3 * 86_400), until: occurrence.dueAt.adding(seconds: 4 * 86_400 + 3_600))
            case 5: state.snoozes[occurrence.key] = StepSnooze(stepKey: occurrence.key, at: occurrence.dueAt.adding(seconds: -86_400), until: occurrence.dueAt.adding(seconds: 150 * 86_400))
            default: break
            }
        }
        let whole = planner.plan(from: start, to: end, state: state)
        #expect(whole.contains { $0.resumedFromSnooze && $0.sendAt.secondsSinceEpoch - $0.step.dueAt.secondsSinceEpoch > 100 * 86_400 })
        // Windows of uneven lengths, as the daemon's passes are (a few minutes to several days).
        var generator = SeededGenerator(seed: 16)
        var pieces: [PlannedNotice] = []
        var cursor = start
        while cursor < end {
            let next = min(cursor.adding(seconds: Int64.random(in: 60...(9 * 86_400), using: &generator)), end)
            pieces += planner.plan(from: cursor, to: next, state: state)
            cursor = next
        }
        #expect(pieces.count == whole.count)
        #expect(pieces == whole)
    }
}

/// Two compacts (a yearly cycle of two steps, a quarterly one of one), and a state that moves
/// their first notices: the projection tests' common ground.
enum ProjectionFixture {
    static let configuration = PlannerFixture.configuration([
        PlannerFixture.compact("bell", cycles: [PlannerFixture.cycle(calendar: "*-05-01 09:00", steps: [PlannerFixture.step(due: "14d"), PlannerFixture.step("review", due: "45d")])]),
        PlannerFixture.compact("vernon", cycles: [PlannerFixture.cycle("quarterly", calendar: "*-01,04,07,10-15 10:30", steps: [PlannerFixture.step(due: "3d", policy: PlannerFixture.policy(reminders: ["30d", "0"], overdue: nil))])]),
    ])

    /// The first step occurrence from `start` acknowledged, the third snoozed to 5 days after its due time.
    static func ackAndSnooze(_ planner: Planner, from start: Instant) -> PlannerState {
        let early = planner.stepOccurrences(from: start, to: start.adding(seconds: 200 * 86_400))
        var state = PlannerState.empty
        if let first = early.first { state.acknowledgments[first.key] = StepAcknowledgment(stepKey: first.key, at: start) }
        if early.count > 2 { state.snoozes[early[2].key] = StepSnooze(stepKey: early[2].key, at: start, until: early[2].dueAt.adding(seconds: 5 * 86_400)) }
        return state
    }
}

@Suite("NoticeProjection.next")
struct NoticeProjectionNextTests {
    @Test("the next notice is the first of the whole horizon, at every seventh hour of a year, with and without state and outbox")
    func nextEqualsFirstOfHorizon() {
        let c = ProjectionFixture.configuration
        let projection = NoticeProjection(configuration: c)
        let start = PlannerFixture.at("2026-01-01 00:00")
        // Some state (an early step acknowledged, one snoozed) and, every other hour, an outbox
        // holding what fell due in the catch-up window (so the next is a later notice).
        let planner = Planner(configuration: c)
        let state = ProjectionFixture.ackAndSnooze(planner, from: start)
        var checked = 0
        for hour in stride(from: Int64(0), to: 366 * 24, by: 7) {
            let now = start.adding(seconds: hour * 3600)
            for given in [PlannerState.empty, state] {
                let written = hour % 2 == 0 ? Set<String>() : Set(planner.plan(from: projection.catchUpStart(now: now), to: now, state: given).map(\.id))
                // The oracle: the first of everything `upcoming` lists over the whole horizon.
                let expected = projection.upcoming(now: now, to: now.adding(seconds: 800 * 86_400), state: given, written: written).first
                let found = projection.next(now: now, state: given, written: written)
                #expect(found?.id == expected?.id && found?.sendAt == expected?.sendAt, "at \(now)")
                checked += 1
            }
        }
        #expect(checked > 2000)
    }
}

@Suite("NoticeProjection.forEachUpcoming")
struct NoticeProjectionSlicesTests {
    @Test("slice by slice, the same notices in the same order as upcoming over the whole window, with state and outbox, for slices of 1 to 40 days")
    func slicesEqualWhole() {
        let c = ProjectionFixture.configuration
        let projection = NoticeProjection(configuration: c)
        let planner = Planner(configuration: c)
        let start = PlannerFixture.at("2026-01-01 00:00")
        let state = ProjectionFixture.ackAndSnooze(planner, from: start)
        var compared = 0
        for (index, days) in [1, 3, 7, 31, 40].enumerated() {
            for hour in stride(from: Int64(0), to: 366 * 24, by: 97) {
                let now = start.adding(seconds: hour * 3600)
                let end = now.adding(seconds: 400 * 86_400)
                let written = index % 2 == 0 ? Set<String>() : Set(planner.plan(from: projection.catchUpStart(now: now), to: now, state: state).prefix(1).map(\.id))
                let whole = projection.upcoming(now: now, to: end, state: state, written: written)
                var sliced: [PlannedNotice] = []
                projection.forEachUpcoming(now: now, to: end, state: state, written: written, sliceDays: Int64(days)) { sliced.append($0) }
                #expect(sliced == whole, "slices of \(days) days at \(now)")
                compared += 1
            }
        }
        #expect(compared > 400)
    }

    @Test("first(n): the first n of what upcoming lists over the whole window, with state and outbox, for n of 0 to more than there are")
    func firstEqualsPrefixOfWhole() {
        let c = ProjectionFixture.configuration
        let projection = NoticeProjection(configuration: c)
        let planner = Planner(configuration: c)
        let start = PlannerFixture.at("2026-01-01 00:00")
        let state = ProjectionFixture.ackAndSnooze(planner, from: start)
        var compared = 0, short = 0
        for hour in stride(from: Int64(0), to: 366 * 24, by: 61) {
            let now = start.adding(seconds: hour * 3600)
            let written = hour % 2 == 0 ? Set<String>() : Set(planner.plan(from: projection.catchUpStart(now: now), to: now, state: state).prefix(1).map(\.id))
            for days: Int64 in [30, 400] {
                let end = now.adding(seconds: days * 86_400)
                let whole = projection.upcoming(now: now, to: end, state: state, written: written)
                for count in [0, 1, 2, 5, 25, 10_000] {
                    let first = projection.first(count, now: now, to: end, state: state, written: written)
                    #expect(first == Array(whole.prefix(count)), "first \(count) of \(days) days at \(now)")
                    compared += 1
                    if whole.count < count { short += 1 }
                }
            }
        }
        #expect(compared > 1000)
        // Some windows hold fewer notices than asked for: all of them are given.
        #expect(short > 100)
    }

    @Test("Planner.forEachNotice: the plan of a year, with state, slice by slice, for slices of 1 to 400 days")
    func plannerSlicesEqualPlan() {
        let c = ProjectionFixture.configuration
        let planner = Planner(configuration: c)
        let start = PlannerFixture.at("2026-01-01 00:00")
        let end = start.adding(seconds: 366 * 86_400)
        let state = ProjectionFixture.ackAndSnooze(planner, from: start)
        let whole = planner.plan(from: start, to: end, state: state)
        #expect(whole.count > 10)
        for days in [1, 2, 7, 31, 400] {
            var sliced: [PlannedNotice] = []
            planner.forEachNotice(from: start, to: end, state: state, sliceDays: Int64(days)) { sliced.append($0) }
            #expect(sliced == whole, "slices of \(days) days")
        }
    }

    /// `agenda --all` writes each notice with its fate a month at a time. The oracle is the
    /// definition, over the whole year: every notice the configuration plans, acknowledged if
    /// its step is, held if its step is snoozed and the plan with the state does not send it.
    /// The snooze ends five days after its step is due, so with slices of a day or two the
    /// last held notice, which the state's plan sends when the snooze ends, is sent from a
    /// later slice than the one that lists it.
    @Test("agenda --all's fates, slice by slice for slices of 1 to 400 days, are the whole year's")
    func fatedSlicesEqualWhole() {
        let c = ProjectionFixture.configuration
        let planner = Planner(configuration: c)
        let start = PlannerFixture.at("2026-01-01 00:00")
        let end = start.adding(seconds: 366 * 86_400)
        let state = ProjectionFixture.ackAndSnooze(planner, from: start)
        func label(_ fate: NoticeProjection.Fate) -> String {
            switch fate {
            case .acknowledged: "acknowledged"
            case .heldBySnooze: "held"
            case .willBeSent: "sent"
            }
        }
        let sent = Set(planner.plan(from: start, to: end, state: state).map(\.id))
        let notices = planner.plan(from: start, to: end)
        let fates = notices.map { notice in
            state.acknowledgments[notice.step.key] != nil ? "acknowledged" : state.snoozes[notice.step.key] != nil && !sent.contains(notice.id) ? "held" : "sent"
        }
        #expect(fates.contains("acknowledged") && fates.contains("held"))
        #expect(zip(notices, fates).contains { state.snoozes[$0.step.key] != nil && $1 == "sent" }, "a held step's last notice, sent when the snooze ends")
        for days in [1, 2, 7, 31, 400] {
            var got: [(PlannedNotice, String)] = []
            NoticeProjection(configuration: c).forEachSliceWithFates(from: start, to: end, state: state, sliceDays: Int64(days)) { slice in
                got += slice.map { ($0.notice, label($0.fate)) }
            }
            #expect(got.map(\.0) == notices, "slices of \(days) days")
            #expect(got.map(\.1) == fates, "slices of \(days) days")
        }
    }

    /// `agenda` hands a large slice to its writer in parts copied out in send order
    /// (`PlannedSlice.inSendOrder`): the parts, in turn, must be the year's plan.
    @Test("a year's slices handed over in parts of 1, 7 and 1,000 notices: the parts in turn are the plan")
    func slicePartsEqualPlan() {
        let planner = Planner(configuration: ProjectionFixture.configuration)
        let start = PlannerFixture.at("2026-01-01 00:00")
        let end = start.adding(seconds: 366 * 86_400)
        let state = ProjectionFixture.ackAndSnooze(planner, from: start)
        let whole = planner.plan(from: start, to: end, state: state)
        for size in [1, 7, 1_000] {
            var parted: [PlannedNotice] = []
            planner.forEachSlice(from: start, to: end, state: state, sliceDays: 400) { slice in
                for first in stride(from: 0, to: slice.count, by: size) {
                    slice.inSendOrder(first..<min(slice.count, first + size)).forEach { parted.append($0) }
                }
            }
            #expect(parted == whole, "parts of \(size)")
        }
    }
}

@Suite("Planner.earliestSendTime")
struct EarliestSendTimeTests {
    /// `earliestSendTime` ends its window at the earliest notice found so far. Compacts listed
    /// so that each later one's only notice comes earlier (a day, an hour, a minute, a second
    /// before the one listed before it; one at the same second), between compacts whose
    /// notices are months away, must still give the first notice: the last compact's.
    @Test("compacts whose notices come earlier the later they are listed: the earliest is still found")
    func narrowingWindow() {
        typealias F = PlannerFixture
        let once = F.policy(reminders: ["0"], overdue: nil)
        // Due times, in the order listed; the earliest, 2026-06-01 10:59:58, is listed last.
        let dues: [(day: Int, hour: Int, minute: Int, second: Int)] = [
            (3, 12, 0, 0), (2, 12, 0, 0), (2, 11, 0, 0), (2, 10, 59, 0), (2, 10, 59, 0), (1, 11, 0, 0),
            (1, 10, 59, 59), (1, 10, 59, 58),
        ]
        var compacts: [Compact] = []
        for (i, due) in dues.enumerated() {
            // A compact with a notice months away before each, so the window is wide at first.
            compacts.append(F.compact("far-\(i)", deadlines: [Deadline(id: "late", title: "Late", due: LocalDateTime(date: LocalDate(year: 2026, month: 11, day: 2 + i), hour: 9), policy: once)]))
            let date = LocalDate(year: 2026, month: 6, day: due.day)
            compacts.append(F.compact("near-\(i)", deadlines: [Deadline(id: "report", title: "Report", due: LocalDateTime(date: date, hour: due.hour, minute: due.minute, second: due.second), policy: once)]))
        }
        let planner = Planner(configuration: F.configuration(compacts))
        let from = F.at("2026-05-01 00:00")
        let earliest = planner.earliestSendTime(from: from, to: from.adding(seconds: 400 * 86_400))
        #expect(earliest == F.at("2026-06-01 10:59").adding(seconds: 58))
        #expect(earliest == planner.plan(from: from, to: from.adding(seconds: 400 * 86_400)).first?.sendAt)
        // From just after each due time, the next one in time is found.
        for start in ["2026-06-01 10:59", "2026-06-01 11:00", "2026-06-02 10:59", "2026-06-02 12:00"] {
            let from = F.at(start).adding(seconds: 59)
            #expect(planner.earliestSendTime(from: from, to: from.adding(seconds: 400 * 86_400)) == planner.plan(from: from, to: from.adding(seconds: 400 * 86_400)).first?.sendAt, "from \(start):59")
        }
    }

    @Test("equals the first of the plan, with and without state, over windows of every length through a year")
    func equalsFirstOfPlan() {
        let c = ProjectionFixture.configuration
        let planner = Planner(configuration: c)
        let start = PlannerFixture.at("2026-01-01 00:00")
        // Some state: an early step acknowledged, one snoozed, so that the first notice moves.
        let state = ProjectionFixture.ackAndSnooze(planner, from: start)
        var compared = 0
        for hour in stride(from: Int64(0), to: 366 * 24, by: 11) {
            let from = start.adding(seconds: hour * 3600)
            for days: Int64 in [1, 7, 31, 400] {
                let to = from.adding(seconds: days * 86_400)
                for s in [PlannerState.empty, state] {
                    #expect(planner.earliestSendTime(from: from, to: to, state: s) == planner.plan(from: from, to: to, state: s).first?.sendAt, "\(from) +\(days)d")
                    compared += 1
                }
            }
        }
        #expect(compared > 5000)
    }
}
