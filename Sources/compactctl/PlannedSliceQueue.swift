import CompactdCore
import Foundation

/// Slices of notices handed from the thread that plans them to the one that writes them, at
/// most `capacity` waiting: `agenda` plans the next month while it writes this one, on the
/// machine's second core. The order is kept: slices are taken in the order they were put.
///
/// A slice goes across whole (`PlannedSlice`) and is read where the planner made it: copying
/// each notice out in send order into batches for the writer was a tenth of the planning
/// thread's work, and the planning thread is the slower of the two.
final class PlannedSliceQueue: @unchecked Sendable {
    // @unchecked: every stored property is read and written with `condition` held, and a
    // slice belongs to one thread at a time (the planner's until `put`, then the writer's).
    private let condition = NSCondition()
    private var waiting: [PlannedSlice] = []
    /// Slices written, let go on the planning thread (`put`): releasing a month's notices, a
    /// reference count apiece, was a sixteenth of the writing thread's work, which is now the
    /// slower of the two.
    private var written: [PlannedSlice] = []
    private var finished = false
    private let capacity: Int

    /// Two: the months differ (a summer month holds most of a year's notices), so one waiting
    /// would stall the planner behind a long month's writing; each slice is at most a month.
    init(capacity: Int = 2) {
        self.capacity = capacity
    }

    /// Waits while `capacity` slices are waiting, so planning runs at most that far ahead.
    /// Also takes the slices written since, which are released when this returns, on the
    /// calling (planning) thread, outside the lock.
    func put(_ slice: PlannedSlice) {
        condition.lock()
        while waiting.count >= capacity { condition.wait() }
        waiting.append(slice)
        let release = written
        written = []
        condition.broadcast()
        condition.unlock()
        withExtendedLifetime(release) {}
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
        if let done { written.append(done) }
        while waiting.isEmpty && !finished { condition.wait() }
        guard !waiting.isEmpty else { return nil }
        let slice = waiting.removeFirst()
        condition.broadcast()
        return slice
    }

    /// Runs `plan` on a thread of its own, the slices it hands out put here, and hands each
    /// notice to `body` on the calling thread, slice by slice, in send order.
    static func planned(_ plan: @escaping @Sendable (_ emit: (PlannedSlice) -> Void) -> Void, _ body: (PlannedNotice) -> Void) {
        let queue = PlannedSliceQueue()
        let planner = Thread {
            plan { queue.put($0) }
            queue.finish()
        }
        planner.stackSize = 8 << 20
        planner.start()
        var done: PlannedSlice?
        while let slice = queue.take(after: done) {
            slice.forEach(body)
            done = consume slice
        }
    }
}
