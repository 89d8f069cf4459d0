import Foundation
import PaperDomain
import PaperKube
import Testing
@testable import PaperUI

/// The restore wizard driven with keys, its tasks answered as the effect runner would answer them.
@Suite struct RestoreWizardTests {
    static func open() -> AppState {
        var data = Fixtures.dataWithFacts(WizardFixtures.facts())
        data.actions = WizardFixtures.facts()
        var s = Fixtures.state(data: data)
        _ = update(&s, .key(.char("R")))
        return s
    }

    /// Presses `key`; answers the restore task it started (if any) with `answer`.
    @discardableResult
    static func press(_ s: inout AppState, _ key: Key, answer: ((RestoreTask) -> RestoreTaskResult?)? = nil) -> [Effect] {
        var effects = update(&s, .key(key))
        if let (generation, task) = WizardFixtures.task(effects), let answer, let result = answer(task) {
            effects += update(&s, .restoreFinished(generation: generation, result))
        }
        return effects
    }

    /// The answers of a healthy cluster.
    static func healthy(_ task: RestoreTask) -> RestoreTaskResult? {
        switch task {
        case .preflight: .preflight(WizardFixtures.preflight())
        case .listSnapshots: .snapshots(WizardFixtures.listing())
        case .listFiles(_, _, let directory):
            directory.isEmpty ? .files(RestoreToolkit.FileListing(job: "ls", nodes: [ResticNode(path: "data", isDirectory: true), ResticNode(path: "media", isDirectory: true)], totalBytes: 0))
                : .files(RestoreToolkit.FileListing(job: "ls", nodes: [ResticNode(path: "\(directory)/a.pdf", isDirectory: false, size: 10)], totalBytes: 10))
        case .matchPath(_, _, let path):
            // A path that is not in the snapshot matches nothing; any other, a large tree.
            .matched(RestoreToolkit.PathMatchResult(job: "paperctl-restic-ls-x", match: PathMatch(path: path, files: path.contains("nope") ? 0 : 12_431, bytes: path.contains("nope") ? 0 : 4_400_000_000)))
        case .drill: .drilled(RestoreToolkit.DrillResult(job: "paperctl-restic-drill-x", outcome: .done("Job complete"), files: 49, bytes: 171_000, seconds: 4))
        case .dbTimeline, .dbDryRun, .dbDrillTimeline, .dbDrill, .dbDrillCleanup: nil
        case .unlock(let job): .unlocked(RestoreToolkit.UnlockResult(job: job.name, result: RestoreExecutor.JobResult(outcome: .done("Job complete"), log: "successfully removed 1 locks")))
        case .runPlan: nil
        }
    }

    /// An in-place restore of the newest snapshot, confirmed (namespace typed, Lease granted),
    /// the steps before `step` done and `step` running.
    static func inPlaceAt(step: Int) -> AppState {
        var s = Fixtures.state(data: Fixtures.dataWithFacts(WizardFixtures.facts()))
        s.stack = [.restore(WizardFixtures.atPlan(s, target: .inPlace))]
        press(&s, .char("y"))
        for c in "paperless-ngx" { press(&s, .char(c)) }
        guard let (generation, _) = WizardFixtures.task(press(&s, .enter)) else { return s }
        for (index, text) in [(0, "Job complete"), (1, "CronJob suspended"), (2, "scaled to 0")].prefix(step) {
            WizardFixtures.step(&s, generation, index, .done(text))
        }
        WizardFixtures.step(&s, generation, step, nil)
        return s
    }

    static func writes(_ effects: [Effect]) -> [Effect] {
        effects.filter { effect in
            switch effect {
            case .run: true
            case .restore(.runPlan, _), .restore(.unlock, _): true
            default: false
            }
        }
    }

    @Test func enterPressedWhileTheListingRunsSaysWaitUntilTheListingArrivesThenActs() throws {
        var s = Self.open()
        Self.press(&s, .enter, answer: Self.healthy)  // Files: the preflight, answered
        let listing = Self.press(&s, .enter)          // the snapshot listing Job starts; not answered yet
        let (generation, _) = try #require(WizardFixtures.task(listing))
        Self.press(&s, .enter)
        #expect(WizardFixtures.wizard(s)?.message?.hasPrefix("Wait for") == true)
        _ = update(&s, .restoreFinished(generation: generation, .snapshots(WizardFixtures.listing())))
        #expect(WizardFixtures.wizard(s)?.message == nil, "the listing is in: the wait is over and no longer said")
        Self.press(&s, .enter)
        #expect(WizardFixtures.wizard(s)?.step == .scope, "Enter now picks the newest snapshot")
    }

    @Test func atMostTenKeysFromOpeningTheWizardToARunningSideBySideRestoreOfTheNewestSnapshot() throws {
        var data = Fixtures.dataWithFacts(WizardFixtures.facts())
        data.actions = WizardFixtures.facts()
        var s = Fixtures.state(data: data)
        // The operator's path: R, then accept each default (Enter) until the plan, then y.
        var keys = 1
        var last = Self.press(&s, .char("R"), answer: Self.healthy)
        while WizardFixtures.wizard(s)?.step != .running && keys < 20 {
            let key: Key = WizardFixtures.wizard(s)?.step == .plan ? .char("y") : .enter
            last = Self.press(&s, key, answer: Self.healthy)
            keys += 1
        }
        #expect(keys <= 10, "\(keys) keys")
        let (generation, task) = try #require(WizardFixtures.task(last))
        guard case .runPlan(let steps, _) = task, case .job(let job)? = steps.first?.kind else { Issue.record("no restore plan started: \(task)"); return }
        #expect(job.purpose == .restore)
        #expect(job.script.contains("restic restore \(WizardFixtures.snapshots[0].id):/data --target /data/restore-"), "the newest snapshot, side by side")
        WizardFixtures.step(&s, generation, 0, nil)
        #expect(WizardFixtures.wizard(s)?.isRunning == true)
    }

