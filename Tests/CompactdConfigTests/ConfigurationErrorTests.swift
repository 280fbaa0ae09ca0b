import CompactdConfig
import Foundation
import CompactdCore
import Testing

/// Each kind of configuration error is reported with its file, line, key and what was
/// expected, and every problem is reported, not only the first.
@Suite("Configuration errors name file, line, key and expectation")
struct ConfigurationErrorTests {
    /// Loads a fixture and returns its problems, failing the test if it loaded.
    func problems(main: String = ConfigFixture.validMain, compact: String = ConfigFixture.validCompact) throws -> (ConfigFixture, [ConfigProblem]) {
        let fixture = try ConfigFixture(main: main, compacts: ["bell.toml": compact])
        do {
            _ = try ConfigurationLoader(environment: [:]).load(path: fixture.mainPath)
            Issue.record("the configuration loaded, but an error was expected")
            return (fixture, [])
        } catch {
            return (fixture, error.errors)
        }
    }

    @Test("the valid fixture loads")
    func validFixtureLoads() throws {
        let fixture = try ConfigFixture()
        defer { fixture.remove() }
        let loaded = try ConfigurationLoader(environment: [:]).load(path: fixture.mainPath)
        #expect(loaded.configuration.compacts.map(\.id) == ["bell"])
        #expect(loaded.configuration.compacts[0].cycles[0].steps[0].policy.reminders.map(\.description) == ["7d", "1d", "0"])
        #expect(loaded.configuration.compacts[0].contacts[0].language == .es)
        #expect(loaded.configuration.defaultPolicy.escalateTo == [.contact("district-team")])
    }

    @Test("TOML syntax error")
    func syntaxError() throws {
        let (fixture, found) = try problems(compact: ConfigFixture.validCompact.replacingFirst("partner = \"City of Bell\"", with: "partner = \"City of Bell"))
        defer { fixture.remove() }
        let problem = try #require(found.first)
        #expect(problem.file == fixture.compactPath("bell.toml"))
        #expect(problem.line == 2)
        #expect(problem.column != nil)
        #expect(problem.description.contains("TOML syntax error"))
    }

    @Test("unknown key, with a suggestion")
    func unknownKey() throws {
        let (fixture, found) = try problems(compact: ConfigFixture.validCompact.replacingFirst("due = \"+14d\"", with: "due = \"+14d\"\nreminder = [\"3d\"]"))
        defer { fixture.remove() }
        let problem = try #require(found.first { $0.key == "cycles[0].steps[0].reminder" })
        #expect(problem.file == fixture.compactPath("bell.toml"))
        #expect(problem.line == 25)
        #expect(problem.message.contains("unknown key; did you mean 'reminders'?"))
        #expect(problem.description.hasPrefix("\(fixture.compactPath("bell.toml")):25:1: cycles[0].steps[0].reminder: unknown key"))
    }

    /// A reader keeps which keys were asked for as bits for the first 64 and in an array past
    /// them: a compact whose top table has 68 keys, its own four across the 64th place, reports
    /// exactly the 64 unknown ones before and after them, each at its line, and none of its own.
    @Test("unknown keys in a table of more than 64 keys: each reported at its line, the known ones not")
    func unknownKeysPastSixtyFour() throws {
        let lines = ConfigFixture.validCompact.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let firstTable = try #require(lines.firstIndex { $0.hasPrefix("[") })
        // 62 unknown keys first, then the compact's own four (id, partner, status, notify, at
        // places 63-66: two in the bits, two past them), then two more unknown ones (places 67
        // and 68), then the tables.
        let unknown = (1...62).map { "extra-\($0) = \($0)" }
        let own = lines[..<firstTable].filter { !$0.isEmpty }
        let compact = (unknown + own + ["late-1 = true", "late-2 = \"x\"", ""] + lines[firstTable...]).joined(separator: "\n")
        let (fixture, found) = try problems(compact: compact)
        defer { fixture.remove() }
        let reported = found.filter { $0.message.hasPrefix("unknown key") }
        #expect(Set(reported.map(\.key)) == Set((1...62).map { "extra-\($0)" } + ["late-1", "late-2"]))
        #expect(reported.count == 64)
        let late = try #require(reported.first { $0.key == "late-2" })
        #expect(late.line == 62 + own.count + 2)
        #expect(found.allSatisfy { $0.message.hasPrefix("unknown key") })
    }

