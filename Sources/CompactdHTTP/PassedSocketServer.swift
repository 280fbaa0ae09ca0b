import CompactdCore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOExtras
import NIOPosix
import ServiceLifecycle
import Synchronization

/// The listener on a socket systemd passed (`Units/compactd.socket`, `sd_listen_fds`):
/// Hummingbird's HTTP/1 channel and compactd's router, on NIO's server bootstrap over the
/// descriptor. Hummingbird's own server binds a host and port or a path only, so this does
/// what its run loop does (accept, hand each connection to the HTTP/1 channel, and on a
/// graceful shutdown stop accepting and let the requests in flight finish) on a socket
/// already bound.
struct PassedSocketServer {
    let descriptor: CInt
    let responder: RouterResponder<CompactdRequestContext>
    let channel: HTTP1Channel.Configuration
    let logger: Logger
    let maxConnections: Int

    init(descriptor: CInt, router: Router<CompactdRequestContext>, channel: HTTP1Channel.Configuration, logger: Logger, maxConnections: Int) {
        self.descriptor = descriptor
        self.responder = router.buildResponder()
        self.channel = channel
        self.logger = logger
        self.maxConnections = maxConnections
    }

    func run(onListening: @escaping @Sendable (String) -> Void) async throws {
        let responder = self.responder
        let logger = self.logger
        let http = HTTP1Channel(responder: { request, writer, channel in
            let context = CompactdRequestContext(source: ApplicationRequestContextSource(channel: channel, logger: logger))
            var response: Response
            do {
                response = try await responder.respond(to: request, context: context)
            } catch {
                response = Response(status: .internalServerError)
            }
            response.headers[.date] = HTTPDate.now()
            try await writer.write(response: response.head, body: response.body)
        }, configuration: channel)
        let group = CompactdHTTPServer.eventLoops
        let quiescing = ServerQuiescingHelper(group: group)
        let limit = ConnectionLimit(maximum: maxConnections)
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(quiescing.makeServerChannelHandler(channel: channel))
                }
            }
        let server = try await bootstrap.bind(NIOBSDSocket.Handle(descriptor)) { (channel: any NIOCore.Channel) -> EventLoopFuture<HTTP1Channel.Value> in
            guard limit.take() else {
                // Over the cap: closed at once.
                return channel.close().flatMapThrowing { () throws -> HTTP1Channel.Value in throw ChannelError.ioOnClosedChannel }
            }
            channel.closeFuture.whenComplete { _ in limit.give() }
            return http.setup(channel: channel, logger: logger)
        }
        let address = server.channel.localAddress.map { "\($0.ipAddress ?? "?"):\($0.port ?? 0)" } ?? "?"
        logger.notice("http listening", metadata: ["address": "\(address)", "socket": "passed by systemd"])
        onListening(address)
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { connections in
                do {
                    try await server.executeThenClose { inbound in
                        for try await connection in inbound {
                            connections.addTask { await http.handle(value: connection, logger: logger) }
                        }
                    }
                } catch {
                    logger.error("http listener stopped", metadata: ["error": "\(error)"])
                }
            }
        } onGracefulShutdown: {
            // Stop accepting; idle connections close, busy ones after their response.
            quiescing.initiateShutdown(promise: nil)
        }
    }
}

/// How many connections are open; the listener refuses beyond the maximum.
final class ConnectionLimit: Sendable {
    let maximum: Int
    private let open = Mutex(0)

    init(maximum: Int) { self.maximum = maximum }

    func take() -> Bool {
        open.withLock { count in
            guard count < maximum else { return false }
            count += 1
            return true
        }
    }

    func give() { open.withLock { $0 -= 1 } }
}

/// The HTTP Date header's form (RFC 9110 IMF-fixdate), of now.
enum HTTPDate {
    static func now() -> String {
        var t = time(nil)
        var parts = tm()
        gmtime_r(&t, &parts)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"], months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        return String(format: "%@, %02d %@ %04d %02d:%02d:%02d GMT", days[Int(parts.tm_wday)], parts.tm_mday, months[Int(parts.tm_mon)], parts.tm_year + 1900, parts.tm_hour, parts.tm_min, parts.tm_sec)
    }
}
