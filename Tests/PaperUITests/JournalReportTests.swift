import Foundation
import PaperDomain
import PaperKube
import Synchronization
import TestSupport
import Testing
@testable import PaperRuntime
@testable import PaperUI

/// The journal view's `w` (issue 28, item 4): the report of the incident on screen, written to a
/// new private file beside the journal, off the UI actor, its path (or why not) said in the view.
@Suite("Journal view: write the report")
struct JournalReportTests {
    /// A day's journal with an incident: the app crash-looping from 07:02:10, back to OK at 07:25.
    static let journalText = """
        # paperctl incident journal 2027-01-15

        - 2027-01-15T06:55:00Z session started: paperctl-tui dev, context demo, namespace paperless-ngx, actions allowed
        - 2027-01-15T06:55:01Z verdicts at start (context demo, namespace paperless-ngx): overall OK
          - pods: OK — Deployment paperless-ngx has 1/1 ready replicas
        - 2027-01-15T07:02:10Z pods: OK → CRIT — paperless-ngx-7d9f8c6b5d-x2x4q/paperless-ngx is in CrashLoopBackOff (3 restarts)
        - 2027-01-15T07:03:00Z note pasted by hand: PGPASSWORD=hunter2-PLANTED psql
        - 2027-01-15T07:25:00Z pods: CRIT → OK — Deployment paperless-ngx has 1/1 ready replicas

        """

