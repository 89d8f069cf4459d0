import Foundation
import PaperDomain
import PaperKube
import Testing
@testable import PaperUI

/// Action keys: a dialog with the exact command, a confirm key that is never the trigger key,
/// refusals that name what blocks, read-only mode, tracking by name and UID, the journal.
@Suite struct ActionTests {
    static func plan(_ s: AppState) -> ActionPlan? {
        if case .dialog(let d) = s.mode, case .confirm(let plan) = d.kind { plan } else { nil }
    }

    static func notice(_ s: AppState) -> DialogState? {
        if case .dialog(let d) = s.mode, !d.isConfirmation { d } else { nil }
    }

    @Test func bShowsTheExactCommandAndOnlyYRunsIt() throws {
        var s = Fixtures.actionState()
        #expect(update(&s, .key(.char("b"))).isEmpty)
        let plan = try #require(Self.plan(s))
        #expect(plan.arguments == ["--context", "demo", "create", "job", "--from=cronjob/paperless-ngx-backup", "manual-backup-\(Int(Fixtures.now))", "-n", "paperless-ngx"])
        let screen = render(s).text
        #expect(screen.contains("create job --from=cronjob/paperless-ngx-backup"))
        #expect(screen.contains("manual-backup-\(Int(Fixtures.now))"))
        #expect(update(&s, .key(.char("b"))).isEmpty, "the trigger key does not confirm")
        #expect(Self.plan(s) == plan)
        let effects = update(&s, .key(.char("y")))
        let generation = try #require(s.actionInFlight)
        #expect(effects.contains(.run(plan, generation: generation)))
        #expect(effects.contains { if case .journal(let t) = $0 { t.contains("action confirmed") && t.contains("create job") } else { false } })
        #expect(s.mode == .dashboard)
    }

    @Test func escCancelsAndRunsNothing() {
        var s = Fixtures.actionState()
        _ = update(&s, .key(.char("b")))
        let effects = update(&s, .key(.escape))
        #expect(!effects.contains { if case .run = $0 { true } else { false } })
        #expect(s.mode == .dashboard)
        #expect(s.notices.last?.contains("cancelled") == true)
    }

    @Test func aRunningJobBlocksASecondBackupAndIsNamed() throws {
        var s = Fixtures.actionState(Fixtures.facts(jobs: [Objects.job("manual-backup-1700000000", status: Objects.running)]))
        _ = update(&s, .key(.char("b")))
        let notice = try #require(Self.notice(s))
        #expect(notice.body.contains("manual-backup-1700000000"))
        #expect(update(&s, .key(.char("y"))).isEmpty, "y on a refusal runs nothing")
    }

    @Test func aJobStartedByHandFromTheCronJobBlocksToo() throws {
        // Owned by the CronJob, but without the CronJob's Job labels: `kubectl create job --from` by someone else.
        var s = Fixtures.actionState(Fixtures.facts(jobs: [Objects.job("by-hand", status: Objects.running)]))
        _ = update(&s, .key(.char("b")))
        #expect(try #require(Self.notice(s)).body.contains("by-hand"))
    }

    @Test func databaseBackupUsesTheClusterMethodAndRefusesBehindAQueuedBackup() throws {
        var s = Fixtures.actionState(Fixtures.facts(cluster: Objects.cluster(.plugin)))
        _ = update(&s, .key(.char("B")))
        let plan = try #require(Self.plan(s))
        #expect(plan.stdin?.contains("\"method\": \"plugin\"") == true)
        #expect(plan.stdin?.contains("barman-cloud.cloudnative-pg.io") == true)
        #expect(plan.arguments.suffix(5) == ["create", "-f", "-", "-n", "paperless-ngx"])
        for phase in ["walArchivingFailing", nil] {
            var blocked = Fixtures.actionState(Fixtures.facts(backups: [Objects.backup("paperless-ngx-db-daily-20261129030000", phase: phase)]))
            _ = update(&blocked, .key(.char("B")))
            let notice = try #require(Self.notice(blocked), "a \(phase ?? "queued") Backup does not block")
            #expect(notice.body.contains("paperless-ngx-db-daily-20261129030000"))
            #expect(notice.body.contains(phase ?? "queued"))
        }
    }

