/// How many transfers the engine runs at once, overall and per host.
public struct CurlEngineLimits: Sendable {
    public var maxConcurrentTransfers: Int
    public var maxConnectionsPerHost: Int

    public init(maxConcurrentTransfers: Int = 64, maxConnectionsPerHost: Int = 16) {
        self.maxConcurrentTransfers = maxConcurrentTransfers
        self.maxConnectionsPerHost = maxConnectionsPerHost
    }
}
