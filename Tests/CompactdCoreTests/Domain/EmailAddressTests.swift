import CompactdCore
import Testing

/// Which addresses compactd sends to: each rule of `EmailAddress.isValid` by a case on each
/// side of it (the check was rewritten over bytes for speed; these hold it to the rules).
@Suite("Email addresses: what may be a recipient")
struct EmailAddressTests {
    @Test("accepted", arguments: [
        "liaison@bell.example.org", "a@b.co", "first.last+compacts@city-of-bell.org", "x@" + String(repeating: "d", count: 63) + ".org",
        String(repeating: "l", count: 245) + "@bell.org",
    ])
    func accepted(address: String) {
        #expect(EmailAddress.isValid(address))
    }

    @Test("refused", arguments: [
        "", "liaison", "@bell.org", "liaison@", "liaison at bell", "liaison@bell", "liaison@@bell.org", "a@b@bell.org",
        "liaison@.bell.org", "liaison@bell.org.", "liaison@bell..org", "x@" + String(repeating: "d", count: 64) + ".org",
        String(repeating: "l", count: 246) + "@bell.org", "Liaison <liaison@bell.org>", "a,b@bell.org", "a;b@bell.org",
        "\"a\"@bell.org", "a(b)@bell.org", "a[b]@bell.org", "a\\b@bell.org", "a:b@bell.org", "a b@bell.org",
        "liaison@bell.org\r\nBcc: x@y.org", "liaison@bell.org\t", "líaison@bell.org", "liaison@bell.org\u{7F}",
    ])
    func refused(address: String) {
        #expect(!EmailAddress.isValid(address))
    }
}
