import CompactdCore
import CompactdDelivery
import CompactdTestSupport
import Foundation
import Testing

/// The loop closed with the people compactd reminds, against the built daemon on 127.0.0.1: a
/// real email from a real SMTP server, its links fetched by curl (as a mail scanner would) and
/// clicked in a real browser (Debian's Chromium, headless, through Selenium), the store read
/// with Python's sqlite3, `/metrics` checked by `promtool`.
@Suite("HTTP: action links, status pages, health and metrics", .serialized)
struct HTTPLoopTests {
    /// Screenshots land here (README shows one of each).
    static let artifacts = CommandRunner.packageRoot.appendingPathComponent(".build/artifacts").path

    @Test("mark done from a real email in a real browser: scanners change nothing, forged and expired links are refused, the old key still works after a rotation, the store records the recipient and source link, no further notice goes out")
    func markDoneFromEmail() throws {
        let fixture = try HTTPLoopFixture(keys: [HTTPLoopFixture.oldKey])
        defer { fixture.remove() }
        try FileManager.default.createDirectory(atPath: Self.artifacts, withIntermediateDirectories: true)
        try fixture.start()
        let mail = try #require(try fixture.mails(atLeast: 1).first)
        let links = try fixture.links(in: mail)
        let done = try #require(links.text.first { $0.contains("/link/done/") }, "\(links)")
        let snooze = try #require(links.text.first { $0.contains("/link/snooze/") }, "\(links)")
        #expect(Set(links.html) == Set(links.text), "the HTML part carries the same two links")
        // The city's system got the step's links too, signed for it (not for Rocío).
        let hook = try fixture.webhookLinks()
        let hookLinks = [hook["mark_done"] as? String, hook["snooze"] as? String].compactMap { $0 }
        #expect(hookLinks.count == 2 && hook["snooze_days"] as? Int == 7 && !hookLinks.contains(done), "\(hook)")
        #expect(try fixture.curl([hookLinks.first ?? ""]).body.contains("channel hook"), "the page says whom it was sent to")

        // A mail scanner fetches every link, GET and HEAD: pages, no change.
        for link in links.text + links.html + hookLinks {
            #expect(try fixture.curl([link]).status == 200, "\(link)")
            #expect(try fixture.curl(["-I", link]).status == 200, "HEAD \(link)")
        }
        let page = try fixture.curl([done]).body
        #expect(page.contains("Mark this step done?") && page.contains("Rocío Rivas") && page.contains("Report to the Board of Education"), "\(page)")
        #expect(page.contains("&lt;script&gt;alert(1)&lt;/script&gt; City of Carson") && !page.contains("<script>"), "the XSS probe stays text")
        #expect(page.contains("Crossing guards &amp; other traffic safety improvements"))
        #expect(try fixture.acknowledgments().isEmpty, "GET and HEAD changed nothing")

        // Rotation: a new key signs, the old one still verifies while listed.
        fixture.stop()
        try fixture.writeConfig(keys: [HTTPLoopFixture.newKey, HTTPLoopFixture.oldKey])
        try fixture.start()

        // Hostile requests: a clear page, 403 or 410, nothing changed.
        let token = String(done.split(separator: "/").last!)
        let past = Instant.now.adding(seconds: -60)
        let recipient = "contact:rocio"
        let expired = try #require(ActionLinkSigner(keys: [HTTPLoopFixture.oldKey]).token(for: ActionClaim(action: .done, stepKey: fixture.stepKey, recipient: recipient, expires: past)))
        let otherKey = try #require(ActionLinkSigner(keys: ["some-key-nobody-configured-0123"]).token(for: ActionClaim(action: .done, stepKey: fixture.stepKey, recipient: recipient, expires: Instant.now.adding(seconds: 86_400))))
        var flipped = Array(token)
        flipped[flipped.count / 2] = flipped[flipped.count / 2] == "A" ? "B" : "A"
        let hostile: [(String, [String], Int, String)] = [
            ("forged", ["\(fixture.base)/link/done/\(String(flipped))"], 403, "This link is not valid"),
            ("truncated", ["\(fixture.base)/link/done/\(token.dropLast(10))"], 403, "This link is not valid"),
            ("wrong action", ["\(fixture.base)/link/snooze/\(token)"], 403, "This link is not valid"),
            ("wrong key", ["\(fixture.base)/link/done/\(otherKey)"], 403, "This link is not valid"),
            ("expired", ["\(fixture.base)/link/done/\(expired)"], 410, "This link has expired"),
            ("POST without Origin", ["-X", "POST", done], 403, "Please use the button on the page"),
            ("POST from another site", ["-X", "POST", "-H", "Origin: https://evil.example", done], 403, "Please use the button on the page"),
        ]
        for (name, arguments, status, text) in hostile {
            for method in [[], ["-X", "POST", "-H", "Origin: \(fixture.base)"]] where !(arguments.first == "-X" && !method.isEmpty) {
                let answer = try fixture.curl(method + arguments)
                #expect(answer.status == status, "\(name) \(method): \(answer.status)")
                #expect(answer.body.contains(text), "\(name): \(answer.body.prefix(400))")
            }
        }
        #expect(try fixture.acknowledgments().isEmpty, "nothing hostile changed anything")

        // A person clicks the link from the email, signed with the old key, in Chromium.
        let browser = try ServerProcess.runScript("browser_click.py", [done, "--click", "--screenshot", Self.artifacts + "/action-page.png", "--after", Self.artifacts + "/action-done.png"])
        #expect(browser.status == 0, "\(browser.output)")
        let seen = try #require(try JSONSerialization.jsonObject(with: Data(browser.output.utf8)) as? [String: String], "\(browser.output)")
        #expect(seen["before"]?.contains("Mark this step done?") == true, "\(seen)")
        #expect(seen["after"]?.contains("Marked done. Thank you, Rocío Rivas.") == true, "\(seen)")
        #expect(FileManager.default.fileExists(atPath: Self.artifacts + "/action-page.png"))

        let acks = try fixture.acknowledgments()
        #expect(acks.count == 1)
        #expect(acks.first?[0] == fixture.stepKey && acks.first?[1] == "Rocío Rivas" && acks.first?[2] == "link", "\(acks)")
        #expect(acks.first?[3].contains("from 127.0.0.1") == true, "\(acks)")

        // Twice is harmless; the snooze link now says it is done.
        let again = try fixture.curl(["-X", "POST", "-H", "Origin: \(fixture.base)", done])
        #expect(again.status == 200 && again.body.contains("Already marked done") && again.body.contains("Rocío Rivas"), "\(again.body.prefix(600))")
        #expect(try fixture.curl([snooze]).body.contains("Already marked done"))
        #expect(try fixture.acknowledgments().count == 1)

        // No further notice for the step: every planned one is now "not sent".
        let agenda = try CommandRunner.run("compactctl", ["agenda", "--all", "--days", "60", "-o", "json"], environment: fixture.environment)
        let entries = try #require(try JSONSerialization.jsonObject(with: Data(agenda.stdout.utf8)) as? [[String: Any]], "\(agenda.stderr)")
        let mine = entries.filter { $0["step_key"] as? String == fixture.stepKey }
        #expect(!mine.isEmpty && mine.allSatisfy { ($0["fate"] as? String)?.hasPrefix("not sent: acknowledged by Rocío Rivas") == true }, "\(mine)")
        #expect(try fixture.mails(atLeast: 1).count == 1, "one message only")
        #expect(fixture.daemonLog.contains("link action"), "the journal says what happened")
        #expect(!fixture.daemonLog.contains(token), "tokens never reach the journal")
    }

