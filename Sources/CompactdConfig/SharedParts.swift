import CompactdCore
import Synchronization

/// The parts compacts have in common, kept once: compacts written from one template (the same
/// commitments, review cycles with their steps and policies, channels to notify) parse into equal
/// values, each in memory of its own. Each compact, as soon as its file is read, takes the first
/// equal copy of each part instead, and lets its own go while the next files are read (so the
/// memory is used again at once, not left as holes after the whole load). At 10,000 compacts
/// shaped like the shipped ones this is most of a compact's memory: see README, Benchmarks.
///
/// Shared by the threads that read compact files; a part is looked up by its hash under a lock
/// held only for the lookup.
final class SharedParts: Sendable {
    private struct Tables {
        var commitments: [[Commitment]: [Commitment]] = [:]
        var cycles: [[ReviewCycle]: [ReviewCycle]] = [:]
        var notify: [[String]: [String]] = [:]
        var deadlines: [[Deadline]: [Deadline]] = [:]
        var calendars: [String: CalendarSpec] = [:]
    }

    private let tables = Mutex(Tables())

    /// The compact with each part replaced by the first equal one seen.
    func share(_ compact: Compact) -> Compact {
        var shared = compact
        tables.withLock { t in
            shared.commitments = Self.first(compact.commitments, in: &t.commitments)
            shared.cycles = Self.first(compact.cycles, in: &t.cycles)
            shared.notify = Self.first(compact.notify, in: &t.notify)
            shared.deadlines = Self.first(compact.deadlines, in: &t.deadlines)
        }
        return shared
    }

    /// A calendar expression parsed once per load: every file of a template repeats it (one
    /// load reads each file in the same zone, so the text alone names the result). Refusals are
    /// not kept: each file reports its own.
    func calendar(_ text: String, parse: () throws(CalendarSpecError) -> CalendarSpec) throws(CalendarSpecError) -> CalendarSpec {
        if let known = tables.withLock({ $0.calendars[text] }) { return known }
        let spec = try parse()
        tables.withLock { $0.calendars[text] = spec }
        return spec
    }

    private static func first<T: Hashable>(_ value: T, in table: inout [T: T]) -> T {
        if let existing = table[value] { return existing }
        table[value] = value
        return value
    }
}
