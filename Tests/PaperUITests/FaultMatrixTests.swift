import Foundation
import PaperDomain
import PaperKube
import PaperRuntime
import Synchronization
import TestSupport
import Testing
@testable import PaperUI

// MARK: - The fault matrix, in process

/// What a kubectl can do wrong. `hang` never answers until the test plays the watchdog
/// (`release`), then fails as the real runner's watchdog makes it fail: a timeout.
enum KubectlFault: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case hang, garbage, exit1, missing
    var testDescription: String { rawValue }
}

/// A kubectl runner (and streamer) that answers like a healthy cluster until the test switches a
/// fault on; from then on every call, the running ones included, meets the fault.
final class FaultRunner: CommandRunning, CommandStreaming, Sendable {
    private struct Inner {
        var fault: KubectlFault?
        var released = false
        var hanging = 0
    }

    private let inner = Mutex(Inner())

    /// Unexpected stderr: not one of kubectl's usual messages.
    static let oddStderr = "panic: runtime error: invalid memory address or nil pointer dereference\n[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x1a2b3c]"
    /// A list cut off in the middle of an object.
    static let truncated = #"{"apiVersion":"v1","kind":"List","items":[{"apiVersion":"v1","kind":"Pod","metadata":{"name":"paperless-ngx-7d9f8c6b5d-x2x4q","namesp"#

    var fault: KubectlFault? { inner.withLock { $0.fault } }
    func set(_ fault: KubectlFault?) { inner.withLock { $0.fault = fault } }
    /// Calls hanging right now.
    var hanging: Int { inner.withLock { $0.hanging } }
    /// The watchdog: every hanging call ends (as a timeout), and later ones do too.
    func release() { inner.withLock { $0.released = true } }

    private func hang() async {
        inner.withLock { $0.hanging += 1 }
        defer { inner.withLock { $0.hanging -= 1 } }
        while !Task.isCancelled && !inner.withLock({ $0.released }) { try? await Task.sleep(for: .milliseconds(5)) }
    }

    func run(_ command: KubectlCommand) async throws(KubectlError) -> CommandOutput {
        switch fault {
        case nil: return Self.healthy(command)
        case .hang:
            await hang()
            throw .timeout(seconds: 10)
        case .garbage: return .ok(Self.truncated)
        case .exit1: return .failure(Self.oddStderr)
        case .missing: throw .notInstalled(searched: ["PATH:/usr/local/bin", "PATH:/usr/bin"])
        }
    }

