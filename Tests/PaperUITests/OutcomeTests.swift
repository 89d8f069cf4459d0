import Foundation
import PaperDomain
import PaperKube
import Testing
@testable import PaperUI

/// Outcomes in honest words: an action says what it started and follows it to its result; a
/// force-sync says when refreshTime moved or that the secret is still failing; an unlock leads
/// to a backup that proves it, or to `--remove-all` once the lock's holder is known to be gone.
@Suite struct OutcomeTests {
    typealias Frame = GoldenFrameTests.Frame

    static func plan(_ s: AppState) -> ActionPlan? {
        if case .dialog(let d) = s.mode, case .confirm(let p) = d.kind { p } else { nil }
    }

    static func journal(_ effects: [Effect]) -> [String] {
        effects.compactMap { if case .journal(let t) = $0 { t } else { nil } }
    }

    // MARK: b and B

    /// b, y, and kubectl's "created": the state after the action returned.
    static func backupStarted(width: Int = 120, height: Int = 35) throws -> (AppState, ActionPlan, [Effect]) {
        var s = Fixtures.actionState(width: width, height: height)
        _ = update(&s, .key(.char("b")))
        let plan = try #require(Self.plan(s))
        _ = update(&s, .key(.char("y")))
        let generation = try #require(s.actionInFlight)
        let effects = update(&s, .actionFinished(ActionOutcome(plan: plan, succeeded: true, message: "job.batch/\(plan.objectName) created"), generation: generation, at: Fixtures.now + 1))
        return (s, plan, effects)
    }

    @Test func aStartedBackupSaysStartedAndFollowingThenItsResultWhenTheJobEnds() throws {
        var (s, plan, effects) = try Self.backupStarted()
        #expect(s.notices.last == "started job.batch/\(plan.objectName); following it to the end", "kubectl's `created` is not called done")
        #expect(!s.notices.contains { $0.contains("done") })
        #expect(Self.journal(effects).contains { $0.contains("result: ok — started job.batch/\(plan.objectName)") })
        let failed = update(&s, .refreshed(.success(Fixtures.dataWithFacts(Fixtures.facts(jobs: [Objects.job(plan.objectName, status: Objects.failed, uid: "ours")]))), at: Fixtures.now + 6))
        #expect(s.notices.last == "File backup Job \(plan.objectName) FAILED: BackoffLimitExceeded: Job has reached the specified backoff limit")
        #expect(Self.journal(failed).contains { $0.contains("FAILED: BackoffLimitExceeded") })
        try GoldenFrameTests.compare(render(s), Frame(name: "outcome-backup-failed", width: 120, height: 35))
    }

    @Test func aStartedDatabaseBackupNamesTheBackupObject() throws {
        var s = Fixtures.actionState()
        _ = update(&s, .key(.char("B")))
        let plan = try #require(Self.plan(s))
        _ = update(&s, .key(.char("y")))
        let generation = try #require(s.actionInFlight)
        _ = update(&s, .actionFinished(ActionOutcome(plan: plan, succeeded: true, message: "backup.postgresql.cnpg.io/\(plan.objectName) created"), generation: generation, at: Fixtures.now + 1))
        #expect(s.notices.last == "started backup.postgresql.cnpg.io/\(plan.objectName); following it to the end")
    }

    @Test func theStartedNoticeGoldenFrame() throws {
        let (s, _, _) = try Self.backupStarted()
        try GoldenFrameTests.compare(render(s), Frame(name: "outcome-backup-started", width: 120, height: 35))
        let (narrow, _, _) = try Self.backupStarted(width: 80, height: 24)
        try GoldenFrameTests.compare(render(narrow), Frame(name: "outcome-backup-started", width: 80, height: 24))
    }

    // MARK: f

    /// f on paperless-ngx-admin, whose sync fails; y; kubectl's "annotated".
    static func syncAnnotated() throws -> (AppState, [Effect]) {
        var s = Fixtures.actionState(Self.failingFacts())
        _ = update(&s, .key(.char("4")))
        for _ in 0..<2 { _ = update(&s, .key(.char("j"))) }  // reason, title, admin
        _ = update(&s, .key(.char("f")))
        let plan = try #require(Self.plan(s))
        #expect(plan.arguments.contains("paperless-ngx-admin"))
        _ = update(&s, .key(.char("y")))
        let generation = try #require(s.actionInFlight)
        let effects = update(&s, .actionFinished(ActionOutcome(plan: plan, succeeded: true, message: "externalsecret.external-secrets.io/paperless-ngx-admin annotated"),
                                                 generation: generation, at: Fixtures.now + 1))
        return (s, effects)
    }

    /// paperless-ngx-admin as ESO leaves a broken one: Ready False SecretSyncedError, refreshTime where it was.
    static func failingFacts() -> ActionFacts {
        var facts = Fixtures.facts()
        facts.externalSecrets = facts.externalSecrets.map { es in
            guard es.metadata.name == "paperless-ngx-admin" else { return es }
            var e = es
            e.conditions = [Condition(type: "Ready", status: "False", reason: "SecretSyncedError", message: "could not get secret data from provider")]
            return e
        }
        return facts
    }

