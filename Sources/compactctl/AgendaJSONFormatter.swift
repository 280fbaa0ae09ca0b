import CompactdCore

/// One notice of `compactctl agenda -o json` as bytes, for `AgendaJSONLines` to write.
///
/// A notice's object, keys sorted as JSONOutput writes them (`contact` and `fate` only when
/// there is one):
///
///     {"channel","compact","contact","cycle","due_at","due_at_utc","fate","id","kind","label",
///      "occurrence","partner","send_at","send_at_utc","step","step_key","step_title"}
///
/// What a few values share is kept as bytes, escaped once (by `JSONWriter`'s escaping, as every
/// JSON of ours is): a kind's id part, kind and label, a recipient's fields, a send or due
/// time's two forms, a compact's partner. The step occurrence's own text (ids, date, title) is
/// escaped straight into the output for each notice. It used to be kept per step occurrence
/// too, found by identity and then by content; but a year of notices reaches each occurrence
/// about fourteen times, weeks apart, with every other compact's in between, so the table held
/// a month of occurrences (or forgot them and made them again): at 100,000 compacts a year's
/// agenda spent 57% of its time there (10-15 s, against 0.5 s at 10,000). At 2,000, where the
/// table fitted, writing now costs more instructions (209 to 259 million, callgrind): the price
/// of a cost per notice that does not depend on how many compacts there are.
struct AgendaJSONFormatter {
    /// Classes: a notice takes each with one retain, not one an array.
    private final class Kind {
        /// `/remind-7d/`, escaped: the middle of the id.
        let idMiddle: [UInt8]
        /// `","kind":"…","label":"…"` (the id's closing quote first)
        let idEndKindAndLabel: [UInt8]

        init(idMiddle: [UInt8], idEndKindAndLabel: [UInt8]) {
            self.idMiddle = idMiddle
            self.idEndKindAndLabel = idEndKindAndLabel
        }
    }

    private final class RecipientText {
        /// `{"channel":"…"`
        let start: [UInt8]
        /// `,"contact":"…"`, or nothing
        let contact: [UInt8]
        /// The recipient as the id ends with it, escaped.
        let idEnd: [UInt8]

        init(start: [UInt8], contact: [UInt8], idEnd: [UInt8]) {
            self.start = start
            self.contact = contact
            self.idEnd = idEnd
        }
    }

    private let zone: ZoneInfo
    /// The compacts, for their partners: each escaped the first time a notice of the compact is
    /// written and kept by compact id, those asked for lately also in slots (`recentPartners`).
    /// Made up front for every compact, the table cost a month's agenda at 100,000 compacts
    /// 100,000 partners escaped and hashed when the month held no notice at all.
    private let configuration: Configuration
    private var escapedPartners: [String: [UInt8]] = [:]
    /// The partners asked for lately, each in the slot a cheap hash of its compact's id names
    /// (`partnerSlot`), checked by comparing the id, before the table: notices come in send
    /// order, a different compact's nearly each time, and hashing every notice's id for the
    /// table (Swift's SipHash) cost 41 of writing's 224 million instructions (a year at 2,000
    /// compacts, callgrind; 22 million with the slots).
    private var recentPartners = [(compactID: String, text: [UInt8])?](repeating: nil, count: 1 << Self.partnerSlotBits)
    private static let partnerSlotBits = 14
    private var kinds: [NoticeKind: Kind] = [:]
    /// Overdue and escalation kinds by number (below 64), before the table: hashing each
    /// notice's kind cost 23 million instructions of a year at 2,000 compacts, 16 without.
    private var overdueKinds: [Kind?] = []
    private var escalationKinds: [Kind?] = []
    private var recipients: [Recipient: RecipientText] = [:]
    /// `,"send_at":"…","send_at_utc":"…"` by send time.
    private var sendTimes: [Instant: [UInt8]] = [:]
    /// `,"due_at":"…","due_at_utc":"…"` by due time.
    private var dueTimes: [Instant: [UInt8]] = [:]
    /// The last kind, recipient, send time and due time written, each compared before it is
    /// hashed: a step's notices to its several recipients come one after another, and the
    /// notices come in send order, most of a kind and to one channel. Written out, here and in
    /// `AgendaTextCache`: one generic "last, then table" type for them cost writing 8% more
    /// instructions (209 to 226 million at 2,000 compacts), each lookup copying the kept key
    /// and value to compare.
    private var lastKind: (kind: NoticeKind, text: Kind)?
    private var lastRecipient: (recipient: Recipient, text: RecipientText)?
    private var lastSendTime: (instant: Instant, text: [UInt8])?
    private var lastDueTime: (instant: Instant, text: [UInt8])?
    private var lastDate: (date: LocalDate, text: [UInt8])?