    /// A restore Job or recovery cluster that runs and never finishes (the step stays running).
    static func healthy(_ command: KubectlCommand) -> CommandOutput {
        let a = command.arguments
        if a.contains("can-i") { return .ok("yes") }  // before create: `auth can-i create secrets`
        if a.contains("create") { return .ok("created") }
        // The live <cluster>-app Secret the credentials copy reads (no initdb owner in the fixture: CNPG's default, app).
        if a.contains("secrets") { return .ok(#"{"apiVersion":"v1","kind":"Secret","type":"kubernetes.io/basic-auth","data":{"username":"YXBw","password":"cGFzcw=="}}"#) }
        if a.contains("logs") { return .ok("restoring…") }
        if let i = a.firstIndex(of: "jobs.batch"), i + 1 < a.count { return .ok(Objects.job(a[i + 1], status: Objects.running)) }
        if let i = a.firstIndex(of: ResourceKind.cnpgCluster.qualifiedName), i + 1 < a.count {
            return .ok(#"{"apiVersion":"postgresql.cnpg.io/v1","kind":"Cluster","metadata":{"name":"\#(a[i + 1])"},"spec":{"instances":1},"status":{"phase":"Setting up primary"}}"#)
        }
        return .ok(Objects.list([]))
    }

    func follow(_ command: KubectlCommand, deliver: @escaping @Sendable ([String]) -> Void) async -> FollowEnd {
        if fault == nil {
            deliver(["2027-01-15T08:00:00Z [INFO] healthy line one"])
            while fault == nil && !Task.isCancelled { try? await Task.sleep(for: .milliseconds(5)) }
        }
        if Task.isCancelled { return .cancelled }
        switch fault {
        case nil, .hang:
            await hang()
            return Task.isCancelled ? .cancelled : .failed(.unreachable(detail: "read tcp 10.0.0.5:51234->10.0.0.1:443: read: connection timed out"))
        case .garbage:
            deliver([#"{"ts":"2027-01-15T08:00:01Z","msg":"trunc"#])
            return .ended
        case .exit1: return .failed(KubectlErrorClassifier.classify(stderr: Self.oddStderr, exitStatus: 1))
        case .missing: return .failed(.notInstalled(searched: ["PATH:/usr/local/bin", "PATH:/usr/bin"]))
        }
    }
}

/// A clock the test moves: every tick is two minutes later, so a refresh (or a retry after the
/// backoff) is always due.
final class TestClock: Sendable {
    private let t = Mutex(Fixtures.now)
    func now() -> Double { t.withLock { $0 } }
    func advance(_ seconds: Double) { t.withLock { $0 += seconds } }
}

/// One mode of the matrix: how to reach it (healthy), what to press once the fault is on (the
/// mode's own kubectl work), a key that visibly answers and its undo, and how to quit from it.
struct FaultMode: Sendable, CustomTestStringConvertible {
    struct Step: Sendable {
        var keys: [Key]
        var until: @Sendable (String) -> Bool
    }

    var name: String
    var reach: [Step]
    var underFault: [Step] = []
    var probe: Step
    var undo: Step
    var quit: [Key]
    /// A restore that is running: it must never be reported finished while its reads fail.
    var restoreRunning = false
    /// What the mode itself says about its own kubectl work failing (besides the banner): one of these.
    var own: [String] = []
    var testDescription: String { name }

    static func has(_ texts: String...) -> @Sendable (String) -> Bool { { s in texts.allSatisfy { s.contains($0) } } }
    static func lacks(_ text: String) -> @Sendable (String) -> Bool { { !$0.contains(text) } }
    static func step(_ keys: Key..., until: @escaping @Sendable (String) -> Bool) -> Step { Step(keys: keys, until: until) }

    static let help = step(.char("?"), until: has("Keys (Esc closes)"))
    static func closeHelp(_ back: String) -> Step { step(.escape, until: { !$0.contains("Keys (Esc closes)") && $0.contains(back) }) }
    /// R, files, the preflight, the listing, scope, target, plan: each waits for its step's answer.
    static let toPreflight = [step(.char("R"), until: has("step 1/7: What")), step(.enter, until: has("step 2/7: Preflight", "RBAC"))]
    static let toPlan = toPreflight + [step(.enter, until: has("step 3/7: Snapshot", "1a2b3c4d")), step(.enter, until: has("step 4/7: Scope")),
                                       step(.enter, until: has("step 5/7: Target")), step(.enter, until: has("step 6/7: Plan", "Nothing has run yet"))]
    static let toDatabase = [step(.char("R"), until: has("step 1/7: What")), step(.down, until: has("step 1/4: What"))]
    static let toNewCluster = toDatabase + [step(.enter, until: has("step 2/4: Restore point", "latest"))]

    static func wizard(_ name: String, reach: [Step], underFault: [Step] = [], marker: String, running: Bool = false, own: [String] = []) -> FaultMode {
        FaultMode(name: name, reach: reach, underFault: underFault, probe: help, undo: closeHelp(marker),
                  quit: running ? [.ctrlC, .ctrlC] : [.ctrlC], restoreRunning: running, own: own)
    }

    static let all: [FaultMode] = [
        FaultMode(name: "dashboard", reach: [], probe: help, undo: closeHelp("[1] Pods"), quit: [.char("q")]),
        FaultMode(name: "detail", reach: [step(.enter, until: has("details (Esc back)"))], probe: help, undo: closeHelp("details (Esc back)"), quit: [.char("q"), .char("q")]),
        FaultMode(name: "filter", reach: [step(.char("/"), until: has("filter: _"))], probe: step(.char("z"), .char("z"), until: has("filter: zz_")),
                  undo: step(.backspace, .backspace, until: has("filter: _")), quit: [.escape, .char("q")]),
        FaultMode(name: "help", reach: [help], probe: step(.escape, until: lacks("Keys (Esc closes)")), undo: help, quit: [.char("q"), .char("q")]),
        FaultMode(name: "dialog", reach: [step(.char("b"), until: has("This will run exactly:"))], probe: help, undo: closeHelp("This will run exactly:"),
                  quit: [.char("q"), .char("q")]),
        FaultMode(name: "log tail", reach: [step(.char("l"), until: has(" LOGS ", "healthy line one"))], probe: step(.char(" "), until: has("PAUSED")),
                  undo: step(.char(" "), until: lacks("PAUSED")), quit: [.char("q"), .char("q")], own: ["stream ended ("]),
        FaultMode(name: "command log", reach: [step(.char("c"), until: has("Command log"))], probe: step(.escape, until: lacks("Command log")),
                  undo: step(.char("c"), until: has("Command log")), quit: [.char("q"), .char("q")]),
        FaultMode(name: "journal", reach: [step(.char("J"), until: has("Incident journal"))], probe: step(.escape, until: lacks("Incident journal")),
                  undo: step(.char("J"), until: has("Incident journal")), quit: [.char("q"), .char("q")]),
        wizard("restore: choose", reach: [step(.char("R"), until: has("step 1/7: What"))], marker: "step 1/7: What"),
        wizard("restore: preflight", reach: [step(.char("R"), until: has("step 1/7: What"))], underFault: [step(.enter, until: has("step 2/7: Preflight"))],
               marker: "step 2/7: Preflight", own: ["RBAC: create Jobs: could not ask"]),
        wizard("restore: snapshots", reach: toPreflight, underFault: [step(.enter, until: has("step 3/7: Snapshot"))], marker: "step 3/7: Snapshot", own: ["The listing failed: ", "cannot read yet: "]),
        wizard("restore: scope", reach: Array(toPlan.prefix(4)), marker: "step 4/7: Scope"),
        wizard("restore: target", reach: Array(toPlan.prefix(5)), marker: "step 5/7: Target"),
        wizard("restore: plan", reach: toPlan, marker: "step 6/7: Plan"),
        wizard("restore: running", reach: toPlan + [step(.char("y"), until: has("step 7/7: Run", "restoring…"))], marker: "step 7/7: Run", running: true, own: ["cannot read yet: "]),
        wizard("restore db: timeline", reach: toDatabase, underFault: [step(.enter, until: has("step 2/4: Restore point"))], marker: "step 2/4: Restore point", own: ["Cannot read the timeline: "]),
        wizard("restore db: new cluster", reach: toNewCluster, underFault: [step(.enter, until: has("step 3/4: New cluster"))], marker: "step 3/4: New cluster", own: ["Dry run: "]),
        wizard("restore db: running", reach: toNewCluster + [step(.enter, until: has("step 3/4: New cluster", "accepted")), step(.char("y"), until: has("Type the namespace"))]
                   + [step(.char("p"), .char("a"), .char("p"), .char("e"), .char("r"), .char("l"), .char("e"), .char("s"), .char("s"), .char("-"), .char("n"), .char("g"), .char("x"), .enter,
                           until: has("step 4/4: Run", "Setting up primary"))],
               marker: "step 4/4: Run", running: true, own: ["cannot read yet: "]),
    ]
}

/// Every mode × every kubectl fault, through the real app loop, the real refresher, snapshot
/// fetcher, log streaming and restore executor, on a runner that turns faulty mid-run:
/// keys still answer (while the call still hangs), the screen says what failed and what to do,
/// a running restore is never reported finished, and the mode's quit keys end the loop.
@Suite(.serialized, .timeLimit(.minutes(2))) struct FaultMatrixTests {
    final class Harness: Sendable {
        let runner: FaultRunner
        let screen: FakeScreen
        let clock: TestClock
        let loop: AppLoop
        let task: Task<AppState, Never>
        let dir: String

        init() {
            let dir = NSTemporaryDirectory() + "paperctl-faults-\(UUID().uuidString)"
            let runner = FaultRunner(), clock = TestClock(), screen = FakeScreen()
            let (messages, sink) = AsyncStream<Msg>.makeStream(bufferingPolicy: .bufferingNewest(500))
            let recording = RecordingRunner(base: runner, clock: clock.now) { sink.yield(.commandRan($0)) }
            let refresher = DashboardRefresher(runner: recording, config: PaperConfig(), target: Fixtures.target, discovery: DiscoveryCache(directory: "\(dir)/discovery"),
                                               clock: clock.now)
            var services = Services.live(runner: recording, refresher: refresher, journal: JournalFile(environment: ["XDG_STATE_HOME": dir], now: Fixtures.now), clock: clock.now)
            let toolkit = RestoreToolkit(executor: RestoreExecutor(runner: recording, target: Fixtures.target, config: PaperConfig(), now: clock.now,
                                                                   sleep: { _ in try? await Task.sleep(for: .milliseconds(20)) }, pollInterval: 0.02, stepTimeout: 1e9))
            services.refresh = {
                if runner.fault == nil { return .success(Fixtures.dataWithFacts(WizardFixtures.facts())) }
                return await refresher.refresh()
            }
            services.restore = { task, report in
                if runner.fault == nil, let answer = Self.healthyAnswer(task) { return answer }
                return await RestoreTasks.run(task, toolkit: toolkit, report: report)
            }
            services.runPlan = { steps, what, event in await toolkit.planRunner.run(steps, what: what, event: event) }
            services.sleep = { _ in try? await Task.sleep(for: .milliseconds(20)) }
            var state = AppState(width: 140, height: 40, context: "demo", namespace: "paperless-ngx", now: Fixtures.now)
            state.timeZone = TimeZone(secondsFromGMT: 0) ?? .current
            let loop = AppLoop(state: state, themes: Theme.bundled, services: services)
            self.dir = dir
            self.runner = runner
            self.clock = clock
            self.screen = screen
            self.loop = loop
            task = Task { await loop.run(on: screen, tickInterval: 0, messages: messages) }
        }

        /// The wizard's answers from a healthy cluster; nil: the real executor runs (a step that keeps running).
        static func healthyAnswer(_ task: RestoreTask) -> RestoreTaskResult? {
            switch task {
            case .preflight: .preflight(WizardFixtures.preflight())
            case .listSnapshots: .snapshots(WizardFixtures.listing())
            case .dbTimeline: (try? DatabaseWizardTests.timeline()).map { .timeline(.timeline($0)) }
            case .dbDryRun: .dryRun(.done("accepted by the server's dry run"))
            default: nil
            }
        }

        func press(_ keys: [Key]) {
            for key in keys { screen.type(key) }
            loop.post(.input)
        }

        /// Time passes (a refresh is due) until `condition` holds for the screen.
        func wait(_ what: String, timeout: Double = 20, _ condition: @escaping (String) -> Bool) async throws {
            let deadline = Date().addingTimeInterval(timeout)
            while !condition(screen.text) {
                guard Date() < deadline else { throw Wait.TimedOut(description: "timed out after \(timeout) s waiting for \(what); screen:\n\(screen.text)") }
                clock.advance(120)
                loop.post(.tick)
                try await Task.sleep(for: .milliseconds(20))
            }
        }

        func run(_ step: FaultMode.Step, _ what: String) async throws {
            press(step.keys)
            try await wait(what, step.until)
        }

        func cleanUp() { try? FileManager.default.removeItem(atPath: dir) }
    }

    /// What the screen must say for each fault: what failed, and what to do about it.
    static func explained(_ fault: KubectlFault) -> [String] {
        switch fault {
        case .hang: ["API TIMEOUT", "kubectl timed out after 10 s", "r retries now"]
        case .garbage: ["REFRESH FAILED (r retries now)", "not valid JSON", "--kubectl PATH"]
        case .exit1: ["REFRESH FAILED (r retries now)", "kubectl exited with status 1: panic: runtime error"]
        case .missing: ["REFRESH FAILED (r retries now)", "kubectl not found: install kubectl", "--kubectl PATH"]
        }
    }

    /// One cell of the table: a mode and a fault.
    struct Cell: Sendable, CustomTestStringConvertible {
        var mode: FaultMode
        var fault: KubectlFault
        var testDescription: String { "\(mode.name) × \(fault.rawValue)" }
    }

    /// How the dashboard is ended: the mode's quit keys, or a terminating signal (SIGINT, SIGTERM
    /// and SIGHUP all reach the loop as `.stop`; the tmux tests send the real signals).
    enum End: String, CaseIterable, Sendable { case keys, signal }

    /// `PAPERCTL_FAULT_CELLS=dashboard,restore: running` runs only those modes (to debug one row).
    static let cells = FaultMode.all.filter { mode in
        guard let only = ProcessInfo.processInfo.environment["PAPERCTL_FAULT_CELLS"] else { return true }
        return only.split(separator: ",").contains { $0 == mode.name }
    }.flatMap { mode in KubectlFault.allCases.map { Cell(mode: mode, fault: $0) } }

    @Test(arguments: cells, End.allCases)
    func everyModeSurvivesEveryKubectlFault(cell: Cell, end: End) async throws {
        let (mode, fault) = (cell.mode, cell.fault)
        let h = Harness()
        defer { h.cleanUp() }
        try await h.wait("the first data") { $0.contains("[1] Pods") && $0.contains(" old ·") }
        for (i, step) in mode.reach.enumerated() { try await h.run(step, "\(mode.name): step \(i + 1) to reach it") }
        h.runner.set(fault)
        for (i, step) in mode.underFault.enumerated() { try await h.run(step, "\(mode.name): step \(i + 1) under the fault") }
        if fault == .hang {
            try await h.wait("a kubectl call to hang") { _ in h.runner.hanging > 0 }
            try await h.run(mode.probe, "\(mode.name): the probe key while kubectl hangs")
            #expect(h.runner.hanging > 0, "the key must be answered while the call still hangs")
            try await h.run(mode.undo, "\(mode.name): the probe undone while kubectl hangs")
            h.runner.release()
        } else {
            try await h.run(mode.probe, "\(mode.name): the probe key")
            try await h.run(mode.undo, "\(mode.name): the probe undone")
        }
        let expected = Self.explained(fault)
        try await h.wait("\(mode.name) to explain \(fault): \(expected), and one of \(mode.own)") { s in
            expected.allSatisfy { s.contains($0) } && (mode.own.isEmpty || mode.own.contains { s.contains($0) })
        }
        if ProcessInfo.processInfo.environment["PAPERCTL_FAULT_PRINT"] != nil { print("=== \(mode.name) × \(fault)\n\(h.screen.text)") }
        if mode.restoreRunning {
            let state = await h.loop.snapshot()
            let wizard = try #require(WizardFixtures.wizard(state))
            #expect(wizard.step == .running, "a restore whose reads fail is not finished")
            #expect(!wizard.stepStates.contains { if case .done = $0 { true } else { false } }, "a restore step was reported done: \(wizard.stepStates)")
            #expect(!h.screen.text.contains("Restore finished") && !h.screen.text.contains("is healthy"))
        }
        switch end {
        case .keys:
            h.press(mode.quit)
            let final = await h.task.value
            #expect(final.quitting, "the loop ended without quitting")
        case .signal:
            h.loop.post(.stop)
            _ = await h.task.value
        }
        #expect(h.screen.closed, "the screen (the terminal) was not restored")
    }
}
