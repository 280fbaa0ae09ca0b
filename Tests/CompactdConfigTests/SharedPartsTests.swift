import CompactdConfig
import CompactdCore
import Foundation
import Testing

/// Compacts written from one template share their common parts in memory, and nothing else
/// changes: each compact still holds exactly what its own file says.
@Suite("shared parts of compacts")
struct SharedPartsTests {
    /// The address of an array's storage: equal for arrays that share it.
    static func storage<T>(_ array: [T]) -> UnsafeRawPointer? {
        array.withUnsafeBufferPointer { $0.baseAddress.map { UnsafeRawPointer($0) } }
    }

    @Test("equal commitments and cycles are kept once; a compact whose cycle differs keeps its own; every value is its file's")
    func sharedAndUnchanged() throws {
        // 70 files (more than the loader reads one by one, so both threads take part): 69 from
        // the template, one with another cycle title and another commitment.
        var files: [String: String] = [:]
        for n in 0..<69 {
            files[String(format: "city-%02d.toml", n)] = ConfigFixture.validCompact
                .replacingFirst("id = \"bell\"", with: "id = \"city-\(n)\"")
                .replacingFirst("partner = \"City of Bell\"", with: "partner = \"City \(n)\"")
        }
        files["other.toml"] = ConfigFixture.validCompact
            .replacingFirst("id = \"bell\"", with: "id = \"other\"")
            .replacingFirst("title = \"Summer re-engagement\"", with: "title = \"Summer review\"")
            .replacingFirst("title = \"Safety Collaboratives\"", with: "title = \"Safety\"")
        let fixture = try ConfigFixture(compacts: files)
        defer { fixture.remove() }
        let compacts = try ConfigurationLoader(environment: [:]).load(path: fixture.mainPath).configuration.compacts
        #expect(compacts.count == 70)
        let template = compacts.filter { $0.id.hasPrefix("city-") }
        let other = try #require(compacts.first { $0.id == "other" })
        // Every value as its file says.
        for compact in template {
            #expect(compact.partner == "City \(compact.id.dropFirst(5))")
            #expect(compact.cycles.map(\.title) == ["Summer re-engagement"])
            #expect(compact.commitments.map(\.title) == ["Safety Collaboratives"])
        }
        #expect(other.cycles.map(\.title) == ["Summer review"])
        #expect(other.commitments.map(\.title) == ["Safety"])
        // The template's parts in memory once; the other compact's its own.
        #expect(Set(template.map { Self.storage($0.cycles) }).count == 1)
        #expect(Set(template.map { Self.storage($0.commitments) }).count == 1)
        #expect(Self.storage(other.cycles) != Self.storage(template[0].cycles))
    }
}