    @Test func escAtEveryStepBeforeTheConfirmationStepsBackAndWritesNothing() {
        var s = Self.open()
        var all: [Effect] = []
        // Forward to the plan, then Esc all the way out.
        for key in [Key.enter, .enter, .enter, .enter, .enter] { all += Self.press(&s, key, answer: Self.healthy) }
        #expect(WizardFixtures.wizard(s)?.step == .plan)
        for expected in [RestoreWizardState.Step.target, .scope, .snapshots, .preflight, .choose] {
            all += Self.press(&s, .escape)
            #expect(WizardFixtures.wizard(s)?.step == expected)
        }
        all += Self.press(&s, .escape)
        #expect(s.mode == .dashboard)
        #expect(Self.writes(all).isEmpty, "something that writes ran: \(Self.writes(all))")
        // The only Job the wizard created was the snapshot listing.
        #expect(all.compactMap { if case .restore(let t, _) = $0 { t } else { nil } }.allSatisfy { if case .listSnapshots = $0 { true } else if case .preflight = $0 { true } else { false } })
    }

    @Test func inPlaceRunsOnlyOnceTheNamespaceIsTypedAndStartsWithTheSafetyBackup() throws {
        var s = Fixtures.state(data: Fixtures.dataWithFacts(WizardFixtures.facts()))
        s.stack = [.restore(WizardFixtures.atPlan(s, target: .inPlace))]
        #expect(Self.writes(Self.press(&s, .char("y"))).isEmpty, "y alone does not run an in-place restore")
        #expect(WizardFixtures.prompt(s)?.kind == .namespace)
        for c in "default" { Self.press(&s, .char(c)) }
        #expect(Self.writes(Self.press(&s, .enter)).isEmpty)
        #expect(WizardFixtures.prompt(s)?.error?.contains("type paperless-ngx exactly") == true)
        #expect(WizardFixtures.prompt(s)?.kind == .namespace && WizardFixtures.prompt(s)?.draft == "default", "the typed text is kept for editing")
        for _ in "default" { Self.press(&s, .backspace) }
        for c in "paperless-ngx" { Self.press(&s, .char(c)) }
        let confirmed = Self.press(&s, .enter)
        let (_, task) = try #require(WizardFixtures.task(confirmed))
        guard case .runPlan(let steps, _) = task, case .safetyBackup? = steps.first?.kind else { Issue.record("the first step is not the safety backup: \(task)"); return }
        #expect(confirmed.contains { if case .journal(let t) = $0 { t.contains("restore confirmed") && t.contains("namespace typed") } else { false } })
    }

    @Test func aFailedStepStopsThePlanAndShowsTheCommandsToGetBack() throws {
        var s = Fixtures.state(data: Fixtures.dataWithFacts(WizardFixtures.facts()))
        s.stack = [.restore(WizardFixtures.atPlan(s, target: .inPlace))]
        Self.press(&s, .char("y"))
        for c in "paperless-ngx" { Self.press(&s, .char(c)) }
        let (generation, _) = try #require(WizardFixtures.task(Self.press(&s, .enter)))
        // Safety backup, suspend and scale-down done, the restore fails; the plan runner stops there.
        for (index, text) in [(0, "Job complete"), (1, "CronJob suspended"), (2, "scaled to 0")] { WizardFixtures.step(&s, generation, index, .done(text)) }
        let failure = RestoreExecutor.Outcome.failed("Job failed; restic: repository locked")
        var failed = WizardFixtures.step(&s, generation, 3, failure)
        let recovery = try #require(WizardFixtures.wizard(s)?.plan?.steps).recovery(upTo: 3)
        failed += update(&s, .restoreFinished(generation: generation, .plan(.stopped(at: 3, outcome: failure, recovery: recovery))))
        #expect(WizardFixtures.task(failed) == nil, "nothing runs after a failed step")
        let w = try #require(WizardFixtures.wizard(s))
        #expect(w.recovery.contains { $0.contains("scale deployment/paperless-ngx --replicas=1") })
        #expect(render(s).text.contains("To get back to a running app:"))
        #expect(failed.contains { if case .journal(let t) = $0 { t.contains("FAILED") && t.contains("--replicas=1") } else { false } })
    }

