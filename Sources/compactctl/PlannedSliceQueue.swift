import CompactdCore
import CompactdSystemd
import Foundation

/// Slices of notices handed from the thread that plans them to the one that writes them:
/// `agenda` plans the next month while it writes this one, on the machine's second core. The
/// order is kept: slices are taken in the order they were put.
///
/// A slice goes across whole (`PlannedSlice`) and is read where the planner made it: copying
/// each notice out in send order into batches for the writer was a tenth of the planning
/// thread's work, and the planning thread was the slower of the two.
///
/// How far the planner runs ahead is bounded by notices, not by slices: a month of 100,000
/// compacts is more than a million notices, and with two such months waiting, one being
/// written and one being planned, a year's agenda at 100,000 took 621 MiB instead of 302. The
/// planner waits while more than `aheadLimit` (262,144) notices are put and not yet written,
/// and a month larger than `splitAbove` (524,288) is handed over in parts of `partSize` copied
/// out in send order (as every month was before), so that it can be let go once split. At 10,000 compacts the largest
/// month is about 140,000 notices: months go across whole, about two ahead.
final class PlannedSliceQueue: @unchecked Sendable {
    // @unchecked: every stored property is read and written with `condition` held, and a
    // slice belongs to one thread at a time: the planner's until `put`, the writer's from
    // `take` until it hands the slice back, then the planner's again to let go.
    private let condition = NSCondition()
    private var waiting: [PlannedSlice] = []
    /// Notices in the slices put and not yet written (waiting, or being written).
    private var unwritten = 0
    /// Slices written, let go on the planning thread (`put`): releasing a month's notices, a
    /// reference count apiece, was a sixteenth of the writing thread's work.
    private var written: [PlannedSlice] = []
    private var finished = false
    private static let aheadLimit = 1 << 18
    private static let splitAbove = 1 << 19
    private static let partSize = 1 << 16

    /// Hands `slice` over, then waits until at most `aheadLimit` notices are unwritten, and
    /// lets go, on this (the planning) thread, of the slices written meanwhile.
    func put(_ slice: PlannedSlice) {
        condition.lock()
        waiting.append(slice)
        unwritten += slice.count
        condition.broadcast()
        while unwritten > Self.aheadLimit { condition.wait() }
        let release = written
        written = []
        condition.unlock()
        withExtendedLifetime(release) {}
    }

    /// Hands over a slice, in parts of `partSize` if it holds more than `splitAbove` notices.
    func putSplitting(_ slice: PlannedSlice) {
        guard slice.count > Self.splitAbove else { return put(slice) }
        var start = 0
        while start < slice.count {
            let end = min(slice.count, start + Self.partSize)
            put(slice.inSendOrder(start..<end))
            start = end
        }
    }

    /// No more slices will come.
    func finish() {
        condition.lock()
        finished = true
        condition.broadcast()
        condition.unlock()
    }

    /// The next slice, waiting for it; nil once every slice was taken and `finish` was called.
    /// `done`, the slice written before, is kept for the planning thread to let go.
    func take(after done: consuming PlannedSlice?) -> PlannedSlice? {
        condition.lock()
        defer { condition.unlock() }
        if let done {
            unwritten -= done.count
            written.append(done)
            condition.broadcast()
        }
        while waiting.isEmpty && !finished { condition.wait() }
        guard !waiting.isEmpty else { return nil }
        return waiting.removeFirst()
    }

    /// Runs `plan` on a thread of its own, the slices it hands out put here, and hands each
    /// notice to `body` on the calling thread, slice by slice, in send order.
    static func planned(_ plan: @escaping @Sendable (_ emit: (PlannedSlice) -> Void) -> Void, _ body: (PlannedNotice) -> Void) {
        let queue = PlannedSliceQueue()
        NamedThread.start("compactctl-plan", stackSize: 8 << 20) {
            plan { queue.putSplitting($0) }
            queue.finish()
        }
        // The slice written is moved into the queue (`take()` leaves nil here), not kept in
        // `done` as well until the next slice was written.
        var done: PlannedSlice?
        while let slice = queue.take(after: done.take()) {
            slice.forEach(body)
            done = consume slice
        }
        // The slices written after the planner finished stay until compactctl exits, as its
        // configuration does (`KeptUntilExit`): letting them go here, on the writing thread,
        // was a twentieth of its work (9.6 of 223.7 million instructions, a year at 2,000).
        KeptUntilExit.keep(queue)
    }
}
