import Foundation
import CompactdCore

extension ConfigurationLoader {
    static let compactKeys = ["id", "partner", "status", "approved", "term_start", "term_end", "notify", "commitments", "contacts", "cycles", "deadlines"]
    static let cycleKeys = ["id", "title", "calendar", "since", "steps"]
    static let stepKeys = ["id", "title", "due", "commitments"] + policyKeys
    static let deadlineKeys = ["id", "title", "due", "commitments"] + policyKeys

    func readCompactFile(_ path: String, zone: ZoneInfo, defaultPolicy: ReminderPolicy, references: ReferenceResolver, shared: SharedParts, problems: ProblemList) -> Compact? {
        guard let (_, reader) = parseFile(path, problems: problems) else { return nil }
        let id = reader.identifier("id")
        let partner = reader.text("partner", required: true, expected: "the partner's name, such as \"City of Bell\"")
        if let partner { checkSingleLine(partner, reader: reader, key: "partner") }
        let status = reader.enumValue("status", CompactStatus.self, required: true)
        let approved = reader.date("approved")
        let termStart = reader.date("term_start")
        let termEnd = reader.date("term_end")
        if let termStart, let termEnd, termEnd < termStart {
            reader.report("term_end", "\(termEnd) is before term_start \(termStart); expected a later date")
        }
        let notify = reader.stringArray("notify", expected: "an array of channel ids") ?? []
        for (i, channel) in notify.enumerated() where !references.channels.contains(where: { $0.id == channel }) {
            reader.source.report("\(reader.keyPath("notify"))[\(i)]", "unknown channel '\(channel)'; expected one of \(references.channels.map(\.id).joined(separator: ", "))")
        }
        if notify.isEmpty {
            reader.report("notify", "is empty or missing: this compact's notices go nowhere; expected channel ids such as [\"district-log\"]", severity: .warning)
        }

        var commitments: [Commitment] = []
        var commitmentIDs = SeenIDs()
        for item in reader.tableArray("commitments") {
            let cid = item.identifier("id")
            let title = item.text("title", required: true)
            if let title { checkSingleLine(title, reader: item, key: "title") }
            let owner = item.text("owner")
            if let cid, !commitmentIDs.insert(cid) {
                item.report("id", "duplicate commitment id '\(cid)'; expected each commitment id once per compact")
            }
            item.finish(known: ["id", "title", "owner"])
            if let cid, let title { commitments.append(Commitment(id: cid, title: title, owner: owner)) }
        }

        let contacts = readContacts(reader.tableArray("contacts"), scope: "compact")
        if notify.contains(where: { id in references.channels.first { $0.id == id }?.isEmail == true }) && contacts.isEmpty {
            reader.report("contacts", "an email channel is listed in notify but the compact has no contacts; expected [[contacts]] with name and email", severity: .warning)
        }

        func checkCommitments(_ item: TOMLTableReader) -> [String] {
            let ids = item.stringArray("commitments", expected: "an array of this compact's commitment ids") ?? []
            for (i, cid) in ids.enumerated() where !commitmentIDs.contains(cid) {
                item.source.report("\(item.keyPath("commitments"))[\(i)]", "unknown commitment '\(cid)'; expected one of \(commitmentIDs.sorted().joined(separator: ", "))")
            }
            return ids
        }

        var cycles: [ReviewCycle] = []
        var cycleIDs = SeenIDs()
        for item in reader.tableArray("cycles") {
            let cycleID = item.identifier("id")
            let title = item.text("title", required: true)
            if let title { checkSingleLine(title, reader: item, key: "title") }
            let calendarText = item.text("calendar", required: true, expected: "a systemd calendar expression such as \"*-05-01 09:00\"")
            let since = item.date("since")
            var spec: CalendarSpec?
            if let calendarText {
                do {
                    spec = try shared.calendar(calendarText) { () throws(CalendarSpecError) in try CalendarSpec(parsing: calendarText, localZone: zone) }
                } catch {
                    item.report("calendar", "'\(calendarText)' is not a valid calendar expression (\(error.reason)); expected a systemd calendar event such as \"*-05-01 09:00\" (check with: compactctl calendar '\(calendarText)')")
                }
            }
            if let cycleID, cycleID == StepOccurrence.deadlineCycleID {
                item.report("id", "'\(cycleID)' is reserved for one-off deadlines; expected another cycle id")
            }
            if let cycleID, !cycleIDs.insert(cycleID) {
                item.report("id", "duplicate cycle id '\(cycleID)'; expected each cycle id once per compact")
            }
            var steps: [Step] = []
            var stepIDs = SeenIDs()
            let stepReaders = item.tableArray("steps")
            if stepReaders.isEmpty {
                item.report("steps", "missing; expected at least one [[cycles.steps]] with id, title and due")
            }
            for stepReader in stepReaders {
                let stepID = stepReader.identifier("id")
                let stepTitle = stepReader.text("title", required: true)
                if let stepTitle { checkSingleLine(stepTitle, reader: stepReader, key: "title") }
                let due = stepReader.timeSpan("due") ?? .zero
                let stepCommitments = checkCommitments(stepReader)
                let policy = readPolicy(stepReader, base: defaultPolicy, references: references, compactContacts: contacts)
                if let stepID, !stepIDs.insert(stepID) {
                    stepReader.report("id", "duplicate step id '\(stepID)'; expected each step id once per cycle")
                }
                stepReader.finish(known: Self.stepKeys)
                if let stepID, let stepTitle {
                    steps.append(Step(id: stepID, title: stepTitle, dueOffset: due, policy: policy, commitments: stepCommitments))
                }
            }
            item.finish(known: Self.cycleKeys)
            if let cycleID, let title, let calendarText, let spec {
                cycles.append(ReviewCycle(id: cycleID, title: title, calendarText: calendarText, calendar: spec, since: since, steps: steps))
            }
        }

        var deadlines: [Deadline] = []
        var deadlineIDs = SeenIDs()
        for item in reader.tableArray("deadlines") {
            let deadlineID = item.identifier("id")
            let title = item.text("title", required: true)
            if let title { checkSingleLine(title, reader: item, key: "title") }
            let due = item.localDateTime("due", required: true)
            let deadlineCommitments = checkCommitments(item)
            let policy = readPolicy(item, base: defaultPolicy, references: references, compactContacts: contacts)
            if let deadlineID, !deadlineIDs.insert(deadlineID) {
                item.report("id", "duplicate deadline id '\(deadlineID)'; expected each deadline id once per compact")
            }
            item.finish(known: Self.deadlineKeys)
            if let deadlineID, let title, let due {
                deadlines.append(Deadline(id: deadlineID, title: title, due: due, policy: policy, commitments: deadlineCommitments))
            }
        }
        reader.finish(known: Self.compactKeys)

        guard let id, let partner, let status else { return nil }
        return Compact(
            id: id, partner: partner, status: status, approved: approved, termStart: termStart, termEnd: termEnd,
            commitments: commitments, contacts: contacts, notify: notify, cycles: cycles, deadlines: deadlines,
            sourceFile: path
        )
    }