    @Test func aForceSyncSaysAnnotatedAndWaitingThenStillFailingWhenRefreshTimeDoesNotMove() throws {
        var (s, effects) = try Self.syncAnnotated()
        let was = UTCTime.rfc3339(try #require(Self.failingFacts().refreshTime(of: "paperless-ngx-admin")))
        #expect(s.notices.last == "ExternalSecret paperless-ngx-admin annotated; waiting for refreshTime to move (it reads \(was); up to 30s)…")
        #expect(Self.journal(effects).contains { $0.contains("annotated; waiting for refreshTime") })
        try GoldenFrameTests.compare(render(s), Frame(name: "outcome-sync-waiting", width: 120, height: 35))
        // Within the bound, with refreshTime where it was: nothing is said yet.
        let early = update(&s, .refreshed(.success(Fixtures.dataWithFacts(Self.failingFacts())), at: Fixtures.now + 20))
        #expect(!Self.journal(early).contains { $0.contains("paperless-ngx-admin") } && s.awaitingSync["paperless-ngx-admin"] != nil)
        // Past it: still failing, in the condition's words, on screen and in the journal.
        let late = update(&s, .refreshed(.success(Fixtures.dataWithFacts(Self.failingFacts())), at: Fixtures.now + 31))
        let said = "ExternalSecret paperless-ngx-admin still failing 30s after the force-sync: could not get secret data from provider (SecretSyncedError; refreshTime still \(was))"
        #expect(s.notices.last == said)
        #expect(Redactor.redact(said) == said, "the journal keeps the condition's words")
        #expect(Self.journal(late).contains { $0.hasSuffix(said) })
        #expect(s.awaitingSync.isEmpty, "said once")
        try GoldenFrameTests.compare(render(s), Frame(name: "outcome-sync-still-failing", width: 120, height: 35))
    }

    @Test func aForceSyncWhoseRefreshTimeMovesSaysSyncedAtThatTime() throws {
        var (s, _) = try Self.syncAnnotated()
        var facts = Fixtures.facts()
        facts.externalSecrets = facts.externalSecrets.map { es in
            var e = es
            if e.metadata.name == "paperless-ngx-admin" { e.refreshTime = Fixtures.now + 2 }
            return e
        }
        let effects = update(&s, .refreshed(.success(Fixtures.dataWithFacts(facts)), at: Fixtures.now + 4))
        #expect(s.notices.last == "ExternalSecret paperless-ngx-admin synced at \(UTCTime.rfc3339(Fixtures.now + 2)) after the force-sync")
        #expect(Self.journal(effects).contains { $0.contains("synced at") })
    }

    @Test func fOnTheFailingSecretsPanelActsOnTheSecretItsCauseNamesWhateverRowIsSelected() throws {
        var data = Fixtures.dataWithFacts()
        data.checks = data.checks.map { c in
            guard c.id == .secrets else { return c }
            return CheckResult(id: .secrets, verdict: .critical, reason: "paperless-ngx-admin not synced (SecretSyncedError)",
                               cause: .init(kind: "item missing in the provider", evidence: "Secret does not exist", nextStep: "create the item",
                                            source: "event UpdateFailed on ExternalSecret paperless-ngx-admin (×22)"))
        }
        var s = Fixtures.state(data: data)
        _ = update(&s, .key(.char("4")))  // the selection is on the check's row, not on an ExternalSecret
        _ = update(&s, .key(.char("f")))
        #expect(Self.plan(s)?.objectName == "paperless-ngx-admin", "the header's `f syncs paperless-ngx-admin` holds on its panel")
    }

    // MARK: u, then b or --remove-all

    /// `u` on the dashboard, the preflight with a lock, `y`: the unlock Job's task.
    static func unlockRunning(width: Int = 120, height: Int = 35) throws -> (AppState, Int, ResticJob) {
        var s = RestoreWizardTests.open()
        _ = update(&s, .key(.escape))
        let pre = try #require(WizardFixtures.task(update(&s, .key(.char("u")))))
        _ = update(&s, .restoreFinished(generation: pre.generation, .preflight(WizardFixtures.preflight(lock: true))))
        let shown = try #require(WizardFixtures.wizard(s)?.unlockJob)
        _ = update(&s, .tick(now: Fixtures.now + 3))
        #expect(WizardFixtures.wizard(s)?.unlockJob == shown, "the Job shown does not change while the operator reads it")
        let run = try #require(WizardFixtures.task(update(&s, .key(.char("y")))))
        guard case .unlock(let job) = run.task else { throw Failure("no unlock: \(run.task)") }
        #expect(job == shown, "the Job that runs is the Job that was shown")
        _ = update(&s, .resize(width: width, height: height))
        return (s, run.generation, job)
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ d: String) { description = d }
    }

