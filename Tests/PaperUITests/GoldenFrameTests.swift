import Foundation
import PaperDomain
import Testing
@testable import PaperUI

/// Whole frames of every mode at 80×24 and 200×60, compared cell by cell (character and role)
/// with the text files in `Golden/`.
///
/// To update them after an intended change of the screen, run
/// `PAPERCTL_RECORD_GOLDEN=1 swift test --filter GoldenFrameTests`, read the diff of
/// `Tests/PaperUITests/Golden/` and commit it. A missing file is never recorded silently: the
/// test fails until it is recorded on purpose.
@Suite struct GoldenFrameTests {
    struct Frame: Sendable, CustomTestStringConvertible {
        var name: String
        var width: Int
        var height: Int
        var testDescription: String { "\(name) \(width)x\(height)" }
    }

    /// One state per mode (and the dashboard's loading and stale states).
    static func state(_ name: String, width: Int, height: Int) -> AppState {
        var s: AppState
        switch name {
        case "dashboard-loading":
            s = Fixtures.state(data: nil)
        case "dashboard-stale":
            s = Fixtures.actionState()
            s.data = .stale(Fixtures.dataWithFacts(), RefreshError(kind: .unreachable, message: "dial tcp 10.0.0.1:6443: connect: connection refused"))
            s.backoff = 20
        case "dashboard-hostile":
            // Text from the cluster with terminal escapes (title, OSC 52 clipboard, C1 CSI, a
            // right-to-left override) and wide characters; a proxy password in kubectl's stderr;
            // a journal that cannot be written. Nothing moves the layout, nothing reaches the terminal raw.
            var data = Fixtures.dataWithFacts()
            if let i = data.checks.firstIndex(where: { $0.id == .fileBackups }) {
                data.checks[i] = CheckResult(id: .fileBackups, verdict: .critical, reason: Fixtures.hostile, evidence: [Fixtures.hostile])
            }
            s = Fixtures.state(data: nil)
            s.data = .stale(data, RefreshError(kind: .unreachable, message: "proxyconnect tcp: dial http://ops:hunter2@proxy.corp:3128: i/o timeout"))
            s.backoff = 20
            s.journalProblem = "/home/op/.local/state/paperctl/2027-01-15.md is a symbolic link; refused"
        case "dashboard-production":
            s = Fixtures.state(data: Fixtures.dataWithFacts(), context: "do-nyc3-prod")
        case "dashboard-live", "dashboard-polling":
            // Watching through the proxy, or polling with kubectl because the proxy is down.
            var data = Fixtures.dataWithFacts()
            data.feed = name == "dashboard-live" ? .live(watches: 15)
                : .down(reason: "kubectl proxy exited: error: unable to listen on the unix socket", retryAt: Fixtures.now + 8)
            s = Fixtures.state(data: data)
        case "commandLog-proxy":
            // Polled reads, proxied raw reads, and streams as one line each with their counts.
            s = Fixtures.state(data: Fixtures.dataWithFacts())
            let records = [
                CommandRecord(startedAt: Fixtures.now - 30, duration: 0.21, commandLine: "kubectl --namespace paperless-ngx get pods,jobs.batch -o json", exitStatus: 0, isAction: false),
                CommandRecord(startedAt: Fixtures.now - 29, duration: 0, commandLine: "kubectl proxy --unix-socket /run/user/1000/paperctl/proxy-Ab12Cd/kube.sock --reject-methods POST,PUT,PATCH,DELETE",
                              exitStatus: nil, isAction: false, title: "open", streamID: 1, lines: 1),
                CommandRecord(startedAt: Fixtures.now - 28, duration: 0.004, commandLine: "kubectl get --raw /apis/batch/v1/namespaces/paperless-ngx/jobs", exitStatus: 0, isAction: false, viaProxy: true),
                CommandRecord(startedAt: Fixtures.now - 28, duration: 28, commandLine: "kubectl get --raw '/apis/batch/v1/namespaces/paperless-ngx/jobs?watch=1&allowWatchBookmarks=true&resourceVersion=1065'",
                              exitStatus: nil, isAction: false, title: "open", streamID: 2, lines: 12, viaProxy: true),
                CommandRecord(startedAt: Fixtures.now - 27, duration: 27, commandLine: "kubectl get --raw '/api/v1/namespaces/paperless-ngx/pods/paperless-ngx-7d9f8c6b5d-x2x4q/log?container=paperless-ngx&follow=true'",
                              exitStatus: nil, isAction: false, title: "ended", streamID: 3, lines: 4180, viaProxy: true),
            ] + (0..<3).flatMap { i in [
                CommandRecord(startedAt: Fixtures.now - 15 + Double(i * 5), duration: 0.003, commandLine: "kubectl get --raw /api/v1/nodes/sim-node-1/proxy/stats/summary",
                              exitStatus: 0, isAction: false, viaProxy: true),
                CommandRecord(startedAt: Fixtures.now - 15 + Double(i * 5), duration: 0.002, commandLine: "kubectl get --raw /version", exitStatus: 0, isAction: false, viaProxy: true),
            ] }
            var fallback = CommandRecord(startedAt: Fixtures.now - 2, duration: 26,
                                         commandLine: "live updates off, polling with kubectl until the proxy restarts in 1 s: reads through kubectl proxy failed: "
                                             + "cluster unreachable: kubectl proxy at /run/user/1000/paperctl/proxy-Ab12Cd/kube.sock: the connection broke (connection reset by peer)",
                                         exitStatus: nil, isAction: false)
            fallback.note = "POLLING"
            for record in records + [fallback] { _ = update(&s, .commandRan(record)) }
            s.stack = [.commandLog(CommandLogState())]
        case "logs-paused":
            // A search from the tail on its newest match, then lines arriving while it holds.
            s = LogViewTests.searched()
            _ = update(&s, .logLines(generation: s.logView?.generation ?? 0, (50..<57).map { "ok \($0)" }))
        case "commandLog-action":
            // The shared flags once in the header, an action naming what it created, shown in full.
            s = CommandLogTests.state()
            _ = update(&s, .key(.enter))
        case "object-uncached":
            // A Job whose log is being read with its manifest.
            s = ObjectFixtures.dashboard(cached: false)
            _ = update(&s, .key(.enter))
        case "restore-choose":
            s = RestoreWizardTests.open()
        case "restore-timeline", "restore-dbPlan":
            // The database path, with times in UTC and in the operator's zone.
            s = RestoreWizardTests.open()
            s.timeZone = TimeZone(identifier: "Europe/Berlin") ?? s.timeZone
            _ = update(&s, .key(.down))
            if let read = WizardFixtures.task(update(&s, .key(.enter))), let timeline = try? DatabaseWizardTests.timeline() {
                _ = update(&s, .restoreFinished(generation: read.generation, .timeline(.timeline(timeline))))
            }
            if name == "restore-dbPlan", let dry = WizardFixtures.task(update(&s, .key(.enter))) {
                _ = update(&s, .restoreFinished(generation: dry.generation, .dryRun(.done("accepted by the API server (kubectl create --dry-run=server)"))))
            }
        case "restore-nsError", "restore-timeError":
            // A prompt's refusal: beside the prompt, the typed text kept (a mistyped namespace at
            // the new cluster's confirmation; a point outside the window).
            s = RestoreWizardTests.open()
            s.timeZone = TimeZone(identifier: "Europe/Berlin") ?? s.timeZone
            _ = update(&s, .key(.down))
            if let read = WizardFixtures.task(update(&s, .key(.enter))), let timeline = try? DatabaseWizardTests.timeline() {
                _ = update(&s, .restoreFinished(generation: read.generation, .timeline(.timeline(timeline))))
            }
            if name == "restore-timeError" {
                _ = update(&s, .key(.down))
                _ = update(&s, .key(.enter))
                for c in "-60d" { _ = update(&s, .key(.char(c))) }
                _ = update(&s, .key(.enter))
            } else if let dry = WizardFixtures.task(update(&s, .key(.enter))) {
                _ = update(&s, .restoreFinished(generation: dry.generation, .dryRun(.done("accepted by the API server (kubectl create --dry-run=server)"))))
                _ = update(&s, .key(.char("y")))
                for c in "paperless-ngz" { _ = update(&s, .key(.char(c))) }
                _ = update(&s, .key(.enter))
            }
        case "restore-readOnly":
            // Plan-only: the database plan reached with reads alone, y refused naming what it would create.
            var data = Fixtures.dataWithFacts(WizardFixtures.facts())
            data.actions = WizardFixtures.facts()
            s = Fixtures.state(data: data)
            s.readOnly = true
            s.timeZone = TimeZone(identifier: "Europe/Berlin") ?? s.timeZone
            _ = update(&s, .key(.char("R")))
            _ = update(&s, .key(.down))
            if let read = WizardFixtures.task(update(&s, .key(.enter))), let timeline = try? DatabaseWizardTests.timeline() {
                _ = update(&s, .restoreFinished(generation: read.generation, .timeline(.timeline(timeline))))
            }
            _ = update(&s, .key(.enter))
            _ = update(&s, .key(.char("y")))
        case "restore-browse", "restore-browse-missing", "restore-done-files":
            // The snapshot browser with dates and what is missing live; a file restore's Done screen.
            s = RestoreWhatNextTests.goldenState(name)
        case "restore-dbDrill":
            // The database drill, passed, its scratch cluster still there.
            s = RestoreWizardTests.open()
            for _ in 0..<4 { _ = update(&s, .key(.down)) }
            if let read = WizardFixtures.task(update(&s, .key(.enter))), let timeline = try? DatabaseWizardTests.timeline(),
               let dry = WizardFixtures.task(update(&s, .restoreFinished(generation: read.generation, .timeline(.timeline(timeline))))) {
                _ = update(&s, .restoreFinished(generation: dry.generation, .dryRun(.done("accepted by the API server (kubectl create --dry-run=server)"))))
                if let drill = WizardFixtures.task(update(&s, .key(.char("y")))), case .dbDrill(let plan) = drill.task {
                    let result = DatabaseDrillResult(cluster: plan.name, outcome: .done("\(plan.name) is healthy: Cluster in healthy state"), rtoSeconds: 187, recoveredTo: plan.recoveredTo)
                    _ = update(&s, .restoreFinished(generation: drill.generation, .dbDrilled(result)))
                }
            }
        case "restore-preflight", "restore-scope", "restore-target":
            // The files path: the checklist, the choice of what inside the snapshot, where to.
            s = RestoreWizardTests.open()
            let presses = ["restore-preflight": 1, "restore-scope": 3, "restore-target": 4][name] ?? 0
            for _ in 0..<presses { RestoreWizardTests.press(&s, .enter, answer: RestoreWizardTests.healthy) }
        case "restore-running", "restore-failed":
            // An in-place restore at step 2 of its plan; then its restore step failed, with the way back.
            s = RestoreWizardTests.inPlaceAt(step: name == "restore-running" ? 1 : 3)
            if name == "restore-failed", let w = WizardFixtures.wizard(s), let generation = w.taskGeneration {
                let failure = RestoreExecutor.Outcome.failed("Job failed; restic: repository locked")
                _ = update(&s, .restorePlanEvent(generation: generation, .stepEnded(3, failure)))
                _ = update(&s, .restoreFinished(generation: generation, .plan(.stopped(at: 3, outcome: failure, recovery: w.recovery))))
            }
        case "journal-written", "journal-reportFailed":
            // The journal view after w: where the report went, or why it did not.
            s = ModeFixtures.state(for: .journal)
            _ = update(&s, .key(.char("w")))
            let path = "/home/op/.local/state/paperctl/incident-20270115T070210Z.md"
            _ = update(&s, .reportWritten(name == "journal-written" ? .written(path: path, rows: 23, unreadable: 1) : .failed("cannot write \(path): Permission denied")))
        default:
            s = ModeFixtures.state(for: KeyScope(rawValue: name) ?? .dashboard)
        }
        _ = update(&s, .resize(width: width, height: height))
        return s
    }

