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
    /// Every distinct value of one kind of part, and the one last handed out: files written
    /// from one template come one after the other, so a value is first compared with that
    /// one, which is cheaper than hashing it (hashing the review cycles was 7% of reading
    /// a compact file).
    private struct Kind<T: Hashable> {
        var all: [T: T] = [:]
        var recent: T?

        mutating func first(_ value: T) -> T {
            if let recent, recent == value { return recent }
            let found: T
            if let existing = all[value] {
                found = existing
            } else {
                all[value] = value
                found = value
            }
            recent = found
            return found
        }
    }

    private struct Tables {
        var commitments = Kind<[Commitment]>()
        var cycles = Kind<[ReviewCycle]>()
        var notify = Kind<[String]>()
        var deadlines = Kind<[Deadline]>()
        var calendars: [String: CalendarSpec] = [:]
    }

    private let tables = Mutex(Tables())

    /// The compact with each part replaced by the first equal one seen.
    func share(_ compact: Compact) -> Compact {
        var shared = compact
        tables.withLock { t in
            shared.commitments = t.commitments.first(compact.commitments)
            shared.cycles = t.cycles.first(compact.cycles)
            shared.notify = t.notify.first(compact.notify)
            shared.deadlines = t.deadlines.first(compact.deadlines)
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
}
