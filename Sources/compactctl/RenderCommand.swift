import ArgumentParser
import CompactdCore
import CompactdDelivery

/// `compactctl render NOTICE-ID`: a notice's subject, text and HTML as they would be sent, from
/// the same templates and values the dispatcher uses, without sending anything.
struct RenderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render", abstract: "Preview a notice's subject, text and HTML as it would be sent.",
        discussion: "NOTICE-ID is a notice's id as agenda -o json prints it (STEP/KIND/RECIPIENT, e.g. carson/summer-reengagement/2027-05-01/kickoff/remind-7d/mail:rocio)."
    )

    @OptionGroup var config: ConfigOptions
    @Argument(help: "The notice's id, as agenda -o json prints it.") var notice: String
    @Option(help: "Render in this language (en or es) instead of the recipient's.") var lang: String?

    func run() throws {
        let c = try config.load().configuration
        let parts = notice.split(separator: "/").map(String.init)
        guard parts.count == 6 else {
            throw CommandFailure("'\(notice)' is not a notice id; expected STEP/KIND/RECIPIENT as agenda -o json prints it (six parts)")
        }
        if let lang, !TemplateSet.languages.contains(lang) {
            throw CommandFailure("--lang '\(lang)' is not a language of the templates; expected one of \(TemplateSet.languages.joined(separator: ", "))")
        }
        let step = try StepReference.parse([parts.prefix(4).joined(separator: "/")]).resolve(in: c, now: Instant.now)
        let planned = Planner(configuration: c).plan(from: step.dueAt.adding(seconds: -800 * 86_400), to: step.dueAt.adding(seconds: 800 * 86_400))
            .filter { $0.step.key == step.key }
        guard let found = planned.first(where: { $0.id == notice }) else {
            let ids = planned.map(\.id)
            throw UnknownName.missing("\(step.key) has no notice", notice, known: ids.isEmpty ? ["(none planned)"] : ids)
        }
        let snapshot = NoticeSnapshotBuilder(configuration: c).snapshot(for: found)
        let contact = found.recipient.contactID.flatMap { id in c.contacts.first { $0.id == id } ?? c.compact(step.compactID)?.contacts.first { $0.id == id } }
        let language = lang ?? contact?.language.rawValue ?? "en"
        let templates = TemplateSet(directory: c.templatesDirectory)
        // The links as sent when compactctl may read the signing key; else placeholders, said so.
        var links: ActionLinks?
        var linkNote: String?
        if let http = c.http {
            let signer: ActionLinkSigner
            do {
                signer = try LinkSecrets.load(http, statePath: StateAccess.path(c), create: false).signer
            } catch {
                signer = ActionLinkSigner(keys: ["placeholder-key-not-the-real-one"])
                linkNote = "links signed with a placeholder key: \(error)"
            }
            links = ActionLinks.make(stepKey: step.key, due: step.dueAt, channel: found.recipient.channelID, contact: found.recipient.contactID, configuration: c, signer: signer)
        }
        guard !templates.hasErrors, let rendered = templates.render(kind: snapshot.kind, language: language, values: NoticeTemplateContext.values(for: snapshot, contactName: contact?.name, links: links)) else {
            throw CommandFailure("the templates have errors; run compactctl check")
        }
        print("To: \(found.recipient)\(contact.map { " (\($0.name) <\($0.email)>)" } ?? "")")
        print("Send at: \(TimestampFormat.short(found.sendAt, in: c.timeZone))")
        print("Language: \(rendered.language)")
        print("Subject: \(rendered.subject)")
        if let linkNote { print("Note: \(linkNote)") }
        print("\n--- text ---\n\(rendered.text)")
        print("--- html ---\n\(rendered.html)")
    }
}