    @Test func aLostLeaseIsAnnouncedOnTheWizardInTheNoticesAndTheJournalAndTheNextStepIsRefused() throws {
        var s = Fixtures.state(data: Fixtures.dataWithFacts(WizardFixtures.facts()))
        s.stack = [.restore(WizardFixtures.atPlan(s, target: .inPlace))]
        Self.press(&s, .char("y"))
        for c in "paperless-ngx" { Self.press(&s, .char(c)) }
        let (generation, _) = try #require(WizardFixtures.task(Self.press(&s, .enter)))
        WizardFixtures.step(&s, generation, 0, .done("Job complete"))
        WizardFixtures.step(&s, generation, 1, nil)
        // While step 2 runs, a renewal finds the Lease in another's hands.
        let lost = "the restore Lease paperctl-restore was LOST: bob@bastion pid 9 holds it now; no further writing step starts until it is taken again"
        let said = update(&s, .restorePlanEvent(generation: generation, .progress(1, RestoreExecutor.Progress(lost, leaseLost: true))))
        #expect(said.contains { if case .journal(let t) = $0 { t.contains("was LOST: bob@bastion pid 9") } else { false } })
        #expect(s.notices.last == lost)
        #expect(render(s).text.contains("The restore Lease paperctl-restore was LOST: bob@bastion pid 9 holds it now"), "\(render(s).text)")
        // The next step is refused by the runner's permit: the plan stops with the way back.
        _ = update(&s, .restorePlanEvent(generation: generation, .stepEnded(1, .done("CronJob suspended"))))
        let refused = update(&s, .restoreFinished(generation: generation, .plan(.notStarted(at: 2, why: lost, recovery: []))))
        #expect(WizardFixtures.task(refused) == nil, "nothing runs after the refusal")
        #expect(WizardFixtures.wizard(s)?.message?.contains("Step 3 (") == true && WizardFixtures.wizard(s)?.message?.contains("not started: the restore Lease") == true)
    }

    @Test func escOrCtrlCWhileAStepRunsAsksFirstAndQuittingKeepsTheWayBack() throws {
        var s = Fixtures.state(data: Fixtures.dataWithFacts(WizardFixtures.facts()))
        s.stack = [.restore(WizardFixtures.atPlan(s, target: .inPlace))]
        Self.press(&s, .char("y"))
        for c in "paperless-ngx" { Self.press(&s, .char(c)) }
        let (generation, _) = try #require(WizardFixtures.task(Self.press(&s, .enter)))
        for (index, text) in [(0, "Job complete"), (1, "CronJob suspended")] { WizardFixtures.step(&s, generation, index, .done(text)) }
        WizardFixtures.step(&s, generation, 2, nil)  // now the scale-down runs
        #expect(update(&s, .key(.escape)).isEmpty)
        #expect(WizardFixtures.prompt(s)?.kind == .abort, "Esc asks")
        _ = update(&s, .key(.enter))
        #expect(WizardFixtures.prompt(s) == nil, "Enter stays")
        #expect(update(&s, .key(.ctrlC)).isEmpty, "Ctrl-C asks too")
        let quit = update(&s, .key(.ctrlC))
        #expect(quit.contains(.quit))
        #expect(quit.contains(.cancelRestore(generation: generation)), "the plan is cancelled: no step after the scale-down starts")
        #expect(s.exitNotes.contains { $0.contains("--replicas=1") }, "the way back is printed on exit")
    }

    @Test func aStaleLockIsOfferedAnUnlockWithItsOwnConfirmation() throws {
        var s = Self.open()
        let locked: (RestoreTask) -> RestoreTaskResult? = { task in
            if case .preflight = task { return .preflight(WizardFixtures.preflight(lock: true)) }
            return Self.healthy(task)
        }
        Self.press(&s, .enter, answer: locked)
        #expect(Self.writes(Self.press(&s, .enter)).isEmpty)
        #expect(WizardFixtures.wizard(s)?.message?.contains("u offers restic unlock") == true)
        #expect(Self.press(&s, .char("u")).isEmpty)
        #expect(render(s).text.contains("restic unlock removes only stale locks"))
        let effects = Self.press(&s, .char("y"), answer: Self.healthy)
        #expect(Self.writes(effects).count == 1)
        let w = try #require(WizardFixtures.wizard(s))
        #expect(w.preflight?.lock == nil && w.message?.contains("successfully removed 1 locks") == true)
        // Now the snapshots can be listed.
        let list = Self.press(&s, .enter)
        guard case .listSnapshots? = WizardFixtures.task(list)?.task else { Issue.record("no listing after the unlock"); return }
    }

    @Test func aPathPickedFromTheSnapshotsFilesNarrowsThePlan() throws {
        var s = Self.open()
        for key in [Key.enter, .enter, .enter, .down, .down] { Self.press(&s, key, answer: Self.healthy) }
        Self.press(&s, .enter, answer: Self.healthy)  // restic ls of the root
        #expect(WizardFixtures.wizard(s)?.picking == true)
        Self.press(&s, .down)
        Self.press(&s, .down)
        Self.press(&s, .enter, answer: Self.healthy)  // into media/: restic ls media
        #expect(WizardFixtures.wizard(s)?.browse == "media")
        Self.press(&s, .down)
        Self.press(&s, .enter)  // media/a.pdf
        Self.press(&s, .enter)  // side by side
        let plan = try #require(WizardFixtures.wizard(s)?.plan)
        #expect(plan.text.contains("--include /media/a.pdf"))
    }

    @Test func aTaskAnswerFromAnEarlierStepIsIgnored() throws {
        var s = Self.open()
        let (generation, _) = try #require(WizardFixtures.task(update(&s, .key(.enter))))
        _ = update(&s, .key(.escape))  // back to What before the preflight answered
        _ = update(&s, .restoreFinished(generation: generation, .preflight(WizardFixtures.preflight())))
        #expect(WizardFixtures.wizard(s)?.preflight == nil)
    }