    @Test("the status page's figures equal report -o json; Spanish by Accept-Language; the calendar feed; an unknown token is a 404")
    func statusPageEqualsReport() throws {
        let fixture = try HTTPLoopFixture()
        defer { fixture.remove() }
        try fixture.start()
        _ = try fixture.mails(atLeast: 1)
        let token = try String(contentsOfFile: fixture.stateDirectory + "/http-status.token", encoding: .utf8).trimmingWhitespace()
        // A state with something done and something open: acknowledge through the daemon.
        let ack = try CommandRunner.run("compactctl", ["ack", fixture.stepKey, "--note", "presented on time"], environment: fixture.environment)
        #expect(ack.status == 0, "\(ack.stderr)")

        let page = try fixture.curl(["\(fixture.base)/status/\(token)"])
        #expect(page.status == 200)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(try CommandRunner.run("compactctl", ["report", "-o", "json"], environment: fixture.environment).stdout.utf8)) as? [String: Any])
        // Summary: every figure as the page's data attributes carry it.
        for (attribute, key) in [("data-active", "active_compacts"), ("data-total", "total_compacts"), ("data-done", "steps_done"), ("data-snoozed", "steps_snoozed"), ("data-open", "steps_open"), ("data-overdue", "steps_overdue")] {
            let value = try #require(report[key] as? Int, "\(key)")
            #expect(page.body.contains("\(attribute)=\"\(value)\""), "\(attribute) \(value)")
        }
        let reportSteps = (report["compacts"] as? [[String: Any]] ?? []).flatMap { $0["steps"] as? [[String: Any]] ?? [] }
        #expect(!reportSteps.isEmpty)
        let compactPage = try fixture.curl(["\(fixture.base)/status/\(token)/compact/carson"])
        for step in reportSteps {
            let key = try #require(step["key"] as? String), state = try #require(step["state"] as? String)
            #expect(compactPage.body.contains("data-step=\"\(key)\" data-state=\"\(state)\""), "\(key) \(state)")
        }
        #expect(compactPage.body.contains("presented on time") && compactPage.body.contains("&lt;script&gt;"))
        #expect(!page.body.contains("<script>") && !compactPage.body.contains("<script>"))

        let spanish = try fixture.curl(["-H", "Accept-Language: es-MX,es;q=0.9,en;q=0.5", "\(fixture.base)/status/\(token)"])
        #expect(spanish.body.contains("Pactos Educativos de un vistazo") && spanish.body.contains("lang=\"es\""))
        #expect(try fixture.curl(["\(fixture.base)/status/not-the-token-0123456789"]).status == 404)

        let feed = try fixture.curl(["\(fixture.base)/calendar/\(token)/all.ics"])
        #expect(feed.status == 200 && feed.body.contains("REFRESH-INTERVAL;VALUE=DURATION:PT60M"))
        let icsFile = fixture.directory.appendingPathComponent("feed.ics").path
        try feed.body.write(toFile: icsFile, atomically: true, encoding: .utf8)
        let parsed = try ServerProcess.runScript("parse_ics.py", [icsFile])
        #expect(parsed.status == 0, "the feed parses with the icalendar package: \(parsed.output)")

        let browser = try ServerProcess.runScript("browser_click.py", ["\(fixture.base)/status/\(token)", "--screenshot", Self.artifacts + "/status-page.png"])
        #expect(browser.status == 0, "\(browser.output)")
        #expect(browser.output.contains("Education Compacts at a glance"))
    }

