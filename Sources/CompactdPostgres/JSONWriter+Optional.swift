import CompactdCore

/// Rows travel to PostgreSQL as one JSON array a statement (`jsonb_array_elements`,
/// `jsonb_to_recordset`); a missing value is JSON's null, which becomes SQL's NULL.
extension JSONWriter {
    mutating func optionalField(_ name: String, _ text: String?) {
        key(name)
        if let text { value(text) } else { null() }
    }

    mutating func optionalField(_ name: String, _ number: Int?) {
        key(name)
        if let number { value(number) } else { null() }
    }
}
