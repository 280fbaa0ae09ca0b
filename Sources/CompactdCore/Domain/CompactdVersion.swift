/// compactd's version, printed by `--version` of both binaries. Raised with each release; the
/// state store's schema has its own version (SQLiteSchema) and refuses a newer one.
public enum CompactdVersion {
    public static let current = "0.4.0"
}