    @Test("eight overviews and eight all-compacts calendars at once, taking turns: every one answered whole, and one more of each after them")
    func heavyReadsTakeTurns() throws {
        let fixture = try HTTPLoopFixture()
        defer { fixture.remove() }
        try fixture.start()
        let token = try String(contentsOfFile: fixture.stateDirectory + "/http-status.token", encoding: .utf8).trimmingWhitespace()
        var arguments = ["-s", "-S", "--max-time", "60", "--parallel", "--parallel-immediate", "--parallel-max", "16"]
        for n in 0..<8 {
            arguments += ["-o", fixture.directory.appendingPathComponent("overview-\(n).html").path, "\(fixture.base)/status/\(token)"]
            arguments += ["-o", fixture.directory.appendingPathComponent("calendar-\(n).ics").path, "\(fixture.base)/calendar/\(token)/all.ics"]
        }
        let result = try CommandRunner.runProgram("/usr/bin/curl", arguments)
        #expect(result.status == 0, "\(result.stderr)")
        for n in 0..<8 {
            let overview = (try? String(contentsOfFile: fixture.directory.appendingPathComponent("overview-\(n).html").path, encoding: .utf8)) ?? ""
            #expect(overview.contains("Education Compacts at a glance") && overview.hasSuffix("</html>\n"), "overview \(n): \(overview.suffix(80))")
            let calendar = (try? String(contentsOfFile: fixture.directory.appendingPathComponent("calendar-\(n).ics").path, encoding: .utf8)) ?? ""
            #expect(calendar.hasPrefix("BEGIN:VCALENDAR\r\n") && calendar.hasSuffix("END:VCALENDAR\r\n"), "calendar \(n): \(calendar.suffix(80))")
        }
        // Every permit came back: one more of each is answered.
        #expect(try fixture.curl(["\(fixture.base)/status/\(token)"]).status == 200)
        #expect(try fixture.curl(["\(fixture.base)/calendar/\(token)/all.ics"]).body.hasSuffix("END:VCALENDAR\r\n"))
    }

