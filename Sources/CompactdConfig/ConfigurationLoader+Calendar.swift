import CompactdCore

extension ConfigurationLoader {
    static let weekdayNumbers: [String: Int] = [
        "mon": 1, "monday": 1, "tue": 2, "tuesday": 2, "wed": 3, "wednesday": 3, "thu": 4, "thursday": 4,
        "fri": 5, "friday": 5, "sat": 6, "saturday": 6, "sun": 7, "sunday": 7,
    ]

    func readBusinessCalendar(_ root: TOMLTableReader, zone: ZoneInfo) -> BusinessCalendar {
        var calendar = BusinessCalendar()
        if let days = root.table("business_days") {
            if let weekend = days.stringArray("weekend", expected: "an array of weekday names such as [\"Sat\", \"Sun\"]") {
                var numbers: Set<Int> = []
                for (i, name) in weekend.enumerated() {
                    if let n = Self.weekdayNumbers[name.lowercased()] {
                        numbers.insert(n)
                    } else {
                        days.source.report("\(days.keyPath("weekend"))[\(i)]", "'\(name)' is not a weekday; expected Mon, Tue, Wed, Thu, Fri, Sat or Sun")
                    }
                }
                if numbers.count == 7 { days.report("weekend", "names every day; expected at least one working day") }
                calendar.weekend = numbers
            }
            days.finish(known: ["weekend"])
        }
        for reader in root.tableArray("holidays") {
            let name = reader.text("name", required: true) ?? "holiday"
            let date = reader.date("date")
            let expression = reader.text("calendar", expected: "a calendar expression such as \"Mon *-01-15..21\"")
            switch (date, expression) {
            case (let date?, nil):
                calendar.holidays.append(Holiday(name: name, rule: .date(date)))
            case (nil, let expression?):
                do {
                    let spec = try CalendarSpec(parsing: expression, localZone: zone)
                    calendar.holidays.append(Holiday(name: name, rule: .calendar(spec)))
                } catch {
                    reader.report("calendar", "'\(expression)' \(error.reason); expected a systemd calendar expression such as \"Mon *-01-15..21\"")
                }
            case (nil, nil):
                if !reader.has("date") && !reader.has("calendar") {
                    reader.report("date", "missing; expected date (2025-07-04) or calendar (\"*-07-04\")")
                }
            case (.some, .some):
                reader.report("calendar", "given with date; expected one of date or calendar")
            }
            reader.finish(known: ["name", "date", "calendar"])
        }
        return calendar
    }

    func readGoals(_ root: TOMLTableReader) -> [Goal] {
        var goals: [Goal] = []
        var seen: Set<String> = []
        for reader in root.tableArray("goals") {
            let id = reader.identifier("id")
            let title = reader.text("title", required: true)
            let minimum = reader.int("minimum_active", required: true, range: 1...10_000, expected: "a positive number of active compacts")
            let by = reader.date("by", required: true)
            if let id, !seen.insert(id).inserted { reader.report("id", "duplicate goal id '\(id)'; expected each goal id once") }
            reader.finish(known: ["id", "title", "minimum_active", "by"])
            if let id, let title, let minimum, let by {
                goals.append(Goal(id: id, title: title, minimumActive: minimum, deadline: by))
            }
        }
        return goals
    }
}
