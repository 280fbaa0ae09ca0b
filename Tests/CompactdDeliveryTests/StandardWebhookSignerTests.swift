import CompactdDelivery
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