    @Test func forceSyncActsOnTheSelectedRowsObjectAndIsRateLimitedPerSecret() throws {
        var s = Fixtures.actionState()
        _ = update(&s, .key(.char("4")))
        _ = update(&s, .key(.char("f")))
        #expect(try #require(Self.notice(s)).body.contains("Select an ExternalSecret"), "the selected row is not an ExternalSecret")
        _ = update(&s, .key(.escape))
        for _ in 0..<3 { _ = update(&s, .key(.char("j"))) }  // reason, title, admin, restic
        _ = update(&s, .key(.char("f")))
        let plan = try #require(Self.plan(s))
        #expect(plan.arguments == ["--context", "demo", "annotate", "externalsecret", "paperless-ngx-restic", "force-sync=\(Int(Fixtures.now))", "--overwrite", "-n", "paperless-ngx"])
        let effects = update(&s, .key(.char("y")))
        let generation = try #require(s.actionInFlight)
        #expect(effects.contains(.run(plan, generation: generation)))
        _ = update(&s, .actionFinished(ActionOutcome(plan: plan, succeeded: true, message: "annotated"), generation: generation, at: Fixtures.now + 1))
        #expect(s.actionInFlight == nil)
        _ = update(&s, .key(.char("f")))
        #expect(try #require(Self.notice(s)).body.contains("wait"))
        _ = update(&s, .key(.escape))
        // The next refresh that shows a newer refreshTime tells the operator the sync landed.
        var facts = Fixtures.facts()
        facts.externalSecrets = facts.externalSecrets.map { es in
            var e = es
            if e.metadata.name == "paperless-ngx-restic" { e.refreshTime = Fixtures.now + 3 }
            return e
        }
        let refreshed = update(&s, .refreshed(.success(Fixtures.dataWithFacts(facts)), at: Fixtures.now + 4))
        #expect(s.notices.last == "ExternalSecret paperless-ngx-restic synced at \(UTCTime.rfc3339(Fixtures.now + 3)) after the force-sync")
        #expect(refreshed.contains { if case .journal(let t) = $0 { t.contains("after the force-sync") } else { false } })
    }

    @Test func aStartedJobIsTrackedByNameAndUIDUntilItFinishes() throws {
        var s = Fixtures.actionState()
        _ = update(&s, .key(.char("b")))
        let plan = try #require(Self.plan(s))
        _ = update(&s, .key(.char("y")))
        let generation = try #require(s.actionInFlight)
        let effects = update(&s, .actionFinished(ActionOutcome(plan: plan, succeeded: true, message: "job.batch/x created"), generation: generation, at: Fixtures.now + 1))
        #expect(effects.contains(.refresh))
        #expect(s.tracked == [TrackedObject(kind: .job, name: plan.objectName)])
        // Running: its UID is learned. The row text does not matter.
        _ = update(&s, .refreshed(.success(Fixtures.dataWithFacts(Fixtures.facts(jobs: [Objects.job(plan.objectName, status: Objects.running, uid: "first")]))), at: Fixtures.now + 5))
        #expect(s.tracked.first?.uid == "first")
        // Finished: a notice and a journal entry, and it is no longer followed.
        let done = update(&s, .refreshed(.success(Fixtures.dataWithFacts(Fixtures.facts(jobs: [Objects.job(plan.objectName, status: Objects.complete, uid: "first")]))), at: Fixtures.now + 10))
        #expect(s.tracked.isEmpty)
        #expect(s.notices.last == "File backup Job \(plan.objectName) completed: Job complete in 90s")
        #expect(done.contains { if case .journal(let t) = $0 { t.contains("completed: Job complete") } else { false } })
    }

    @Test func aTrackedJobReplacedUnderTheSameNameIsNotReportedAsOurs() throws {
        var s = Fixtures.actionState()
        s.tracked = [TrackedObject(kind: .job, name: "manual-backup-1", uid: "ours")]
        _ = update(&s, .refreshed(.success(Fixtures.dataWithFacts(Fixtures.facts(jobs: [Objects.job("manual-backup-1", status: Objects.failed, uid: "theirs")]))), at: Fixtures.now))
        #expect(s.tracked.isEmpty)
        #expect(s.notices.last?.contains("another of that name") == true)
        #expect(s.notices.last?.contains("FAILED") == false)
    }