    @Test("CRLF line ends: the file loads, and a problem names the same line as with LF")
    func crlfLineEnds() throws {
        let crlf = { (text: String) in text.replacingOccurrences(of: "\n", with: "\r\n") }
        let fine = try ConfigFixture(main: crlf(ConfigFixture.validMain), compacts: ["bell.toml": crlf(ConfigFixture.validCompact)])
        defer { fine.remove() }
        #expect(try ConfigurationLoader(environment: [:]).load(path: fine.mainPath).configuration.compacts.map(\.id) == ["bell"])
        let (fixture, found) = try problems(compact: crlf(ConfigFixture.validCompact.replacingFirst("due = \"+14d\"", with: "due = \"+14d\"\nreminder = [\"3d\"]")))
        defer { fixture.remove() }
        let problem = try #require(found.first { $0.key == "cycles[0].steps[0].reminder" })
        #expect(problem.line == 25)
    }

    /// The check reads ASCII eight bytes at a time and the rest one by one, so the file is made
    /// each length modulo eight, and a bad byte is put at the first places and in each of the
    /// last; a valid accented letter in the same places loads.
    @Test("a compact file that is not UTF-8 is refused by name, wherever the bad bytes are")
    func notUTF8() throws {
        let fixture = try ConfigFixture()
        defer { fixture.remove() }
        let path = fixture.compactPath("bell.toml")
        func load(_ bytes: [UInt8]) throws -> Result<[String], ConfigError> {
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            do throws(ConfigError) {
                return .success(try ConfigurationLoader(environment: [:]).load(path: fixture.mainPath).configuration.compacts.map(\.id))
            } catch {
                return .failure(error)
            }
        }
        for extra in 0..<8 {
            // A comment line of plain text at the end, so a byte changed there changes no value.
            let valid = Array((ConfigFixture.validCompact + "\n# " + String(repeating: "x", count: 16 + extra) + "\n").utf8)
            let comment = valid.count - 17 - extra
            for bad in [[0xFF], [0xC3], [0xC0, 0xAF], [0xED, 0xA0, 0x80]] as [[UInt8]] {
                for place in [0, 1, 7, 8, 9, 15, 16] + Array(comment..<valid.count - bad.count) {
                    var bytes = valid
                    bytes.replaceSubrange(place..<place + bad.count, with: bad)
                    switch try load(bytes) {
                    case .success: Issue.record("loaded with \(bad) at \(place) of \(bytes.count)")
                    case .failure(let error):
                        #expect(error.errors.map(\.description) == ["\(path): is not UTF-8 text; expected a TOML file"], "\(bad) at \(place) of \(bytes.count)")
                    }
                }
            }
            for place in comment..<valid.count - 2 {
                var bytes = valid
                bytes.replaceSubrange(place..<place + 2, with: Array("é".utf8))
                #expect(try load(bytes).get() == ["bell"], "é at \(place) of \(bytes.count)")
            }
        }
    }

    @Test("wrong type")
    func wrongType() throws {
        let (fixture, found) = try problems(main: ConfigFixture.validMain.replacingFirst("overdue_limit = 3", with: "overdue_limit = \"three\""))
        defer { fixture.remove() }
        let problem = try #require(found.first)
        #expect(problem.file == fixture.mainPath)
        #expect(problem.key == "policy.overdue_limit")
        #expect(problem.line == 8)
        #expect(problem.message.contains("expected an integer from 0 to 365, found a string"))
    }

