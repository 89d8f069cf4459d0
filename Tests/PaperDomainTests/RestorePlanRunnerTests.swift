import Foundation
import PaperDomain
import PaperKube
import Synchronization
import Testing
import TestSupport

/// The one plan runner: which step runs next, where it stops and with which way back, and the
/// restore Lease around it, against the scripted Lease server and a fake step runner.
@Suite("restore plan runner: order, stops, the Lease")
struct RestorePlanRunnerTests {
    typealias Clock = RestoreLeaseKeeperTests.Clock

    /// What the fake step runner was asked to run, and what it answers per step title.
    final class Steps: Sendable {
        let ran = Mutex<[String]>([])
        let answers: [String: RestoreExecutor.Outcome]
        let during: @Sendable (String) async -> Void

        init(_ answers: [String: RestoreExecutor.Outcome] = [:], during: @escaping @Sendable (String) async -> Void = { _ in }) {
            self.answers = answers
            self.during = during
        }

        var titles: [String] { ran.withLock { $0 } }
    }

    final class Events: Sendable {
        let all = Mutex<[RestorePlanRunner.Event]>([])
        func add(_ e: RestorePlanRunner.Event) { all.withLock { $0.append(e) } }
        var list: [RestorePlanRunner.Event] { all.withLock { $0 } }
    }

    static let plan: [RestoreStep] = [
        RestoreStep(kind: .suspendCronJob(name: "paperless-ngx-backup", suspend: true), title: "Suspend", command: nil, recovery: ["resume the CronJob"]),
        RestoreStep(kind: .scaleDown(deployment: "paperless-ngx", from: 1, selector: [:]), title: "Scale down", command: nil, recovery: ["scale back to 1"]),
        RestoreStep(kind: .scaleUp(deployment: "paperless-ngx", to: 1), title: "Scale up", command: nil, recovery: ["scale back to 1"]),
    ]

    static func runner(_ server: LeaseServer, _ clock: Clock, _ steps: Steps, who: String = "alice@laptop pid 7") -> (RestorePlanRunner, RestoreLeaseKeeper) {
        var executor = RestoreExecutor(runner: server.runner, target: RestoreLeaseKeeperTests.target, config: PaperConfig(), now: clock.now, sleep: { _ in },
                                       pollInterval: 1, stepTimeout: 10)
        let lease = RestoreLeaseKeeper(runner: server.runner, target: RestoreLeaseKeeperTests.target, identity: who, clock: clock.now)
        executor.lease = lease
        let runner = RestorePlanRunner(executor: executor) { step, report in
            steps.ran.withLock { $0.append(step.title) }
            report(RestoreExecutor.Progress("working on \(step.title)"))
            await steps.during(step.title)
            return steps.answers[step.title] ?? .done("\(step.title) done")
        }
        return (runner, lease)
    }

