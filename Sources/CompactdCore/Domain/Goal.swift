/// A target for the partnership as a whole: "at least 12 active compacts by 2026-06-30".
public struct Goal: Sendable, Hashable {
    public var id: String
    public var title: String
    public var minimumActive: Int
    public var deadline: LocalDate

    public init(id: String, title: String, minimumActive: Int, deadline: LocalDate) {
        self.id = id
        self.title = title
        self.minimumActive = minimumActive
        self.deadline = deadline
    }
}