    /// A private state directory with today's journal (and its path).
    static func stateDirectory(_ text: String = journalText) throws -> (dir: String, journal: JournalFile) {
        let dir = NSTemporaryDirectory() + "paperctl-report-\(UUID().uuidString)"
        let journal = JournalFile(environment: ["XDG_STATE_HOME": dir], now: Fixtures.now)
        try FileManager.default.createDirectory(atPath: "\(dir)/paperctl", withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try text.write(toFile: journal.path, atomically: true, encoding: .utf8)
        return (dir, journal)
    }

    @Test func theReportGoesBesideTheJournalPrivateNamedByTheIncidentsStartAndIsNeverReplaced() throws {
        let (dir, journal) = try Self.stateDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let first = ReportFile.write(journal: journal, now: Fixtures.now, version: "dev")
        let path = "\(dir)/paperctl/incident-20270115T070210Z.md"
        #expect(first == .written(path: path, rows: 3, unreadable: 0))
        #expect(first.text == "Report written to \(path) (3 timeline rows)")
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.hasPrefix("# Post-incident report: ___\n"))
        #expect(text.contains("| started_at | 2027-01-15T07:02:10Z |"))
        #expect(text.contains("| resolved_at | 2027-01-15T07:25:00Z |"))
        #expect(text.contains("Not read: not read from the dashboard (`paperctl-tui report` reads it)."))
        #expect(!text.contains("hunter2-PLANTED"))
        #expect(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int == 0o600)
        // A person may have filled the first one in: a second report of the same incident goes beside it.
        try "# Post-incident report: the database lost its volume\n".write(toFile: path, atomically: true, encoding: .utf8)
        let second = ReportFile.write(journal: journal, now: Fixtures.now, version: "dev")
        #expect(second == .written(path: "\(dir)/paperctl/incident-20270115T070210Z-2.md", rows: 3, unreadable: 0))
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "# Post-incident report: the database lost its volume\n")
        // The report command reads journal files only: the reports beside them are not taken for one.
        #expect(IncidentJournal.read(directory: "\(dir)/paperctl", since: nil, until: Fixtures.now).files == ["2027-01-15.md"])
    }

    @Test func aDirectoryThatCannotBeWrittenOrNoIncidentIsSaidAndNothingIsWritten() throws {
        // The journal's directory is a regular file.
        let dir = NSTemporaryDirectory() + "paperctl-report-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try "not a directory".write(toFile: "\(dir)/paperctl", atomically: true, encoding: .utf8)
        let blocked = ReportFile.write(journal: JournalFile(environment: ["XDG_STATE_HOME": dir], now: Fixtures.now), now: Fixtures.now, version: "dev")
        #expect(blocked == .failed("\(dir)/paperctl is not a directory (a symbolic link?); refused"))
        #expect(blocked.text.hasPrefix("Report NOT written: "))
        // No journal at all, and a journal without an incident.
        #expect(ReportFile.write(journal: JournalFile(environment: [:], now: Fixtures.now), now: Fixtures.now, version: "dev")
                    == .failed("no incident journal: neither HOME nor XDG_STATE_HOME is set to an absolute path, so there is no journal"))
        let (calm, journal) = try Self.stateDirectory(String(Self.journalText.prefix { $0 != "\n" }) + "\n\n- 2027-01-15T06:55:01Z verdicts at start (context demo, namespace paperless-ngx): overall OK\n  - pods: OK — fine\n")
        defer { try? FileManager.default.removeItem(atPath: calm) }
        let none = ReportFile.write(journal: journal, now: Fixtures.now, version: "dev")
        #expect(none == .failed("no incident in 2027-01-15.md: no verdict left OK; `paperctl-tui report --since TIME` reports a window anyway"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: "\(calm)/paperctl") == ["2027-01-15.md"])
    }

    @Test func wAsksForTheReportOnceAndTheViewSaysWhereItWent() {
        var s = ModeFixtures.state(for: .journal)
        #expect(update(&s, .key(.char("w"))) == [.writeReport])
        guard case .journal(let writing) = s.mode else { Issue.record("not in the journal view"); return }
        #expect(writing.report == .writing)
        #expect(render(s).text.contains("Writing the report of the newest incident…"))
        // A second w while it is written asks nothing more.
        #expect(update(&s, .key(.char("w"))).isEmpty)
        let outcome = ReportWriteOutcome.written(path: "/home/op/.local/state/paperctl/incident-20270115T070210Z.md", rows: 12, unreadable: 1)
        _ = update(&s, .reportWritten(outcome))
        let text = render(s).text
        #expect(text.contains("│ ✔ Report written (12 timeline rows; 1 journal line not read, named in it) to:"), "\(text)")
        #expect(text.contains("│ /home/op/.local/state/paperctl/incident-20270115T070210Z.md "), "the path on a line of its own: \(text)")
        #expect(s.notices.last == outcome.text)
        // Closed before the outcome came: the dashboard's notice line says it.
        var closed = ModeFixtures.state(for: .journal)
        _ = update(&closed, .key(.char("w")))
        _ = update(&closed, .key(.escape))
        _ = update(&closed, .reportWritten(.failed("cannot write /x/incident.md: Permission denied")))
        #expect(closed.mode == .dashboard)
        #expect(render(closed).text.contains("» Report NOT written: cannot write /x/incident.md: Permission denied"))
    }

    /// The report is written off the loop: while it takes its time, keys still answer.
    @Test func keysAnswerWhileTheReportIsWritten() async throws {
        let log = ServiceLog()
        let release = Atomic<Bool>(false)
        var fake = services(log)
        fake.writeReport = {
            while !release.load(ordering: .relaxed) { usleep(1000) }
            return .written(path: "/tmp/incident-20270115T070210Z.md", rows: 3, unreadable: 0)
        }
        let screen = FakeScreen()
        let (loop, task) = AppLoopTests.start(fake, screen: screen)
        loop.post(.tick)
        try await Wait.until("the data") { screen.text.contains("✖ CRIT") }
        screen.type(.char("J"))
        loop.post(.input)
        try await Wait.until("the journal view") { screen.text.contains("verdicts at start") }
        screen.type(.char("w"))
        loop.post(.input)
        try await Wait.until("the report being written") { screen.text.contains("Writing the report of the newest incident") }
        // Closed while the report is written: the dashboard answers at once.
        screen.type(.escape)
        loop.post(.input)
        try await Wait.until("the dashboard, while the report is still written") { screen.text.contains("[1] Pods") && !screen.text.contains("Incident journal") }
        release.store(true, ordering: .relaxed)
        try await Wait.until("the path in the notice line") { screen.text.contains("» Report written to /tmp/incident-20270115T070210Z.md (3 timeline rows)") }
        loop.post(.stop)
        _ = await task.value
    }

    /// The restore and backup subcommands keep their action commands where the dashboard keeps its own.
    @Test func theCLIRunnerKeepsItsActionCommandsInTheCommandLogBesideTheJournal() async throws {
        let dir = NSTemporaryDirectory() + "paperctl-cli-commands-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let base = FakeRunner { _ in .ok("job.batch/paperless-ngx-restore-1 created\n") }
        let runner = RecordingRunner.keepingCommandLog(base, environment: ["XDG_STATE_HOME": dir], clock: { Fixtures.now })
        _ = try await runner.run(KubectlCommand(arguments: ["get", "cronjob", "paperless-ngx-backup", "-o", "json"]))
        _ = try await runner.run(KubectlCommand(arguments: ["create", "-f", "-", "-n", "paperless-ngx"], logPolicy: .action(title: "Create restore Job paperless-ngx-restore-1"),
                                                stdin: Data("{\"password\":\"hunter2-PLANTED\"}".utf8)))
        let text = try String(contentsOfFile: "\(dir)/paperctl/2027-01-15.commands.jsonl", encoding: .utf8)
        let logged = try text.split(separator: "\n").map { try JSONDecoder().decode(LoggedCommand.self, from: Data($0.utf8)) }
        #expect(logged.map(\.command) == ["kubectl create -f - -n paperless-ngx"], "the read is not kept: \(text)")
        #expect(logged.first?.title == "Create restore Job paperless-ngx-restore-1")
        #expect(logged.first?.result == "job.batch/paperless-ngx-restore-1 created")
        #expect(!text.contains("hunter2-PLANTED"))
    }
}
