import HTTPTypes
import Hummingbird

/// The headers every response carries, errors included: a Content-Security-Policy that allows
/// only our own stylesheet and forms posting to us (no script at all), no framing, no MIME
/// sniffing, no referrer beyond our own origin (links carry tokens), and no caching of pages
/// that show a step's state. A route that does not exist gets our own 404 page.
struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    static var contentSecurityPolicy: String {
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as HTTPError {
            let language = PageLanguage.choose(query: request.uri.queryParameters.get("lang"), acceptLanguage: request.headers[.acceptLanguage])
            let page = error.status == .notFound
                ? HTMLPage.notFound(language)
                : HTMLPage.message(title: language.say("Request refused", "Solicitud rechazada"), text: "\(error.status.code) \(error.status.reasonPhrase)", language: language)
            response = HTTPResponses.html(page, status: error.status)
        }
        response.headers[.contentSecurityPolicy] = Self.contentSecurityPolicy
        response.headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        response.headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        response.headers[HTTPField.Name("Referrer-Policy")!] = "same-origin"
        response.headers[HTTPField.Name("Cross-Origin-Opener-Policy")!] = "same-origin"
        response.headers[HTTPField.Name("Permissions-Policy")!] = "interest-cohort=()"
        if response.headers[.cacheControl] == nil { response.headers[.cacheControl] = "no-store" }
        return response
    }
}

/// Response makers.
enum HTTPResponses {
    static func html(_ page: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "text/html; charset=utf-8"], body: ResponseBody(byteBuffer: ByteBuffer(string: page)))
    }

    /// 429, with Retry-After: a client past its rate limit.
    static func tooManyRequests(_ language: PageLanguage) -> Response {
        var response = html(HTMLPage.message(title: language.say("Too many requests", "Demasiadas solicitudes"), text: language.say("Please wait a minute and try again.", "Espere un minuto e inténtelo de nuevo."), language: language), status: .tooManyRequests)
        response.headers[.retryAfter] = "60"
        return response
    }

    static func text(_ text: String, status: HTTPResponse.Status = .ok, contentType: String = "text/plain; charset=utf-8") -> Response {
        Response(status: status, headers: [.contentType: contentType], body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}