    @Test("231 compacts: the overview shows 100 a page, each compact on exactly one, the summary counts all; page numbers out of range clamp; links keep the chosen language; a browser follows Next")
    func statusPagesPaginate() throws {
        let fixture = try HTTPLoopFixture()
        defer { fixture.remove() }
        // 230 more compacts beside the fixture's carson, each with one deadline.
        try fixture.addCompacts(230, id: { "city-\(String(format: "%03d", $0))" }) { id, n in
            """
            id = "\(id)"
            partner = "City \(n)"
            status = "active"
            notify = ["hook"]
            [[deadlines]]
            id = "report"
            title = "Annual report"
            due = 2031-06-30T09:00:00
            """
        }
        try fixture.start()
        let token = try String(contentsOfFile: fixture.stateDirectory + "/http-status.token", encoding: .utf8).trimmingWhitespace()
        func rows(_ body: String) -> [String] {
            body.components(separatedBy: "<tr data-compact=\"").dropFirst().map { String($0.prefix { $0 != "\"" }) }
        }
        var seen: [String] = []
        for (page, expected) in [(1, 100), (2, 100), (3, 31)] {
            let body = try fixture.curl(["\(fixture.base)/status/\(token)?page=\(page)"]).body
            #expect(rows(body).count == expected, "page \(page): \(rows(body).count)")
            seen += rows(body)
            #expect(body.contains("data-page=\"\(page)\" data-pages=\"3\""), "page \(page)")
            #expect(body.contains("data-total=\"231\""), "the summary counts every compact")
            let first = (page - 1) * 100 + 1
            #expect(body.contains("Compacts \(first)&ndash;\(first + expected - 1) of 231"), "page \(page)")
            #expect(body.contains("rel=\"prev\"") == (page > 1) && body.contains("rel=\"next\"") == (page < 3), "page \(page)")
        }
        #expect(seen.count == 231 && Set(seen).count == 231, "each compact on exactly one page")
        #expect(Set(seen).contains("carson") && Set(seen).contains("city-229"))
        for (asked, shown) in [("0", 1), ("-4", 1), ("99", 3), ("abc", 1), ("99999999999999999999999", 1)] {
            let body = try fixture.curl(["\(fixture.base)/status/\(token)?page=\(asked)"]).body
            #expect(body.contains("data-page=\"\(shown)\""), "page=\(asked)")
        }
        // English chosen over a Spanish browser: every link says so (without it, a link fell back to Spanish).
        let english = try fixture.curl(["-H", "Accept-Language: es", "\(fixture.base)/status/\(token)?lang=en&page=2"]).body
        #expect(english.contains("href=\"/status/\(token)?lang=en&amp;page=3\""), "next")
        #expect(english.contains("href=\"/status/\(token)/compact/carson?lang=en\"") || english.contains("/compact/city-099?lang=en\""), "a compact's link")
        #expect(english.contains("href=\"/status/\(token)?lang=es&amp;page=2\">En español"), "the other language, same page")
        let compactPage = try fixture.curl(["-H", "Accept-Language: es", "\(fixture.base)/status/\(token)/compact/city-001?lang=en"]).body
        #expect(compactPage.contains("href=\"/status/\(token)?lang=en\">All compacts"), "\(compactPage.prefix(400))")

        let browser = try ServerProcess.runScript("browser_click.py", ["\(fixture.base)/status/\(token)", "--follow", "a[rel=next]", "--screenshot", Self.artifacts + "/status-page-1.png", "--after", Self.artifacts + "/status-page-2.png"])
        #expect(browser.status == 0, "\(browser.output)")
        let seenByBrowser = try #require(try JSONSerialization.jsonObject(with: Data(browser.output.utf8)) as? [String: Any], "\(browser.output)")
        #expect((seenByBrowser["before"] as? String)?.contains("Compacts 1–100 of 231") == true, "\(seenByBrowser)")
        #expect((seenByBrowser["after"] as? String)?.contains("Compacts 101–200 of 231") == true, "\(seenByBrowser)")
        #expect((seenByBrowser["url_after"] as? String)?.hasSuffix("?lang=en&page=2") == true, "\(seenByBrowser)")
    }

