import CompactdConfig
import CompactdCore
import CompactdTestSupport
import Foundation
import Testing

/// Random and mutated input never crashes or hangs the parsers (fixed seeds: the same inputs on
/// every run). A crash would end the test process, so "passing" here means every input was
/// answered with a value or an error. `make chaos` runs the same generators twenty times longer
/// (COMPACTD_FUZZ_SCALE=20; COMPACTD_FUZZ_SEED=N explores other inputs); the time limit turns a
/// hang into a failure.
@Suite("Hostile input", .timeLimit(.minutes(20)))
struct HostileInputTests {
    /// How many times the usual number of inputs to try.
    static let scale = max(1, Int(ProcessInfo.processInfo.environment["COMPACTD_FUZZ_SCALE"] ?? "") ?? 1)
    /// Added to every seed (COMPACTD_FUZZ_SEED), to explore other inputs than `make test` does.
    static let seedOffset = UInt64(ProcessInfo.processInfo.environment["COMPACTD_FUZZ_SEED"] ?? "") ?? 0

    static let alphabet = Array("0123456789*-~:.,/ @MonTueWedThuFriSatSunUTCAmerica/Los_Angeles+dhwMymin9999999999999999999\u{0}\n\"'[]{}=é".utf8)

    static func mutate(_ bytes: [UInt8], _ random: inout SeededGenerator) -> [UInt8] {
        var out = bytes
        for _ in 0..<Int.random(in: 1...4, using: &random) {
            let choice = Int.random(in: 0...3, using: &random)
            let at = out.isEmpty ? 0 : Int.random(in: 0..<out.count, using: &random)
            switch choice {
            case 0: out.insert(alphabet.randomElement(using: &random)!, at: at)
            case 1: if !out.isEmpty { out.remove(at: at) }
            case 2: if !out.isEmpty { out[at] = alphabet.randomElement(using: &random)! }
            default: out.insert(contentsOf: Array(String(repeating: "9", count: Int.random(in: 5...25, using: &random)).utf8), at: at)
            }
        }
        return out
    }

    @Test("calendar expressions: random and mutated, parsed and evaluated", arguments: [UInt64(1), 2, 3])
    func calendar(seed: UInt64) {
        var random = SeededGenerator(seed: seed &+ Self.seedOffset &* 1000)
        let seeds = ["*-05-01 09:00", "Mon *-01-15..21", "*-*~01 00:00", "*:0/15:0.5", "quarterly", "2024..2030/2-*-* 12:00 America/Los_Angeles", "@1700000000"]
        var parsed = 0, refused = 0
        var unstable: [String] = [], unordered: [String] = []
        let base = Instant(secondsSinceEpoch: 1_700_000_000)
        for i in 0..<(1500 * Self.scale) {
            let seedText = Array(seeds[i % seeds.count].utf8)
            let text = String(decoding: i % 5 == 0 ? (0..<Int.random(in: 0...30, using: &random)).map { _ in Self.alphabet.randomElement(using: &random)! } : Self.mutate(seedText, &random), as: UTF8.self)
            guard let spec = try? CalendarSpec(parsing: text, localZone: .utc) else {
                refused += 1
                continue
            }
            parsed += 1
            // Properties that hold for every accepted expression, as for systemd's: the
            // normalized form parses to itself, and elapses come after the base, in order.
            let normalized = spec.normalizedDescription
            if (try? CalendarSpec(parsing: normalized, localZone: .utc))?.normalizedDescription != normalized { unstable.append(text) }
            let elapses = spec.elapses(after: base, count: 3, localZone: .utc)
            if zip([base] + elapses, elapses).contains(where: { $0 >= $1 }) { unordered.append(text) }
        }
        // Both outcomes occur (the mutator does its job), and no accepted input broke a property.
        #expect(parsed > 10 * Self.scale && refused > 100 * Self.scale, "parsed \(parsed), refused \(refused)")
        #expect(unstable.isEmpty, "normalized form not stable for: \(unstable.prefix(5))")
        #expect(unordered.isEmpty, "elapses out of order for: \(unordered.prefix(5))")
    }

    @Test("time spans: random and huge values are refused, never overflow")
    func timeSpans() {
        var random = SeededGenerator(seed: 7)
        for text in ["999999999w", "999999999y", "999999999d 999999999d", "101y", "36601d", "9223372036854775807s", "99999999.999999999h"] {
            #expect(TimeSpan(parsing: text) == nil, "\(text)")
        }
        #expect(TimeSpan(parsing: "100y") != nil)
        #expect(TimeSpan(parsing: "1.5w")?.description == "10d12h")
        #expect(TimeSpan(parsing: "1.123456789w") != nil)
        for _ in 0..<(3000 * Self.scale) {
            let text = String(decoding: Self.mutate(Array("1w 2d 3h".utf8), &random), as: UTF8.self)
            if let span = TimeSpan(parsing: text) {
                _ = span.multiplied(by: 365).added(to: LocalDateTime(date: LocalDate(year: 2026, month: 1, day: 31), hour: 9))
            }
        }
    }

    @Test("configuration files: mutated copies of the shipped ones load or fail with problems, never crash", arguments: [UInt64(11), 12, 13, 14, 15, 16, 17, 18])
    func configurations(seed: UInt64) throws {
        var random = SeededGenerator(seed: seed &+ Self.seedOffset &* 1000)
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Config")
        let main = try Array(Data(contentsOf: root.appendingPathComponent("compactd.toml")))
        let compact = try Array(Data(contentsOf: root.appendingPathComponent("compacts/carson.toml")))
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hostile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("compacts"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createSymbolicLink(at: directory.appendingPathComponent("templates"), withDestinationURL: root.appendingPathComponent("templates"))
        var failed = 0
        for i in 0..<(150 * Self.scale) {
            let mainBytes = i % 3 == 0 ? Self.mutate(main, &random) : main
            let compactBytes = i % 3 == 0 ? compact : Self.mutate(compact, &random)
            try Data(mainBytes).write(to: directory.appendingPathComponent("compactd.toml"))
            try Data(compactBytes).write(to: directory.appendingPathComponent("compacts/carson.toml"))
            do {
                let loaded = try ConfigurationLoader(environment: [:]).load(path: directory.appendingPathComponent("compactd.toml").path)
                _ = Planner(configuration: loaded.configuration).plan(from: Instant(secondsSinceEpoch: 1_780_000_000), to: Instant(secondsSinceEpoch: 1_800_000_000))
            } catch {
                failed += 1
                #expect(!error.problems.isEmpty)
                #expect(error.problems.allSatisfy { !$0.message.isEmpty })
            }
        }
        // Most mutations break something; if none did, the mutator is not doing its job.
        #expect(failed > 20 * Self.scale)
    }
}