    static let names = ["dashboard", "dashboard-loading", "dashboard-stale", "dashboard-hostile", "dashboard-production", "dashboard-live", "dashboard-polling", "commandLog-proxy", "commandLog-action", "logs-paused", "object-uncached", "restore-choose", "restore-timeline", "restore-dbPlan", "restore-dbDrill",
                                "restore-nsError", "restore-timeError", "restore-readOnly", "restore-browse", "restore-browse-missing", "restore-done-files",
                                "restore-preflight", "restore-scope", "restore-target", "restore-running", "restore-failed", "journal-written", "journal-reportFailed"]
        + KeyScope.allCases.filter { $0 != .everywhere && $0 != .dashboard }.map(\.rawValue)
    static let frames = names.flatMap { n in [Frame(name: n, width: 80, height: 24), Frame(name: n, width: 200, height: 60)] }

    static let roleLetters: [Role: Character] = [
        .text: "t", .muted: "m", .border: "b", .focus: "f", .title: "T", .header: "h", .selection: "s",
        .ok: "o", .warn: "w", .critical: "c", .unknown: "u", .keyHint: "k", .logError: "E", .logWarn: "W", .banner: "B", .production: "P",
    ]

    /// The frame as a golden file: the characters, a separator, then one role letter per cell.
    static func encode(_ b: ScreenBuffer) -> String {
        let roles = (0..<b.height).map { y in String((0..<b.width).map { x in roleLetters[b[x, y].role] ?? "?" }) }
        return b.lines.joined(separator: "\n") + "\n--- roles ---\n" + roles.joined(separator: "\n") + "\n"
    }

