import CompactdCore

/// Who sent a request: the connection's peer, or, only when that peer is a trusted proxy, the
/// last address in `X-Forwarded-For` that is not itself a trusted proxy. A client that sets
/// the header itself without a trusted proxy in front is not believed.
enum ClientAddress {
    static func resolve(peer: String?, forwardedFor: String?, trustedProxies: [String]) -> String? {
        guard let peer, trustedProxies.contains(peer), let forwardedFor else { return peer }
        let hops = forwardedFor.split(separator: ",").map { String($0).trimmingWhitespace() }.filter { !$0.isEmpty }
        return hops.last { !trustedProxies.contains($0) } ?? peer
    }
}
