/// A TOML date-time, date or time, as written (no time zone applied). Fractional seconds are
/// kept to the microsecond, as Python's tomllib keeps them.
struct TOMLDateTime: Hashable {
    struct Date: Hashable {
        var year: Int
        var month: Int
        var day: Int
    }

    struct Time: Hashable {
        var hour: Int
        var minute: Int
        var second: Int
        var microsecond: Int
    }

    var date: Date
    var time: Time
    /// Minutes east of UTC; nil for a local date-time.
    var offset: Int?
}
