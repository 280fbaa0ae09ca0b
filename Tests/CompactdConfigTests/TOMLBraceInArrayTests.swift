@testable import CompactdConfig
import Testing

/// A `}` where an array expects a value made toml++ (inside TOMLKit) abort the process; found by
/// the longer fuzzing of `make chaos`. The pre-check reports it first, with line and column.
@Suite("TOML pre-check: '}' inside an array")
struct TOMLBraceInArrayTests {
    @Test("a '}' where an array expects a value is a syntax error with its line and column", arguments: [
        (#"notify = ["a", }"b"]"#, 1, 16), ("x = [\n  1,\n}", 3, 1), ("x = [ # ]\n}", 2, 1), ("x = [{a = [}]}]", 1, 12),
    ])
    func refused(text: String, line: Int, column: Int) {
        let finding = TOMLPreflight.braceInArray(text)
        #expect(finding?.line == line && finding?.column == column, "\(String(describing: finding))")
        #expect(finding?.message.contains("TOML syntax error") == true)
    }

    @Test("braces in strings, comments and inline tables inside arrays are fine", arguments: [
        #"a = [{b = 1}, {c = "}"}] # }"#,
        "s = \"\"\"\n}\n\"\"\"\nt = [1]",
        "l = '''\n[}\n'''",
        #"e = "\"}"  # an escaped quote"# + "\n" + #"x = ["]", '}']"#,
        "x = [ # }\n 1 ]",
        "[t]\nk = { a = [1, 2], b = { c = [] } }",
        "c = \"\"\"a \\\n}\"\"\"\ny = [1]",
    ])
    func accepted(text: String) {
        #expect(TOMLPreflight.braceInArray(text) == nil, "\(text)")
    }

    @Test("through the loader: the file, line and column of the '}', not a crash")
    func throughTheLoader() throws {
        let fixture = try ConfigFixture(compacts: ["bell.toml": ConfigFixture.validCompact.replacingFirst(#"notify = ["district-log"]"#, with: #"notify = ["district-log", }]"#)])
        defer { fixture.remove() }
        do {
            _ = try ConfigurationLoader(environment: [:]).load(path: fixture.mainPath)
            Issue.record("the broken array loaded")
        } catch {
            let problem = try #require(error.problems.first)
            #expect(problem.file == fixture.compactPath("bell.toml"))
            #expect(problem.line == 4 && problem.column == 27, "\(problem)")
        }
    }
}