    @Test func aFailedActionTracksNothingAndLetsTheNextOneRun() throws {
        var s = Fixtures.actionState()
        _ = update(&s, .key(.char("B")))
        let plan = try #require(Self.plan(s))
        _ = update(&s, .key(.char("y")))
        let generation = try #require(s.actionInFlight)
        _ = update(&s, .key(.char("B")))
        #expect(try #require(Self.notice(s)).body.contains("Another action is still running"))
        _ = update(&s, .key(.escape))
        _ = update(&s, .actionFinished(ActionOutcome(plan: plan, succeeded: false, message: "Error from server (Forbidden)"), generation: generation, at: Fixtures.now + 1))
        #expect(s.tracked.isEmpty)
        #expect(s.notices.last?.contains("FAILED") == true)
        _ = update(&s, .key(.char("B")))
        #expect(Self.plan(s) != nil)
    }

    @Test func journalRecordsVerdictsAtStartAndChanges() {
        var s = Fixtures.actionState()
        s.data = .loading
        let first = update(&s, .refreshed(.success(Fixtures.data()), at: Fixtures.now))
        #expect(first.contains { if case .journal(let t) = $0 { t.contains("verdicts at start") && t.contains("file-backups: CRIT") } else { false } })
        let second = update(&s, .refreshed(.success(Fixtures.data([.fileBackups: .ok])), at: Fixtures.now + 5))
        #expect(second.contains { if case .journal(let t) = $0 { t.contains("file-backups: CRIT → OK") } else { false } })
        let third = update(&s, .refreshed(.success(Fixtures.data([.fileBackups: .ok])), at: Fixtures.now + 10))
        #expect(!third.contains { if case .journal = $0 { true } else { false } }, "no change, no entry")
    }

    @Test func commandLogIsBoundedAndShown() {
        var s = Fixtures.actionState()
        for i in 0..<(AppState.commandLogLimit + 10) {
            _ = update(&s, .commandRan(CommandRecord(startedAt: Fixtures.now, duration: 0.2, commandLine: "kubectl get pods #\(i)", exitStatus: 0, isAction: false)))
        }
        #expect(s.commandLog.count == AppState.commandLogLimit)
        _ = update(&s, .key(.char("c")))
        #expect(render(s).text.contains("kubectl get pods #\(AppState.commandLogLimit + 9)"))
    }

    @Test func aRepeatedBackgroundReadIsOneLineThatMovesDownButActionsStay() {
        var s = Fixtures.actionState()
        func ran(_ line: String, action: Bool = false, at offset: Double) {
            _ = update(&s, .commandRan(CommandRecord(startedAt: Fixtures.now + offset, duration: 0.01, commandLine: line, exitStatus: 0, isAction: action,
                                                     title: action ? "Start a restic file backup" : nil)))
        }
        ran("kubectl create job --from=cronjob/paperless-ngx-backup manual-backup-1", action: true, at: 0)
        for i in 0..<30 {
            ran("kubectl get --raw /api/v1/nodes/n1/proxy/stats/summary", at: Double(i * 5))
            ran("kubectl get --raw /apis/external-secrets.io/v1/clustersecretstores", at: Double(i * 5))
        }
        #expect(s.commandLog.map(\.commandLine) == ["kubectl create job --from=cronjob/paperless-ngx-backup manual-backup-1",
                                                    "kubectl get --raw /api/v1/nodes/n1/proxy/stats/summary",
                                                    "kubectl get --raw /apis/external-secrets.io/v1/clustersecretstores"])
        #expect(s.commandLog.last?.repeats == 30 && s.commandLog.last?.startedAt == Fixtures.now + 145, "the newest run, counted")
        _ = update(&s, .key(.char("c")))
        let text = render(s).text
        #expect(text.contains("ACTION kubectl create job") && text.contains("clustersecretstores  ×30"))
        // A failing run is its own line: a change of outcome is never folded into the successes.
        _ = update(&s, .commandRan(CommandRecord(startedAt: Fixtures.now + 150, duration: 3, commandLine: "kubectl get --raw /api/v1/nodes/n1/proxy/stats/summary",
                                                 exitStatus: 1, isAction: false)))
        #expect(s.commandLog.count == 4)
    }
}
