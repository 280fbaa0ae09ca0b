/// One metadata field of a log event as text: its key (`compact_id`) and its value.
///
/// A struct, not a `(key:, text:)` tuple: an array of tuples is destroyed and sorted through
/// the runtime's generic tuple witnesses (about a hundred instructions a field, and an event
/// has ten), an array of these through specialized code.
struct JournalField: Equatable {
    var key: String
    var text: String

    init(_ key: String, _ text: String) {
        self.key = key
        self.text = text
    }
}