    @Test func aSuccessfulUnlockOffersBWhichOpensTheBackupConfirmation() throws {
        for (w, h) in [(80, 24), (120, 35)] {
            var (s, generation, job) = try Self.unlockRunning(width: w, height: h)
            let effects = update(&s, .restoreFinished(generation: generation, .unlocked(RestoreToolkit.UnlockResult(job: job.name, result: .init(outcome: .done("Job \(job.name) complete"),
                                                                                                                                               log: "repository 9b6c2d51 opened\nsuccessfully removed 1 locks")))))
            #expect(Self.journal(effects).contains { $0.contains("restic unlock done in Job \(job.name): successfully removed 1 locks") })
            #expect(s.notices.last == "restic unlock ran in Job \(job.name): successfully removed 1 locks; b starts a backup to prove the repository is free")
            try GoldenFrameTests.compare(render(s), Frame(name: "outcome-unlock-done", width: w, height: h))
            _ = update(&s, .key(.char("b")))
            let plan = try #require(Self.plan(s), "b on the Done screen opens the backup's confirmation")
            #expect(plan.kind == .fileBackup)
            _ = update(&s, .key(.escape))
            #expect(s.mode == .dashboard)
        }
    }

    static func failedOnLock(_ pod: ResticLockHolder.Pod) throws -> (AppState, [Effect]) {
        var (s, generation, job) = try Self.unlockRunning()
        let log = "Fatal: unable to create lock in backend: repository is already locked exclusively by PID 27 on paperless-ngx-backup-29412000-x7k2p by root (UID 0, GID 0)"
        let result = RestoreExecutor.JobResult(outcome: .failed("Job \(job.name) failed: BackoffLimitExceeded; restic: repository locked: \(log)"), log: log, exitCode: 11,
                                               diagnosis: ResticDiagnosis.diagnose(log: log, exitCode: 11))
        let effects = update(&s, .restoreFinished(generation: generation, .unlocked(RestoreToolkit.UnlockResult(
            job: job.name, result: result, holder: ResticLockHolder(pid: 27, host: "paperless-ngx-backup-29412000-x7k2p", pod: pod)))))
        return (s, effects)
    }

    @Test func anUnlockFailingOnALockWhoseHolderIsGoneOffersRemoveAllBehindTheTypedNamespace() throws {
        var (s, effects) = try Self.failedOnLock(.absent)
        #expect(Self.journal(effects).contains { $0.contains("no pod paperless-ngx-backup-29412000-x7k2p in namespace paperless-ngx: the holder is gone") })
        let w = try #require(WizardFixtures.wizard(s))
        let removeAll = try #require(w.removeAllJob)
        #expect(removeAll.script == "restic unlock --remove-all")
        try GoldenFrameTests.compare(render(s), Frame(name: "outcome-unlock-holder-gone", width: 120, height: 35))
        // u asks for the namespace; a wrong one runs nothing.
        #expect(WizardFixtures.task(update(&s, .key(.char("u")))) == nil)
        #expect(WizardFixtures.prompt(s)?.kind == .removeAllNamespace)
        for c in "paperless" { _ = update(&s, .key(.char(c))) }
        #expect(WizardFixtures.task(update(&s, .key(.enter))) == nil)
        // The mistyped text is kept for editing (issue 23 item 7): finish it.
        #expect(WizardFixtures.prompt(s)?.draft == "paperless" && WizardFixtures.prompt(s)?.error != nil)
        for c in "-ngx" { _ = update(&s, .key(.char(c))) }
        let confirmed = update(&s, .key(.enter))
        let run = try #require(WizardFixtures.task(confirmed))
        guard case .unlock(let job) = run.task else { throw Failure("no unlock: \(run.task)") }
        #expect(job == removeAll, "the Job shown is the Job that runs")
        #expect(Self.journal(confirmed).contains { $0.contains("restic unlock --remove-all confirmed (namespace typed") && $0.contains("kubectl --context demo create -f - -n paperless-ngx") })
    }

    @Test func anUnlockFailingOnALockWhoseHolderRunsOffersNoRemoveAll() throws {
        var (s, _) = try Self.failedOnLock(.alive(phase: "Running"))
        let w = try #require(WizardFixtures.wizard(s))
        #expect(w.removeAllJob == nil)
        #expect(w.message?.contains("pod paperless-ngx-backup-29412000-x7k2p exists (Running): its restic may still be working") == true)
        _ = update(&s, .key(.char("u")))
        #expect(WizardFixtures.prompt(s)?.kind != .removeAllNamespace, "no --remove-all while the holder may be alive")
    }

    // MARK: The smaller things

    @Test func tNamesTheThemeItPicked() {
        var s = Fixtures.actionState()
        s.themeNames = ["default", "light", "solarized-dark", "high-contrast", "monochrome"]
        _ = update(&s, .key(.char("t")))
        #expect(s.notices.last == "theme: light")
    }

    @Test(arguments: [("the preflight checks", "Running the preflight checks"), ("reading the recoverability window", "Reading the recoverability window"),
                      ("creating x and timing its recovery", "Creating x and timing its recovery")])
    func aBusyTextKeepsItsOwnVerb(busy: String, said: String) {
        #expect(RestoreWizardMode.busyText(busy) == said)
    }

    @Test func monochromeTellsASelectedRowFromACritRow() throws {
        let theme = try Theme.load(nameOrPath: "monochrome") { _ in nil }
        #expect(theme.style(.selection) != theme.style(.critical))
    }
}
