import CompactdCore
import CompactdDelivery
import CompactdStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import Metrics
import NIOCore
import NIOPosix
import Prometheus
import ServiceLifecycle
import Synchronization

/// compactd's HTTP listener, one more service in the daemon's group: action links, status
/// pages, the calendar feed, `/healthz`, `/readyz`, `/metrics`. On a graceful shutdown it stops
/// accepting and lets requests in flight finish (Hummingbird's server does that) before the
/// loop stops.
///
/// Hostile traffic: headers capped at 8 KiB a field and 32 KiB in all, bodies at 16 KiB, 256
/// connections at once, an idle connection closed after 30 s, token endpoints rate-limited per
/// client in bounded memory, every string escaped, a strict CSP, and no redirect anywhere.
public final class CompactdHTTPServer: Service, Sendable {
    let backend: any HTTPBackend
    let secrets: LinkSecrets
    let registry: PrometheusCollectorRegistry
    let logger: Logger
    let host: String
    let port: Int
    let limiter = RateLimiter()
    /// The reads that plan every compact, two at a time each (`RequestGate`): the status
    /// overview, and the all-compacts calendar (held while it is written).
    let overviewGate = RequestGate(permits: 2)
    let calendarGate = RequestGate(permits: 2)
    /// Set when the daemon begins to stop: a calendar still being written is cut then, since a
    /// graceful stop waits for every response in flight, and one read slowly held the stop
    /// until its reader finished or gave up (121 s in the test; the unit's TimeoutStopSec is
    /// 45 s, after which systemd kills the daemon).
    let stopping = Atomic<Bool>(false)
    /// How long the all-compacts calendar may take to be read: its permit is held while it is
    /// written (195 MB at 100,000 compacts; 4 s on loopback), and a reader slower than this
    /// keeps the others waiting.
    static let calendarReadLimit: Duration = .seconds(300)
    /// Told the bound address once the listener is up (tests, the start-up log line).
    let onListening: @Sendable (String) -> Void
    /// Test-only (`COMPACTD_TEST_LINK_POST_DELAY_MS`): how long a link POST waits before it
    /// acts, so that a test can stop the daemon while one is in flight. Never set in production.
    let postDelayMilliseconds: Int
    /// A listening socket systemd passed (socket activation); nil: bind `listen`.
    let passedSocket: CInt?
    static let maxConnections = 256
    /// One event loop: the pages are small and rare, and each thread costs resident memory at
    /// rest (its stack and malloc arena).
    static let eventLoops = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    static let channelConfiguration = HTTP1Channel.Configuration(
        additionalChannelHandlers: [RequestDeadlineHandler()],
        idleTimeout: .seconds(30),
        httpDecoderConfiguration: .init(maxHeaderFieldSize: 8 * 1024, maxHeaderListSize: 32 * 1024, maxHeaderFieldCount: 100)
    )

    /// Called after each of the largest reads (the status overview, the all-compacts calendar)
    /// once no other is being worked on: the daemon gives the heap's free pages back
    /// (`HeapTrim`), which such reads left at two to four times the daemon's idle size.
    let afterLargeRead: @Sendable () -> Void

    public init(backend: any HTTPBackend, settings: HTTPSettings, secrets: LinkSecrets, registry: PrometheusCollectorRegistry, logger: Logger,
                passedSocket: CInt? = nil, onListening: @escaping @Sendable (String) -> Void = { _ in }, afterLargeRead: @escaping @Sendable () -> Void = {}) {
        self.afterLargeRead = afterLargeRead
        self.passedSocket = passedSocket
        self.backend = backend
        self.secrets = secrets
        self.registry = registry
        self.logger = logger
        self.host = settings.listenHost
        self.port = settings.listenPort
        self.onListening = onListening
        self.postDelayMilliseconds = ProcessInfo.processInfo.environment["COMPACTD_TEST_LINK_POST_DELAY_MS"].flatMap(Int.init) ?? 0
    }

    public func run() async throws {
        try await withGracefulShutdownHandler {
            try await serve()
        } onGracefulShutdown: {
            self.stopping.store(true, ordering: .relaxed)
        }
    }

    private func serve() async throws {
        let logger = self.logger
        let onListening = self.onListening
        if let passedSocket {
            try await PassedSocketServer(descriptor: passedSocket, router: makeRouter(), channel: Self.channelConfiguration, logger: logger, maxConnections: Self.maxConnections)
                .run(onListening: onListening)
            return
        }
        let app = Application(
            router: makeRouter(),
            server: .http1(configuration: Self.channelConfiguration),
            configuration: .init(address: .hostname(host, port: port), serverName: nil, backlog: 256, reuseAddress: true,
                                 availableConnectionsDelegate: MaximumAvailableConnections(Self.maxConnections)),
            onServerRunning: { channel in
                let address = channel.localAddress.map { "\($0.ipAddress ?? "?"):\($0.port ?? 0)" } ?? "?"
                logger.notice("http listening", metadata: ["address": "\(address)"])
                onListening(address)
            },
            eventLoopGroupProvider: .shared(Self.eventLoops),
            logger: logger
        )
        try await app.run()
    }

