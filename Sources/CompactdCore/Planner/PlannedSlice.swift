/// A slice of a window's notices, as the planner made them: in configuration order, with
/// their positions in send order (`Planner.sendOrder`). Handed on whole rather than a notice
/// at a time, so that the notices are read where they are: `agenda` passes each slice from
/// the thread that plans to the one that writes, where copying every notice out, in order,
/// was a tenth of the planning thread's work.
public struct PlannedSlice: Sendable {
    public let notices: [PlannedNotice]
    /// `notices`' positions in send order; ties keep configuration order.
    public let order: [Int32]

    public init(notices: [PlannedNotice], order: [Int32]) {
        precondition(notices.count == order.count, "an order of \(order.count) for \(notices.count) notices")
        self.notices = notices
        self.order = order
    }

    public var count: Int { notices.count }

    /// The notices at send-order positions `positions`, copied out in that order into a slice
    /// of their own: a large slice handed over a part at a time can be let go once split.
    public func inSendOrder(_ positions: Range<Int>) -> PlannedSlice {
        var part: [PlannedNotice] = []
        part.reserveCapacity(positions.count)
        notices.withUnsafeBufferPointer { notices in
            for position in order[positions] { part.append(notices[Int(position)]) }
        }
        return PlannedSlice(notices: part, order: (0..<Int32(part.count)).map { $0 })
    }

    /// Calls `body` with each notice in send order, read in place.
    public func forEach(_ body: (PlannedNotice) -> Void) {
        notices.withUnsafeBufferPointer { notices in
            for position in order { body(notices[Int(position)]) }
        }
    }
}
