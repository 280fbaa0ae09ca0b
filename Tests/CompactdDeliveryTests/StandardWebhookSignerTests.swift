import CompactdDelivery
import Crypto
import Foundation
import Testing

@Suite("Standard Webhooks signatures")
struct StandardWebhookSignerTests {
    @Test("the specification's published test vector")
    func publishedVector() throws {
        let signer = try StandardWebhookSigner(secrets: ["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"])
        let signature = signer.signature(id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1_614_265_330, body: Array(#"{"test": 2432232314}"#.utf8))
        #expect(signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
    }

    @Test("several secrets during a rotation give several signatures")
    func rotation() throws {
        let signer = try StandardWebhookSigner(secrets: ["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_" + "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"])
        let parts = signer.signature(id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1_614_265_330, body: Array(#"{"test": 2432232314}"#.utf8)).split(separator: " ")
        #expect(parts.count == 2)
        #expect(parts[0] == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
        #expect(parts[1].hasPrefix("v1,") && parts[1] != parts[0])
    }

    @Test("a secret that is not base64 is refused")
    func badSecret() {
        #expect(throws: StandardWebhookSigner.SecretError.self) { try StandardWebhookSigner(secrets: ["whsec_not base64!"]) }
    }
}

@Suite("Standard Webhooks signatures against a plain computation")
struct StandardWebhookSignerAgreementTests {
    /// The specification's recipe spelled the plain way: HMAC-SHA256 of `id.timestamp.body`
    /// with the decoded secret, base64 by Foundation.
    static func plain(secret: [UInt8], id: String, timestamp: Int64, body: [UInt8]) -> String {
        let signed = Array("\(id).\(timestamp).".utf8) + body
        return "v1," + Data(HMAC<SHA256>.authenticationCode(for: signed, using: SymmetricKey(data: secret))).base64EncodedString()
    }

    @Test("random secrets, ids, timestamps and bodies, one and two secrets")
    func agreement() throws {
        var generator = SystemRandomNumberGenerator()
        for round in 0..<300 {
            let secrets = (0..<(round % 2 + 1)).map { _ in (0..<Int.random(in: 1...64, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) } }
            let signer = try StandardWebhookSigner(secrets: secrets.map { "whsec_" + Data($0).base64EncodedString() })
            let id = "msg_" + String((0..<Int.random(in: 0...40, using: &generator)).map { _ in "abcXYZ019é/".randomElement(using: &generator)! })
            let timestamp = Int64.random(in: -1_000_000...4_000_000_000, using: &generator)
            let body = (0..<Int.random(in: 0...2_000, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let expected = secrets.map { Self.plain(secret: $0, id: id, timestamp: timestamp, body: body) }.joined(separator: " ")
            #expect(signer.signature(id: id, timestamp: timestamp, body: body) == expected)
        }
    }
}