    func makeRouter() -> Router<CompactdRequestContext> {
        let router = Router(context: CompactdRequestContext.self)
        router.add(middleware: SecurityHeadersMiddleware())
        router.get("style.css") { _, _ in
            var response = HTTPResponses.text(HTMLPage.stylesheet, contentType: "text/css; charset=utf-8")
            response.headers[.cacheControl] = "public, max-age=3600"
            return response
        }
        router.get("healthz") { _, _ in await self.healthz() }
        router.get("readyz") { _, _ in await self.readyz() }
        router.get("metrics") { _, _ in await self.metrics() }
        router.get("link/:action/:token") { request, context in await self.link(request, context, isPost: false) }
        // HEAD as GET (a mail scanner's favourite): the same page's status and headers.
        router.head("link/:action/:token") { request, context in await self.link(request, context, isPost: false) }
        router.post("link/:action/:token") { request, context in await self.link(request, context, isPost: true) }
        router.get("status/:token") { request, context in await self.status(request, context, compact: nil) }
        router.get("status/:token/compact/:id") { request, context in await self.status(request, context, compact: context.parameters.get("id")) }
        router.get("status") { request, context in await self.status(request, context, compact: nil) }
        router.get("status/compact/:id") { request, context in await self.status(request, context, compact: context.parameters.get("id")) }
        // One parameter name per position (Hummingbird's router asks it): the first segment is
        // the file with open access, the token with secret access.
        router.get("calendar/:first") { request, context in await self.calendar(request, context, token: nil, file: context.parameters.get("first")) }
        router.get("calendar/:first/:file") { request, context in await self.calendar(request, context, token: context.parameters.get("first"), file: context.parameters.get("file")) }
        return router
    }

    static func language(_ request: Request) -> PageLanguage {
        PageLanguage.choose(query: request.uri.queryParameters.get("lang").map { String($0) }, acceptLanguage: request.headers[.acceptLanguage])
    }

    func client(_ request: Request, _ context: CompactdRequestContext) -> String? {
        ClientAddress.resolve(peer: context.remoteAddress?.ipAddress, forwardedFor: request.headers[HTTPField.Name("X-Forwarded-For")!],
                              trustedProxies: backend.currentConfiguration().http?.trustedProxies ?? [])
    }

    // MARK: action links

    func link(_ request: Request, _ context: CompactdRequestContext, isPost: Bool) async -> Response {
        let language = Self.language(request)
        let client = self.client(request, context)
        let now = Instant.now
        // The metric's label is one of the known actions, never what the path says: a label
        // per made-up path would grow the registry without bound.
        let actionLabel = ActionClaim.Action(pathSegment: context.parameters.get("action") ?? "")?.pathSegment ?? "unknown"
        guard limiter.allow(client ?? "unknown", now: now) else {
            Counter(label: MetricsCatalog.linkActions, dimensions: [("action", actionLabel), ("result", "rate-limited")]).increment()
            return HTTPResponses.tooManyRequests(language)
        }
        if isPost {
            logger.info("link request", metadata: ["action": "\(context.parameters.get("action") ?? "?")", "token_hash": "\(ActionLinkSigner.fingerprint(context.parameters.get("token") ?? ""))", "client": "\(client ?? "-")"])
            if postDelayMilliseconds > 0 { try? await Task.sleep(for: .milliseconds(postDelayMilliseconds)) }
        }
        let handler = ActionLinkHandler(backend: backend, signer: secrets.signer, logger: logger)
        let page = await handler.handle(
            actionSegment: context.parameters.get("action") ?? "", token: context.parameters.get("token") ?? "", isPost: isPost,
            origin: request.headers[.origin], referer: request.headers[.referer], client: client, language: language, now: now
        )
        Counter(label: MetricsCatalog.linkActions, dimensions: [("action", actionLabel), ("result", isPost ? "post-\(page.status)" : "get-\(page.status)")]).increment()
        return HTTPResponses.html(page.html, status: HTTPResponse.Status(code: page.status))
    }

    // MARK: status pages and the calendar feed

    /// The status token in the path is right (constant time), or access is open and none is given.
    func authorized(_ token: String?) -> Bool {
        switch (secrets.statusToken, token) {
        case (nil, nil): return true
        case (let expected?, let given?): return ActionLinkSigner.constantTimeEqual(Array(expected.utf8), Array(given.utf8))
        default: return false
        }
    }