    @Test func theStepsRunInOrderUnderTheLeaseWhichIsGivenBackAtTheEnd() async {
        let server = LeaseServer()
        let steps = Steps(during: { _ in })
        let (runner, _) = Self.runner(server, Clock(), steps)
        let events = Events()
        let held = Mutex<[String?]>([])
        let watched = RestorePlanRunner(executor: runner.executor) { step, report in
            held.withLock { $0.append(server.annotations[RestoreLease.stepAnnotation]) }
            return await runner.runStep(step, report)
        }
        let result = await watched.run(Self.plan, what: "restore files in place", event: events.add)
        #expect(result == .finished)
        #expect(result.exitCode == 0)
        #expect(steps.titles == ["Suspend", "Scale down", "Scale up"])
        #expect(held.withLock { $0 } == ["step 1/3: Suspend", "step 2/3: Scale down", "step 3/3: Scale up"], "each step renewed the Lease naming itself before it ran")
        #expect(events.list == [
            .stepStarted(0, Self.plan[0]), .progress(0, .init("working on Suspend")), .stepEnded(0, .done("Suspend done")),
            .stepStarted(1, Self.plan[1]), .progress(1, .init("working on Scale down")), .stepEnded(1, .done("Scale down done")),
            .stepStarted(2, Self.plan[2]), .progress(2, .init("working on Scale up")), .stepEnded(2, .done("Scale up done")),
        ])
        #expect(server.state.withLock { $0.lease == nil && $0.deletes == 1 }, "the Lease was given back")
    }

    @Test func aFailedStepStopsThePlanWithTheWayBackOfEveryStepThatRanAndTheLeaseIsGivenBack() async {
        let server = LeaseServer()
        let steps = Steps(["Scale down": .failed("pods still there")])
        let (runner, _) = Self.runner(server, Clock(), steps)
        let result = await runner.run(Self.plan, what: "restore files in place") { _ in }
        #expect(result == .stopped(at: 1, outcome: .failed("pods still there"), recovery: ["scale back to 1", "resume the CronJob"]))
        #expect(result.exitCode == 2)
        #expect(steps.titles == ["Suspend", "Scale down"], "nothing after the failed step ran")
        #expect(server.state.withLock { $0.lease == nil && $0.deletes == 1 })
        #expect(runner.currentRecovery.value.isEmpty, "no step runs any more: nothing to print on a signal")
    }

    @Test func anUnknownOutcomeStopsWithExitThree() async {
        let server = LeaseServer()
        let steps = Steps(["Suspend": .unknown("timed out")])
        let (runner, _) = Self.runner(server, Clock(), steps)
        let result = await runner.run(Self.plan, what: "restore files in place") { _ in }
        #expect(result == .stopped(at: 0, outcome: .unknown("timed out"), recovery: ["resume the CronJob"]))
        #expect(result.exitCode == 3)
    }

    @Test func aLeaseHeldByAnotherOperatorRefusesThePlanAndNothingRuns() async {
        let server = LeaseServer()
        let clock = Clock()
        server.put(holder: "bob@bastion pid 9", renewed: RestoreLeaseKeeperTests.start)
        let steps = Steps()
        let (runner, _) = Self.runner(server, clock, steps)
        let events = Events()
        let result = await runner.run(Self.plan, what: "restore files in place", event: events.add)
        guard case .refused(let why) = result else {
            Issue.record("expected a refusal, got \(result)")
            return
        }
        #expect(why.contains("another restore holds Lease paperctl-restore: bob@bastion pid 9"))
        #expect(result.exitCode == 1)
        #expect(steps.titles.isEmpty)
        #expect(events.list.isEmpty)
        #expect(server.holder == "bob@bastion pid 9", "bob's Lease is left alone")
    }

    @Test func aLeaseLostDuringAStepIsTakenAgainBeforeTheNextAndThatIsAnnounced() async {
        let server = LeaseServer()
        let clock = Clock()
        let lease = Mutex<RestoreLeaseKeeper?>(nil)
        let steps = Steps(during: { title in
            guard title == "Suspend" else { return }
            // Someone deletes the Lease; the step's wait notices at its next renewal.
            server.state.withLock { $0.lease = nil }
            clock.advance(31)
            _ = await lease.withLock { $0 }?.renewIfDue()
        })
        let (runner, keeper) = Self.runner(server, clock, steps)
        lease.withLock { $0 = keeper }
        let events = Events()
        let result = await runner.run(Self.plan, what: "restore files in place", event: events.add)
        #expect(result == .finished)
        #expect(events.list.contains(.leaseNote("the restore Lease paperctl-restore was lost (it was deleted) and is taken again")))
        #expect(steps.titles == ["Suspend", "Scale down", "Scale up"])
        #expect(server.state.withLock { $0.lease == nil }, "given back at the end")
    }

    @Test func aLeaseThatCannotBeTakenAgainStopsBeforeTheNextStepWithTheWayBackOfTheStepsThatRan() async {
        let server = LeaseServer()
        let clock = Clock()
        let lease = Mutex<RestoreLeaseKeeper?>(nil)
        let steps = Steps(during: { title in
            guard title == "Suspend" else { return }
            server.put(holder: "bob@bastion pid 9", renewed: clock.now())
            clock.advance(31)
            _ = await lease.withLock { $0 }?.renewIfDue()
        })
        let (runner, keeper) = Self.runner(server, clock, steps)
        lease.withLock { $0 = keeper }
        let result = await runner.run(Self.plan, what: "restore files in place") { _ in }
        guard case .notStarted(let at, let why, let recovery) = result else {
            Issue.record("expected step 2 not to start, got \(result)")
            return
        }
        #expect(at == 1)
        #expect(why.contains("cannot be taken again"))
        #expect(recovery == ["resume the CronJob"])
        #expect(result.exitCode == 2)
        #expect(steps.titles == ["Suspend"])
        #expect(server.holder == "bob@bastion pid 9", "bob's Lease is not deleted by the release")
    }

    @Test func cancellingStopsBeforeTheNextStepSaysTheWayBackAndGivesTheLeaseBack() async {
        let server = LeaseServer()
        let clock = Clock()
        let steps = Steps(during: { title in
            if title == "Suspend" { withUnsafeCurrentTask { $0?.cancel() } }
        })
        let (runner, _) = Self.runner(server, clock, steps)
        let result = await Task { await runner.run(Self.plan, what: "restore files in place") { _ in } }.value
        #expect(result == .cancelled(before: 1, recovery: ["resume the CronJob"]))
        #expect(steps.titles == ["Suspend"])
        #expect(server.state.withLock { $0.lease == nil && $0.deletes == 1 })
    }

    @Test func whileAStepRunsTheCurrentRecoveryIsThatOfTheStepsSoFar() async {
        let server = LeaseServer()
        let seen = Mutex<[[String]]>([])
        let box = Mutex<CurrentRecovery?>(nil)
        let steps = Steps(during: { _ in
            let now = box.withLock { $0 }?.value ?? []
            seen.withLock { $0.append(now) }
        })
        let (runner, _) = Self.runner(server, Clock(), steps)
        box.withLock { $0 = runner.currentRecovery }
        _ = await runner.run(Self.plan, what: "restore files in place") { _ in }
        #expect(seen.withLock { $0 } == [["resume the CronJob"], ["scale back to 1", "resume the CronJob"], ["scale back to 1", "resume the CronJob"]])
    }

    // MARK: Steps that create a Job

    /// The Lease server, plus Job creates answered by `jobCreate` (the Job's name, from its JSON).
    static func jobRunner(_ server: LeaseServer, _ clock: Clock, jobCreate: @escaping @Sendable (String) -> CommandOutput) -> RestorePlanRunner {
        let fake = FakeRunner { command throws(KubectlError) in
            if let body = command.stdin, let object = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any], object["kind"] as? String == "Job" {
                return jobCreate((object["metadata"] as? [String: Any])?["name"] as? String ?? "")
            }
            return try server.answer(command)
        }
        var executor = RestoreExecutor(runner: fake, target: RestoreLeaseKeeperTests.target, config: PaperConfig(), now: clock.now, sleep: { _ in },
                                       pollInterval: 1, stepTimeout: 10)
        executor.lease = RestoreLeaseKeeper(runner: fake, target: RestoreLeaseKeeperTests.target, identity: "alice@laptop pid 7", clock: clock.now)
        return RestorePlanRunner(executor: executor) { step, _ in .done("\(step.title) done") }
    }

    static func restoreJobStep() throws -> (RestoreStep, ResticJob) {
        let job = try ResticJob.build(cronJob: RestorePlanningTests.cronJob, purpose: .restore, script: "restic restore latest", now: RestoreLeaseKeeperTests.start,
                                      namespace: "paperless-ngx")
        let create = KubectlCommand(arguments: ["create", "-f", "-", "-n", "paperless-ngx"], stdin: Data(job.json.utf8))
        return (RestoreStep(kind: .job(job), title: "Restore", command: create, recovery: ["kubectl delete job \(job.name)"]), job)
    }

    @Test func aJobCreateRefusedBeforeAnythingWroteStartedNothingExitOneAndTheLeaseIsGivenBack() async throws {
        let server = LeaseServer()
        let (step, _) = try Self.restoreJobStep()
        let runner = Self.jobRunner(server, Clock()) { _ in .failure("Error from server (Forbidden): jobs.batch is forbidden: User \"ops\" cannot create resource") }
        let events = Events()
        let result = await runner.run([step], what: "restore files side by side", event: events.add)
        guard case .notCreated(0, .failed(let why)) = result else {
            Issue.record("expected nothing created, got \(result)")
            return
        }
        #expect(why.contains("forbidden") || why.contains("Forbidden"), "\(why)")
        #expect(result.exitCode == 1, "nothing was changed: exit 1, as the CLI documents for forbidden")
        #expect(!events.list.contains { if case .stepEnded = $0 { true } else { false } })
        #expect(server.state.withLock { $0.lease == nil && $0.deletes == 1 })
    }

    @Test func aJobCreateRefusedAfterAStepWroteStopsWithTheWayBack() async throws {
        let server = LeaseServer()
        let (step, _) = try Self.restoreJobStep()
        let runner = Self.jobRunner(server, Clock()) { _ in .failure("Error from server (Forbidden): jobs.batch is forbidden") }
        let result = await runner.run([Self.plan[0], step], what: "restore files in place") { _ in }
        guard case .stopped(1, .failed, let recovery) = result else {
            Issue.record("expected a stop at step 2, got \(result)")
            return
        }
        #expect(recovery.last == "resume the CronJob")
        #expect(result.exitCode == 2)
    }

    @Test func leavingWhileItsJobRunsKeepsTheLeaseOnForThatJobInsteadOfGivingItBack() async throws {
        let server = LeaseServer()
        let (step, job) = try Self.restoreJobStep()
        // The operator leaves the wizard right after the restore Job was created: the Job goes on.
        let runner = Self.jobRunner(server, Clock()) { name in
            withUnsafeCurrentTask { $0?.cancel() }
            return .ok("job.batch/\(name) created")
        }
        let events = Events()
        let result = await Task { await runner.run([step], what: "restore files side by side", event: events.add) }.value
        guard case .stopped(0, .unknown, _) = result else {
            Issue.record("expected the wait to stop as unknown, got \(result)")
            return
        }
        #expect(server.state.withLock { $0.deletes } == 0, "the Lease is not given back while the Job may still write")
        #expect(server.annotations[RestoreLease.jobAnnotation] == job.name)
        #expect(server.spec?["leaseDurationSeconds"] as? Int == 10, "held for the step timeout at most")
        #expect(events.list.contains { if case .leaseNote(let note) = $0 { note.contains("stays on for Job \(job.name)") } else { false } })
    }

    @Test func aJobLeftRunningKeepsTheLeaseNamingItForTheTimeoutInsteadOfGivingItBack() async throws {
        let server = LeaseServer()
        let (step, job) = try Self.restoreJobStep()
        let created = Mutex<[String]>([])
        let runner = Self.jobRunner(server, Clock()) { name in
            created.withLock { $0.append(name) }
            return .ok("job.batch/\(name) created")
        }
        let result = await runner.run([step], what: "restore files side by side", detach: RestorePlanRunner.Detach(handOverSeconds: 600)) { _ in }
        #expect(result == .detached(at: 0, handOverFailure: nil))
        #expect(result.exitCode == 0)
        #expect(created.withLock { $0 } == [job.name], "the Job of the plan, created once and not waited for")
        #expect(server.annotations[RestoreLease.jobAnnotation] == job.name)
        #expect(server.spec?["leaseDurationSeconds"] as? Int == 600)
        #expect(server.state.withLock { $0.deletes } == 0, "the Lease stays on for the Job")
    }
}
