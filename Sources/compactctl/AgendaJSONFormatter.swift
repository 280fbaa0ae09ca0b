import CompactdCore

/// One notice of `compactctl agenda -o json` as bytes, for `AgendaJSONLines` to write.
///
/// A notice's object, keys sorted as JSONOutput writes them (`contact` and `fate` only when
/// there is one):
///
///     {"channel","compact","contact","cycle","due_at","due_at_utc","fate","id","kind","label",
///      "occurrence","partner","send_at","send_at_utc","step","step_key","step_title"}
///
/// Nearly all of it is shared: a year of 10,000 compacts is 420,000 notices at a few hundred
/// send times, 14 notices to a step occurrence, a dozen kinds, a few recipients. Each shared
/// run of fields is written once (escaped by `JSONWriter.appendEscaped`, as every JSON of ours
/// is) and kept as bytes; a notice is those runs copied in key order, and only a fate (with
/// --all) is escaped anew. Made field by field, 17 strings a notice, writing was half the year.
struct AgendaJSONFormatter {
    /// What a step occurrence gives, in the places its fields fall in key order: one array,
    /// cut in five. A class: a notice takes it without copying five ranges and an array.
    private final class Occurrence {
        let bytes: [UInt8]
        /// `,"compact":"…"`
        let compact: Range<Int>
        /// `,"cycle":"…","due_at":"…","due_at_utc":"…"`
        let cycleAndDue: Range<Int>
        /// The step key, escaped, without quotes: the start of the notice's id.
        let idStart: Range<Int>
        /// `,"occurrence":"…","partner":"…"`
        let occurrenceAndPartner: Range<Int>
        /// `,"step":"…","step_key":"…","step_title":"…"}`
        let stepToEnd: Range<Int>

        init(step: StepOccurrence, partner: String, due: [UInt8]) {
            let key = step.key
            var bytes: [UInt8] = []
            bytes.reserveCapacity(512)
            AgendaJSONFormatter.append("compact", step.compactID, to: &bytes)
            compact = 0..<bytes.count
            AgendaJSONFormatter.append("cycle", step.cycleID, to: &bytes)
            bytes.append(contentsOf: due)
            cycleAndDue = compact.upperBound..<bytes.count
            JSONWriter.appendEscaped(key, to: &bytes)
            idStart = cycleAndDue.upperBound..<bytes.count
            AgendaJSONFormatter.append("occurrence", step.occurrence.description, to: &bytes)
            AgendaJSONFormatter.append("partner", partner, to: &bytes)
            occurrenceAndPartner = idStart.upperBound..<bytes.count
            AgendaJSONFormatter.append("step", step.stepID, to: &bytes)
            AgendaJSONFormatter.append("step_key", key, to: &bytes)
            AgendaJSONFormatter.append("step_title", step.stepTitle, to: &bytes)
            bytes.append(UInt8(ascii: "}"))
            stepToEnd = occurrenceAndPartner.upperBound..<bytes.count
            // Kept at its size: grown by doubling, thirty thousand of them held 9 MB unused.
            self.bytes = Array(bytes[...])
        }
    }

    /// Classes, as `Occurrence` is: a notice takes each with one retain, not one an array.
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
    /// Each compact's partner, by compact id.
    private let partners: [String: String]
    /// By identity first (`StepOccurrenceSlots`), then by content, because the planner, a
    /// month at a time, makes a step occurrence anew in each month its notices reach, and its
    /// text is the same.
    private var byIdentity: StepOccurrenceSlots<Occurrence>
    private var occurrences: [StepOccurrence: Occurrence] = [:]
    private var kinds: [NoticeKind: Kind] = [:]
    private var recipients: [Recipient: RecipientText] = [:]
    /// `,"send_at":"…","send_at_utc":"…"` by send time.
    private var sendTimes: [Instant: [UInt8]] = [:]
    /// `,"due_at":"…","due_at_utc":"…"` by due time.
    private var dueTimes: [Instant: [UInt8]] = [:]
    /// The last occurrence, kind, recipient and send time written, each compared before it is
    /// hashed: a step's notices to its several recipients come one after another, and the
    /// notices come in send order, most of a kind and to one channel (hashing them was a
    /// quarter of writing a year's agenda). Written out, here and in `AgendaTextCache`: one
    /// generic "last, then table" type for them cost writing 8% more instructions (209 to
    /// 226 million at 2,000 compacts), each lookup copying the kept key and value to compare.
    private var last: (step: StepOccurrence, occurrence: Occurrence)?
    private var lastKind: (kind: NoticeKind, text: Kind)?
    private var lastRecipient: (recipient: Recipient, text: RecipientText)?
    private var lastSendTime: (instant: Instant, text: [UInt8])?
    /// Past this many, the occurrences are forgotten (the agenda is written in send order,
    /// so a step's notices are near one another): memory stays bounded over long windows.
    private static let occurrenceLimit = 50_000

