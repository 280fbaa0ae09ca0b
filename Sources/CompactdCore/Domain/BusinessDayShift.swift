/// What happens to a step or reminder that falls on a weekend or holiday, as remind(1)'s
/// OMIT with BEFORE / AFTER.
public enum BusinessDayShift: String, Sendable, Hashable, CaseIterable {
    /// Move to the previous business day.
    case before
    /// Move to the next business day.
    case after
    /// Leave it where it falls.
    case keep
}
