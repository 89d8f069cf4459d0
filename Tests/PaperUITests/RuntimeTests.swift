import Foundation
import PaperDomain
import PaperKube
import PaperRuntime
import Synchronization
import TestSupport
import Testing
@testable import PaperUI

// MARK: - Fakes

/// A terminal for the app loop: scripted keys in, frames out, thread-safe so the test can read it.
final class FakeScreen: TerminalScreen, Sendable {
    private struct Inner {
        var inputs: [ScreenInput] = []
        var frames = 0
        var last = ""
        var closed = false
        var width = 120
        var height = 35
    }

    private let inner = Mutex(Inner())

    var size: (width: Int, height: Int) { inner.withLock { ($0.width, $0.height) } }
    func readInputs() -> [ScreenInput] { inner.withLock { i in defer { i.inputs = [] }; return i.inputs } }
    func draw(_ buffer: ScreenBuffer) { inner.withLock { $0.frames += 1; $0.last = buffer.text } }
    func apply(_ theme: Theme) {}
    func invalidate() {}
    func close() { inner.withLock { $0.closed = true } }

    var text: String { inner.withLock { $0.last } }
    var closed: Bool { inner.withLock { $0.closed } }
    func type(_ keys: Key...) { inner.withLock { $0.inputs += keys.map { .key($0) } } }
}

/// Records what the services were asked to do.
final class ServiceLog: Sendable {
    let refreshes = Atomic<Int>(0)
    let actions = Mutex<[ActionPlan]>([])
    let journal = Mutex<[String]>([])
}

enum Wait {
    struct TimedOut: Error, CustomStringConvertible { var description: String }

    /// Polls `condition` until it holds; throws (failing the test) after `timeout` seconds.
    static func until(_ what: String, timeout: Double = 20, _ condition: () -> Bool) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        while !condition() {
            guard Date() < deadline else { throw TimedOut(description: "timed out after \(timeout) s waiting for \(what)") }
            try await Task.sleep(for: .milliseconds(10))
        }
    }
}

func services(_ log: ServiceLog, refresh: @escaping @Sendable () async -> Result<DashboardData, RefreshError> = { .success(Fixtures.dataWithFacts()) },
              lines: [String] = [], journalFails: String? = nil) -> Services {
    Services(
        refresh: {
            log.refreshes.add(1, ordering: .relaxed)
            return await refresh()
        },
        runAction: { plan in
            log.actions.withLock { $0.append(plan) }
            return ActionOutcome(plan: plan, succeeded: true, message: "job.batch/\(plan.objectName) created")
        },
        appendJournal: { text in
            log.journal.withLock { $0.append(text) }
            return journalFails
        },
        readJournal: { ["/tmp/journal.md", "", "- 2027-01-15T08:00:00Z verdicts at start"] },
        streamLogs: { _, deliver in
            deliver(lines)
            try? await Task.sleep(for: .seconds(3600))
            return "closed"
        },
        clock: { Fixtures.now },
        sleep: { _ in })
}

// MARK: - AppLoop