    @Test func ctrlCUnderHelpOverARunningStepStillAsksAndAFailedStepLeavesTheWayBackForTheExit() throws {
        var s = Fixtures.state(data: Fixtures.dataWithFacts(WizardFixtures.facts()))
        s.stack = [.restore(WizardFixtures.atPlan(s, target: .inPlace))]
        Self.press(&s, .char("y"))
        for c in "paperless-ngx" { Self.press(&s, .char(c)) }
        let (generation, _) = try #require(WizardFixtures.task(Self.press(&s, .enter)))
        WizardFixtures.step(&s, generation, 0, nil)
        _ = update(&s, .key(.char("?")))
        #expect(s.mode.scope == .help)
        #expect(update(&s, .key(.ctrlC)).isEmpty, "Ctrl-C under help does not quit while a step runs")
        #expect(WizardFixtures.prompt(s)?.kind == .abort)
        _ = update(&s, .key(.enter))
        // The safety backup is done, the scale-down's outcome is unknown; leaving keeps the way back for the exit.
        _ = update(&s, .restorePlanEvent(generation: generation, .stepEnded(0, .done("Job complete"))))
        WizardFixtures.step(&s, generation, 1, .done("CronJob suspended"))
        let unknown = RestoreExecutor.Outcome.unknown("still waiting for the pods of paperless-ngx to be gone after 21600 s")
        WizardFixtures.step(&s, generation, 2, unknown)
        let recovery = WizardFixtures.wizard(s)?.recovery ?? []
        _ = update(&s, .restoreFinished(generation: generation, .plan(.stopped(at: 2, outcome: unknown, recovery: recovery))))
        #expect(WizardFixtures.wizard(s)?.message?.contains("outcome UNKNOWN") == true)
        _ = update(&s, .key(.escape))
        #expect(s.mode == .dashboard)
        #expect(s.exitNotes.contains { $0.contains("--replicas=1") })
    }

    @Test func theDrillRunsFromTheWizardAndReportsWhatItRestored() throws {
        var s = Self.open()
        for key in [Key.down, .down, .down] { Self.press(&s, key) }
        Self.press(&s, .enter, answer: Self.healthy)  // drill → preflight
        let effects = Self.press(&s, .enter, answer: Self.healthy)
        guard case .drill? = WizardFixtures.task(effects)?.task else { Issue.record("no drill started"); return }
        let w = try #require(WizardFixtures.wizard(s))
        #expect(w.step == .finished && w.message?.contains("restore drill passed") == true && w.message?.contains("49 files") == true)
    }

    /// Issue 23 item 4: the wizard's footer is built per step; `y run` only where a plan can run.
    @Test func theFooterOffersTheKeysOfTheStepOnScreen() {
        let s = Self.open()
        let footer = render(s).text.split(separator: "\n").last.map(String.init) ?? ""
        #expect(footer.contains("Enter pick") && footer.contains("j/k move") && !footer.contains("y run"), "\(footer)")
    }

