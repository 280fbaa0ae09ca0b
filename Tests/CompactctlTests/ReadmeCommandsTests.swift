import CompactdTestSupport
import Foundation
import Testing

/// README's command reference is what the binaries really say.
@Suite("README command reference")
struct ReadmeCommandsTests {
    @Test("README's generated command section equals every command's --help (run make readme when it does not)")
    func matchesHelp() throws {
        let result = try ServerProcess.runScript("readme_commands.py", ["--check", CommandRunner.productsDirectory.path, CommandRunner.packageRoot.appendingPathComponent("README.md").path])
        #expect(result.status == 0, "README.md differs from --help; run `make readme`:\n\(result.output.prefix(3000))")
    }
}