/// The app loop with a fake screen and fake services: keys answer while work runs, effects of
/// messages are carried out, long-running work reports back under its generation.
@Suite(.timeLimit(.minutes(1))) struct AppLoopTests {
    static func start(_ services: Services, screen: FakeScreen) -> (AppLoop, Task<AppState, Never>) {
        let loop = AppLoop(state: Fixtures.state(data: nil), themes: Theme.bundled, services: services)
        let task = Task { await loop.run(on: screen, tickInterval: 0) }
        return (loop, task)
    }

    @Test func keysAnswerWhileARefreshHangsAndQuitRestoresTheScreen() async throws {
        let log = ServiceLog()
        let screen = FakeScreen()
        let (loop, task) = Self.start(services(log, refresh: {
            try? await Task.sleep(for: .seconds(3600))
            return .failure(RefreshError(kind: .timeout, message: "cancelled"))
        }), screen: screen)
        try await Wait.until("the first frame") { screen.text.contains("[1] Pods") }
        loop.post(.tick)
        try await Wait.until("the refresh to start") { log.refreshes.load(ordering: .relaxed) == 1 }
        screen.type(.char("?"))
        loop.post(.input)
        try await Wait.until("the help overlay while the refresh hangs") { screen.text.contains("Keys (Esc closes)") }
        for _ in 0..<5 { loop.post(.tick) }
        screen.type(.escape, .char("q"))
        loop.post(.input)
        _ = await task.value
        #expect(screen.closed)
        #expect(log.refreshes.load(ordering: .relaxed) == 1, "ticks during a running refresh start no second one")
    }

    @Test func aKeyPressedBeforeTheDataWaitsForThemThenAConfirmedActionRunsAndReportsBack() async throws {
        let log = ServiceLog()
        let screen = FakeScreen()
        let gate = AsyncStream<Void>.makeStream()
        let (loop, task) = Self.start(services(log, refresh: {
            for await _ in gate.stream { break }
            return .success(Fixtures.dataWithFacts())
        }), screen: screen)
        try await Wait.until("the first frame") { screen.text.contains("loading") }
        loop.post(.tick)
        screen.type(.char("b"))
        loop.post(.input)
        try await Wait.until("the waiting notice") { screen.text.contains("waiting for the first data") }
        gate.continuation.yield()
        try await Wait.until("the dialog once the data arrived") { screen.text.contains("This will run exactly:") }
        screen.type(.char("y"))
        loop.post(.input)
        try await Wait.until("the outcome notice") { screen.text.contains("started job.batch/manual-backup-") }
        #expect(log.actions.withLock { $0.map(\.kind) } == [.fileBackup])
        // The journal is written off the loop, in order: wait for the outcome's entry.
        try await Wait.until("the outcome in the journal") { log.journal.withLock { $0 }.contains { $0.contains("result: ok") } }
        #expect(log.journal.withLock { $0 }.contains { $0.contains("action confirmed: Start a restic file backup") })
        loop.post(.stop)
        _ = await task.value
        #expect(screen.closed)
    }

    /// The journal says when a session began (which build, which cluster, whether it may act)
    /// and how it ended, around what happened in it.
    @Test func theJournalOpensWithTheSessionAndClosesWithHowItEnded() async throws {
        let log = ServiceLog()
        let screen = FakeScreen()
        let (loop, task) = Self.start(services(log), screen: screen)
        loop.post(.tick)
        try await Wait.until("the data") { screen.text.contains("✖ CRIT") }
        screen.type(.char("q"))
        loop.post(.input)
        _ = await task.value
        let journal = log.journal.withLock { $0 }
        #expect(journal.first?.contains("session started: paperctl-tui dev, context demo, namespace paperless-ngx, actions allowed") == true, "\(journal)")
        #expect(journal.dropFirst().first?.contains("verdicts at start") == true)
        #expect(journal.last?.contains("session ended: the operator quit (q)") == true, "\(journal)")
    }

    @Test func theJournalOverlayAndAFollowedLogComeBackAsMessages() async throws {
        let log = ServiceLog()
        let screen = FakeScreen()
        let (loop, task) = Self.start(services(log, lines: ["2027-01-15T08:00:00Z [ERROR] broker lost"]), screen: screen)
        loop.post(.tick)
        try await Wait.until("the data") { screen.text.contains("✖ CRIT") }
        screen.type(.char("J"))
        loop.post(.input)
        try await Wait.until("the journal overlay") { screen.text.contains("verdicts at start") }
        screen.type(.escape, .char("l"))
        loop.post(.input)
        try await Wait.until("the streamed line") { screen.text.contains("[ERROR] broker lost") }
        loop.post(.stop)
        _ = await task.value
    }
}

// MARK: - EffectRunner

