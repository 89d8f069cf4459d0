import Foundation
import PaperDomain
import PaperKube
import PaperRuntime
import Synchronization
import TestSupport
import Testing
@testable import PaperUI

/// The wizard runs a confirmed plan as one task through the one plan runner: it shows the
/// runner's events and its end, journals them, and decides nothing about which step runs next.
@Suite struct RestorePlanEventTests {
    typealias W = RestoreWizardTests

    /// An in-place restore, confirmed with the typed namespace: the effects of the confirmation.
    static func confirmed() -> (AppState, [Effect]) {
        var s = Fixtures.state(data: Fixtures.dataWithFacts(WizardFixtures.facts()))
        s.stack = [.restore(WizardFixtures.atPlan(s, target: .inPlace))]
        W.press(&s, .char("y"))
        for c in "paperless-ngx" { W.press(&s, .char(c)) }
        let effects = W.press(&s, .enter)
        return (s, effects)
    }

    /// The journal entries among `effects`, without their time stamps.
    static func journal(_ effects: [Effect]) -> [String] {
        effects.compactMap { effect in
            guard case .journal(let line) = effect else { return nil }
            return line.split(separator: " ", maxSplits: 2).dropFirst(2).first.map(String.init)
        }
    }

    static func restoreTasks(_ effects: [Effect]) -> [RestoreTask] {
        effects.compactMap { if case .restore(let task, _) = $0 { task } else { nil } }
    }

    @Test func theConfirmationStartsOnePlanTaskWithThePlansStepsUnderTheLease() throws {
        let (s, effects) = Self.confirmed()
        let w = try #require(WizardFixtures.wizard(s))
        let steps = try #require(w.plan?.steps)
        #expect(Self.restoreTasks(effects) == [.runPlan(steps: steps, what: "restore files in place: \(w.choiceText)")])
        #expect(w.step == .running && w.busy == "taking the restore Lease")
        #expect(!w.isRunning, "nothing runs before the runner took the Lease")
    }

