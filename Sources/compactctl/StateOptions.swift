import ArgumentParser
import CompactdConfig
import CompactdCore
import CompactdStore
import CompactdSystemd
import Foundation

/// Opening the state store from compactctl: the daemon's file (`$STATE_DIRECTORY`, else the
/// configured `state_path`), which must already exist: compactctl never creates state.
enum StateAccess {
    static func open(_ configuration: Configuration) throws -> SQLiteStateStore {
        let path = SQLiteStateStore.location(configured: configuration.statePath)
        guard FileManager.default.fileExists(atPath: path) else {
            throw CommandFailure("no state at \(path): has compactd run yet? (set STATE_DIRECTORY or state_path)")
        }
        do {
            return try SQLiteStateStore(path: path, busyTimeoutMilliseconds: 3000)
        } catch {
            throw CommandFailure("\(error)")
        }
    }

    /// Tells a running daemon to plan again now; fine if none runs.
    static func pokeDaemon() {
        _ = try? ControlSocket.send("poke", to: ControlSocket.defaultPath(), timeoutSeconds: 2)
    }
}