    init(zone: ZoneInfo, partners: [String: String]) {
        self.zone = zone
        self.partners = partners
        byIdentity = StepOccurrenceSlots(compacts: partners.count)
    }

    /// One notice, `,\n{…}` (the array's writer drops the first comma); `fate` with --all.
    mutating func append(_ notice: PlannedNotice, fate: String? = nil, to output: OutputBytes) {
        let occurrence = occurrence(notice.step)
        let kind = kind(notice.kind)
        let recipient = recipient(notice.recipient)
        let sent = sendTime(notice.sendAt)
        var fateField: [UInt8] = []
        if let fate { Self.append("fate", fate, to: &fateField) }
        output.reserve(Self.entryStart.count + Self.idKey.count + occurrence.bytes.count + kind.idMiddle.count + kind.idEndKindAndLabel.count
            + recipient.start.count + recipient.contact.count + recipient.idEnd.count + sent.count + fateField.count)
        output.appendReserved(Self.entryStart)
        output.appendReserved(recipient.start)
        occurrence.bytes.withUnsafeBytes { part in
            output.appendReserved(UnsafeRawBufferPointer(rebasing: part[occurrence.compact]))
            output.appendReserved(recipient.contact)
            output.appendReserved(UnsafeRawBufferPointer(rebasing: part[occurrence.cycleAndDue]))
            output.appendReserved(fateField)
            output.appendReserved(Self.idKey)
            output.appendReserved(UnsafeRawBufferPointer(rebasing: part[occurrence.idStart]))
            output.appendReserved(kind.idMiddle)
            output.appendReserved(recipient.idEnd)
            output.appendReserved(kind.idEndKindAndLabel)
            output.appendReserved(UnsafeRawBufferPointer(rebasing: part[occurrence.occurrenceAndPartner]))
            output.appendReserved(sent)
            output.appendReserved(UnsafeRawBufferPointer(rebasing: part[occurrence.stepToEnd]))
        }
    }

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

    private mutating func occurrence(_ step: StepOccurrence) -> Occurrence {
        if let last, last.step === step { return last.occurrence }
        if let known = byIdentity[step] {
            last = (step, known)
            return known
        }
        if occurrences.count >= Self.occurrenceLimit { occurrences.removeAll(keepingCapacity: true) }
        let found: Occurrence
        if let known = occurrences[step] {
            found = known
        } else {
            found = Occurrence(step: step, partner: partners[step.compactID] ?? "", due: dueTime(step.dueAt))
            occurrences[step] = found
        }
        byIdentity[step] = found
        last = (step, found)
        return found
    }

    private mutating func kind(_ kind: NoticeKind) -> Kind {
        if let lastKind, lastKind.kind == kind { return lastKind.text }
        let text = kindText(kind)
        lastKind = (kind, text)
        return text
    }

    private mutating func kindText(_ kind: NoticeKind) -> Kind {
        if let known = kinds[kind] { return known }
        let made = Kind(
            idMiddle: Self.escaped("/\(kind.identityComponent)/"),
            idEndKindAndLabel: [UInt8(ascii: "\"")] + Self.fields(["kind": kind.name, "label": kind.label])
        )
        kinds[kind] = made
        return made
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
        if let lastSendTime, lastSendTime.instant == instant { return lastSendTime.text }
        let text: [UInt8]
        if let known = sendTimes[instant] {
            text = known
        } else {
            text = Self.fields(["send_at": JSONTime.local(instant, zone), "send_at_utc": JSONTime.utc(instant)])
            sendTimes[instant] = text
        }
        lastSendTime = (instant, text)
        return text
    }

    private mutating func dueTime(_ instant: Instant) -> [UInt8] {
        if let known = dueTimes[instant] { return known }
        let made = Self.fields(["due_at": JSONTime.local(instant, zone), "due_at_utc": JSONTime.utc(instant)])
        dueTimes[instant] = made
        return made
    }
}