    @Test func eventsSetTheStepStatesAndTheJournalAndStartNothing() throws {
        var (s, effects) = Self.confirmed()
        let (generation, _) = try #require(WizardFixtures.task(effects))
        let steps = try #require(WizardFixtures.wizard(s)?.plan?.steps)
        var out = update(&s, .restorePlanEvent(generation: generation, .stepStarted(0, steps[0])))
        #expect(WizardFixtures.wizard(s)?.stepStates.first == .running(since: Fixtures.now))
        #expect(WizardFixtures.wizard(s)?.isRunning == true)
        out += update(&s, .restorePlanEvent(generation: generation, .progress(0, RestoreExecutor.Progress("10 of 40 files", fraction: 0.25))))
        #expect(WizardFixtures.wizard(s)?.progress == "10 of 40 files" && WizardFixtures.wizard(s)?.fraction == 0.25)
        out += update(&s, .restorePlanEvent(generation: generation, .stepEnded(0, .done("Job complete"))))
        #expect(WizardFixtures.wizard(s)?.stepStates.first == .done("Job complete", seconds: 0))
        #expect(WizardFixtures.wizard(s)?.stepStates.dropFirst().allSatisfy { $0 == .pending } == true)
        #expect(WizardFixtures.wizard(s)?.isRunning == true, "between two steps the plan still runs: Esc asks first")
        let command = steps[0].command.map { "\n  `\($0.displayLine)`" } ?? ""
        #expect(Self.journal(out) == ["restore Lease \(RestoreLease.name) taken",
                                      "restore step 1 started: \(steps[0].title)\(command)",
                                      "restore step 1 done: Job complete"])
        #expect(Self.restoreTasks(out).isEmpty, "the runner, not the wizard, starts the next step")
        // An event of another task changes nothing.
        #expect(update(&s, .restorePlanEvent(generation: generation + 100, .stepStarted(1, steps[1]))).allSatisfy { if case .journal = $0 { true } else { false } })
        #expect(WizardFixtures.wizard(s)?.stepStates[1] == .pending)
    }

    @Test func aStoppedPlanShowsTheWayBackAndGivesTheLeaseBack() throws {
        var (s, effects) = Self.confirmed()
        let (generation, _) = try #require(WizardFixtures.task(effects))
        for (index, text) in [(0, "Job complete"), (1, "CronJob suspended"), (2, "scaled to 0")] { WizardFixtures.step(&s, generation, index, .done(text)) }
        let failure = RestoreExecutor.Outcome.failed("Job failed; restic: repository locked")
        WizardFixtures.step(&s, generation, 3, failure)
        let steps = try #require(WizardFixtures.wizard(s)?.plan?.steps)
        let recovery = steps.recovery(upTo: 3)
        let end = update(&s, .restoreFinished(generation: generation, .plan(.stopped(at: 3, outcome: failure, recovery: recovery))))
        let w = try #require(WizardFixtures.wizard(s))
        #expect(w.stepStates[3] == .failed("Job failed; restic: repository locked", seconds: 0))
        #expect(w.message == "Step 4 (\(steps[3].title)) FAILED: Job failed; restic: repository locked. The plan stopped; nothing after it ran.")
        #expect(w.recovery == recovery && !w.isRunning)
        #expect(Self.journal(end) == ["restore step 4 FAILED: Job failed; restic: repository locked\n  to get back: " + recovery.joined(separator: "; "),
                                      "restore Lease \(RestoreLease.name) given back"])
        #expect(Self.restoreTasks(end).isEmpty)
        var tall = s
        tall.height = 60
        let text = render(tall).text
        #expect(text.contains("To get back to a running app:") && text.contains("--replicas=1"))
    }

    @Test func aLeaseThatCouldNotBeGivenBackIsAnnouncedInsteadOfGivenBack() throws {
        var (s, effects) = Self.confirmed()
        let (generation, _) = try #require(WizardFixtures.task(effects))
        let count = try #require(WizardFixtures.wizard(s)?.plan?.steps.count)
        for index in 0..<count { WizardFixtures.step(&s, generation, index, .done("ok")) }
        let why = "the restore Lease \(RestoreLease.name) could not be given back (connection refused); it lapses 60 s after its last renewal"
        let note = update(&s, .restorePlanEvent(generation: generation, .leaseNote(why)))
        let end = update(&s, .restoreFinished(generation: generation, .plan(.finished)))
        #expect(Self.journal(note) == [why])
        #expect(s.notices.contains(why))
        #expect(WizardFixtures.wizard(s)?.step == .finished)
        #expect(Self.journal(end).first?.hasPrefix("restore finished: ") == true)
        #expect(!Self.journal(end).contains { $0.contains("given back") }, "not said to be given back")
    }

    @Test func leavingARunningPlanCancelsItsTaskAndItsEndIsStillJournaled() throws {
        var (s, effects) = Self.confirmed()
        let (generation, _) = try #require(WizardFixtures.task(effects))
        for (index, text) in [(0, "Job complete"), (1, "CronJob suspended")] { WizardFixtures.step(&s, generation, index, .done(text)) }
        WizardFixtures.step(&s, generation, 2, nil)
        let recovery = try #require(WizardFixtures.wizard(s)?.recovery)
        #expect(update(&s, .key(.escape)).isEmpty, "Esc asks first")
        let left = update(&s, .key(.escape))
        #expect(s.mode == .dashboard)
        #expect(left.contains(.cancelRestore(generation: generation)))
        // The runner stops waiting for the scale-down and starts nothing after it.
        let unknown = RestoreExecutor.Outcome.unknown("stopped waiting for the pods of paperless-ngx to be gone: cancelled")
        let ended = update(&s, .restorePlanEvent(generation: generation, .stepEnded(2, unknown)))
        let end = update(&s, .restoreFinished(generation: generation, .plan(.stopped(at: 2, outcome: unknown, recovery: recovery))))
        #expect(Self.journal(ended) == ["restore step 3 outcome UNKNOWN: stopped waiting for the pods of paperless-ngx to be gone: cancelled"])
        #expect(Self.journal(end) == ["restore (left) stopped at step 3; to get back: " + recovery.joined(separator: "; ")])
        #expect(recovery.contains { $0.contains("--replicas=1") })
    }

    @Test func aPlanRefusedByTheLeaseGoesBackToThePlanAndSaysWhoHoldsIt() throws {
        var (s, effects) = Self.confirmed()
        let (generation, _) = try #require(WizardFixtures.task(effects))
        let end = update(&s, .restoreFinished(generation: generation, .plan(.refused("bob@bastion pid 9 holds the restore Lease (restore db)"))))
        let w = try #require(WizardFixtures.wizard(s))
        #expect(w.step == .plan && w.message == "Refused: bob@bastion pid 9 holds the restore Lease (restore db). Nothing ran.")
        #expect(Self.journal(end) == ["restore refused: bob@bastion pid 9 holds the restore Lease (restore db)"])
    }
}

