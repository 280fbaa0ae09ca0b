import CompactdCore
import Testing

/// A planning pass works a step's notice times out once per policy and due time, and compares
/// the last few keys before hashing one: compacts that share a due time but not a policy must
/// still each get their own times.
@Suite("Planning cache")
struct PlanningCacheTests {
    typealias F = PlannerFixture

    @Test("compacts due at the same time under different policies, interleaved, each get their policy's notices")
    func sameDueTimeDifferentPolicies() {
        let weekBefore = F.policy(reminders: ["7d"], overdue: nil)
        let dayBefore = F.policy(reminders: ["1d", "0"], overdue: nil)
        let escalating = F.policy(reminders: ["0"], overdue: "1d", limit: 2, escalateAfter: 0, escalateTo: [.channel("team")])
        let policies = [weekBefore, dayBefore, escalating]
        // Twelve compacts, the three policies in turn, one step due 2027-05-15 09:00 each.
        let compacts = (0..<12).map { i in
            F.compact("c\(i)", cycles: [F.cycle(calendar: "2027-05-01 09:00", steps: [F.step(due: "+14d", policy: policies[i % 3])])])
        }
        let channels = [Channel(id: "log", kind: .log), Channel(id: "team", kind: .log)]
        let plan = Planner(configuration: F.configuration(compacts, channels: channels)).plan(from: F.at("2027-04-01 00:00"), to: F.at("2027-06-01 00:00"))
        for i in 0..<12 {
            let times = plan.filter { $0.step.compactID == "c\(i)" }.map { "\(F.local($0.sendAt)) \($0.recipient)" }.sorted()
            let expected = switch i % 3 {
            case 0: ["2027-05-08 09:00:00 log"]
            case 1: ["2027-05-14 09:00:00 log", "2027-05-15 09:00:00 log"]
            // From the first overdue notice (escalate_after 0) the team is told too.
            default: ["2027-05-15 09:00:00 log", "2027-05-16 09:00:00 log", "2027-05-16 09:00:00 team", "2027-05-17 09:00:00 log", "2027-05-17 09:00:00 team"]
            }
            #expect(times == expected, "c\(i)")
        }
    }

    @Test("one compact's steps escalating to different people: each step's escalation goes to its own")
    func escalationPerStep() {
        let toTeam = F.policy(reminders: [], overdue: "1d", limit: 1, escalateAfter: 0, escalateTo: [.channel("team")])
        let toBoard = F.policy(reminders: [], overdue: "1d", limit: 1, escalateAfter: 0, escalateTo: [.channel("board")])
        let compact = F.compact("c", cycles: [F.cycle(calendar: "2027-05-01 09:00", steps: [
            F.step("first", due: "+14d", policy: toTeam), F.step("second", due: "+15d", policy: toBoard), F.step("third", due: "+16d", policy: toTeam),
        ])])
        let channels = [Channel(id: "log", kind: .log), Channel(id: "team", kind: .log), Channel(id: "board", kind: .log)]
        let plan = Planner(configuration: F.configuration([compact], channels: channels)).plan(from: F.at("2027-04-01 00:00"), to: F.at("2027-06-01 00:00"))
        let escalated = plan.filter { $0.recipient.channelID != "log" }.map { "\($0.step.stepID) \($0.recipient)" }.sorted()
        #expect(escalated == ["first team", "second board", "third team"])
    }

    /// Due times are remembered by start, offset and shift (the last few compared first):
    /// compacts stepping from the same start by the same offset onto a Saturday, some moved
    /// off it and some not, must each keep their own due date.
    @Test("steps due on a Saturday from the same start, moved before, after or not at all, interleaved, keep their own due dates")
    func sameStartDifferentShifts() {
        let shifts: [BusinessDayShift] = [.keep, .after, .before]
        let compacts = (0..<12).map { i in
            F.compact("c\(i)", cycles: [F.cycle(calendar: "2027-05-01 09:00", steps: [
                F.step(due: "+14d", policy: F.policy(reminders: ["0"], overdue: nil, shift: shifts[i % 3])),
            ])])
        }
        let plan = Planner(configuration: F.configuration(compacts)).plan(from: F.at("2027-04-01 00:00"), to: F.at("2027-06-01 00:00"))
        for i in 0..<12 {
            let due = plan.filter { $0.step.compactID == "c\(i)" }.map { F.local($0.step.dueAt) }
            // 2027-05-15 is a Saturday: Monday the 17th after it, Friday the 14th before it.
            let expected = ["2027-05-15 09:00:00", "2027-05-17 09:00:00", "2027-05-14 09:00:00"][i % 3]
            #expect(due == [expected], "c\(i)")
        }
    }
}