    @Test func uOnTheDashboardChecksFirstThenShowsTheUnlockJobAndOnlyYRunsIt() throws {
        var s = Self.open()
        _ = update(&s, .key(.escape))  // back to the dashboard; the fixture's File backups cause is a lock
        #expect(render(s).text.contains("u: restic unlock in a Job from the CronJob"), "the key is offered where the cause is shown")
        let pre = try #require(WizardFixtures.task(update(&s, .key(.char("u")))))
        guard case .preflight = pre.task else { Issue.record("no preflight first: \(pre.task)"); return }
        #expect(WizardFixtures.wizard(s)?.kind == .unlock && WizardFixtures.prompt(s) == nil, "nothing is offered before the checks")
        #expect(update(&s, .restoreFinished(generation: pre.generation, .preflight(WizardFixtures.preflight(lock: true)))).allSatisfy { if case .restore = $0 { false } else { true } })
        let text = render(s).text
        #expect(WizardFixtures.prompt(s)?.kind == .unlock && text.contains("This will run exactly:") && text.contains("kubectl --context demo create -f - -n paperless-ngx"), "the command aimed at the session's context")
        let run = try #require(WizardFixtures.task(update(&s, .key(.char("y")))))
        guard case .unlock(let job) = run.task else { Issue.record("no unlock: \(run.task)"); return }
        #expect(text.contains("(Job \(job.name): restic"), "the Job shown is the Job that runs")
        _ = update(&s, .restoreFinished(generation: run.generation, .unlocked(RestoreToolkit.UnlockResult(job: job.name, result: RestoreExecutor.JobResult(outcome: .done("Job complete"), log: "successfully removed 1 locks")))))
        #expect(WizardFixtures.wizard(s)?.step == .finished
            && WizardFixtures.wizard(s)?.message == "restic unlock ran in Job \(job.name): successfully removed 1 locks. b starts a backup Job to prove the repository is free.")
        // The footer is the Done step's: b to prove it, Enter to close, and no `y run` (issue 23 item 4).
        let footer = render(s).text.split(separator: "\n").last.map(String.init) ?? ""
        #expect(footer.contains("b backup") && footer.contains("Enter close") && !footer.contains("y run") && footer.contains("? "), "\(footer)")
        _ = update(&s, .key(.enter))
        #expect(s.mode == .dashboard)
    }

    @Test func uWithAnActiveBackupJobOrWithoutALockRunsNothingAndSaysWhy() throws {
        var s = Self.open()
        _ = update(&s, .key(.escape))
        let pre = try #require(WizardFixtures.task(update(&s, .key(.char("u")))))
        var busy = WizardFixtures.preflight(lock: true)
        busy.preflight.activeJobs = ["paperless-ngx-backup-29932081"]
        _ = update(&s, .restoreFinished(generation: pre.generation, .preflight(busy)))
        #expect(WizardFixtures.prompt(s) == nil)
        #expect(WizardFixtures.wizard(s)?.message?.contains("A backup Job is active (paperless-ngx-backup-29932081): its restic may still hold the lock") == true)
        #expect(WizardFixtures.task(update(&s, .key(.char("y")))) == nil)
        // Without a lock as the cause, u only explains.
        var quiet = Fixtures.state(data: Fixtures.dataWithFacts(WizardFixtures.facts()))
        quiet.data = .loaded({ var d = Fixtures.dataWithFacts(WizardFixtures.facts()); d.checks = d.checks.map { var c = $0; c.cause = nil; return c }; return d }())
        _ = update(&quiet, .key(.char("u")))
        guard case .dialog(let d) = quiet.mode else { Issue.record("no explanation"); return }
        #expect(d.title == "restic unlock" && d.body.contains("it names none"))
    }

    /// Read-only: R opens the wizard in plan-only mode. The database path reads the window (no
    /// file listing Job), plans with no dry run, and y says what it would create; the file path
    /// runs the preflight and names the listing Job it refuses.
    @Test func readOnlyOpensTheWizardInPlanOnlyModeReachingThePlanAndRunningNothingThatWrites() throws {
        var data = Fixtures.dataWithFacts(WizardFixtures.facts())
        data.actions = WizardFixtures.facts()
        var s = Fixtures.state(data: data)
        s.readOnly = true
        var all = update(&s, .key(.char("R")))
        #expect(WizardFixtures.wizard(s)?.message?.contains("Read-only: plan only") == true)
        _ = update(&s, .key(.down))
        let read = try #require(WizardFixtures.task(update(&s, .key(.enter))))
        guard case .dbDrillTimeline = read.task else { Issue.record("read-only lists the file snapshots (a Job): \(read.task)"); return }
        all += update(&s, .restoreFinished(generation: read.generation, .timeline(.timeline(try DatabaseWizardTests.timeline()))))
        all += update(&s, .key(.enter))  // latest
        #expect(WizardFixtures.wizard(s)?.step == .dbPlan)
        all += update(&s, .key(.char("y")))
        let w = try #require(WizardFixtures.wizard(s))
        let name = try #require(w.dbPlan?.name)
        #expect(WizardFixtures.prompt(s) == nil, "no namespace prompt: nothing can be confirmed")
        #expect(w.message == "read-only: y would create the new cluster \(name) from the backups (kubectl create -f -, after the namespace is typed); the plan is shown, nothing was run.")
        let screen = render(s).text
        #expect(screen.contains("Dry run: not sent (read-only") && screen.contains("READ-ONLY"))
        let tasks = all.compactMap { if case .restore(let t, _) = $0 { t } else { nil } }
        #expect(tasks.isEmpty, "read-only sent \(tasks)")
        #expect(RestoreWizardTests.writes(all).isEmpty)
        // The file path: the preflight runs (reads); Enter names the listing Job it refuses.
        _ = update(&s, .key(.escape))
        _ = update(&s, .key(.escape))
        _ = update(&s, .key(.up))
        let preflight = try #require(WizardFixtures.task(update(&s, .key(.enter))))
        guard case .preflight = preflight.task else { Issue.record("no preflight: \(preflight.task)"); return }
        _ = update(&s, .restoreFinished(generation: preflight.generation, .preflight(WizardFixtures.preflight())))
        #expect(WizardFixtures.task(update(&s, .key(.enter))) == nil)
        #expect(WizardFixtures.wizard(s)?.message?.hasPrefix("read-only: Enter would run the snapshot listing Job") == true)
    }
}

