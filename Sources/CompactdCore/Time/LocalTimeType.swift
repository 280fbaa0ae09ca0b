/// One of a zone's kinds of local time: its UTC offset, whether it is daylight-saving time,
/// and its abbreviation (`PST`, `PDT`).
public struct LocalTimeType: Hashable, Sendable {
    public var utcOffsetSeconds: Int
    public var isDaylightSaving: Bool
    public var abbreviation: String

    public init(utcOffsetSeconds: Int, isDaylightSaving: Bool, abbreviation: String) {
        self.utcOffsetSeconds = utcOffsetSeconds
        self.isDaylightSaving = isDaylightSaving
        self.abbreviation = abbreviation
    }
}
