import CompactdCore
import CompactdDelivery
import Foundation
import Testing

@Suite("Action link tokens")
struct ActionLinkSignerTests {
    static let key = "k3y-for-tests-0123456789abcdef"
    static let later = Instant(secondsSinceEpoch: 1_900_000_000)
    static let claim = ActionClaim(action: .done, stepKey: "carson/summer-reengagement/2027-05-01/implementation-review", recipient: "contact:rocio", expires: later)

    @Test("a token verifies for its own action before it expires, and says what it was minted for")
    func roundTrip() throws {
        let signer = ActionLinkSigner(keys: [Self.key])
        let token = try #require(signer.token(for: Self.claim))
        #expect(signer.verify(token, action: .done, now: Instant(secondsSinceEpoch: 1_800_000_000)) == .success(Self.claim))
        // Short enough for a mail line with the address in front of it.
        #expect(token.count <= 130, "\(token.count)")
    }

    @Test("the layout README documents, checked with Python's hmac and base64 (not ours)")
    func pythonAgrees() throws {
        let token = try #require(ActionLinkSigner(keys: [Self.key]).token(for: Self.claim))
        let script = """
        import base64, hmac, hashlib, sys
        key, token = sys.argv[1].encode(), sys.argv[2]
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        payload, mac = raw[:-16], raw[-16:]
        assert hmac.compare_digest(hmac.new(key, b"compactd action link v1\\n" + payload, hashlib.sha256).digest()[:16], mac), "mac"
        assert payload[0] == 1 and payload[1] == 1, "version, action"
        expires = int.from_bytes(payload[2:7], "big")
        n = payload[7]; step = payload[8:8 + n].decode(); m = payload[8 + n]; to = payload[9 + n:9 + n + m].decode()
        assert 9 + n + m == len(payload), "length"
        print(expires, step, to)
        """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, Self.key, token]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self) == "1900000000 carson/summer-reengagement/2027-05-01/implementation-review contact:rocio\n")
    }

    @Test("every altered byte, a truncation, garbage: refused, never accepted")
    func forgeries() throws {
        let signer = ActionLinkSigner(keys: [Self.key])
        let token = try #require(signer.token(for: Self.claim))
        let now = Instant(secondsSinceEpoch: 1_800_000_000)
        var characters = Array(token)
        for index in characters.indices {
            let original = characters[index]
            characters[index] = original == "A" ? "B" : "A"
            if case .success = signer.verify(String(characters), action: .done, now: now) { Issue.record("accepted with character \(index) changed") }
            characters[index] = original
        }
        for cut in [1, 5, 22, token.count - 1] {
            if case .success = signer.verify(String(token.dropLast(cut)), action: .done, now: now) { Issue.record("accepted truncated by \(cut)") }
        }
        #expect(signer.verify("", action: .done, now: now) == .failure(.malformed))
        #expect(signer.verify("not a token!", action: .done, now: now) == .failure(.malformed))
        #expect(signer.verify(String(repeating: "A", count: 5000), action: .done, now: now) == .failure(.malformed))
    }

    @Test("expired: refused as expired once its time has come; another action's address: refused as such")
    func expiredAndWrongAction() throws {
        let signer = ActionLinkSigner(keys: [Self.key])
        let token = try #require(signer.token(for: Self.claim))
        #expect(signer.verify(token, action: .done, now: Self.later) == .failure(.expired(Self.claim)))
        #expect(signer.verify(token, action: .snooze, now: Instant(secondsSinceEpoch: 0)) == .failure(.wrongAction(Self.claim)))
    }

    @Test("rotation: the first key signs, every listed key verifies; a key no longer listed does not")
    func rotation() throws {
        let old = ActionLinkSigner(keys: [Self.key])
        let rotated = ActionLinkSigner(keys: ["a-new-key-0123456789abcdefghij", Self.key])
        let retired = ActionLinkSigner(keys: ["a-new-key-0123456789abcdefghij"])
        let now = Instant(secondsSinceEpoch: 0)
        let oldToken = try #require(old.token(for: Self.claim))
        let newToken = try #require(rotated.token(for: Self.claim))
        #expect(oldToken != newToken)
        #expect(rotated.verify(oldToken, action: .done, now: now) == .success(Self.claim))
        #expect(retired.verify(newToken, action: .done, now: now) == .success(Self.claim))
        #expect(retired.verify(oldToken, action: .done, now: now) == .failure(.badSignature))
        #expect(ActionLinkSigner(keys: ["short"]).canSign == false)
    }
}