    @Test("/metrics passes promtool check metrics and counts the delivery; /readyz is 503 while the store cannot be written and 200 after; /healthz answers")
    func operations() throws {
        let fixture = try HTTPLoopFixture()
        defer { fixture.remove() }
        try fixture.start()
        _ = try fixture.mails(atLeast: 1)
        #expect(try fixture.curl(["\(fixture.base)/healthz"]).status == 200)

        // The counters move as the deliveries are recorded: the mail and the city's webhook.
        _ = try fixture.webhookLinks()
        var metrics = ""
        for _ in 0..<100 {
            metrics = try fixture.curl(["\(fixture.base)/metrics"]).body
            if metrics.contains("compactd_outbox_rows{status=\"delivered\"} 2") { break }
            usleep(50_000)
        }
        #expect(metrics.contains("compactd_deliveries_total{channel=\"mail\",outcome=\"delivered\"} 1"), "\(metrics)")
        #expect(metrics.contains("compactd_deliveries_total{channel=\"hook\",outcome=\"delivered\"} 1"), "\(metrics)")
        #expect(metrics.contains("compactd_outbox_rows{status=\"delivered\"} 2"))
        #expect(metrics.contains("compactd_delivery_attempt_duration_seconds_count{channel=\"mail\"} 1"), "\(metrics)")
        #expect(metrics.contains("compactd_build_info{version=\"\(CompactdVersion.current)\"} 1"))
        // Made-up addresses, past the rate limit: refused, and no metric series of their own.
        var statuses: [Int] = []
        for n in 0..<25 { statuses.append(try fixture.curl(["\(fixture.base)/link/zzz-probe-\(n)/abc"]).status) }
        #expect(statuses.contains(429) && statuses.allSatisfy { $0 == 404 || $0 == 429 }, "\(statuses)")
        metrics = try fixture.curl(["\(fixture.base)/metrics"]).body
        #expect(!metrics.contains("zzz-probe") && metrics.contains("compactd_link_actions_total{action=\"unknown\",result=\"rate-limited\"}"), "\(metrics)")
        let file = fixture.directory.appendingPathComponent("metrics.txt").path
        try metrics.write(toFile: file, atomically: true, encoding: .utf8)
        let promtool = try CommandRunner.runProgram("/bin/sh", ["-c", "promtool check metrics < \"$0\"", file])
        #expect(promtool.status == 0, "promtool: \(promtool.stdout) \(promtool.stderr)")

        // Another process holds the write lock: not ready, with the reason; released: ready.
        let locker = Process()
        locker.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        locker.arguments = ["python3", "-c", "import sqlite3, sys; c = sqlite3.connect(sys.argv[1], isolation_level=None); c.execute('BEGIN EXCLUSIVE'); print('locked', flush=True); sys.stdin.read()", fixture.stateDirectory + "/compactd.sqlite"]
        let input = Pipe(), output = Pipe()
        locker.standardInput = input
        locker.standardOutput = output
        try locker.run()
        _ = output.fileHandleForReading.availableData   // "locked"
        let notReady = try fixture.curl(["\(fixture.base)/readyz"])
        #expect(notReady.status == 503 && notReady.body.contains("not ready"), "\(notReady)")
        try input.fileHandleForWriting.close()
        locker.waitUntilExit()
        #expect(try fixture.curl(["\(fixture.base)/readyz"]).status == 200)
    }

