import CompactdSystemd
import ServiceLifecycle

/// The last service of the daemon's group, so the first to hear of a shutdown: it tells
/// systemd STOPPING=1 before the HTTP listener and the loop wind down (the group stops its
/// services in reverse order, each after the one before it has returned).
public struct StoppingNotice: Service {
    let notifier: SystemdNotifier

    public init(notifier: SystemdNotifier) {
        self.notifier = notifier
    }

    public func run() async throws {
        try? await gracefulShutdown()
        // The loop logs "stopping" (with its MESSAGE_ID) when its own turn comes.
        notifier.stopping()
    }
}
