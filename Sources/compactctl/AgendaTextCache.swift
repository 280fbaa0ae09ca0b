import CompactdCore

/// The text `agenda` writes (its JSON and its table) for what many notices share, written once: a year of
/// 10,000 compacts is 420,000 notices at a few hundred distinct times, nine notices to a step
/// occurrence, a dozen kinds. Writing each timestamp, step key and kind anew was most of the
/// command's time.
struct AgendaTextCache {
    struct Times {
        var local: String
        var utc: String
    }

    struct Occurrence {
        /// Held so its identifier is not given to another occurrence while cached.
        var step: StepOccurrence
        var key: String
        var date: String
        /// Its compact's partner, as the agenda's JSON names it.
        var partner: String
    }

    struct Kind {
        var name: String
        var label: String
        var identity: String
    }

    let zone: ZoneInfo
    /// Each compact's partner, by compact id.
    let partners: [String: String]
    private var times: [Instant: Times] = [:]
    private var shortTimes: [Instant: Times] = [:]
    private var occurrences: [ObjectIdentifier: Occurrence] = [:]
    private var kinds: [NoticeKind: Kind] = [:]
    /// Past this many, the occurrences are forgotten (the agenda is written in send order,
    /// so a step's notices are near one another): memory stays bounded over long windows.
    private static let occurrenceLimit = 50_000

    init(zone: ZoneInfo, partners: [String: String] = [:]) {
        self.zone = zone
        self.partners = partners
    }

    mutating func times(_ instant: Instant) -> Times {
        if let known = times[instant] { return known }
        let made = Times(local: JSONTime.local(instant, zone), utc: JSONTime.utc(instant))
        times[instant] = made
        return made
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
        let made = Occurrence(step: step, key: step.key, date: step.occurrence.description, partner: partners[step.compactID] ?? "")
        occurrences[id] = made
        return made
    }

    mutating func kind(_ kind: NoticeKind) -> Kind {
        if let known = kinds[kind] { return known }
        let made = Kind(name: kind.name, label: kind.label, identity: kind.identityComponent)
        kinds[kind] = made
        return made
    }
}
