import CompactdCore
import CompactdDelivery
import CompactdStore
import Logging

/// What a signed link does, apart from HTTP plumbing: a GET (or HEAD) shows the step and a
/// button and changes nothing, because mail scanners fetch every link before a person clicks;
/// only the button's POST acts, and only when it comes from our own page (Origin or Referer is
/// `public_url`). Acting twice is harmless. The change is recorded as one from `compactctl`:
/// by the recipient, source `link`, with the client address when a trusted proxy gave it.
struct ActionLinkHandler: Sendable {
    let backend: any HTTPBackend
    let signer: ActionLinkSigner
    let logger: Logger

    struct Page: Sendable {
        var status: Int
        var html: String
    }

    func handle(actionSegment: String, token: String, isPost: Bool, origin: String?, referer: String?, client: String?, language: PageLanguage, now: Instant) async -> Page {
        let c = backend.currentConfiguration()
        guard let http = c.http, let action = ActionClaim.Action(pathSegment: actionSegment) else {
            return Page(status: 404, html: HTMLPage.notFound(language))
        }
        let fingerprint = ActionLinkSigner.fingerprint(token)
        let claim: ActionClaim
        switch signer.verify(token, action: action, now: now) {
        case .success(let verified):
            claim = verified
        case .failure(let refusal):
            logger.warning("link refused", metadata: ["token_hash": "\(fingerprint)", "reason": "\(Self.reason(refusal))", "client": "\(client ?? "-")"])
            return Self.refused(refusal, language: language)
        }
        guard let step = StepIdentity(key: claim.stepKey), let described = step.described(in: c) else {
            return Page(status: 410, html: HTMLPage.message(title: language.say("This step is no longer scheduled", "Este paso ya no está programado"),
                                                             text: language.say("The compact's configuration no longer has it; nothing was changed.", "La configuración del pacto ya no lo incluye; no se cambió nada."), language: language))
        }
        let who = Self.recipientName(claim.recipient, compact: described.compact, in: c)
        let state: PlannerState
        do { state = try await backend.plannerState() } catch {
            return Page(status: 503, html: HTMLPage.message(title: language.say("Please try again shortly", "Inténtelo de nuevo en un momento"), text: language.say("The schedule cannot be read right now; nothing was changed.", "No se puede leer el calendario ahora; no se cambió nada."), language: language))
        }
        let view = ActionLinkView(claim: claim, step: step, described: described, who: who, configuration: c, language: language, now: now)
        if !isPost {
            return Page(status: 200, html: view.confirmation(state: state, snoozeDays: http.snoozeDays))
        }
        guard Self.fromOurPage(origin: origin, referer: referer, publicURL: http.publicURL) else {
            logger.warning("link POST refused: not from our page", metadata: ["token_hash": "\(fingerprint)", "origin": "\(origin ?? "-")", "client": "\(client ?? "-")"])
            return Page(status: 403, html: HTMLPage.message(title: language.say("Please use the button on the page", "Use el botón de la página"),
                                                             text: language.say("This request did not come from compactd's own page, so nothing was changed. Open the link from your message again.", "Esta solicitud no vino de la página de compactd, así que no se cambió nada. Abra de nuevo el enlace de su mensaje."), language: language))
        }
        let write: OperatorWrite
        let from = client.map { " (from \($0))" } ?? ""
        switch action {
        case .done:
            if let done = state.acknowledgments[step.key] { return Page(status: 200, html: view.alreadyDone(done)) }
            write = OperatorWrite(action: .ack, stepKey: step.key, compactID: step.compactID, note: "marked done from a link in a notice\(from)")
        case .snooze:
            if let done = state.acknowledgments[step.key] { return Page(status: 200, html: view.alreadyDone(done)) }
            let until = c.timeZone.instant(for: TimeSpan(days: http.snoozeDays).added(to: c.timeZone.localDateTime(at: now))).roundedUpToMinute
            write = OperatorWrite(action: .snooze, stepKey: step.key, compactID: step.compactID, note: "snoozed from a link in a notice\(from)", untilMicroseconds: until.microsecondsSinceEpoch)
        case .undoDone:
            guard let done = state.acknowledgments[step.key], done.by == who else { return Page(status: 200, html: view.nothingToUndo()) }
            write = OperatorWrite(action: .unack, stepKey: step.key, compactID: step.compactID)
        case .undoSnooze:
            guard let snooze = state.snoozes[step.key], snooze.until > now, snooze.by == who else { return Page(status: 200, html: view.nothingToUndo()) }
            write = OperatorWrite(action: .unsnooze, stepKey: step.key, compactID: step.compactID)
        }
        switch await backend.apply(write, actor: who) {
        case .success(let result):
            logger.notice("link action", metadata: ["action": "\(action.pathSegment)", "step": "\(step.key)", "recipient": "\(claim.recipient)", "token_hash": "\(fingerprint)", "client": "\(client ?? "-")", "result": "\(result)"])
            let undo = Self.undoLink(for: action, claim: claim, http: http, now: now, signer: signer)
            return Page(status: 200, html: view.result(undoURL: undo, snoozeDays: http.snoozeDays))
        case .failure(let refusal):
            logger.warning("link action refused", metadata: ["action": "\(action.pathSegment)", "step": "\(step.key)", "token_hash": "\(fingerprint)", "reason": "\(refusal.message)"])
            return Page(status: refusal.code == "unavailable" ? 503 : 409, html: HTMLPage.message(title: language.say("Nothing was changed", "No se cambió nada"), text: refusal.message, language: language))
        }
    }