    init(zone: ZoneInfo, configuration: Configuration) {
        self.zone = zone
        self.configuration = configuration
    }

    /// One notice, `,\n{…}` (the array's writer drops the first comma); `fate` with --all.
    mutating func append(_ notice: PlannedNotice, fate: String? = nil, to output: OutputBytes) {
        let step = notice.step
        let kind = kind(notice.kind)
        let recipient = recipient(notice.recipient)
        let sent = sendTime(notice.sendAt)
        let due = dueTime(step.dueAt)
        let partner = partnerText(step.compactID)
        let date = dateText(step.occurrence)
        var fateField: [UInt8] = []
        if let fate { Self.append("fate", fate, to: &fateField) }
        // Room for everything at once, the step's own text at its longest escaped (six bytes
        // for one, `\u001f`), so each piece is copied in without a check.
        let text = step.compactID.utf8.count + step.cycleID.utf8.count + step.stepID.utf8.count
        output.reserve(Self.literals + kind.idMiddle.count + kind.idEndKindAndLabel.count + recipient.start.count + recipient.contact.count
            + recipient.idEnd.count + sent.count + due.count + partner.count + fateField.count
            + 6 * (3 * text + step.stepTitle.utf8.count) + 2 * date.count)
        output.appendReserved(Self.entryStart)
        output.appendReserved(recipient.start)
        output.appendReserved(",\"compact\":\"")
        // Each id escaped once, then copied where the id and step key repeat it.
        let compact = output.appendEscapedReserved(step.compactID)
        output.appendReserved("\"")
        output.appendReserved(recipient.contact)
        output.appendReserved(",\"cycle\":\"")
        let cycle = output.appendEscapedReserved(step.cycleID)
        output.appendReserved("\"")
        output.appendReserved(due)
        output.appendReserved(fateField)
        output.appendReserved(",\"id\":\"")
        // The step key (`StepOccurrence.key`) escaped: the escaping of a concatenation is the
        // concatenation of the escapings, and "/" is not escaped.
        let keyStart = output.count
        output.appendCopyReserved(compact)
        output.appendReserved("/")
        output.appendCopyReserved(cycle)
        output.appendReserved("/")
        output.appendReserved(date)
        output.appendReserved("/")
        let stepID = output.appendEscapedReserved(step.stepID)
        let key = keyStart..<output.count
        output.appendReserved(kind.idMiddle)
        output.appendReserved(recipient.idEnd)
        output.appendReserved(kind.idEndKindAndLabel)
        output.appendReserved(",\"occurrence\":\"")
        output.appendReserved(date)
        output.appendReserved("\",\"partner\":\"")
        output.appendReserved(partner)
        output.appendReserved("\"")
        output.appendReserved(sent)
        output.appendReserved(",\"step\":\"")
        output.appendCopyReserved(stepID)
        output.appendReserved("\",\"step_key\":\"")
        output.appendCopyReserved(key)
        output.appendReserved("\",\"step_title\":\"")
        output.appendEscapedReserved(step.stepTitle)
        output.appendReserved("\"}")
    }

    /// The bytes of the literal keys and quotes `append` writes around the values.
    private static let literals = 160

    // MARK: - The shared runs, each written once

    private static let entryStart: [UInt8] = [UInt8(ascii: ","), UInt8(ascii: "\n")]
    private static let idKey = Array(",\"id\":\"".utf8)

