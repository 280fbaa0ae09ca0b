/// A TOML 1.0 value as compactd's own parser (`TOMLParser`) reads it.
///
/// The date and time cases are `indirect`: held inline, their 65 bytes made every value that
/// large, and every value copied (each key read, each array element) copied them; boxed, a
/// value is a string's 16 bytes and a tag, and the rare date pays for a box.
enum TOMLValue {
    case string(String)
    case integer(Int64)
    case float(Double)
    case boolean(Bool)
    /// `1979-05-27T07:32:00Z`, `1979-05-27 07:32:00-07:00`.
    indirect case offsetDateTime(TOMLDateTime)
    /// `1979-05-27T07:32:00`: no offset.
    indirect case localDateTime(TOMLDateTime)
    indirect case localDate(TOMLDateTime.Date)
    indirect case localTime(TOMLDateTime.Time)
    case array([TOMLValue])
    case table(TOMLTable)

    /// "a string", "an integer", ...: for messages.
    var typeName: String {
        switch self {
        case .table: "a table"
        case .array: "an array"
        case .string: "a string"
        case .integer: "an integer"
        case .float: "a number"
        case .boolean: "a boolean"
        case .localDate: "a date"
        case .localTime: "a time"
        case .offsetDateTime, .localDateTime: "a date-time"
        }
    }

    var string: String? { if case .string(let s) = self { s } else { nil } }
    var int: Int? { if case .integer(let i) = self { Int(exactly: i) } else { nil } }
    var bool: Bool? { if case .boolean(let b) = self { b } else { nil } }
    var array: [TOMLValue]? { if case .array(let a) = self { a } else { nil } }
    var table: TOMLTable? { if case .table(let t) = self { t } else { nil } }
    var date: TOMLDateTime.Date? { if case .localDate(let d) = self { d } else { nil } }
    /// A date-time with or without an offset.
    var dateTime: TOMLDateTime? {
        switch self {
        case .offsetDateTime(let dt), .localDateTime(let dt): dt
        default: nil
        }
    }
}