    func status(_ request: Request, _ context: CompactdRequestContext, compact: String?) async -> Response {
        let language = Self.language(request)
        let token = context.parameters.get("token")
        // Guessing the secret address is rate-limited (each wrong guess counts); the right one is not.
        guard authorized(token) else {
            if !limiter.allow("status:" + (client(request, context) ?? "unknown"), now: Instant.now) {
                return HTTPResponses.tooManyRequests(language)
            }
            return HTTPResponses.html(HTMLPage.notFound(language), status: .notFound)
        }
        // The overview plans every compact: it waits its turn (a compact's page plans one),
        // and is done once the page is made and all it was made from let go.
        guard compact == nil else { return await statusPage(request, compact: compact, language: language, token: token) }
        await overviewGate.acquire()
        let page = await statusPage(request, compact: nil, language: language, token: token)
        largeReadDone(overviewGate)
        return page
    }

    /// The overview, or one compact's page, made.
    private func statusPage(_ request: Request, compact: String?, language: PageLanguage, token: String?) async -> Response {
        let c = backend.currentConfiguration()
        let now = Instant.now
        do {
            let state = try await backend.plannerState()
            // A compact's page is that compact's report alone, without the next notices (the
            // overview's): at 10,000 compacts the whole report and a month of every compact's
            // notices were most of its time. The overview keeps the rows of its page's compacts
            // only (every compact counts in its totals) and finds only the notices it shows: at
            // 100,000 compacts every row took the daemon from 86 to 399 MiB.
            let shown = StatusPages.page(asked: request.uri.queryParameters.get("page").flatMap { Int($0) } ?? 1, of: c.compacts.count)
            let report = PartnershipReport(configuration: c, state: state, lastContact: try await backend.lastContactByCompact(), now: now, compactID: compact,
                                           keptRows: compact == nil ? shown.rows : nil)
            var next: [PlannedNotice] = []
            if compact == nil {
                let projection = NoticeProjection(configuration: c)
                next = projection.first(StatusPages.nextShown, now: now, to: now.adding(seconds: 30 * 86_400), state: state,
                                        written: try await backend.writtenIDs(sendAtFrom: projection.catchUpStart(now: now)))
            }
            var pages = StatusPages(report: report, next: next, configuration: c, language: language, base: token.map { "/status/\($0)" } ?? "/status")
            pages.page = shown.page
            if let compact {
                guard let page = pages.compact(compact) else {
                    return HTTPResponses.html(HTMLPage.message(title: language.say("Not found", "No encontrado"), text: language.say("There is no such compact.", "Este pacto no existe."), language: language), status: .notFound)
                }
                return HTTPResponses.html(page)
            }
            return HTTPResponses.html(pages.overview())
        } catch {
            logger.error("status page failed", metadata: ["error": "\(error)"])
            return HTTPResponses.html(HTMLPage.message(title: language.say("Please try again shortly", "Inténtelo de nuevo en un momento"), text: language.say("The schedule cannot be read right now.", "No se puede leer el calendario ahora."), language: language), status: .serviceUnavailable)
        }
    }

    /// Gives `gate`'s permit back and, when no large read is left in progress or waiting,
    /// says so (`afterLargeRead`).
    func largeReadDone(_ gate: RequestGate) {
        gate.release()
        if overviewGate.isIdle && calendarGate.isIdle { afterLargeRead() }
    }

    /// `/calendar/TOKEN.ics` (all compacts), `/calendar/TOKEN/COMPACT.ics`; with open access
    /// `/calendar/all.ics` and `/calendar/COMPACT.ics`.
    func calendar(_ request: Request, _ context: CompactdRequestContext, token pathToken: String?, file: String?) async -> Response {
        let file = file ?? ""
        guard file.hasSuffix(".ics") else { return HTTPResponses.text("not found\n", status: .notFound) }
        let name = String(file.dropLast(4))
        let token: String?, compact: String?
        if let pathToken {
            (token, compact) = (pathToken, name == "all" ? nil : name)
        } else if secrets.statusToken == nil {
            (token, compact) = (nil, name == "all" ? nil : name)
        } else {
            (token, compact) = (name, nil)
        }
        guard authorized(token) else {
            let allowed = limiter.allow("status:" + (client(request, context) ?? "unknown"), now: Instant.now)
            return HTTPResponses.text(allowed ? "not found\n" : "too many requests\n", status: allowed ? .notFound : .tooManyRequests)
        }
        let c = backend.currentConfiguration()
        if let compact, c.compact(compact) == nil { return HTTPResponses.text("not found\n", status: .notFound) }
        do {
            let now = Instant.now
            let acknowledgments = try await backend.plannerState().acknowledgments
            let name = compact.flatMap { c.compact($0)?.partner }.map { "Education Compacts: \($0)" } ?? "Education Compacts"
            // Written as it is made, a piece at a time: the whole calendar of 100,000 compacts
            // is 195 MB of text, which held (with the events' text and the body's copy of it)
            // took the daemon past 1 GB for each request.
            let gate = compact == nil ? calendarGate : nil
            let body = ResponseBody { writer in
                // All compacts' calendar waits its turn, here where the permit is surely given
                // back (written, failed or cancelled), not before the response is returned.
                await gate?.acquire()
                // After `write`, whose calendar is let go by then.
                defer { if let gate { self.largeReadDone(gate) } }
                try await self.write(calendarOf: c, acknowledgments: acknowledgments, now: now, compactID: compact, name: name, readLimit: gate != nil, to: &writer)
            }
            var response = Response(status: .ok, headers: [.contentType: "text/calendar; charset=utf-8"], body: body)
            response.headers[.cacheControl] = "private, max-age=\(CalendarFeed.refreshMinutes * 60)"
            return response
        } catch {
            return HTTPResponses.text("the schedule cannot be read right now\n", status: .serviceUnavailable)
        }
    }

