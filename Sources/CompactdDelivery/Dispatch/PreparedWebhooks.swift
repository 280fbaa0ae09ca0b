import CompactdCore
import Synchronization

/// What a webhook channel needs for every request and need not redo for each: its checked URL
/// (read from its file or credential when it carries a token) and its signer (the decoded
/// `whsec_` keys). Kept per request builder, which lives for one pass of the daemon or one
/// `compactd --once`: a rotated secret or URL file is picked up at the next pass.
final class PreparedWebhooks: Sendable {
    struct Entry: Sendable {
        var url: String
        var signer: StandardWebhookSigner?
    }

    private let entries = Mutex<[WebhookSettings: Entry]>([:])

    /// The entry for these settings, prepared by `make` the first time (failures are not kept).
    func entry<E: Error>(for settings: WebhookSettings, make: () throws(E) -> Entry) throws(E) -> Entry {
        if let entry = entries.withLock({ $0[settings] }) { return entry }
        let entry = try make()
        entries.withLock { $0[settings] = entry }
        return entry
    }
}