    /// The result page's "undo": a token of its own, valid for `undo_minutes`, for the same
    /// step and recipient.
    static func undoLink(for action: ActionClaim.Action, claim: ActionClaim, http: HTTPSettings, now: Instant, signer: ActionLinkSigner) -> String? {
        guard http.undoMinutes > 0 else { return nil }
        let undo: ActionClaim.Action
        switch action {
        case .done: undo = .undoDone
        case .snooze: undo = .undoSnooze
        case .undoDone, .undoSnooze: return nil
        }
        let expires = Instant(secondsSinceEpoch: now.secondsSinceEpoch + Int64(http.undoMinutes) * 60)
        return signer.token(for: ActionClaim(action: undo, stepKey: claim.stepKey, recipient: claim.recipient, expires: expires)).map { "\(http.publicURL)/link/\(undo.pathSegment)/\($0)" }
    }

    /// The same origin as `public_url`: the Origin header when the browser sent one, else the
    /// Referer's beginning. Neither: refused (every current browser sends Origin on a POST).
    static func fromOurPage(origin: String?, referer: String?, publicURL: String) -> Bool {
        let ours = Self.origin(of: publicURL)
        if let origin, origin != "null" { return Self.origin(of: origin) == ours }
        if let referer { return Self.origin(of: referer) == ours }
        return false
    }

    /// scheme://host[:port] of a URL.
    static func origin(of url: String) -> String {
        guard let schemeEnd = url.range(of: "://") else { return url }
        let rest = url[schemeEnd.upperBound...]
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        return String(url[..<schemeEnd.upperBound]).lowercased() + authority.lowercased()
    }

    /// A recipient's name for people: the contact's name (the compact's contact, else the
    /// district's), else the channel it went to.
    static func recipientName(_ recipient: String, compact: Compact, in c: Configuration) -> String {
        if recipient.hasPrefix("contact:") {
            let id = String(recipient.dropFirst(8))
            return c.contact(id, in: compact)?.name ?? id
        }
        let id = recipient.hasPrefix("channel:") ? String(recipient.dropFirst(8)) : recipient
        return "channel \(id)"
    }

    static func reason(_ refusal: ActionLinkSigner.Refusal) -> String {
        switch refusal {
        case .malformed: "malformed"
        case .badSignature: "bad signature"
        case .expired: "expired"
        case .wrongAction: "wrong action"
        }
    }

    static func refused(_ refusal: ActionLinkSigner.Refusal, language: PageLanguage) -> Page {
        switch refusal {
        case .expired:
            Page(status: 410, html: HTMLPage.message(title: language.say("This link has expired", "Este enlace ha vencido"),
                                                     text: language.say("Nothing was changed. A newer notice about this step carries a link that works, or ask the district's Education Compacts team.", "No se cambió nada. Un aviso más reciente sobre este paso tiene un enlace vigente; o consulte al equipo de Pactos Educativos del distrito."), language: language))
        case .malformed, .badSignature, .wrongAction:
            Page(status: 403, html: HTMLPage.message(title: language.say("This link is not valid", "Este enlace no es válido"),
                                                     text: language.say("It may have been cut short or changed on the way. Nothing was changed; open the link from your message again, whole.", "Puede que se haya cortado o alterado. No se cambió nada; abra de nuevo el enlace completo de su mensaje."), language: language))
        }
    }
}