@Suite struct EffectRunnerTests {
    /// The journal runs off the loop, in the order asked: the `J` overlay's read comes back as a
    /// message after the entries asked for before it were written.
    @Test func journalEntriesAreWrittenInOrderOffTheLoopAndTheReadComesAfterThem() async throws {
        let log = ServiceLog()
        let sent = Mutex<[(Msg, entriesThen: Int)]>([])
        let runner = EffectRunner(services: services(log)) { msg in
            let entries = log.journal.withLock { $0.count }
            sent.withLock { $0.append((msg, entries)) }
        }
        let quit = runner.run([.journal("first"), .journal("second"), .loadJournal, .quit]) { _ in [] }
        #expect(quit)
        try await Wait.until("the journal read") { sent.withLock { !$0.isEmpty } }
        let answer = try #require(sent.withLock { $0.first })
        #expect(answer.0 == .journalLoaded(["/tmp/journal.md", "", "- 2027-01-15T08:00:00Z verdicts at start"]))
        #expect(answer.entriesThen == 2, "the read waited for the entries before it")
        #expect(log.journal.withLock { $0 } == ["first", "second"])
    }

    /// A journal that cannot be written says so: a persistent notice in the footer.
    @Test func anUnwritableJournalIsAnnouncedInTheFooter() async throws {
        let log = ServiceLog()
        let screen = FakeScreen()
        let (loop, task) = AppLoopTests.start(services(log, journalFails: "cannot write /home/op/.local/state/paperctl/2027-01-15.md: No space left on device"), screen: screen)
        loop.post(.tick)
        try await Wait.until("the notice") { screen.text.contains("journal NOT written: cannot write") }
        loop.post(.stop)
        let final = await task.value
        #expect(final.journalProblem?.contains("No space left on device") == true)
    }
}

// MARK: - RecordingRunner, JournalFile, DashboardRefresher

@Suite struct RuntimeServiceTests {
    /// A kubectl that times out on `b`: the backup may have been created, so the outcome is
    /// unknown, never "done" nor a plain failure, and a refresh looks for the Job.
    @Test func aTimedOutActionIsReportedUnknownNotDoneAndARefreshLooks() async throws {
        var s = Fixtures.actionState()
        let plan = try #require(s.data.data?.actions?.planFileBackup(now: s.now).plan)
        let outcome = await ActionExecution.run(plan, runner: FakeRunner { _ throws(KubectlError) in throw .timeout(seconds: 10) })
        #expect(outcome.unknown && !outcome.succeeded && outcome.message.contains("it may have happened"))
        let effects = update(&s, .actionFinished(outcome, generation: 1, at: s.now))
        #expect(s.notices.last?.contains("outcome UNKNOWN") == true, "\(s.notices)")
        #expect(effects.contains { if case .journal(let t) = $0 { t.contains("result: unknown") } else { false } })
        #expect(effects.contains { if case .refresh = $0 { true } else { false } })
        #expect(s.tracked.isEmpty, "nothing is followed as if it had started")
    }
    @Test func everyCommandReachesTheCommandLogRedactedWithItsTitle() async throws {
        let records = Mutex<[CommandRecord]>([])
        let base = FakeRunner { c throws(KubectlError) in
            if c.arguments.contains("create") { return .ok("created") }
            throw .unreachable(detail: "dial tcp 10.0.0.1:443: i/o timeout")
        }
        let runner = RecordingRunner(base: base, clock: { Fixtures.now }) { r in records.withLock { $0.append(r) } }
        _ = try? await runner.run(KubectlCommand(arguments: ["get", "pods", "--token", "s3cr3t-token"]))
        _ = try await runner.run(KubectlCommand(arguments: ["create", "job", "x"], logPolicy: .action(title: "Start a restic file backup")))
        _ = await runner.follow(KubectlCommand(arguments: ["logs", "-f", "p"])) { _ in }
        let got = records.withLock { $0 }
        #expect(got.count == 4)
        #expect(got[0].commandLine.contains("(unreachable)") && !got[0].isAction)
        #expect(got.allSatisfy { !$0.commandLine.contains("s3cr3t-token") }, "\(got.map(\.commandLine))")
        #expect(got[1].isAction && got[1].title == "Start a restic file backup" && got[1].exitStatus == 0)
        // A stream is one line of the log: its records share an ID, the last says how it ended.
        #expect(got[2].streamID != nil && got[2].streamID == got[3].streamID)
        #expect(got[2].title == "open" && got[3].title == "ended")
        var state = AppState(width: 100, height: 30, context: "c", namespace: "n", now: Fixtures.now)
        for record in got { _ = update(&state, .commandRan(record)) }
        #expect(state.commandLog.count == 3, "the stream's two records are one line")
        #expect(state.commandLog.last?.title == "ended")
    }