    static func path(_ f: Frame) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden/\(f.name)-\(f.width)x\(f.height).txt").path
    }

    @Test(arguments: frames)
    func everyModeMatchesItsGoldenFrame(frame: Frame) throws {
        let buffer = render(Self.state(frame.name, width: frame.width, height: frame.height))
        try Self.compare(buffer, frame)
    }

    // MARK: The first screen of each incident

    /// The check results `paperctl-tui check --json` printed against the simulator's scenario
    /// (Golden/scenarios/NAME.json, the kubeconfig replaced by `--context demo`), with the typed
    /// facts the keys act on.
    static func scenario(_ name: String, width: Int, height: Int) throws -> AppState {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden/scenarios/\(name).json")
        let checks = try JSONDecoder().decode([CheckResult].self, from: Data(contentsOf: url))
        var data = DashboardData(checks: checks, takenAt: Fixtures.now - 3, actions: Fixtures.facts(), logSources: Fixtures.logSources)
        data.facts = [:]
        var s = Fixtures.state(data: nil)
        _ = update(&s, .refreshed(.success(data), at: Fixtures.now))
        s.nextRefreshAt = Fixtures.now + 2
        _ = update(&s, .resize(width: width, height: height))
        return s
    }

    static let scenarios = ["restic-locked", "restic-wrong-password", "redis-errors", "db-backup-failing", "secret-sync-failing"]
    static let scenarioFrames = scenarios.flatMap { n in [(80, 22), (80, 24), (120, 35), (70, 20)].map { Frame(name: "scenario-\(n)", width: $0.0, height: $0.1) } }

    /// At the sizes on-call uses, the first screen says what is wrong, why and what now, without
    /// scrolling: the worst check's cause, its next step and its key are on screen.
    @Test(arguments: scenarioFrames)
    func theFirstScreenShowsTheWorstCauseNextStepAndKey(frame: Frame) throws {
        let state = try Self.scenario(String(frame.name.dropFirst("scenario-".count)), width: frame.width, height: frame.height)
        let buffer = render(state)
        let text = buffer.lines.joined(separator: "\n")
        let data = try #require(state.data.data)
        let (worst, remedy) = try #require(Remedy.worst(data))
        if let cause = worst.cause { #expect(text.contains("cause: \(cause.kind)"), "\(frame.testDescription): no cause\n\(text)") }
        #expect(text.contains("next step: "), "\(frame.testDescription): no next step\n\(text)")
        // The key that acts on the cause; without one (the object store's credentials), the command naming the Secret.
        #expect(text.contains(remedy.key == "Enter" ? "Enter: details; run: " : "\(remedy.key): "), "\(frame.testDescription): no key row\n\(text)")
        #expect(state.dashboard.focus == PanelID.allCases.first { $0.checks.contains(worst.id) }, "the focus starts on the worst panel")
        try Self.compare(buffer, frame)
    }

    static func compare(_ buffer: ScreenBuffer, _ frame: Frame) throws {
        let actual = Self.encode(buffer)
        let path = Self.path(frame)
        if ProcessInfo.processInfo.environment["PAPERCTL_RECORD_GOLDEN"] == "1" {
            try actual.write(toFile: path, atomically: true, encoding: .utf8)
            return
        }
        guard let expected = try? String(contentsOfFile: path, encoding: .utf8) else {
            Issue.record("no golden frame at \(path); record it with PAPERCTL_RECORD_GOLDEN=1")
            return
        }
        let e = expected.split(separator: "\n", omittingEmptySubsequences: false).map { Array($0) }
        let a = actual.split(separator: "\n", omittingEmptySubsequences: false).map { Array($0) }
        #expect(e.count == a.count, "\(frame.testDescription): \(a.count) lines, golden has \(e.count)")
        for y in 0..<min(e.count, a.count) where e[y] != a[y] {
            let x = zip(e[y], a[y]).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(e[y].count, a[y].count)
            let layer = y <= frame.height ? "character" : "role"
            let row = y <= frame.height ? y : y - frame.height - 1
            Issue.record("\(frame.testDescription): \(layer) at column \(x), row \(row) differs\n--- expected\n\(String(e[y]))\n--- actual\n\(String(a[y]))\n--- whole frame\n\(buffer.lines.joined(separator: "\n"))")
            return
        }
    }

    @Test func everyModeOfTheStackHasAGoldenFrame() {
        // Adding a mode without a golden frame fails here: the names cover every key scope but `everywhere`.
        let scopes = Set(KeyScope.allCases.map(\.rawValue)).subtracting(["everywhere"])
        #expect(scopes.isSubset(of: Set(Self.names)))
    }
}