    @Test("duplicate id")
    func duplicateID() throws {
        let duplicated = ConfigFixture.validCompact + "\n\n[[cycles.steps]]\nid = \"kickoff\"\ntitle = \"Again\"\n"
        let (fixture, found) = try problems(compact: duplicated)
        defer { fixture.remove() }
        let problem = try #require(found.first)
        #expect(problem.key == "cycles[0].steps[1].id")
        #expect(problem.line == 28)
        #expect(problem.message.contains("duplicate step id 'kickoff'"))
    }

    /// Ids are compared one by one while a list is short and through a set past 16: a repeated
    /// id is found on both sides of that change, and a step names a commitment found either way.
    @Test("duplicate ids among many commitments and deadlines; a step names the 20th commitment")
    func duplicateIDsAmongMany() throws {
        var compact = ConfigFixture.validCompact.replacingFirst("commitments = [\"safety\"]", with: "commitments = [\"c19\"]")
        for i in 0..<20 { compact += "\n\n[[commitments]]\nid = \"c\(i)\"\ntitle = \"Commitment \(i)\"" }
        compact += "\n\n[[commitments]]\nid = \"c3\"\ntitle = \"Again\""
        for i in 0..<30 { compact += "\n\n[[deadlines]]\nid = \"d\(i)\"\ntitle = \"Deadline \(i)\"\ndue = 2027-01-\(String(format: "%02d", i + 1))T12:00:00" }
        compact += "\n\n[[deadlines]]\nid = \"d5\"\ntitle = \"Again\"\ndue = 2027-02-01T12:00:00"
        compact += "\n\n[[deadlines]]\nid = \"d29\"\ntitle = \"Again\"\ndue = 2027-02-02T12:00:00"
        let (fixture, found) = try problems(compact: compact)
        defer { fixture.remove() }
        #expect(found.filter { $0.severity == .error }.map { "\($0.key): \($0.message)" } == [
            "commitments[21].id: duplicate commitment id 'c3'; expected each commitment id once per compact",
            "deadlines[30].id: duplicate deadline id 'd5'; expected each deadline id once per compact",
            "deadlines[31].id: duplicate deadline id 'd29'; expected each deadline id once per compact",
        ], "\(found)")
    }

    @Test("duplicate compact id across files")
    func duplicateCompactAcrossFiles() throws {
        let fixture = try ConfigFixture(compacts: ["bell.toml": ConfigFixture.validCompact, "bell-copy.toml": ConfigFixture.validCompact])
        defer { fixture.remove() }
        #expect(throws: ConfigError.self) { try ConfigurationLoader(environment: [:]).load(path: fixture.mainPath) }
        do {
            _ = try ConfigurationLoader(environment: [:]).load(path: fixture.mainPath)
        } catch {
            let problem = try #require(error.errors.first)
            #expect(problem.file == fixture.compactPath("bell.toml"))
            #expect(problem.line == 1)
            #expect(problem.message.contains("duplicate compact id 'bell', also in \(fixture.compactPath("bell-copy.toml"))"))
        }
    }

    @Test("unknown channel")
    func unknownChannel() throws {
        let (fixture, found) = try problems(compact: ConfigFixture.validCompact.replacingFirst("notify = [\"district-log\"]", with: "notify = [\"district-log\", \"city-hok\"]"))
        defer { fixture.remove() }
        let problem = try #require(found.first)
        #expect(problem.key == "notify[1]")
        #expect(problem.line == 4)
        #expect(problem.message.contains("unknown channel 'city-hok'; expected one of city-hook, district-log"))
    }

    @Test("bad calendar expression")
    func badCalendar() throws {
        let (fixture, found) = try problems(compact: ConfigFixture.validCompact.replacingFirst("calendar = \"*-05-01 09:00\"", with: "calendar = \"*-13-01 09:00\""))
        defer { fixture.remove() }
        let problem = try #require(found.first)
        #expect(problem.key == "cycles[0].calendar")
        #expect(problem.line == 19)
        #expect(problem.message.contains("'*-13-01 09:00' is not a valid calendar expression"))
        #expect(problem.message.contains("expected a systemd calendar event"))
    }

    @Test("bad email address")
    func badEmail() throws {
        let (fixture, found) = try problems(compact: ConfigFixture.validCompact.replacingFirst("liaison@bell.example.org", with: "liaison at bell"))
        defer { fixture.remove() }
        let problem = try #require(found.first)
        #expect(problem.key == "contacts[0].email")
        #expect(problem.line == 13)
        #expect(problem.message.contains("'liaison at bell' is not an email address"))
    }

    @Test("bad webhook URL", arguments: [
        ("ftp://city.example.org/hook", "has scheme 'ftp'"),
        ("file:///etc/passwd", "has scheme 'file'"),
        ("gopher://city.example.org:70/_hook", "has scheme 'gopher'"),
        ("dict://city.example.org:2628/d:hook", "has scheme 'dict'"),
        ("http://city.example.org/hook", "plain http to a host that is not loopback"),
        ("https://user:pw@city.example.org/hook", "carries user information"),
        ("https://city.example.org@evil.example.net/hook", "carries user information"),
        ("https://127.0.0.1@evil.example.net/hook", "carries user information"),
        ("city.example.org/hook", "is not a URL"),
    ])
    func badURL(url: String, expected: String) throws {
        let (fixture, found) = try problems(main: ConfigFixture.validMain.replacingFirst("https://city.example.org/hook", with: url))
        defer { fixture.remove() }
        let problem = try #require(found.first)
        #expect(problem.key == "channels.city-hook.url")
        #expect(problem.line == 23)
        #expect(problem.message.contains(expected))
    }

    @Test("missing secret file on an enabled channel")
    func missingSecretFile() throws {
        let (fixture, found) = try problems(main: ConfigFixture.validMain.replacingFirst("enabled = false", with: "enabled = true"))
        defer { fixture.remove() }
        let problem = try #require(found.first)
        #expect(problem.key == "channels.city-hook.secret_files")
        #expect(problem.line == 24)
        #expect(problem.message.contains("secret file '/nonexistent/but-disabled' does not exist"))
    }

    @Test("secrets are never inline")
    func inlineSecret() throws {
        let (fixture, found) = try problems(main: ConfigFixture.validMain + "\nsecret = \"whsec_abc\"\n")
        defer { fixture.remove() }
        let problem = try #require(found.first { $0.key == "channels.city-hook.secret" })
        #expect(problem.message.contains("secrets are never written inline"))
        // The secret's value is never repeated in the message.
        #expect(!found.contains { $0.description.contains("whsec_abc") })
    }

    @Test("unknown time zone")
    func unknownTimeZone() throws {
        let (fixture, found) = try problems(main: ConfigFixture.validMain.replacingFirst("America/Los_Angeles", with: "America/Springfield"))
        defer { fixture.remove() }
        let problem = try #require(found.first)
        #expect(problem.key == "time_zone")
        #expect(problem.line == 1)
        #expect(problem.message.contains("unknown time zone 'America/Springfield'"))
    }

    @Test("every problem is reported, across files")
    func everyProblem() throws {
        let main = ConfigFixture.validMain.replacingFirst("overdue_limit = 3", with: "overdue_limit = -1")
        let compact = ConfigFixture.validCompact
            .replacingFirst("status = \"active\"", with: "status = \"signed\"")
            .replacingFirst("due = \"+14d\"", with: "due = \"fortnight\"")
        let (fixture, found) = try problems(main: main, compact: compact)
        defer { fixture.remove() }
        #expect(found.map(\.key) == ["policy.overdue_limit", "status", "cycles[0].steps[0].due"])
        #expect(found[1].message.contains("'signed' is not allowed; expected one of \"draft\", \"negotiating\", \"active\", \"expired\""))
    }

    @Test("the shipped configuration loads")
    func shippedConfiguration() throws {
        let path = #filePath.replacingOccurrences(of: "Tests/CompactdConfigTests/ConfigurationErrorTests.swift", with: "Config/compactd.toml")
        let loaded = try ConfigurationLoader(environment: [:]).load(path: path)
        let c = loaded.configuration
        #expect(c.compacts.count == 9)
        #expect(Set(c.compacts.map(\.partner)) == [
            "City of Bell", "City of Cudahy", "City of Huntington Park", "City of Maywood", "City of San Fernando",
            "City of West Hollywood", "City of Vernon", "City of Los Angeles", "City of Carson",
        ])
        #expect(c.compacts.allSatisfy { $0.commitments.contains { $0.id == "safety-collaboratives" } })
        #expect(c.compact("los-angeles")?.approved == LocalDate(year: 2024, month: 6, day: 4))
        #expect(c.compact("carson")?.approved == LocalDate(year: 2024, month: 6, day: 4))
        #expect(c.compact("bell")?.approved == nil)
        #expect(c.goals.map(\.minimumActive) == [12])
        #expect(c.channels.filter(\.enabled).map(\.id) == ["district-log"])
        #expect(loaded.warnings.isEmpty)
    }
}

