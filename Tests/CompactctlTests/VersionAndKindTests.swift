import Foundation
import Testing

/// Small truths of the command line: both binaries say their version, and `history --kind`
/// refuses a kind it does not know instead of filtering everything out.
@Suite("versions and history kinds")
struct VersionAndKindTests {
    @Test("--version on both binaries: their name and the same semantic version")
    func versions() throws {
        let ctl = try CommandRunner.run("compactctl", ["--version"])
        let daemon = try CommandRunner.run("compactd", ["--version"])
        #expect(ctl.status == 0 && daemon.status == 0)
        let ctlVersion = ctl.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let daemonVersion = daemon.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(ctlVersion.wholeMatch(of: /compactctl \d+\.\d+\.\d+/) != nil, "\(ctlVersion)")
        #expect(daemonVersion.wholeMatch(of: /compactd \d+\.\d+\.\d+/) != nil, "\(daemonVersion)")
        #expect(ctlVersion.dropFirst("compactctl ".count) == daemonVersion.dropFirst("compactd ".count))
    }

    @Test("history --kind with an unknown kind: exit 1, a suggestion and the list, not an empty history")
    func unknownKind() throws {
        let config = CommandRunner.packageRoot.appendingPathComponent("Config/compactd.toml").path
        let result = try CommandRunner.run("compactctl", ["history", "--kind", "attempt,atempt", "--config", config])
        #expect(result.status == 1)
        #expect(result.stderr.contains("--kind 'atempt' is not a kind of history line; did you mean 'attempt'?"), "\(result.stderr)")
        #expect(result.stdout.isEmpty)
    }
}