/// The plan task in the effect runner: the one plan runner's events come back under the task's
/// generation, its result ends it, and cancelling it starts no further step.
@Suite(.timeLimit(.minutes(1))) struct RestorePlanTaskTests {
    static let plan: [RestoreStep] = [
        RestoreStep(kind: .suspendCronJob(name: "paperless-ngx-backup", suspend: true), title: "Suspend", command: nil, recovery: ["resume the CronJob"]),
        RestoreStep(kind: .scaleDown(deployment: "paperless-ngx", from: 1, selector: [:]), title: "Scale down", command: nil, recovery: ["scale back to 1"]),
    ]

    @Test func theRunnersEventsAndResultComeBackAndCancellingStartsNoFurtherStep() async throws {
        let ran = Mutex<[String]>([])
        let executor = RestoreExecutor(runner: FakeRunner { _ throws(KubectlError) in .ok("") }, target: Fixtures.target, config: PaperConfig(), now: { Fixtures.now })
        let planRunner = RestorePlanRunner(executor: executor) { step, report in
            ran.withLock { $0.append(step.title) }
            report(RestoreExecutor.Progress("working on \(step.title)"))
            // The step goes on to its end even when cancelled; what comes after does not start.
            while !Task.isCancelled { try? await Task.sleep(for: .milliseconds(5)) }
            return .done("\(step.title) done")
        }
        var svc = services(ServiceLog())
        svc.runPlan = { steps, what, event in await planRunner.run(steps, what: what, event: event) }
        let sent = Mutex<[Msg]>([])
        let runner = EffectRunner(services: svc) { msg in sent.withLock { $0.append(msg) } }
        _ = runner.run([.restore(.runPlan(steps: Self.plan, what: "restore files in place"), generation: 7)]) { _ in [] }
        try await Wait.until("the first step's progress") { sent.withLock { $0.count } >= 2 }
        _ = runner.run([.cancelRestore(generation: 7)]) { _ in [] }
        try await Wait.until("the plan's end") { sent.withLock { $0.contains { if case .restoreFinished = $0 { true } else { false } } } }
        #expect(sent.withLock { $0 } == [
            .restorePlanEvent(generation: 7, .stepStarted(0, Self.plan[0])),
            .restorePlanEvent(generation: 7, .progress(0, RestoreExecutor.Progress("working on Suspend"))),
            .restorePlanEvent(generation: 7, .stepEnded(0, .done("Suspend done"))),
            .restoreFinished(generation: 7, .plan(.cancelled(before: 1, recovery: ["resume the CronJob"]))),
        ])
        #expect(ran.withLock { $0 } == ["Suspend"], "the scale-down never started")
    }
}