    @Test func theJournalIsPrivateRedactedAndAppendedEntryByEntry() throws {
        let dir = NSTemporaryDirectory() + "paperctl-journal-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let journal = JournalFile(environment: ["XDG_STATE_HOME": dir], now: Fixtures.now)
        #expect(journal.path == "\(dir)/paperctl/2027-01-15.md")
        journal.append("- first: redis://:hunter2@paperless-ngx-redis:6379")
        journal.append("- second")
        let text = try String(contentsOfFile: journal.path, encoding: .utf8)
        #expect(text == "# paperctl incident journal 2027-01-15\n\n- first: redis://:***@paperless-ngx-redis:6379\n- second\n")
        let mode = try FileManager.default.attributesOfItem(atPath: journal.path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let dirMode = try FileManager.default.attributesOfItem(atPath: "\(dir)/paperctl")[.posixPermissions] as? Int
        #expect(dirMode == 0o700)
        #expect(journal.read().prefix(3) == [journal.path, "", "# paperctl incident journal 2027-01-15"])
    }

    @Test func aSymlinkedJournalIsRefusedAndItsTargetUntouched() throws {
        let dir = NSTemporaryDirectory() + "paperctl-journal-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: "\(dir)/paperctl", withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let victim = "\(dir)/victim"
        try "precious\n".write(toFile: victim, atomically: true, encoding: .utf8)
        let journal = JournalFile(environment: ["XDG_STATE_HOME": dir], now: Fixtures.now)
        try FileManager.default.createSymbolicLink(atPath: journal.path, withDestinationPath: victim)
        let reason = journal.append("- an entry")
        #expect(reason?.contains("symbolic link") == true, "\(reason ?? "written")")
        #expect(try String(contentsOfFile: victim, encoding: .utf8) == "precious\n")
        #expect(journal.lastFailure?.count == 1)
    }

    @Test func aJournalThatIsNotARegularFileIsRefused() throws {
        let dir = NSTemporaryDirectory() + "paperctl-journal-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let journal = JournalFile(environment: ["XDG_STATE_HOME": dir], now: Fixtures.now)
        try FileManager.default.createDirectory(atPath: journal.path, withIntermediateDirectories: true)
        #expect(journal.append("- an entry") != nil)
        #expect(journal.append("- another") != nil)
        #expect(journal.lastFailure?.count == 2, "the exit report says how many entries were lost")
    }

    @Test func aLooseDirectoryIsMadePrivateAndNoHomeMeansNoJournal() throws {
        let dir = NSTemporaryDirectory() + "paperctl-journal-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: "\(dir)/paperctl", withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        let journal = JournalFile(environment: ["XDG_STATE_HOME": dir], now: Fixtures.now)
        #expect(journal.append("- an entry") == nil)
        #expect(try FileManager.default.attributesOfItem(atPath: "\(dir)/paperctl")[.posixPermissions] as? Int == 0o700)
        let homeless = JournalFile(environment: ["PATH": "/usr/bin"], now: Fixtures.now)
        #expect(homeless.unavailable?.contains("HOME") == true)
        #expect(homeless.append("- an entry")?.contains("HOME") == true)
        #expect(!FileManager.default.fileExists(atPath: "/tmp/.local/state/paperctl/2027-01-15.md"))
    }

    @Test func journalEntriesAreRedactedCutAndTerminalSafe() throws {
        let dir = NSTemporaryDirectory() + "paperctl-journal-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let journal = JournalFile(environment: ["XDG_STATE_HOME": dir], now: Fixtures.now)
        var s = Fixtures.state(data: nil)
        var data = Fixtures.data()
        if let i = data.checks.firstIndex(where: { $0.id == .fileBackups }) {
            data.checks[i] = CheckResult(id: .fileBackups, verdict: .critical, reason: Fixtures.hostile + " token=abc" + String(repeating: "x", count: 40_000))
        }
        for case .journal(let text) in update(&s, .refreshed(.success(data), at: Fixtures.now)) { journal.append(text) }
        let text = try String(contentsOfFile: journal.path, encoding: .utf8)
        #expect(!text.unicodeScalars.contains { $0 != "\n" && TerminalText.isControl($0.value) }, "a raw control byte in the journal")
        let line = try #require(text.split(separator: "\n").first { $0.contains("file-backups") })
        #expect(line.hasPrefix(#"  - file-backups: CRIT — drill passed\u{1B}]0;pwned\u{7}\u{1B}]52;c;Y3VybCBldmlsLnNoIHwgc2g=\u{7}\u{9B}2J\u{1B}[31m 日本語の記録 \u{202E}fdp.exe\u{1B}[0m end token=*** … [cut "#), "\(line.prefix(300))")
        #expect(line.utf8.count < Redactor.lineLimit + 64, "the 40 KB message is cut, the cut marked")
    }

    static let served = "pods\njobs.batch\ncronjobs.batch\nclusters.postgresql.cnpg.io\nbackups.postgresql.cnpg.io\nexternalsecrets.external-secrets.io\n"

    @Test func aRefreshJudgesTheSnapshotAndKeepsTheTypedFactsForTheActions() async throws {
        let dir = NSTemporaryDirectory() + "paperctl-refresh-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let runner = FakeRunner { c throws(KubectlError) in
            let a = c.arguments
            if a.contains("api-resources") { return .ok(Self.served) }
            if a.contains("get"), a.contains("json") {
                return .ok(Objects.list([Objects.cronJob, Objects.cluster(.plugin), Objects.job("manual-backup-7", status: Objects.running),
                                         Objects.externalSecret("paperless-ngx-restic")]))
            }
            return .failure("error: the server could not find the requested resource")
        }
        let refresher = DashboardRefresher(runner: runner, config: PaperConfig(), target: Fixtures.target, discovery: DiscoveryCache(directory: dir), clock: { Fixtures.now })
        let data = try (await refresher.refresh()).get()
        let facts = try #require(data.actions)
        #expect(facts.jobs.map(\.metadata.name) == ["manual-backup-7"])
        #expect(facts.externalSecrets.map(\.metadata.name) == ["paperless-ngx-restic"])
        #expect(data.facts[.secrets]?.compactMap(\.subject) == [.externalSecret("paperless-ngx-restic")])
        #expect(facts.planFileBackup(now: Fixtures.now).plan == nil, "the running Job refuses a second backup")
        #expect(data.checks.count == CheckID.allCases.count)
    }

    @Test(arguments: [(KubectlError.unauthorized(detail: "You must be logged in to the server (Unauthorized)"), RefreshError.Kind.unauthorized),
                      (.unreachable(detail: "connection refused"), .unreachable), (.timeout(seconds: 10), .timeout)])
    func aRefreshThatReadNothingIsAFailureWithItsKind(error: KubectlError, kind: RefreshError.Kind) async {
        let dir = NSTemporaryDirectory() + "paperctl-refresh-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let runner = FakeRunner { c throws(KubectlError) in
            if c.arguments.contains("api-resources") { return .ok(Self.served) }
            throw error
        }
        let refresher = DashboardRefresher(runner: runner, config: PaperConfig(), target: Fixtures.target, discovery: DiscoveryCache(directory: dir), clock: { Fixtures.now })
        guard case .failure(let failure) = await refresher.refresh() else { Issue.record("a refresh that read nothing succeeded"); return }
        #expect(failure.kind == kind)
    }
}
