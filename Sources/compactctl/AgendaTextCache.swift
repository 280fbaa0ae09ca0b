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
        var key: String
    }

    struct Kind {
        var label: String
    }

    let zone: ZoneInfo
    private var shortTimes: [Instant: Times] = [:]
    private var occurrences: StepOccurrenceSlots<Occurrence>
    private var kinds: [NoticeKind: Kind] = [:]
    /// The last time and kind asked for, compared before hashed: notices come in send order,
    /// a time's notices together, mostly of one kind.
    private var lastTimes: (instant: Instant, times: Times)?
    private var lastKind: (kind: NoticeKind, text: Kind)?

    init(zone: ZoneInfo, compacts: Int) {
        self.zone = zone
        occurrences = StepOccurrenceSlots(compacts: compacts)
    }

    /// The table's forms: `2027-05-14 09:00 PDT` and `2027-05-14 16:00 UTC`.
    mutating func shortTimes(_ instant: Instant) -> Times {
        if let lastTimes, lastTimes.instant == instant { return lastTimes.times }
        let times: Times
        if let known = shortTimes[instant] {
            times = known
        } else {
            times = Times(local: TimestampFormat.short(instant, in: zone), utc: TimestampFormat.short(instant, in: .utc))
            shortTimes[instant] = times
        }
        lastTimes = (instant, times)
        return times
    }

    mutating func occurrence(_ step: StepOccurrence) -> Occurrence {
        if let known = occurrences[step] { return known }
        let made = Occurrence(key: step.key)
        occurrences[step] = made
        return made
    }

    mutating func kind(_ kind: NoticeKind) -> Kind {
        if let lastKind, lastKind.kind == kind { return lastKind.text }
        let text: Kind
        if let known = kinds[kind] {
            text = known
        } else {
            text = Kind(label: kind.label)
            kinds[kind] = text
        }
        lastKind = (kind, text)
        return text
    }
}
