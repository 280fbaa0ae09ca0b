@testable import CompactdConfig
import CompactdTestSupport
import Foundation
import Testing

/// compactd's TOML parser against Python's tomllib: on the samples, on thousands of mutations
/// of the shipped configuration and the samples, and on the libFuzzer corpus (Tests/Fuzz), the
/// two must accept the same documents and read the same values. Allowed to differ, on purpose:
/// integers beyond 64 bits and nesting deeper than `TOMLParser.maximumDepth` (refused here).
@Suite("TOML parser against Python's tomllib")
struct TOMLDifferentialTests {
    /// tomllib's verdict on each document: its canonical value, or the error.
    static func tomllib(_ documents: [String]) throws -> [[String: Any]] {
        let input = FileManager.default.temporaryDirectory.appendingPathComponent("toml-docs-\(UUID().uuidString).json")
        try JSONSerialization.data(withJSONObject: documents).write(to: input)
        defer { try? FileManager.default.removeItem(at: input) }
        let result = try ServerProcess.runScript("toml_canonical.py", [input.path])
        try #require(result.status == 0, "\(result.output.prefix(2000))")
        return try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [[String: Any]])
    }

    /// Our parse in the same canonical form as Tests/Fixtures/toml_canonical.py.
    static func canonical(_ value: TOMLValue) -> [String: Any] {
        func pad(_ n: Int, _ width: Int) -> String { String(repeating: "0", count: max(0, width - String(n).count)) + String(n) }
        func date(_ d: TOMLDateTime.Date) -> String { "\(pad(d.year, 4))-\(pad(d.month, 2))-\(pad(d.day, 2))" }
        func time(_ t: TOMLDateTime.Time) -> String { "\(pad(t.hour, 2)):\(pad(t.minute, 2)):\(pad(t.second, 2)).\(pad(t.microsecond, 6))" }
        switch value {
        case .table(let table):
            var members: [String: Any] = [:]
            for key in table.keys { if let v = table[key] { members[key] = canonical(v) } }
            return ["t": members]
        case .array(let elements): return ["a": elements.map(canonical)]
        case .string(let s): return ["s": s]
        case .integer(let i): return ["i": String(i)]
        case .float(let d):
            let bits = String(d.bitPattern, radix: 16)
            return ["f": d.isNaN ? "nan" : String(repeating: "0", count: 16 - bits.count) + bits]
        case .boolean(let b): return ["b": b]
        case .offsetDateTime(let dt):
            let minutes = dt.offset ?? 0
            return ["odt": "\(date(dt.date))T\(time(dt.time))\(minutes >= 0 ? "+" : "-")\(abs(minutes))"]
        case .localDateTime(let dt): return ["ldt": "\(date(dt.date))T\(time(dt.time))"]
        case .localDate(let d): return ["ld": date(d)]
        case .localTime(let t): return ["lt": time(t)]
        }
    }

    struct Disagreement: CustomStringConvertible {
        var document: String
        var ours: String
        var theirs: String
        var description: String { "\(document.debugDescription)\n  compactd: \(ours)\n  tomllib:  \(theirs)" }
    }

    /// Every document on which the two disagree (beyond the allowed differences).
    static func disagreements(_ documents: [String]) throws -> [Disagreement] {
        let verdicts = try tomllib(documents)
        try #require(verdicts.count == documents.count)
        var found: [Disagreement] = []
        for (document, verdict) in zip(documents, verdicts) {
            let ours: Result<TOMLTable, TOMLSyntaxError> = Result { () throws(TOMLSyntaxError) in try TOMLParser.parse(document) }
            switch (ours, verdict["value"]) {
            case (.success(let table), let theirs?):
                let mine = canonical(.table(table))
                if !(NSDictionary(dictionary: mine).isEqual(theirs)) {
                    found.append(Disagreement(document: document, ours: "\(mine)", theirs: "\(theirs)"))
                }
            case (.success(let table), nil):
                found.append(Disagreement(document: document, ours: "accepted: \(canonical(.table(table)))", theirs: "\(verdict["error"] ?? "?")"))
            case (.failure(let error), let theirs?):
                let allowed = error.message.contains("out of range") || error.message.contains("nested more than")
                if !allowed { found.append(Disagreement(document: document, ours: "refused: \(error.message) at \(error.location)", theirs: "accepted: \(theirs)")) }
            case (.failure, nil):
                break
            }
        }
        return found
    }

    @Test("the samples: tomllib accepts the valid ones and refuses the invalid ones, and compactd agrees on every one")
    func samples() throws {
        let verdicts = try Self.tomllib(TOMLSamples.valid + TOMLSamples.invalid)
        let refusedValid = zip(TOMLSamples.valid, verdicts).filter { $0.1["error"] != nil }.map { "\($0.0.debugDescription): \($0.1["error"] ?? "")" }
        let acceptedInvalid = zip(TOMLSamples.invalid, verdicts.dropFirst(TOMLSamples.valid.count)).filter { $0.1["value"] != nil }.map(\.0.debugDescription)
        #expect(refusedValid.isEmpty, "samples meant valid that tomllib refuses: \(refusedValid)")
        #expect(acceptedInvalid.isEmpty, "samples meant invalid that tomllib accepts: \(acceptedInvalid)")
        let found = try Self.disagreements(TOMLSamples.valid + TOMLSamples.invalid)
        #expect(found.isEmpty, "\(found.count) disagreements:\n\(found.prefix(10).map(\.description).joined(separator: "\n"))")
    }

    /// Edits that keep documents near TOML: its punctuation, digits, escapes, date parts.
    static let alphabet: [String] = ["\"", "'", "\"\"\"", "'''", "[", "]", "[[", "]]", "{", "}", ",", "=", ".", "#", "\n", "\r\n", "\r", " ", "\t", "\\",
                                      "\\u", "\\n", "0", "1", "9", "_", "-", "+", "e", "x", "o", "b", ":", "T", "Z", "inf", "nan", "true", "a", "é", "\u{0}", "\u{7F}"]

    static func mutate(_ text: String, _ random: inout SeededGenerator) -> String {
        var scalars = Array(text.unicodeScalars)
        for _ in 0..<Int.random(in: 1...3, using: &random) {
            let at = scalars.isEmpty ? 0 : Int.random(in: 0..<scalars.count, using: &random)
            switch Int.random(in: 0...3, using: &random) {
            case 0: scalars.insert(contentsOf: alphabet.randomElement(using: &random)!.unicodeScalars, at: at)
            case 1: if !scalars.isEmpty { scalars.remove(at: at) }
            case 2: if !scalars.isEmpty { scalars.replaceSubrange(at...at, with: alphabet.randomElement(using: &random)!.unicodeScalars) }
            default:
                // Duplicate a line: redefinitions.
                let lines = String(String.UnicodeScalarView(scalars)).split(separator: "\n", omittingEmptySubsequences: false)
                if let line = lines.randomElement(using: &random) { scalars.append(contentsOf: ("\n" + line + "\n").unicodeScalars) }
            }
        }
        return String(String.UnicodeScalarView(scalars))
    }

    @Test("mutations of the shipped configuration and the samples", arguments: [UInt64(1), 2])
    func mutations(seed: UInt64) throws {
        var random = SeededGenerator(seed: seed)
        let config = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Config")
        var seeds = TOMLSamples.valid + TOMLSamples.invalid
        seeds.append(try String(contentsOf: config.appendingPathComponent("compactd.toml"), encoding: .utf8))
        for file in try FileManager.default.contentsOfDirectory(atPath: config.appendingPathComponent("compacts").path).sorted() {
            seeds.append(try String(contentsOf: config.appendingPathComponent("compacts").appendingPathComponent(file), encoding: .utf8))
        }
        let documents = (0..<1500).map { i in Self.mutate(seeds[i % seeds.count], &random) }
        let found = try Self.disagreements(documents)
        #expect(found.isEmpty, "\(found.count) of \(documents.count) disagree:\n\(found.prefix(8).map(\.description).joined(separator: "\n"))")
    }

    @Test("the libFuzzer corpus (Tests/Fuzz/corpus)")
    func fuzzCorpus() throws {
        let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fuzz/corpus")
        let files = (try? FileManager.default.contentsOfDirectory(atPath: corpus.path)) ?? []
        try #require(!files.isEmpty, "no corpus at \(corpus.path)")
        // tomllib reads text: the corpus's files that are UTF-8, as the loader requires.
        let documents = files.sorted().compactMap { name -> String? in
            guard let data = FileManager.default.contents(atPath: corpus.appendingPathComponent(name).path) else { return nil }
            return String(validating: data, as: UTF8.self)
        }
        let found = try Self.disagreements(documents)
        #expect(found.isEmpty, "\(found.count) of \(documents.count) disagree:\n\(found.prefix(8).map(\.description).joined(separator: "\n"))")
    }
}