    /// `,"name":"…"`: a field as JSONWriter writes it after another in an object.
    fileprivate static func append(_ name: StaticString, _ value: String, to bytes: inout [UInt8]) {
        bytes.append(contentsOf: [UInt8(ascii: ","), UInt8(ascii: "\"")])
        name.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: ":"), UInt8(ascii: "\"")])
        JSONWriter.appendEscaped(value, to: &bytes)
        bytes.append(UInt8(ascii: "\""))
    }

    /// The fields, each after another.
    private static func fields(_ fields: KeyValuePairs<StaticString, String>) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(96)
        for (name, value) in fields { append(name, value, to: &bytes) }
        return bytes
    }

    /// A string as JSONWriter escapes it, without its quotes.
    private static func escaped(_ text: String) -> [UInt8] {
        var bytes: [UInt8] = []
        JSONWriter.appendEscaped(text, to: &bytes)
        return bytes
    }

    /// The occurrence's date as text: the notices of one day's occurrences mostly come
    /// together. Its bytes are copied as they are: `LocalDate.description` writes digits and
    /// dashes only, nothing JSON escapes (without checking them twice a notice, writing a year
    /// at 2,000 compacts took 200 million instructions instead of 214).
    private mutating func dateText(_ date: LocalDate) -> [UInt8] {
        if let lastDate, lastDate.date == date { return lastDate.text }
        let text = Array(date.description.utf8)
        lastDate = (date, text)
        return text
    }

    private mutating func partnerText(_ compactID: String) -> [UInt8] {
        let slot = Self.partnerSlot(compactID)
        if let recent = recentPartners[slot], recent.compactID == compactID { return recent.text }
        let text: [UInt8]
        if let known = escapedPartners[compactID] {
            text = known
        } else {
            text = configuration.compactIndex(compactID).map { Self.escaped(configuration.compacts[$0].partner) } ?? []
            escapedPartners[compactID] = text
        }
        recentPartners[slot] = (compactID, text)
        return text
    }

    /// The slot of `recentPartners` for a compact id: FNV-1a over its bytes (read in place:
    /// through the UTF-8 view's iterator it cost more than the table's hashing), mixed so the
    /// top bits, which name the slot, depend on every byte (with FNV's top bits alone, 56,000 of
    /// a year's 84,000 notices at 2,000 compacts missed their slot).
    private static func partnerSlot(_ compactID: String) -> Int {
        let hash = compactID.utf8.withContiguousStorageIfAvailable { bytes in
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325
            for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
            return hash
        } ?? UInt64(truncatingIfNeeded: compactID.hashValue)
        return Int(truncatingIfNeeded: ((hash ^ (hash >> 29)) &* 0x9e37_79b9_7f4a_7c15) >> (64 - partnerSlotBits))
    }

    private mutating func kind(_ kind: NoticeKind) -> Kind {
        if let lastKind, lastKind.kind == kind { return lastKind.text }
        let text: Kind
        switch kind {
        case .overdue(let number) where (0..<64).contains(number): text = Self.numbered(number, in: &overdueKinds) { Self.makeKind(kind) }
        case .escalation(let number) where (0..<64).contains(number): text = Self.numbered(number, in: &escalationKinds) { Self.makeKind(kind) }
        default: text = kindText(kind)
        }
        lastKind = (kind, text)
        return text
    }

    /// The `number`th entry of `kinds`, made by `make` the first time.
    private static func numbered(_ number: Int, in kinds: inout [Kind?], _ make: () -> Kind) -> Kind {
        if number < kinds.count, let known = kinds[number] { return known }
        if number >= kinds.count { kinds += [Kind?](repeating: nil, count: number + 1 - kinds.count) }
        let made = make()
        kinds[number] = made
        return made
    }

    private mutating func kindText(_ kind: NoticeKind) -> Kind {
        if let known = kinds[kind] { return known }
        let made = Self.makeKind(kind)
        kinds[kind] = made
        return made
    }

    private static func makeKind(_ kind: NoticeKind) -> Kind {
        Kind(
            idMiddle: escaped("/\(kind.identityComponent)/"),
            idEndKindAndLabel: [UInt8(ascii: "\"")] + fields(["kind": kind.name, "label": kind.label])
        )
    }

    private mutating func recipient(_ recipient: Recipient) -> RecipientText {
        if let lastRecipient, lastRecipient.recipient == recipient { return lastRecipient.text }
        let text = recipientText(recipient)
        lastRecipient = (recipient, text)
        return text
    }

    private mutating func recipientText(_ recipient: Recipient) -> RecipientText {
        if let known = recipients[recipient] { return known }
        let made = RecipientText(
            start: [UInt8(ascii: "{")] + Self.fields(["channel": recipient.channelID]).dropFirst(),
            contact: recipient.contactID.map { Self.fields(["contact": $0]) } ?? [],
            idEnd: Self.escaped(recipient.description)
        )
        recipients[recipient] = made
        return made
    }

    private mutating func sendTime(_ instant: Instant) -> [UInt8] {
        Self.timeFields(instant, ("send_at", "send_at_utc"), zone: zone, last: &lastSendTime, known: &sendTimes)
    }

    private mutating func dueTime(_ instant: Instant) -> [UInt8] {
        Self.timeFields(instant, ("due_at", "due_at_utc"), zone: zone, last: &lastDueTime, known: &dueTimes)
    }

    /// `,"NAME":"…","NAME_utc":"…"`, an instant in the zone and in UTC: the last one written
    /// compared first, then the table of those written before.
    private static func timeFields(
        _ instant: Instant, _ names: (local: StaticString, utc: StaticString), zone: ZoneInfo,
        last: inout (instant: Instant, text: [UInt8])?, known: inout [Instant: [UInt8]]
    ) -> [UInt8] {
        if let kept = last, kept.instant == instant { return kept.text }
        let text: [UInt8]
        if let found = known[instant] {
            text = found
        } else {
            text = fields([names.local: JSONTime.local(instant, zone), names.utc: JSONTime.utc(instant)])
            known[instant] = text
        }
        last = (instant, text)
        return text
    }
}