    @Test("stopping the daemon lets a link POST in flight finish: the person sees the result and the store holds it")
    func inFlightPostFinishes() throws {
        let fixture = try HTTPLoopFixture()
        defer { fixture.remove() }
        fixture.extraEnvironment = ["COMPACTD_TEST_LINK_POST_DELAY_MS": "1500"]
        try fixture.start()
        let mail = try #require(try fixture.mails(atLeast: 1).first)
        let done = try #require(try fixture.links(in: mail).text.first { $0.contains("/link/done/") })
        let client = Process()
        client.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        client.arguments = ["-s", "-S", "--max-time", "30", "-X", "POST", "-H", "Origin: \(fixture.base)", "-w", "\n%{http_code}", done]
        let output = Pipe()
        client.standardOutput = output
        try client.run()
        // The request has reached the handler (it says so), then SIGTERM, as systemctl stop sends.
        for _ in 0..<200 where !fixture.daemonLog.contains("link request") { usleep(20_000) }
        #expect(fixture.daemonLog.contains("link request"))
        let daemon = try #require(fixture.daemon)
        daemon.terminate()
        let answer = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        client.waitUntilExit()
        daemon.waitUntilExit()
        #expect(answer.hasSuffix("\n200") && answer.contains("Marked done. Thank you, Rocío Rivas."), "\(answer.suffix(300))")
        #expect(daemon.terminationStatus == 0, "\(fixture.daemonLog.suffix(2000))")
        #expect(try fixture.acknowledgments().first?[2] == "link")
    }