/// The database path of the wizard: the timeline, a point, the manifest with the server's dry
/// run, the typed namespace, then the new cluster followed until healthy.
@Suite struct DatabaseWizardTests {
    static let clusterJSON = Data(#"""
        {"apiVersion":"postgresql.cnpg.io/v1","kind":"Cluster","metadata":{"name":"paperless-ngx-db"},
         "spec":{"instances":1,"storage":{"size":"5Gi"},"backup":{"barmanObjectStore":{"destinationPath":"s3://db/"}}},
         "status":{"firstRecoverabilityPoint":"2027-01-06T03:01:40Z","conditions":[{"type":"ContinuousArchiving","status":"True"}]}}
        """#.utf8)

    static func timeline() throws -> DatabaseTimeline {
        let cluster = try KubeJSON.decode(CNPGCluster.self, from: clusterJSON)
        let window = DatabaseRestore.window(cluster: cluster, objectStores: [], archiveTimeout: 300, now: Fixtures.now)
        return DatabaseTimeline(clusterJSON: clusterJSON, cluster: cluster, window: window, backups: [], objectStores: [],
                                snapshots: [ResticSnapshot(id: "aaaa1111", time: Fixtures.now - 4 * 3600, paths: ["/data"])])
    }

    @Test func aTypedTimeGivesTheRPOAndNothingIsCreatedBeforeTheDryRunAndTheTypedNamespace() throws {
        var s = RestoreWizardTests.open()
        Self.press(&s, .down)
        let timelineTask = try #require(WizardFixtures.task(update(&s, .key(.enter))))
        _ = update(&s, .restoreFinished(generation: timelineTask.generation, .timeline(.timeline(try Self.timeline()))))
        #expect(render(s).text.contains("Window: 2027-01-06T03:01:40Z"))
        Self.press(&s, .down)
        Self.press(&s, .enter)  // "a time, typed"
        #expect(WizardFixtures.prompt(s)?.kind == .time)
        for c in "-2h" { Self.press(&s, .char(c)) }
        let dry = try #require(WizardFixtures.task(update(&s, .key(.enter))))
        guard case .dbDryRun = dry.task else { Issue.record("no dry run: \(dry.task)"); return }
        let w = try #require(WizardFixtures.wizard(s))
        #expect(w.dbPlan?.target == "2027-01-15T06:00:00+00:00")
        #expect(w.timeline?.rpo(for: Fixtures.now - 7200).last?.contains("2h before the point") == true)
        #expect(update(&s, .key(.char("y"))).isEmpty)
        #expect(WizardFixtures.wizard(s)?.message?.contains("Wait for the server's dry run") == true)
        _ = update(&s, .restoreFinished(generation: dry.generation, .dryRun(.done("accepted"))))
        _ = update(&s, .key(.char("y")))
        for c in "paperless-ngx" { Self.press(&s, .char(c)) }
        // The database restore is one plan for the one plan runner (the Lease, the credentials, the create, the wait, the backups re-armed, the Lease back).
        let run = try #require(WizardFixtures.task(update(&s, .key(.enter))))
        guard case .runPlan(let steps, _) = run.task, let i = steps.firstIndex(where: { if case .recoverCluster = $0.kind { true } else { false } }),
              case .recoverCluster(let name) = steps[i].kind else { Issue.record("no plan with the create: \(run.task)"); return }
        #expect(name.hasPrefix("paperless-ngx-db-restore-"))
        #expect(steps[i].dryRunDone, "y waited for this manifest's dry run: it is not asked again")
        #expect(steps.filter(\.dryRunDone).count == 1)
        var created: [Effect] = []
        for (index, step) in steps.enumerated() {
            created += update(&s, .restorePlanEvent(generation: run.generation, .stepStarted(index, step)))
            if index == i { #expect(render(s).text.contains("Creating \(name) and following its recovery…")) }
            created += update(&s, .restorePlanEvent(generation: run.generation, .stepEnded(index, .done(index == i ? "\(name) is healthy: Cluster in healthy state" : "done"))))
        }
        created += update(&s, .restoreFinished(generation: run.generation, .plan(.finished)))
        #expect(render(s).text.contains("Cutover, step by step"))
        // The cutover is journaled as shown, its command aimed at this session's context.
        #expect(created.contains { if case .journal(let t) = $0 { t.contains("cutover, yours to run:") && t.contains("kubectl --context demo scale deployment/paperless-ngx --replicas=0 -n paperless-ngx") } else { false } })
        #expect(created.contains { if case .journal(let t) = $0 { t.hasSuffix("restore Lease \(RestoreLease.name) given back") } else { false } })
    }

    /// The plan runner gives the Lease back; one it could not give back is announced and
    /// journaled, even after the wizard closed.
    @Test func aLeaseNotGivenBackIsAnnouncedAndJournaledEvenAfterTheWizardClosed() {
        var s = Fixtures.state(data: Fixtures.dataWithFacts(WizardFixtures.facts()))
        let why = "the restore Lease \(RestoreLease.name) could not be given back (connection refused); it lapses 60 s after its last renewal"
        let failed = update(&s, .restorePlanEvent(generation: 42, .leaseNote(why)))
        #expect(failed.contains { if case .journal(let t) = $0 { t.hasSuffix(why) } else { false } })
        #expect(s.notices.last?.contains("could not be given back") == true)
    }

    @Test func aPointOutsideTheWindowIsRefusedNamingTheWindow() throws {
        var s = RestoreWizardTests.open()
        Self.press(&s, .down)
        let timelineTask = try #require(WizardFixtures.task(update(&s, .key(.enter))))
        _ = update(&s, .restoreFinished(generation: timelineTask.generation, .timeline(.timeline(try Self.timeline()))))
        Self.press(&s, .down)
        Self.press(&s, .enter)
        for c in "-30d" { Self.press(&s, .char(c)) }
        #expect(WizardFixtures.task(update(&s, .key(.enter))) == nil, "nothing runs for a point outside the window")
        // The reason stays beside the prompt, the typed point kept for editing.
        let prompt = try #require(WizardFixtures.prompt(s))
        #expect(prompt.kind == .time && prompt.draft == "-30d")
        #expect(WizardFixtures.wizard(s)?.step == .timeline)
        #expect(WizardFixtures.prompt(s)?.error?.contains("outside the recoverability window 2027-01-06T03:01:40Z") == true)
        #expect(render(s).text.contains("outside the recoverability"), "the reason is on screen")
        // Edited into the window: accepted, the error gone with the prompt.
        for _ in "30d" { Self.press(&s, .backspace) }
        for c in "2h" { Self.press(&s, .char(c)) }
        Self.press(&s, .enter)
        #expect(WizardFixtures.wizard(s)?.step == .dbPlan && WizardFixtures.prompt(s) == nil)
        #expect(!render(s).text.contains("outside the recoverability"))
    }

    /// Esc from the new cluster's plan puts the timeline back as it was left (the cursor on the
    /// point chosen); another point gets its own plan, which waits for its own dry run: the
    /// earlier plan's "accepted" is not shown for it, and that dry run's late answer is ignored.
    @Test func escFromTheDatabasePlanPutsTheTimelineBackAndAnotherPointWaitsForItsOwnDryRun() throws {
        var s = RestoreWizardTests.open()
        Self.press(&s, .down)
        let timelineTask = try #require(WizardFixtures.task(update(&s, .key(.enter))))
        _ = update(&s, .restoreFinished(generation: timelineTask.generation, .timeline(.timeline(try Self.timeline()))))
        let first = try #require(WizardFixtures.task(update(&s, .key(.enter))))  // latest
        _ = update(&s, .restoreFinished(generation: first.generation, .dryRun(.done("accepted"))))
        #expect(render(s).text.contains("Dry run: accepted"))
        let latest = try #require(WizardFixtures.wizard(s)?.dbPlan)
        Self.press(&s, .escape)
        #expect(WizardFixtures.wizard(s)?.step == .timeline && WizardFixtures.wizard(s)?.selection == 0)
        #expect(render(s).text.contains("▸ latest: all archived WAL"))
        Self.press(&s, .down)
        Self.press(&s, .enter)  // "a time, typed"
        for c in "-2h" { Self.press(&s, .char(c)) }
        let second = try #require(WizardFixtures.task(update(&s, .key(.enter))))
        guard case .dbDryRun = second.task else { Issue.record("no dry run: \(second.task)"); return }
        let typed = try #require(WizardFixtures.wizard(s)?.dbPlan)
        #expect(typed.target == "2027-01-15T06:00:00+00:00" && typed != latest)
        #expect(render(s).text.contains("Dry run (kubectl create --dry-run=server): running…"))
        #expect(!render(s).text.contains("Dry run: accepted"))
        _ = update(&s, .restoreFinished(generation: first.generation, .dryRun(.done("accepted"))))
        #expect(WizardFixtures.wizard(s)?.dryRun == nil, "the earlier plan's dry run answers nothing for this one")
        #expect(update(&s, .key(.char("y"))).isEmpty)
        #expect(WizardFixtures.wizard(s)?.message?.contains("Wait for the server's dry run") == true)
    }

    /// Typed in a zone, the point is shown back in that zone with UTC beside it, and the
    /// confirmation says what it creates and what to type.
    @Test func aTimeTypedInAZoneIsEchoedInItAndTheConfirmationNamesTheNewClusterAndTheNamespace() throws {
        var s = RestoreWizardTests.open()
        Self.press(&s, .down)
        let timelineTask = try #require(WizardFixtures.task(update(&s, .key(.enter))))
        _ = update(&s, .restoreFinished(generation: timelineTask.generation, .timeline(.timeline(try Self.timeline()))))
        Self.press(&s, .down)
        Self.press(&s, .enter)
        // Fixtures.now is 2027-01-15T08:00:00Z: 08:30 in Berlin is 07:30Z, inside the window.
        for c in "08:30 Europe/Berlin" { Self.press(&s, .char(c)) }
        let dry = try #require(WizardFixtures.task(update(&s, .key(.enter))))
        _ = update(&s, .restoreFinished(generation: dry.generation, .dryRun(.done("accepted"))))
        _ = update(&s, .resize(width: 120, height: 40))
        #expect(render(s).text.contains("Restore point as typed: 2027-01-15 08:30 Europe/Berlin (07:30:00Z)"))
        Self.press(&s, .char("y"))
        let w = try #require(WizardFixtures.wizard(s))
        let name = try #require(w.dbPlan?.name)
        let prompt = try #require(RestoreWizardMode.prompt(s, w))
        #expect(prompt.what.contains("creates a NEW cluster \(name) from the backups, recovered to 2027-01-15 08:30 Europe/Berlin (07:30:00Z)") && !prompt.what.contains("in-place"))
        #expect(prompt.type == "Type the namespace paperless-ngx to confirm:")
    }

    /// A mistyped namespace: the error beside the prompt at the bottom of the wizard (in view,
    /// whatever the scroll), the text kept; an edit keeps the error, the accepted answer clears it
    /// and it is not on the run screen.
    @Test func aMistypedNamespaceKeepsItsErrorBesideThePromptUntilTheAnswerIsAccepted() throws {
        var s = Fixtures.state(data: Fixtures.dataWithFacts(WizardFixtures.facts()))
        s.stack = [.restore(WizardFixtures.atPlan(s, target: .inPlace))]
        Self.press(&s, .char("G"))  // scrolled to the end of the plan
        Self.press(&s, .char("y"))
        for c in "paperless-ngz" { Self.press(&s, .char(c)) }
        #expect(RestoreWizardTests.writes(update(&s, .key(.enter))).isEmpty)
        var lines = render(s).lines
        let input = try #require(lines.lastIndex { $0.contains("> paperless-ngz_") })
        #expect(lines[input - 1].contains("\"paperless-ngz\" is not the namespace"), "the error sits right above the input:\n\(lines.joined(separator: "\n"))")
        Self.press(&s, .backspace)
        Self.press(&s, .char("x"))
        lines = render(s).lines
        #expect(lines.contains { $0.contains("is not the namespace") }, "an edit keeps the error until Enter")
        let confirmed = update(&s, .key(.enter))
        #expect(WizardFixtures.task(confirmed) != nil)
        #expect(WizardFixtures.prompt(s) == nil, "accepted: the prompt is closed")
        #expect(!render(s).text.contains("not the namespace"), "no stale error during the run")
    }

    static func press(_ s: inout AppState, _ key: Key) { _ = update(&s, .key(key)) }

    @Test func theDatabaseDrillCreatesOnlyAScratchClusterTimesItAndDeletesItOnlyAfterTheTypedNamespace() throws {
        var s = RestoreWizardTests.open()
        for _ in 0..<4 { Self.press(&s, .down) }
        let timelineTask = try #require(WizardFixtures.task(update(&s, .key(.enter))))
        guard case .dbDrillTimeline = timelineTask.task else { Issue.record("no window read: \(timelineTask.task)"); return }
        let dry = try #require(WizardFixtures.task(update(&s, .restoreFinished(generation: timelineTask.generation, .timeline(.timeline(try Self.timeline()))))))
        guard case .dbDryRun(let json) = dry.task else { Issue.record("no dry run: \(dry.task)"); return }
        let plan = try #require(WizardFixtures.wizard(s)?.dbPlan)
        #expect(plan.name.hasPrefix("paperless-ngx-db-drill-") && json.contains("\"db-drill\""))
        #expect(update(&s, .key(.char("y"))).isEmpty, "nothing is created before the server's dry run")
        _ = update(&s, .restoreFinished(generation: dry.generation, .dryRun(.done("accepted"))))
        // A scratch cluster overwrites nothing: y alone starts it.
        let drill = try #require(WizardFixtures.task(update(&s, .key(.char("y")))))
        guard case .dbDrill(let started) = drill.task else { Issue.record("no drill: \(drill.task)"); return }
        #expect(started == plan && WizardFixtures.wizard(s)?.isRunning == true)
        let result = DatabaseDrillResult(cluster: plan.name, outcome: .done("\(plan.name) is healthy: Cluster in healthy state"), rtoSeconds: 95, recoveredTo: plan.recoveredTo)
        let journaled = update(&s, .restoreFinished(generation: drill.generation, .dbDrilled(result)))
        #expect(journaled.contains { if case .journal(let text) = $0 { text.contains("database drill passed: \(plan.name) healthy in 95s (the RTO)") } else { false } })
        let done = render(s).text
        #expect(done.contains("Recorded in ConfigMap paperctl-drills") && done.contains("d deletes the scratch cluster"))
        #expect(done.contains("delete clusters.postgresql.cnpg.io \(plan.name) -n paperless-ngx"), "the exact command is shown first")
        // d, then the namespace: a wrong one runs nothing.
        Self.press(&s, .char("d"))
        #expect(WizardFixtures.prompt(s)?.kind == .cleanupNamespace)
        for c in "default" { Self.press(&s, .char(c)) }
        #expect(WizardFixtures.task(update(&s, .key(.enter))) == nil)
        #expect(WizardFixtures.prompt(s)?.error?.contains("is not the namespace") == true)
        for _ in "default" { Self.press(&s, .backspace) }
        for c in "paperless-ngx" { Self.press(&s, .char(c)) }
        let cleanup = try #require(WizardFixtures.task(update(&s, .key(.enter))))
        guard case .dbDrillCleanup(let name) = cleanup.task else { Issue.record("no cleanup: \(cleanup.task)"); return }
        #expect(name == plan.name)
        _ = update(&s, .restoreFinished(generation: cleanup.generation, .cleaned(.done("scratch cluster \(name) deleted"))))
        #expect(render(s).text.contains("scratch cluster \(name) deleted"))
        Self.press(&s, .char("d"))
        #expect(WizardFixtures.prompt(s) == nil, "nothing left to delete")
    }

    /// The wizard on both's plan for the latest point.
    static func atBothPlan() throws -> AppState {
        var s = RestoreWizardTests.open()
        Self.press(&s, .down)
        Self.press(&s, .down)
        let timelineTask = try #require(WizardFixtures.task(update(&s, .key(.enter))))
        var timeline = try Self.timeline()
        timeline.cronJob = WizardFixtures.cronJob
        timeline.resticVersion = ResticVersion(0, 17, 3)
        _ = update(&s, .restoreFinished(generation: timelineTask.generation, .timeline(.timeline(timeline))))
        Self.press(&s, .enter)  // latest
        return s
    }

    @Test func bothRunsTheSafetyBackupsFirstAfterTheTypedNamespaceWithTheRPOInThePlan() throws {
        var s = try Self.atBothPlan()
        let w = try #require(WizardFixtures.wizard(s))
        #expect(w.step == .plan && w.kind == .both)
        let text = render(s).text
        #expect(text.contains("database: exactly") && text.contains("files: snapshot aaaa1111"), "the RPO readout is in the plan")
        #expect(update(&s, .key(.char("y"))).isEmpty)
        for c in "paperless-ngx" { Self.press(&s, .char(c)) }
        let first = try #require(WizardFixtures.task(update(&s, .key(.enter))))
        guard case .runPlan(let steps, _) = first.task, case .databaseBackup? = steps.first?.kind else { Issue.record("the database safety backup is not first: \(first.task)"); return }
    }

    /// `s` on both's plan skips the files' safety backup only: the database's steps stay, and the
    /// same new cluster is created (before, the plan became a files-only restore).
    @Test func skippingTheFilesSafetyBackupOfBothKeepsTheDatabaseSteps() throws {
        var s = try Self.atBothPlan()
        let cluster = try #require(WizardFixtures.wizard(s)?.dbPlan?.name)
        Self.press(&s, .char("s"))
        for c in "restic repo is read-only" { Self.press(&s, .char(c)) }
        Self.press(&s, .enter)
        let w = try #require(WizardFixtures.wizard(s))
        #expect(w.kind == .both && w.step == .plan)
        #expect(render(s).text.contains(cluster), "the plan still creates the new cluster")
        _ = update(&s, .key(.char("y")))
        for c in "paperless-ngx" { Self.press(&s, .char(c)) }
        let run = try #require(WizardFixtures.task(update(&s, .key(.enter))))
        guard case .runPlan(let steps, _) = run.task else { Issue.record("no plan: \(run.task)"); return }
        #expect(steps.contains { if case .recoverCluster(let name) = $0.kind { name == cluster } else { false } }, "\(steps.map(\.title))")
        #expect(steps.contains { if case .databaseBackup = $0.kind { true } else { false } }, "the database's safety backup stays")
        #expect(!steps.contains { if case .safetyBackup = $0.kind { true } else { false } }, "the files' safety backup is skipped")
    }
}