    /// Writes the calendar a piece at a time as it is made; cut (by throwing) when the daemon
    /// begins to stop, or, with `readLimit`, when it has not been read within
    /// `calendarReadLimit`.
    private func write(calendarOf c: Configuration, acknowledgments: [String: StepAcknowledgment], now: Instant, compactID compact: String?, name: String,
                       readLimit: Bool, to writer: inout any ResponseBodyWriter) async throws {
        let started = ContinuousClock.now
        let feed = CalendarFeed(configuration: c, acknowledgments: acknowledgments, from: now, to: now.adding(seconds: 365 * 86_400), compactID: compact)
        var stream = ICalendarStream(events: feed.events.makeIterator(), stamp: now, name: name, refreshMinutes: CalendarFeed.refreshMinutes)
        while let piece = stream.next() {
            // Cut by failing the response, not by ending it: a calendar ended early would read
            // as complete, and a subscribing calendar would drop the events after it.
            if stopping.load(ordering: .relaxed) {
                logger.notice("calendar cut", metadata: ["reason": "stopping", "events": "\(stream.eventCount)"])
                throw CalendarCut.stopping
            }
            if readLimit && ContinuousClock.now - started > Self.calendarReadLimit {
                logger.notice("calendar cut", metadata: ["reason": "not read within \(Self.calendarReadLimit)", "events": "\(stream.eventCount)"])
                throw CalendarCut.tooSlow
            }
            try await writer.write(ByteBuffer(string: piece))
        }
        try await writer.finish(nil)
    }

    // MARK: operations

    func healthz() async -> Response {
        let health = await backend.health()
        return health.loopAlive
            ? HTTPResponses.text("ok: the loop turned \(Int(health.loopAgeSeconds)) s ago\n")
            : HTTPResponses.text("unhealthy: the loop last turned \(Int(health.loopAgeSeconds)) s ago\n", status: .serviceUnavailable)
    }

    /// Ready when the configuration is loaded (always, once running) and the store takes a
    /// write now: probed each time, nothing written.
    func readyz() async -> Response {
        if let problem = await backend.storeWriteProblem() {
            return HTTPResponses.text("not ready: \(problem)\n", status: .serviceUnavailable)
        }
        return HTTPResponses.text("ready\n")
    }

    /// The Prometheus text format. Gauges that describe the store are read now; counters and
    /// histograms accumulate as things happen.
    func metrics() async -> Response {
        let health = await backend.health()
        Gauge(label: MetricsCatalog.up).record(health.loopAlive ? 1 : 0)
        Gauge(label: MetricsCatalog.nextNotice).record(Double(health.nextNotice?.secondsSinceEpoch ?? 0))
        // One pass over the outbox's rows (the summary by channel also joined every attempt to
        // its delivery: at a million rows 3.1 s a scrape with the sqlite3 shell, the count alone 0.6 s).
        if let counts = try? await backend.statusCounts() {
            for status in DeliveryStatus.allCases {
                Gauge(label: MetricsCatalog.outboxRows, dimensions: [("status", status.rawValue)]).record(Double(counts[status] ?? 0))
            }
            Gauge(label: MetricsCatalog.deadLetters).record(Double(counts[.dead] ?? 0))
        }
        if let oldest = try? await backend.oldestPendingSendAt() {
            Gauge(label: MetricsCatalog.oldestPendingAge).record(Double(max(0, Instant.now.secondsSinceEpoch - oldest.secondsSinceEpoch)))
        } else {
            Gauge(label: MetricsCatalog.oldestPendingAge).record(0)
        }
        var response = HTTPResponses.text(registry.emitToString(), contentType: "text/plain; version=0.0.4; charset=utf-8")
        response.headers[.cacheControl] = "no-store"
        return response
    }
}