/// Inputs that made toml++ (inside TOMLKit, which compactd used before its own parser) abort the
/// process, found by fuzzing: now each is a syntax error with its line and column.
@Suite("Inputs that made the old TOML parser abort")
struct TOMLAbortRegressionTests {
    @Test("a table header broken across lines is a syntax error with its line, not a crash")
    func brokenHeader() throws {
        let compact = ConfigFixture.validCompact.replacingFirst("[[commitments]]", with: "[\ncommitments]]")
        let fixture = try ConfigFixture(compacts: ["bell.toml": compact])
        defer { fixture.remove() }
        do {
            _ = try ConfigurationLoader(environment: [:]).load(path: fixture.mainPath)
            Issue.record("a broken header loaded")
        } catch {
            let problem = try #require(error.problems.first)
            #expect(problem.line == 6)
            #expect(problem.message.contains("TOML syntax error: invalid first character of a key"), "\(problem)")
        }
    }

    @Test("headers that start with something other than a key are syntax errors", arguments: ["[.a]", "[é]", "[[@contacts]]", "[ ]", "[[ .x ]]", "[[[cycles.steps]]", "[ [a]]", "[[ [a]]]"])
    func badHeaderStart(header: String) throws {
        let fixture = try ConfigFixture(compacts: ["bell.toml": ConfigFixture.validCompact + "\n" + header + "\n"])
        defer { fixture.remove() }
        do {
            _ = try ConfigurationLoader(environment: [:]).load(path: fixture.mainPath)
            Issue.record("\(header) loaded")
        } catch {
            #expect(error.problems.first?.line == 26)
            #expect(error.problems.first?.message.contains("TOML syntax error") == true)
        }
    }

