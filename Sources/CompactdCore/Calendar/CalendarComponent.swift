/// One element of a calendar expression's field: a value, a range `a..b`, or a repetition
/// `a/r` / `a..b/r`. For the seconds field the numbers are microseconds.
public struct CalendarComponent: Hashable, Sendable, Comparable {
    public var start: Int
    /// -1 when there is no upper bound.
    public var stop: Int
    /// 0 when the component does not repeat.
    public var repeatInterval: Int

    public init(start: Int, stop: Int = -1, repeatInterval: Int = 0) {
        self.start = start
        self.stop = stop
        self.repeatInterval = repeatInterval
    }

    public static func < (lhs: CalendarComponent, rhs: CalendarComponent) -> Bool {
        (lhs.start, lhs.stop, lhs.repeatInterval) < (rhs.start, rhs.stop, rhs.repeatInterval)
    }
}

extension [CalendarComponent] {
    /// Sorts, removes duplicates, trims ranges to a whole number of repetitions and drops
    /// repetitions that can never fire, as systemd does before printing or evaluating.
    func normalizedChain() -> [CalendarComponent] {
        var items = self.map { item -> CalendarComponent in
            var c = item
            if c.stop > c.start && c.repeatInterval > 0 {
                c.stop -= (c.stop - c.start) % c.repeatInterval
            }
            if (c.stop > c.start && c.repeatInterval > 0 && c.start + c.repeatInterval > c.stop) || c.start == c.stop {
                c.repeatInterval = 0
                c.stop = -1
            }
            return c
        }
        items.sort()
        var unique: [CalendarComponent] = []
        for item in items where unique.last != item { unique.append(item) }
        return unique
    }

    /// Whether every value lies within `from...to` (the last three days of a month off when
    /// counting from the month's end) and every repetition can fire at least once.
    func isValidChain(from: Int, to upper: Int, endOfMonth: Bool) -> Bool {
        let to = endOfMonth ? upper - 3 : upper
        for c in self {
            if c.start < from || c.start > to { return false }
            if c.repeatInterval > to - from { return false }
            if c.stop >= 0 {
                if c.stop < from || c.stop > to { return false }
                if c.start + c.repeatInterval > c.stop { return false }
            } else {
                if endOfMonth && c.start - c.repeatInterval < from { return false }
                if !endOfMonth && c.start + c.repeatInterval > to { return false }
            }
        }
        return true
    }
}