    /// Checks that need every file: compact ids unique across files.
    func validateAcrossFiles(_ configuration: Configuration, mainSource: ConfigSourceFile, problems: ProblemList) {
        // The first file of each id, by one hash of the id (the default subscript's modify
        // inserts a missing key): read in place, each compact was copied whole, and a
        // lookup then an insert hashed each id twice (at 100,000 compacts, 74 ms on one core).
        let compacts = configuration.compacts
        var firstFile: [String: String] = [:]
        firstFile.reserveCapacity(compacts.count)
        func first(_ slot: inout String, _ file: String) -> String? {
            if slot.isEmpty {
                slot = file
                return nil
            }
            return slot
        }
        for index in compacts.indices {
            let file = compacts[index].sourceFile ?? "?"
            if let previous = first(&firstFile[compacts[index].id, default: ""], file) {
                let id = compacts[index].id
                let line = TOMLSourceMapCache.location(file: file, key: "id")
                problems.add(ConfigProblem(file: file, line: line?.line, column: line?.column, key: "id", message: "duplicate compact id '\(id)', also in \(previous); expected each compact id once"))
            }
        }
        if configuration.compacts.isEmpty {
            mainSource.report("compacts", "no compact files were loaded; expected at least one compact", severity: .warning)
        }
    }
}

/// Finds a key's line in a file already read, for problems found after reading.
enum TOMLSourceMapCache {
    static func location(file: String, key: String) -> TOMLSourceMap.Location? {
        guard let bytes = FileBytes.read(file), let document = try? TOMLParser.parseDocument(utf8: bytes) else { return nil }
        return TOMLSourceMap(document: document).location(of: key)
    }
}
