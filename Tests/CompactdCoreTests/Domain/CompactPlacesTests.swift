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
}
