import CompactdCore

/// The agenda's default form, a table, built from the notices as they are planned: each cell
/// is a number in an `InternedTable`, and what a notice shares with others (its send time, its
/// step occurrence, its kind, its recipient) is numbered once and found again without making
/// or hashing its text. Turning each notice into five strings and interning them cost a third
/// more than writing the same notices as JSON.
struct AgendaTableRows {
    static let headers = ["LOCAL TIME", "UTC", "STEP", "KIND", "RECIPIENT"]

    private var table = InternedTable(columns: Self.headers.count)
    private var text: AgendaTextCache
    /// Each step occurrence's key, numbered: found by the occurrence's identity.
    private var steps: StepOccurrenceSlots<UInt32>
    /// The send time last seen, and its two cells (a time's notices come together).
    private var lastTime: (instant: Instant, local: UInt32, utc: UInt32)?
    /// The kinds and recipients seen: a dozen kinds, a few recipients, compared in turn.
    private var kinds: [(kind: NoticeKind, resumed: Bool, number: UInt32)] = []
    private var recipients: [(recipient: Recipient, number: UInt32)] = []

    init(zone: ZoneInfo, compacts: Int) {
        text = AgendaTextCache(zone: zone, compacts: compacts)
        steps = StepOccurrenceSlots(compacts: compacts)
    }

    var count: Int { table.count }

    /// One notice as a row: LOCAL TIME, UTC, STEP, KIND (with "(after snooze)" for a notice held
    /// by a snooze), RECIPIENT.
    mutating func add(_ notice: PlannedNotice) {
        if let lastTime, lastTime.instant == notice.sendAt {
            table.append(cellNumber: lastTime.local)
            table.append(cellNumber: lastTime.utc)
        } else {
            let times = text.shortTimes(notice.sendAt)
            let local = table.number(of: times.local, column: 0)
            let utc = table.number(of: times.utc, column: 1)
            lastTime = (notice.sendAt, local, utc)
            table.append(cellNumber: local)
            table.append(cellNumber: utc)
        }
        let step: UInt32
        if let known = steps[notice.step] {
            step = known
        } else {
            // A slot another occurrence took: the key is made again and finds its number.
            step = table.number(of: notice.step.key, column: 2)
            steps[notice.step] = step
        }
        table.append(cellNumber: step)
        table.append(cellNumber: kindNumber(notice.kind, resumed: notice.resumedFromSnooze))
        table.append(cellNumber: recipientNumber(notice.recipient))
    }

    private mutating func kindNumber(_ kind: NoticeKind, resumed: Bool) -> UInt32 {
        for entry in kinds where entry.kind == kind && entry.resumed == resumed { return entry.number }
        let number = table.number(of: text.kind(kind).label + (resumed ? " (after snooze)" : ""), column: 3)
        kinds.append((kind, resumed, number))
        return number
    }

    private mutating func recipientNumber(_ recipient: Recipient) -> UInt32 {
        for entry in recipients where entry.recipient == recipient { return entry.number }
        let number = table.number(of: recipient.description, column: 4)
        // Kept for the first hundred: past that (one contact per compact) a scan costs more
        // than the table's own lookup.
        if recipients.count < 100 { recipients.append((recipient, number)) }
        return number
    }

    func write(to out: OutputBytes) {
        table.write(headers: Self.headers, to: out)
    }
}
