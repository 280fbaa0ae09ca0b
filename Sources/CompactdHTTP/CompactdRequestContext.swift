import Hummingbird
import NIOCore

/// A request's context: Hummingbird's core, the connection's peer address, and a small body
/// cap (no endpoint takes more than a form with nothing in it).
public struct CompactdRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        coreContext = CoreRequestContextStorage(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    public var maxUploadSize: Int { 16 * 1024 }
}
