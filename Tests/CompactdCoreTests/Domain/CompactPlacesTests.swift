import CompactdCore
import Testing

@Suite("Compact places")
struct CompactPlacesTests {
    @Test("every id finds the place a scan of the list finds (the first of a repeated id); unknown ids none")
    func placesMatchAScan() {
        // Ids repeat (a configuration refuses that, but the lookup must still agree with
        // `Configuration.compact(_:)`), and some are prefixes of others.
        let ids = (0..<500).map { "city-\($0 % 370)" } + ["city-3", "city", ""]
        let compacts = ids.map { Compact(id: $0, partner: "Partner of \($0)", status: .active) }
        let places = CompactPlaces()
        for id in Set(ids) {
            #expect(places.place(of: id, in: compacts) == compacts.firstIndex { $0.id == id }, "\(id)")
        }
        for unknown in ["city-370", "City-1", "city-1 ", "nowhere"] {
            #expect(places.place(of: unknown, in: compacts) == nil)
        }
    }

    @Test("a configuration's lookups follow its compacts when they are replaced, and copies made before keep theirs")
    func configurationLookups() {
        var configuration = Configuration(timeZone: .utc, statePath: "s", templatesDirectory: "t",
                                          compacts: ["bell", "carson"].map { Compact(id: $0, partner: "Partner of \($0)", status: .active) })
        #expect(configuration.compact("carson")?.partner == "Partner of carson")
        let before = configuration
        configuration.compacts = [Compact(id: "carson", partner: "City of Carson", status: .active)]
        #expect(configuration.compactIndex("carson") == 0)
        #expect(configuration.compact("carson")?.partner == "City of Carson")
        #expect(configuration.compact("bell") == nil)
        #expect(before.compact("bell")?.partner == "Partner of bell")
        #expect(before.compactIndex("carson") == 1)
    }
}
