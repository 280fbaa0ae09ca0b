/// Places in a delivery where tests stop the process on purpose, to prove that a crash there
/// loses nothing and sends nothing twice under two names. Production code never sets a hook.
public enum FaultPoint: String, Sendable {
    /// Notices are in the outbox; nothing has been sent.
    case afterEnqueue = "after-enqueue"
    /// A transfer completed; its outcome is not yet recorded.
    case afterSend = "after-send"
}
