import CompactdCore
import Crypto
import Foundation

/// Signs and checks action-link tokens: the claim's bytes (`ActionClaim`) followed by the first
/// 16 bytes of HMAC-SHA256 over a domain label and those bytes, in URL-safe base64 without
/// padding (about 110 characters for a shipped step key). Several keys during a rotation: the
/// first signs, every one verifies.
public struct ActionLinkSigner: Sendable {
    /// Why a token was refused. A token whose MAC does not verify says nothing more about
    /// itself (its claim is not believed), so `expired` and `wrongAction` come only after the
    /// MAC held.
    public enum Refusal: Error, Sendable, Equatable {
        /// Not base64, too short, another version, a layout that does not parse.
        case malformed
        /// A well-formed token that no configured key signed (forged, or a retired key).
        case badSignature
        case expired(ActionClaim)
        /// A genuine token presented at another action's address.
        case wrongAction(ActionClaim)
    }

    /// 128 bits: a forger must guess it outright; the token stays short enough for a mail line.
    static let macLength = 16
    private static let label = Array("compactd action link v1\n".utf8)
    /// Key bytes (SymmetricKey itself is not Sendable).
    private let keys: [Data]

    /// - Parameter keys: the secrets' text, the signing one first; each at least 16 bytes.
    public init(keys: [String]) {
        self.keys = keys.map { Data($0.trimmingWhitespace().utf8) }.filter { $0.count >= 16 }
    }

    public var canSign: Bool { !keys.isEmpty }

    /// The token for a claim; nil when there is no key or the claim does not fit a token.
    public func token(for claim: ActionClaim) -> String? {
        guard let key = keys.first, let payload = claim.encoded else { return nil }
        return Self.base64URL(payload + Self.mac(payload, key: key))
    }

    /// The claim a token carries, checked against every key, then its expiry and action.
    public func verify(_ token: String, action: ActionClaim.Action, now: Instant) -> Result<ActionClaim, Refusal> {
        guard token.utf8.count <= 1024, let bytes = Self.decodeBase64URL(token), bytes.count > Self.macLength else { return .failure(.malformed) }
        let payload = Array(bytes.dropLast(Self.macLength)), mac = Array(bytes.suffix(Self.macLength))
        guard keys.contains(where: { Self.constantTimeEqual(Self.mac(payload, key: $0), mac) }) else {
            // Decoded but not signed by us: say so whether or not it parses.
            return .failure(ActionClaim(decoding: payload) == nil ? .malformed : .badSignature)
        }
        guard let claim = ActionClaim(decoding: payload) else { return .failure(.malformed) }
        guard claim.action == action else { return .failure(.wrongAction(claim)) }
        guard now < claim.expires else { return .failure(.expired(claim)) }
        return .success(claim)
    }

    /// A short, stable name for a token in the journal (never the token itself).
    public static func fingerprint(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).prefix(6).map { String(format: "%02x", $0) }.joined()
    }

    static func mac(_ payload: [UInt8], key: Data) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: label + payload, using: SymmetricKey(data: key)).prefix(macLength))
    }

    /// Equal bytes, compared in a time that does not depend on where they differ (MACs, tokens).
    public static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for (x, y) in zip(a, b) { difference |= x ^ y }
        return difference == 0
    }

    static func base64URL(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    static func decodeBase64URL(_ text: String) -> [UInt8]? {
        guard !text.isEmpty, text.utf8.allSatisfy({ $0.isASCIIAlphanumeric || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") }) else { return nil }
        var standard = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        if standard.count % 4 == 1 { return nil }
        standard += String(repeating: "=", count: (4 - standard.count % 4) % 4)
        return Data(base64Encoded: standard).map(Array.init)
    }
}

extension UInt8 {
    var isASCIIAlphanumeric: Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(self) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(self) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self)
    }
}
