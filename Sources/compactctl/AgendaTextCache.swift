import CompactdCore

/// The text `agenda`'s table and CSV write for what many notices share, written once: a year
/// of 10,000 compacts is 420,000 notices at a few hundred distinct times, nine notices to a step
/// occurrence, a dozen kinds. Writing each timestamp, step key and kind anew was most of the
/// command's time. (Its JSON has its own, as bytes: `AgendaJSONLines`.)
struct AgendaTextCache {
    struct Times {
        var local: String
        var utc: String
    }

    struct Occurrence {
        /// Held so its identifier is not given to another occurrence while cached.
        var step: StepOccurrence
        var key: String
    }

    struct Kind {
        var label: String
    }

    let zone: ZoneInfo
    private var shortTimes: [Instant: Times] = [:]
    private var occurrences: [ObjectIdentifier: Occurrence] = [:]
    private var kinds: [NoticeKind: Kind] = [:]
    /// Past this many, the occurrences are forgotten (the agenda is written in send order,
    /// so a step's notices are near one another): memory stays bounded over long windows.
    private static let occurrenceLimit = 50_000

    init(zone: ZoneInfo) {
        self.zone = zone
    }

    /// The table's forms: `2027-05-14 09:00 PDT` and `2027-05-14 16:00 UTC`.
    mutating func shortTimes(_ instant: Instant) -> Times {
        if let known = shortTimes[instant] { return known }
        let made = Times(local: TimestampFormat.short(instant, in: zone), utc: TimestampFormat.short(instant, in: .utc))
        shortTimes[instant] = made
        return made
    }

    mutating func occurrence(_ step: StepOccurrence) -> Occurrence {
        let id = ObjectIdentifier(step)
        if let known = occurrences[id] { return known }
        if occurrences.count >= Self.occurrenceLimit { occurrences.removeAll(keepingCapacity: true) }
        let made = Occurrence(step: step, key: step.key)
        occurrences[id] = made
        return made
    }

    mutating func kind(_ kind: NoticeKind) -> Kind {
        if let known = kinds[kind] { return known }
        let made = Kind(label: kind.label)
        kinds[kind] = made
        return made
    }
}