    @Test("stopping the daemon while the all-compacts calendar is read slowly: it stops without waiting for the reader, whose transfer is cut, not ended as if complete")
    func slowCalendarReaderDoesNotHoldTheStop() throws {
        let fixture = try HTTPLoopFixture()
        defer { fixture.remove() }
        // 1,000 more compacts with a monthly cycle (and no channel: nothing is sent for them):
        // a year's calendar of about 11 MB, more than the sockets' buffers hold, so its writing
        // is still under way while it is read slowly.
        try fixture.addCompacts(1_000, id: { "city-\($0)" }) { id, n in
            """
            id = "\(id)"
            partner = "City \(n)"
            status = "active"
            [[cycles]]
            id = "monthly"
            title = "Monthly check-in"
            calendar = "*-*-01 09:00"
            [[cycles.steps]]
            id = "check-in"
            title = "Check in with the city"
            due = "+3d"
            """
        }
        try fixture.start()
        let token = try String(contentsOfFile: fixture.stateDirectory + "/http-status.token", encoding: .utf8).trimmingWhitespace()
        let file = fixture.directory.appendingPathComponent("slow.ics").path
        let reader = Process()
        reader.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        reader.arguments = ["-s", "--max-time", "120", "--limit-rate", "20k", "-o", file, "\(fixture.base)/calendar/\(token)/all.ics"]
        try reader.run()
        // The calendar has begun to arrive: its writing is under way.
        for _ in 0..<400 where ((try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0) == 0 { usleep(50_000) }
        let daemon = try #require(fixture.daemon)
        daemon.terminate()
        daemon.waitUntilExit()
        reader.waitUntilExit()
        #expect(daemon.terminationStatus == 0, "\(fixture.daemonLog.suffix(2000))")
        // curl: 18, the transfer closed with data outstanding: cut by the daemon as it stopped,
        // not complete, and not 28, the reader's own limit (120 s), which a stop that waited
        // for the reader would have reached first.
        #expect(reader.terminationStatus == 18, "curl exited \(reader.terminationStatus)")
        let received = (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
        #expect(received.hasPrefix("BEGIN:VCALENDAR\r\n") && !received.contains("END:VCALENDAR"), "\(received.suffix(200))")
        #expect(fixture.daemonLog.contains("calendar cut"), "\(fixture.daemonLog.suffix(2000))")
    }

    @Test("the result page's Undo takes the acknowledgment back, once, by the same person")
    func undo() throws {
        let fixture = try HTTPLoopFixture()
        defer { fixture.remove() }
        try fixture.start()
        let mail = try #require(try fixture.mails(atLeast: 1).first)
        let done = try #require(try fixture.links(in: mail).text.first { $0.contains("/link/done/") })
        let result = try fixture.curl(["-X", "POST", "-H", "Origin: \(fixture.base)", done])
        #expect(result.status == 200 && result.body.contains("Marked done"))
        let pattern = try NSRegularExpression(pattern: "action=\"([^\"]+/link/undo-done/[A-Za-z0-9_-]+)\"")
        let match = try #require(pattern.firstMatch(in: result.body, range: NSRange(result.body.startIndex..., in: result.body)), "\(result.body)")
        let undo = String(result.body[Range(match.range(at: 1), in: result.body)!])
        #expect(try fixture.acknowledgments().count == 1)
        #expect(try fixture.curl([undo]).status == 200 && (try fixture.acknowledgments().count == 1), "a GET on undo changes nothing")
        let undone = try fixture.curl(["-X", "POST", "-H", "Origin: \(fixture.base)", undo])
        #expect(undone.status == 200 && undone.body.contains("Undone: the step is open again"), "\(undone.body.prefix(400))")
        #expect(try fixture.acknowledgments().isEmpty)
        let again = try fixture.curl(["-X", "POST", "-H", "Origin: \(fixture.base)", undo])
        #expect(again.body.contains("Nothing to undo"))
        let history = try CommandRunner.run("compactctl", ["history", "--kind", "unacknowledged", "-o", "json"], environment: fixture.environment)
        #expect(history.stdout.contains("Rocío Rivas") && history.stdout.contains("via link"), "\(history.stdout)")
    }

    @Test("a Spanish-speaking contact's links open the page in Spanish, whatever the browser says")
    func spanishLinks() throws {
        let fixture = try HTTPLoopFixture(language: "es")
        defer { fixture.remove() }
        try fixture.start()
        let mail = try #require(try fixture.mails(atLeast: 1).first)
        let links = try fixture.links(in: mail)
        let done = try #require(links.text.first { $0.contains("/link/done/") }, "\(links)")
        #expect(done.hasSuffix("?lang=es") && Set(links.html) == Set(links.text), "\(links)")
        let page = try fixture.curl(["-H", "Accept-Language: en-US", done])
        #expect(page.status == 200 && page.body.contains("¿Marcar este paso como hecho?") && page.body.contains("<html lang=\"es\">"), "\(page.body.prefix(500))")
        // The city's system gets no language (it has none): English.
        let hook = try fixture.webhookLinks()
        #expect((hook["mark_done"] as? String)?.contains("?lang=") == false, "\(hook)")
    }

    @Test("a client that trickles its request's head a byte at a time is cut off at the head deadline; a whole request is answered")
    func slowClientCutOff() throws {
        let fixture = try HTTPLoopFixture()
        defer { fixture.remove() }
        try fixture.start()
        let script = """
        import socket, sys, time
        port = int(sys.argv[1])
        s = socket.create_connection(("127.0.0.1", port))
        s.sendall(b"GET /healthz HTTP/1.1\\r\\nHost: x\\r\\n")
        start = time.monotonic()
        s.settimeout(0.5)
        closed = None
        while time.monotonic() - start < 40:
            try:
                s.sendall(b"X")
                if s.recv(4096) == b"":
                    closed = time.monotonic() - start
                    break
            except socket.timeout:
                continue
            except OSError:
                closed = time.monotonic() - start
                break
        print(f"{closed:.1f}" if closed is not None else "open")
        """
        let result = try CommandRunner.runProgram("/usr/bin/env", ["python3", "-c", script, "\(fixture.port)"])
        let seconds = try #require(Double(result.stdout.trimmingWhitespace()), "\(result.stdout) \(result.stderr)")
        // The head deadline is 10 s; the idle timeout (30 s) never fires, a byte comes every 0.5 s.
        #expect(seconds >= 9 && seconds < 15, "cut off after \(seconds) s")
        #expect(try fixture.curl(["\(fixture.base)/healthz"]).status == 200)
    }
}
