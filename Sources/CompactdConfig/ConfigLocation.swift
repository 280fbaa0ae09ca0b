import Foundation

/// Which configuration file a command uses: `--config`, else `$COMPACTD_CONFIG`, else the
/// installed `/etc/compactd/compactd.toml`, else `Config/compactd.toml` in a checkout.
public enum ConfigLocation {
    public static let installed = "/etc/compactd/compactd.toml"
    public static let checkout = "Config/compactd.toml"

    public static func resolve(explicit: String?, environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let explicit, !explicit.isEmpty { return explicit }
        if let fromEnvironment = environment["COMPACTD_CONFIG"], !fromEnvironment.isEmpty { return fromEnvironment }
        if FileManager.default.fileExists(atPath: installed) { return installed }
        return checkout
    }
}
