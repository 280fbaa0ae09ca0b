import CompactdCore

/// The frame of every page: plain semantic HTML, one small stylesheet of our own (`/style.css`,
/// allowed by the Content-Security-Policy; no inline style, no script), readable on a phone and
/// printable. `body` is HTML already escaped by its maker.
enum HTMLPage {
    static func render(title: String, language: PageLanguage, body: String) -> String {
        """
        <!doctype html>
        <html lang="\(language.rawValue)">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="robots" content="noindex, nofollow">
        <meta name="referrer" content="same-origin">
        <title>\(HTMLText.escape(title))</title>
        <link rel="stylesheet" href="/style.css">
        </head>
        <body>
        <header><p class="brand">\(language.say("Education Compacts", "Pactos Educativos"))</p></header>
        <main>
        \(body)
        </main>
        </body>
        </html>

        """
    }

    /// A page that only says something: a refused link, a missing page.
    static func message(title: String, text: String, language: PageLanguage) -> String {
        render(title: title, language: language, body: "<h1>\(HTMLText.escape(title))</h1>\n<p>\(HTMLText.escape(text))</p>")
    }

    /// The 404 page, for a route, a compact or a status address that does not exist.
    static func notFound(_ language: PageLanguage) -> String {
        message(title: language.say("Not found", "No encontrado"), text: language.say("There is no such page.", "Esta página no existe."), language: language)
    }

    static let stylesheet = """
    :root { color-scheme: light; --ink: #1b1f24; --muted: #57606a; --line: #d0d7de; --accent: #0b5cad; --done: #1a7f37; --late: #b42318; }
    * { box-sizing: border-box; }
    body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: #fff; }
    header { border-bottom: 1px solid var(--line); padding: .5rem 1rem; }
    .brand { margin: 0; font-weight: 600; color: var(--muted); }
    main { max-width: 48rem; margin: 0 auto; padding: 1rem; }
    h1 { font-size: 1.5rem; line-height: 1.25; }
    h2 { font-size: 1.2rem; margin-top: 2rem; }
    table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; }
    th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
    dl { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; }
    dt { font-weight: 600; }
    dd { margin: 0; }
    form { margin: 1.5rem 0; }
    button { font: inherit; font-weight: 600; padding: .7rem 1.4rem; border: 0; border-radius: .4rem; background: var(--accent); color: #fff; cursor: pointer; }
    button.secondary { background: #fff; color: var(--accent); border: 1px solid var(--accent); }
    .done { color: var(--done); font-weight: 600; }
    .overdue { color: var(--late); font-weight: 600; }
    .note { color: var(--muted); }
    .small { font-size: .9rem; color: var(--muted); }
    @media (max-width: 36rem) { table, tbody, tr, td, th { display: block; } thead { display: none; } tr { border-bottom: 1px solid var(--line); padding: .25rem 0; } td, th { border: 0; padding: .1rem 0; } }
    @media print { header, form { display: none; } main { max-width: none; } a { color: inherit; text-decoration: none; } }

    """
}
