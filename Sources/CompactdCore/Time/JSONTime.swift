/// How a moment is written in compactctl's JSON and the report model, the same in every command: RFC 3339 with the
/// configured zone's offset in the field itself (`"due": "2027-05-14T09:00:00-07:00"`), and the
/// same moment in UTC in a `_utc` field beside it (`"due_utc": "2027-05-14T16:00:00Z"`).
/// Text output shows the short local form, derived from the same field.
public enum JSONTime {
    public static func local(_ instant: Instant, _ zone: ZoneInfo) -> String { TimestampFormat.rfc3339(instant, in: zone) }

    public static func utc(_ instant: Instant) -> String { instant.rfc3339UTC }

    /// The short form for text (`2027-05-14 09:00 PDT`) of a field written by `local`.
    public static func display(_ rfc3339: String?, _ zone: ZoneInfo) -> String? {
        rfc3339.flatMap { TimestampFormat.parse($0, zone: zone) }.map { TimestampFormat.short($0, in: zone) }
    }
}
