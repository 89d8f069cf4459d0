import Foundation
import PaperDomain
import PaperKube
import Testing
@testable import PaperUI

/// Issue 24 item 4: one definition of "a backup Job", "the newest failed backup" and "a pod of
/// this Job". On an edge fixture (no Job labels configured; the CronJob's Jobs owned by it but
/// unlabelled; an unrelated Job of the namespace running, the newest of all) the File backups
/// panel, the check, the restore preflight and the `b` refusal must name the same Jobs.
@Suite("backup Jobs: one definition")
struct BackupJobsAgreementTests {
    static func job(_ name: String, created: String, status: String, ownedByCronJob: Bool) -> Job? {
        let owner = ownedByCronJob ? #","ownerReferences":[{"apiVersion":"batch/v1","kind":"CronJob","name":"paperless-ngx-backup","uid":"u1"}]"# : ""
        return Objects.decode(Job.self, #"{"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"\#(name)","uid":"uid-\#(name)","creationTimestamp":"\#(created)"\#(owner)},"status":\#(status)}"#)
    }

    static let succeeded = #"{"succeeded":1,"startTime":"2027-01-15T04:00:00Z","completionTime":"2027-01-15T04:05:00Z","conditions":[{"type":"Complete","status":"True"}]}"#
    static let failed = #"{"failed":1,"startTime":"2027-01-15T06:00:00Z","conditions":[{"type":"Failed","status":"True","reason":"BackoffLimitExceeded","lastTransitionTime":"2027-01-15T06:02:00Z"}]}"#
    static let running = #"{"active":1,"startTime":"2027-01-15T07:30:00Z"}"#

    /// A pod the Job controller made, marked only the way Kubernetes 1.27+ marks it: by its
    /// controller reference and the `batch.kubernetes.io/job-name` label (no legacy `job-name`).
    static func pod(of job: String, exitCode: Int) -> Pod? {
        Objects.decode(Pod.self, #"""
        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"\#(job)-x7k2p","labels":{"batch.kubernetes.io/job-name":"\#(job)"},
         "ownerReferences":[{"apiVersion":"batch/v1","kind":"Job","name":"\#(job)","uid":"uid-\#(job)","controller":true}]},
         "spec":{"containers":[{"name":"restic"}]},
         "status":{"phase":"Failed","containerStatuses":[{"name":"restic","ready":false,"restartCount":0,
           "state":{"terminated":{"exitCode":\#(exitCode),"reason":"Error","finishedAt":"2027-01-15T06:02:00Z"}}}]}}
        """#)
    }

    static var config: PaperConfig {
        var config = PaperConfig()
        config.fileBackup.jobLabels = [:]
        return config
    }

    static func snapshot(extra: [Job?] = []) -> Snapshot {
        var snapshot = Snapshot(takenAt: Fixtures.now, target: Fixtures.target)
        snapshot.cronJobs = [Objects.decode(CronJob.self, Objects.cronJob)].compactMap { $0 }
        snapshot.jobs = ([
            job("backup-ok", created: "2027-01-15T04:00:00Z", status: succeeded, ownedByCronJob: true),
            job("backup-failed", created: "2027-01-15T06:00:00Z", status: failed, ownedByCronJob: true),
            // Not the CronJob's: a one-off migration Job, running, the newest Job of the namespace.
            job("paperless-migrate", created: "2027-01-15T07:30:00Z", status: running, ownedByCronJob: false),
        ] + extra).compactMap { $0 }
        snapshot.pods = [pod(of: "backup-failed", exitCode: 11)].compactMap { $0 }
        return snapshot
    }

    @Test func thePanelTheCheckThePreflightAndTheBackupKeyAgreeOnWhichJobsAreBackups() throws {
        let snapshot = Self.snapshot()
        let config = Self.config

        // The panel lists the CronJob's two Jobs, newest first, and not the migration.
        let rows = PanelFacts.rows(from: snapshot, config: config, now: Fixtures.now)[.fileBackups] ?? []
        #expect(rows.compactMap(\.subject) == [.job("backup-failed"), .job("backup-ok")])
        // Its exit code comes from the pod the Job controller marked with the new label only.
        #expect(rows.contains { $0.text.contains("backup-failed") && $0.text.contains("exit 11") })

        // The check counts the same two.
        let check = try #require(HealthChecks.run(snapshot, config: config, now: Fixtures.now, only: [.fileBackups]).first)
        #expect(check.evidence.contains("2 Jobs of paperless-ngx-backup: 1 succeeded, 1 failed, 0 running"))

        // The restore preflight's "newest failed backup" is the same Job, with the same pod.
        let facts = ActionFacts.from(snapshot, config: config)
        #expect(RestorePreflight.newestJobIfFailed(facts)?.metadata.name == "backup-failed")
        #expect(facts.jobPods.map(\.metadata.name) == ["backup-failed-x7k2p"])
        #expect(BackupJobs.newestFailed(snapshot, config: config)?.job.metadata.name == "backup-failed")

        // `b` is not refused by the running migration: it is not a backup.
        let decision = ManualBackup.planFiles(jobs: snapshot.jobs, cronJob: snapshot.cronJobs.first, config: config, target: snapshot.target, now: Fixtures.now)
        #expect(decision.plan != nil, "refused: \(decision)")
    }

    @Test func aRunningJobOfTheCronJobIsShownCountedAndBlocksTheBackupKey() throws {
        let snapshot = Self.snapshot(extra: [Self.job("backup-now", created: "2027-01-15T07:45:00Z", status: Self.running, ownedByCronJob: true)])
        let config = Self.config
        let rows = PanelFacts.rows(from: snapshot, config: config, now: Fixtures.now)[.fileBackups] ?? []
        #expect(rows.compactMap(\.subject) == [.job("backup-now"), .job("backup-failed"), .job("backup-ok")])
        let check = try #require(HealthChecks.run(snapshot, config: config, now: Fixtures.now, only: [.fileBackups]).first)
        #expect(check.evidence.contains("3 Jobs of paperless-ngx-backup: 1 succeeded, 1 failed, 1 running"))
        // The newest backup runs: nothing has failed last, for the preflight as for the fetcher.
        #expect(RestorePreflight.newestJobIfFailed(ActionFacts.from(snapshot, config: config)) == nil)
        #expect(BackupJobs.newestFailed(snapshot, config: config) == nil)
        let decision = ManualBackup.planFiles(jobs: snapshot.jobs, cronJob: snapshot.cronJobs.first, config: config, target: snapshot.target, now: Fixtures.now)
        #expect(decision == .refuse("Job backup-now of CronJob paperless-ngx-backup is still active; not starting another backup"))
    }

    /// The checks' "back up now" hints are the planners' own command, not a kubectl line the
    /// tool never runs.
    @Test func theBackUpNowHintIsTheToolsOwnBackupCommand() {
        #expect(ManualBackup.command(.files, target: Fixtures.target) == "paperctl-tui backup files --context demo -n paperless-ngx")
        #expect(ManualBackup.command(.db, target: KubeTarget(kubeconfig: "/home/op/k config", namespace: "paperless-ngx"))
                == "paperctl-tui backup db --kubeconfig '/home/op/k config' -n paperless-ngx")
    }
}