    @Test("a '}' where an array expects a value: the file, line and column of the '}'", arguments: [
        (#"notify = ["district-log", }]"#, 4, 27), ("notify = [\n  \"district-log\",\n}", 6, 1), ("notify = [ # ]\n}", 5, 1),
    ])
    func braceInArray(notify: String, line: Int, column: Int) throws {
        let fixture = try ConfigFixture(compacts: ["bell.toml": ConfigFixture.validCompact.replacingFirst(#"notify = ["district-log"]"#, with: notify)])
        defer { fixture.remove() }
        do {
            _ = try ConfigurationLoader(environment: [:]).load(path: fixture.mainPath)
            Issue.record("the broken array loaded")
        } catch {
            let problem = try #require(error.problems.first)
            #expect(problem.file == fixture.compactPath("bell.toml"))
            #expect(problem.line == line && problem.column == column, "\(problem)")
            #expect(problem.message.contains("TOML syntax error"))
        }
    }

    @Test("arrays of arrays spanning lines are still fine")
    func multilineArrays() throws {
        let main = ConfigFixture.validMain.replacingFirst("reminders = [\"7d\", \"1d\", \"0\"]", with: "reminders = [\n  \"7d\",\n  \"1d\", # comment [\n  \"0\"\n]")
        let fixture = try ConfigFixture(main: main)
        defer { fixture.remove() }
        let loaded = try ConfigurationLoader(environment: [:]).load(path: fixture.mainPath)
        #expect(loaded.configuration.defaultPolicy.reminders.count == 3)
    }
}
