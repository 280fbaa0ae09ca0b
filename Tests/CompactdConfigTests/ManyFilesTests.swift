import CompactdConfig
import CompactdCore
import Foundation
import Testing

/// Compact files are read on every core at once when there are many; what comes out must be
/// what reading them one after the other gives: compacts in file order, every problem of every
/// file, nothing shared between files.
@Suite("many compact files, read concurrently")
struct ManyFilesTests {
    static func compact(_ id: String, broken: Bool) -> String {
        """
        id = "\(id)"
        partner = "City \(id)"
        status = "active"
        notify = ["district-log"]
        [[cycles]]
        id = "summer"
        title = "Summer"
        calendar = "\(broken ? "*-05-01 25:00" : "*-05-01 09:00")"
        [[cycles.steps]]
        id = "kickoff"
        title = "Kickoff"
        due = "+14d"
        """
    }

    /// A fresh folder with a main file (the district log its one channel) and an empty
    /// `compacts/`.
    static func folder(_ name: String) throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("compacts"), withIntermediateDirectories: true)
        try """
        time_zone = "UTC"
        state_path = "state.sqlite"
        [channels.district-log]
        type = "log"
        """.write(to: directory.appendingPathComponent("compactd.toml"), atomically: true, encoding: .utf8)
        return directory
    }

    @Test("300 files, every 37th broken: the compacts in file order, each broken file's problem once, in file order")
    func concurrentEqualsSequential() throws {
        let directory = try Self.folder("many")
        defer { try? FileManager.default.removeItem(at: directory) }
        let ids = (0..<300).map { String(format: "c%03d", $0) }
        let broken = Set(ids.enumerated().filter { $0.offset % 37 == 5 }.map(\.element))
        for id in ids {
            try Self.compact(id, broken: broken.contains(id)).write(to: directory.appendingPathComponent("compacts/\(id).toml"), atomically: true, encoding: .utf8)
        }
        let main = directory.appendingPathComponent("compactd.toml").path
        do {
            _ = try ConfigurationLoader(environment: [:]).load(path: main)
            Issue.record("the broken files were not reported")
        } catch {
            let calendarProblems = error.problems.filter { $0.key.hasSuffix("calendar") }
            #expect(calendarProblems.map { URL(fileURLWithPath: $0.file).deletingPathExtension().lastPathComponent } == ids.filter(broken.contains), "\(calendarProblems)")
        }
        // Mended: every compact, in file order.
        for id in broken {
            try Self.compact(id, broken: false).write(to: directory.appendingPathComponent("compacts/\(id).toml"), atomically: true, encoding: .utf8)
        }
        let loaded = try ConfigurationLoader(environment: [:]).load(path: main)
        #expect(loaded.configuration.compacts.map(\.id) == ids)
        #expect(loaded.files.count == 301)
        #expect(loaded.configuration.compacts.allSatisfy { $0.cycles.first?.steps.first?.id == "kickoff" && $0.partner == "City \($0.id)" })
    }

    /// Compact files are taken in the order of their names' bytes (code point order), not the
    /// locale's and not the directory's: upper case before lower, digits before letters, "-"
    /// before "_", a precomposed "é" after every ASCII name.
    @Test("compact files are read in the byte order of their names")
    func byteOrder() throws {
        let directory = try Self.folder("order")
        defer { try? FileManager.default.removeItem(at: directory) }
        // File name, then the id written in it (ids are lower case; the names need not be).
        let files = [
            ("b.toml", "f-b"), ("B.toml", "f-upper-b"), ("a_b.toml", "f-a-underscore-b"), ("a-b.toml", "f-a-dash-b"),
            ("é.toml", "f-e-acute"), ("z.toml", "f-z"), ("10.toml", "f-10"), ("9.toml", "f-9"), ("a.toml", "f-a"),
            ("Z.toml", "f-upper-z"), ("ab.toml", "f-ab"),
        ]
        for (name, id) in files.shuffled() {
            try Self.compact(id, broken: false).write(to: directory.appendingPathComponent("compacts/\(name)"), atomically: true, encoding: .utf8)
        }
        let loaded = try ConfigurationLoader(environment: [:]).load(path: directory.appendingPathComponent("compactd.toml").path)
        // The expected order, worked out by hand from the names' bytes.
        let expected = ["f-10", "f-9", "f-upper-b", "f-upper-z", "f-a-dash-b", "f-a", "f-a-underscore-b", "f-ab", "f-b", "f-z", "f-e-acute"]
        #expect(loaded.configuration.compacts.map(\.id) == expected)
        #expect(loaded.files.dropFirst().map { URL(fileURLWithPath: $0).lastPathComponent }
            == files.map(\.0).sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) })
    }
}
