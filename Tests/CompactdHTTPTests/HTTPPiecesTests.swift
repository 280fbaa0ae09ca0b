import CompactdCore
@testable import CompactdHTTP
import Testing

/// The HTTP side's pure pieces, without a server.
@Suite("HTTP pieces: language, client address, origin, rate limit, escaping")
struct HTTPPiecesTests {
    @Test("the page language: ?lang= first, then Accept-Language by quality, else English", arguments: [
        (String?.none, String?.none, PageLanguage.en),
        ("es", "en-US", .es),
        ("fr", "es-MX,es;q=0.9", .es),
        (nil, "es-MX,es;q=0.9,en;q=0.8", .es),
        (nil, "en;q=0.5, es;q=0.9", .es),
        (nil, "fr-FR, de;q=0.8", .en),
        (nil, "es;q=0, en;q=0.1", .en),
    ] as [(String?, String?, PageLanguage)])
    func language(query: String?, accept: String?, expected: PageLanguage) {
        #expect(PageLanguage.choose(query: query, acceptLanguage: accept) == expected)
    }

    @Test("X-Forwarded-For is believed only from a trusted proxy, and then its last untrusted hop")
    func clientAddress() {
        #expect(ClientAddress.resolve(peer: "203.0.113.9", forwardedFor: "10.0.0.1", trustedProxies: ["127.0.0.1"]) == "203.0.113.9")
        #expect(ClientAddress.resolve(peer: "127.0.0.1", forwardedFor: "198.51.100.7, 203.0.113.9", trustedProxies: ["127.0.0.1"]) == "203.0.113.9")
        #expect(ClientAddress.resolve(peer: "127.0.0.1", forwardedFor: "198.51.100.7, 10.1.1.1", trustedProxies: ["127.0.0.1", "10.1.1.1"]) == "198.51.100.7")
        #expect(ClientAddress.resolve(peer: "127.0.0.1", forwardedFor: nil, trustedProxies: ["127.0.0.1"]) == "127.0.0.1")
        #expect(ClientAddress.resolve(peer: nil, forwardedFor: "198.51.100.7", trustedProxies: []) == nil)
    }

    @Test("a POST is ours when its Origin (else its Referer) is public_url's origin")
    func origin() {
        let ours = "https://compacts.example.org/compactd"
        #expect(ActionLinkHandler.fromOurPage(origin: "https://compacts.example.org", referer: nil, publicURL: ours))
        #expect(ActionLinkHandler.fromOurPage(origin: "HTTPS://Compacts.Example.org", referer: nil, publicURL: ours))
        #expect(!ActionLinkHandler.fromOurPage(origin: "https://compacts.example.org.evil.example", referer: nil, publicURL: ours))
        #expect(!ActionLinkHandler.fromOurPage(origin: "http://compacts.example.org", referer: nil, publicURL: ours))
        #expect(ActionLinkHandler.fromOurPage(origin: nil, referer: "https://compacts.example.org/compactd/link/done/x", publicURL: ours))
        #expect(ActionLinkHandler.fromOurPage(origin: "null", referer: "https://compacts.example.org/x", publicURL: ours))
        #expect(!ActionLinkHandler.fromOurPage(origin: nil, referer: nil, publicURL: ours))
    }

    @Test("the rate limiter: a burst, then the sustained rate; never more than maxClients remembered")
    func rateLimiter() {
        let limiter = RateLimiter(burst: 3, perMinute: 60, maxClients: 100)
        let t0 = Instant(secondsSinceEpoch: 1_000_000)
        #expect((0..<3).allSatisfy { _ in limiter.allow("a", now: t0) })
        #expect(!limiter.allow("a", now: t0))
        #expect(limiter.allow("a", now: t0.adding(seconds: 1)), "one a second comes back")
        #expect(limiter.allow("b", now: t0), "another client has its own bucket")
        for n in 0..<10_000 { _ = limiter.allow("flood-\(n)", now: t0.adding(seconds: Int64(n))) }
        #expect(limiter.trackedClients <= 100)
    }

    @Test("every character HTML gives meaning to is escaped")
    func escaping() {
        #expect(HTMLText.escape("<script>alert('x') & \"y\"</script>") == "&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;")
        #expect(HTMLText.escape("Rocío Rivas") == "Rocío Rivas")
    }

    @Test("a quote or '<' followed by a combining mark is escaped too; the text reads back the same")
    func escapingBeforeCombiningMarks() {
        let marks = ["\u{301}", "\u{338}", "\u{20DD}", "\u{FE0F}"]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<5_000 {
            let text = (0..<Int.random(in: 1...40, using: &generator)).map { _ in
                ["<", ">", "&", "\"", "'", "a", " ", "é", "🏫"].randomElement(using: &generator)! + (Bool.random(using: &generator) ? marks.randomElement(using: &generator)! : "")
            }.joined()
            let escaped = HTMLText.escape(text)
            // No byte HTML gives meaning to is left, apart from the entities' own "&".
            #expect(!escaped.utf8.contains { $0 == UInt8(ascii: "<") || $0 == UInt8(ascii: ">") || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "'") }, "\(text.debugDescription)")
            // Decoding the five entities gives the text back, byte for byte.
            var decoded = escaped
            for (entity, raw) in [("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"), ("&amp;", "&")] {
                decoded = String(decoding: Self.replacing(Array(decoded.utf8), Array(entity.utf8), with: Array(raw.utf8)), as: UTF8.self)
            }
            #expect(Array(decoded.utf8) == Array(text.utf8), "\(text.debugDescription)")
        }
    }

    /// Byte-level replace (String's own works on Characters, which a combining mark joins).
    static func replacing(_ bytes: [UInt8], _ pattern: [UInt8], with replacement: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var i = 0
        while i < bytes.count {
            if i + pattern.count <= bytes.count, Array(bytes[i..<(i + pattern.count)]) == pattern {
                out += replacement
                i += pattern.count
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        return out
    }
}
