import Foundation
import PaperKube
import Testing
@testable import PaperDomain

// MARK: - db-backups

@Suite("db-backups check")
struct DatabaseBackupsCheckTests {
    /// The newest completed Backup finished 2026-11-29T03:05:12Z; the next is due 2026-11-30T03:00Z.
    @Test(arguments: [
        ("2026-11-30T04:59:00Z", Verdict.ok),  // inside the 2 h grace of the 03:00 run
        ("2026-11-30T05:00:01Z", .critical),  // the 03:00 run is missed
        ("2026-11-29T23:00:00Z", .ok),
    ])
    func freshnessAgainstTheSixFieldCronWithGrace(now: String, expected: Verdict) {
        let result = Fixtures.run(.dbBackups, Fixtures.healthySnapshot(), now: Fixtures.time(now))
        #expect(result.verdict == expected, "\(result.reason)")
        if expected == .critical {
            #expect(result.reason.hasPrefix("missed the run due 2026-11-30T03:00:00Z by 2h (grace 2h); last completed backup 25h"))
            #expect(result.command == "paperctl-tui backup db -n paperless-ngx")
        }
    }

    @Test func customGraceWindow() {
        var config = PaperConfig()
        config.thresholds.backupGraceMinutes = 30
        let result = Fixtures.run(.dbBackups, Fixtures.healthySnapshot(), config: config, now: Fixtures.time("2026-11-30T03:45:00Z"))
        #expect(result.verdict == .critical)
    }

    @Test func clusterStatusDisagreeingWithBackupsWarns() {
        var snapshot = Fixtures.healthySnapshot()
        snapshot.clusters[0].lastSuccessfulBackup = Fixtures.time("2026-11-27T03:05:12Z")
        let result = Fixtures.run(.dbBackups, snapshot)
        #expect(result.verdict == .warn)
        #expect(result.reason.contains("Cluster status.lastSuccessfulBackup is 2026-11-27T03:05:12Z but the newest completed Backup finished 2026-11-29T03:05:12Z"))
    }

    @Test func failedBackupsAfterTheLastSuccessAreCounted() {
        var snapshot = Fixtures.healthySnapshot()
        for hour in [5, 6] {
            snapshot.backups.append(CNPGBackup(metadata: ObjectMeta(name: "manual-\(hour)", creationTimestamp: Fixtures.time("2026-11-29T0\(hour):00:00Z")),
                                               clusterName: "paperless-ngx-db", phase: .failed, stoppedAt: Fixtures.time("2026-11-29T0\(hour):01:00Z"),
                                               error: "exit status 4: can't connect to s3"))
        }
        let result = Fixtures.run(.dbBackups, snapshot)
        #expect(result.verdict == .warn)
        #expect(result.reason.contains("2 failed Backups since the last success (newest manual-6: exit status 4"))
        #expect(result.command == "kubectl describe backup manual-6 -n paperless-ngx")
    }

    @Test func theOldFailureBeforeTheLastSuccessIsNotCounted() {
        // The fixture has a failed Backup on 2026-11-20, before later successes.
        #expect(Fixtures.run(.dbBackups, Fixtures.healthySnapshot()).reason.contains("0 failed since"))
    }

    @Test(arguments: [(BackupPhase.walArchivingFailing, 10.0), (.pending, 90), (BackupPhase.none, 90)])
    func blockedQueueIsCritical(phase: BackupPhase, minutesOld: Double) {
        var snapshot = Fixtures.healthySnapshot()
        snapshot.backups.append(CNPGBackup(metadata: ObjectMeta(name: "blocker", creationTimestamp: Fixtures.now - minutesOld * 60), clusterName: "paperless-ngx-db", phase: phase))
        let result = Fixtures.run(.dbBackups, snapshot)
        #expect(result.verdict == .critical)
        #expect(result.reason.contains("backup queue blocked by blocker (\(phase)"))
        #expect(result.reason.contains(phase == .walArchivingFailing ? "later backups will not start" : "1 Backup waiting"))
    }

    @Test func aFreshPendingBackupIsNotABlockedQueue() {
        var snapshot = Fixtures.healthySnapshot()
        snapshot.backups.append(CNPGBackup(metadata: ObjectMeta(name: "just-queued", creationTimestamp: Fixtures.now - 60), clusterName: "paperless-ngx-db", phase: .pending))
        #expect(Fixtures.run(.dbBackups, snapshot).verdict == .ok)
    }

    @Test func backupStartedMeansRunningNotFailed() {
        var snapshot = Fixtures.healthySnapshot()
        snapshot.clusters[0].conditions.removeAll { $0.type == "LastBackupSucceeded" }
        snapshot.clusters[0].conditions.append(Condition(type: "LastBackupSucceeded", status: "False", reason: "BackupStarted", message: "New Backup starting up"))
        let result = Fixtures.run(.dbBackups, snapshot)
        #expect(result.verdict == .ok)
        #expect(result.evidence.contains { $0.contains("backup running (LastBackupSucceeded=False, reason BackupStarted") })
    }

    @Test func lastBackupFailedConditionWarns() {
        var snapshot = Fixtures.healthySnapshot()
        snapshot.clusters[0].conditions.removeAll { $0.type == "LastBackupSucceeded" }
        snapshot.clusters[0].conditions.append(Condition(type: "LastBackupSucceeded", status: "False", reason: "LastBackupFailed", message: "rpc error: exit status 4"))
        let result = Fixtures.run(.dbBackups, snapshot)
        #expect(result.verdict == .warn)
        #expect(result.reason.contains("LastBackupSucceeded=False (LastBackupFailed)"))
    }

    @Test func noCompletedBackupAtAllIsCritical() {
        var snapshot = Fixtures.healthySnapshot()
        snapshot.backups = []
        snapshot.clusters[0].lastSuccessfulBackup = nil
        let result = Fixtures.run(.dbBackups, snapshot)
        #expect(result.verdict == .critical)
        #expect(result.reason.contains("no completed backup at all"))
    }

    @Test(arguments: [
        KubectlError.resourceTypeNotServed(resource: "backups.postgresql.cnpg.io"),
        .forbidden(verb: "list", resource: "backups.postgresql.cnpg.io", detail: ""),
        .timeout(seconds: 10),
    ])
    func unreadableBackupsAreUnknown(error: KubectlError) {
        var snapshot = Fixtures.healthySnapshot()
        snapshot.unreadable[.cnpgBackup] = error
        let result = Fixtures.run(.dbBackups, snapshot)
        #expect(result.verdict == .unknown)
        #expect(result.reason == "cannot read CNPG clusters/backups: \(error.description)")
    }

    @Test func pluginModeStaleObjectStoreWarns() {
        var snapshot = Fixtures.pluginSnapshot()
        snapshot.objectStores[0].serverRecoveryWindow["paperless-ngx-db"]?.lastSuccessfulBackupTime = Fixtures.time("2026-11-25T03:05:12Z")
        let result = Fixtures.run(.dbBackups, snapshot)
        #expect(result.verdict == .warn)
        #expect(result.reason.contains("ObjectStore paperless-ngx-store lastSuccessfulBackupTime is 2026-11-25T03:05:12Z"))
    }

    @Test func unreadableScheduledBackupsMakeAFreshBackupUnknownNotOK() {
        var snapshot = Fixtures.healthySnapshot()
        snapshot.scheduledBackups = []
        snapshot.unreadable[.cnpgScheduledBackup] = .forbidden(verb: "list", resource: "scheduledbackups.postgresql.cnpg.io", detail: "")
        let result = Fixtures.run(.dbBackups, snapshot)
        #expect(result.verdict == .unknown)
        #expect(result.reason.contains("cannot read ScheduledBackups, so freshness is judged against 24 h instead of the schedule"))
        #expect(result.hint?.contains("list scheduledbackups.postgresql.cnpg.io") == true)
        // A backup older than the 24 h fallback is still critical.
        #expect(Fixtures.run(.dbBackups, snapshot, now: Fixtures.time("2026-11-30T06:00:00Z")).verdict == .critical)
    }

    @Test func pluginModeWithAnUnreadableObjectStoreIsUnknownNotOK() {
        var snapshot = Fixtures.pluginSnapshot()
        snapshot.objectStores = []
        snapshot.unreadable[.barmanObjectStore] = .forbidden(verb: "list", resource: "objectstores.barmancloud.cnpg.io", detail: "")
        let result = Fixtures.run(.dbBackups, snapshot)
        #expect(result.verdict == .unknown)
        #expect(result.reason.contains("cannot read the ObjectStore"))
    }

    @Test func aFiveFieldScheduleIsJudgedAsCloudNativePGRunsIt() {
        // "0 3 * * *" fires hourly at :03 in CNPG, so a backup 9 h old is a missed run.
        var snapshot = Fixtures.healthySnapshot()
        snapshot.scheduledBackups[0].schedule = "0 3 * * *"
        let result = Fixtures.run(.dbBackups, snapshot)
        #expect(result.verdict == .critical)
        #expect(result.reason.hasPrefix("missed the run due 2026-11-29T09:03:00Z"))
    }

    /// The hint is the tool's own `backup db` (no kubectl plugin needed), and the planner behind
    /// it takes the Backup through the plugin the cluster is configured with.
    @Test func pluginModeBackupCommandUsesThePlugin() throws {
        let snapshot = Fixtures.pluginSnapshot()
        let result = Fixtures.run(.dbBackups, snapshot, now: Fixtures.time("2026-12-01T12:00:00Z"))
        #expect(result.verdict == .critical)
        #expect(result.command == "paperctl-tui backup db -n paperless-ngx")
        let cluster = try #require(snapshot.clusters.first)
        #expect(ManualBackup.databaseMethod(for: cluster) == .plugin(name: "barman-cloud.cloudnative-pg.io"))
    }
}

// MARK: - wal-archiving

@Suite("wal-archiving check")
struct WALArchivingCheckTests {
    @Test func failingArchivingIsCriticalWithTheMessage() {
        var snapshot = Fixtures.healthySnapshot()
        snapshot.clusters[0].conditions.removeAll { $0.type == "ContinuousArchiving" }
        snapshot.clusters[0].conditions.append(Condition(type: "ContinuousArchiving", status: "False", reason: "ContinuousArchivingFailing",
                                                         message: "unexpected failure invoking barman-cloud-wal-archive: exit status 4", lastTransitionTime: Fixtures.now - 3 * 3600))
        let result = Fixtures.run(.walArchiving, snapshot)
        #expect(result.verdict == .critical)
        // barman-cloud's exit 4 is none of its documented ones (1, 2, 3): an unexpected failure.
        #expect(result.reason == "WAL archiving failing since 2026-11-29T09:00:00Z (3h ago): unexpected barman-cloud failure (exit 4): unexpected failure invoking barman-cloud-wal-archive: exit status 4")
    }

    /// CNPG's message names the cause: credentials, a missing bucket, the network, an archive in use.
    @Test(arguments: [
        ("WAL archive check failed for server paperless-ngx-db: Expected empty archive", "archive already in use", "serverName of its own"),
        ("barman-cloud-wal-archive: An error occurred (AccessDenied) when calling the PutObject operation: Access Denied", "object storage refused the credentials", "credentials Secret"),
        ("botocore.exceptions.ClientError: An error occurred (NoSuchBucket) when calling the ListObjectsV2 operation", "bucket missing", "bucket name"),
        ("Could not connect to the endpoint URL: \"https://s3.example.com/db\": dial tcp: i/o timeout", "object storage unreachable", "NetworkPolicy"),
    ])
    func failingArchivingNamesTheCauseAndTheNextStep(message: String, kind: String, next: String) throws {
        var snapshot = Fixtures.healthySnapshot()
        snapshot.clusters[0].conditions.removeAll { $0.type == "ContinuousArchiving" }
        snapshot.clusters[0].conditions.append(Condition(type: "ContinuousArchiving", status: "False", reason: "ContinuousArchivingFailing", message: message, lastTransitionTime: Fixtures.now - 600))
        let result = Fixtures.run(.walArchiving, snapshot)
        #expect(result.verdict == .critical && result.reason.contains("\(kind): "))
        #expect(try #require(result.cause).kind == kind)
        #expect(result.hint?.contains(next) == true)
        #expect(result.evidence.first == "cause: \(kind) — \(message)")
    }

    /// Broken archiving: a backup taken now fails the same way, so what to run is the credentials
    /// Secret by name (from spec.backup.barmanObjectStore.s3Credentials), not `kubectl cnpg backup`.
    @Test func brokenArchivingOffersTheCredentialsSecretNotABackup() throws {
        var snapshot = Fixtures.healthySnapshot()
        snapshot.clusters[0].credentialsSecret = "paperless-ngx-db-s3"
        snapshot.clusters[0].conditions.removeAll { $0.type == "ContinuousArchiving" }
        snapshot.clusters[0].conditions.append(Condition(type: "ContinuousArchiving", status: "False", reason: "ContinuousArchivingFailing",
                                                         message: "unexpected failure invoking barman-cloud-wal-archive: exit status 1", lastTransitionTime: Fixtures.now - 3 * 86_400))
        snapshot.backups = snapshot.backups.map { b in var b = b; b.stoppedAt = Fixtures.now - 4 * 86_400; return b }
        let backups = Fixtures.run(.dbBackups, snapshot)
        #expect(backups.verdict == .critical)
        #expect(backups.command == "kubectl describe secret paperless-ngx-db-s3 -n paperless-ngx")
        #expect(backups.hint?.contains("a backup fails the same way while WAL archiving fails: check the S3 credentials in Secret paperless-ngx-db-s3") == true, "\(backups.hint ?? "")")
        let wal = Fixtures.run(.walArchiving, snapshot)
        #expect(try #require(wal.cause).nextStep.hasSuffix("the object store's credentials are in Secret paperless-ngx-db-s3"))
    }

    @Test func theCredentialsSecretIsReadFromTheClusterAndTheObjectStore() throws {
        let cluster = try KubeJSON.decode(CNPGCluster.self, from: Data(#"{"metadata":{"name":"db"},"spec":{"backup":{"barmanObjectStore":{"destinationPath":"s3://b/","s3Credentials":{"accessKeyId":{"name":"db-s3","key":"ACCESS_KEY_ID"}}}}}}"#.utf8))
        #expect(cluster.credentialsSecret == "db-s3")
        let store = try KubeJSON.decode(BarmanObjectStore.self, from: Data(#"{"metadata":{"name":"store"},"spec":{"configuration":{"destinationPath":"s3://b/","s3Credentials":{"accessKeyId":{"name":"store-s3","key":"ACCESS_KEY_ID"}}}}}"#.utf8))
        #expect(store.credentialsSecret == "store-s3")
    }

    @Test func aFailedBackupsErrorNamesTheCause() throws {
        var snapshot = Fixtures.healthySnapshot()
        snapshot.backups.append(CNPGBackup(metadata: ObjectMeta(name: "manual-9", creationTimestamp: Fixtures.now - 600), clusterName: "paperless-ngx-db", phase: .failed,
                                           stoppedAt: Fixtures.now - 500, error: "rpc error: InvalidAccessKeyId: The AWS Access Key Id you provided does not exist"))
        let result = Fixtures.run(.dbBackups, snapshot)
        let cause = try #require(result.cause)
        #expect(cause.kind == "object storage refused the credentials" && cause.source == "Backup manual-9 status.error")
        #expect(result.evidence.contains { $0.hasPrefix("cause: object storage refused the credentials — rpc error: InvalidAccessKeyId") })
    }

    /// A new cluster gets the backup grace (2 h) to report; an older one without the condition has never archived.
    @Test func noConditionIsUnknownOnlyWithinTheGrace() {
        var snapshot = Fixtures.healthySnapshot()
        snapshot.clusters[0].conditions.removeAll { $0.type == "ContinuousArchiving" }
        snapshot.clusters[0].metadata.creationTimestamp = Fixtures.now - 3600
        #expect(Fixtures.run(.walArchiving, snapshot).verdict == .unknown)
        snapshot.clusters[0].metadata.creationTimestamp = Fixtures.now - 3 * 3600
        let old = Fixtures.run(.walArchiving, snapshot)
        #expect(old.verdict == .critical && old.reason.hasPrefix("WAL archiving has never reported on cluster paperless-ngx-db (no ContinuousArchiving condition 3h after it was created, grace 2h)"), "\(old.reason)")
    }

    @Test func noArchiveConfiguredIsCritical() {
        var snapshot = Fixtures.healthySnapshot()
        snapshot.clusters[0].backupConfiguration = .none
        let result = Fixtures.run(.walArchiving, snapshot)
        #expect(result.verdict == .critical)
        #expect(result.reason.contains("point-in-time recovery is impossible"))
    }

    @Test func workingArchivingIsOK() {
        let result = Fixtures.run(.walArchiving, Fixtures.healthySnapshot())
        #expect(result.verdict == .ok)
        #expect(result.reason == "WAL archiving working: Continuous archiving is working")
    }
}

// MARK: - scheduled-backup

@Suite("scheduled-backup check")
struct ScheduledBackupCheckTests {
    @Test func suspendedIsCritical() {
        var snapshot = Fixtures.healthySnapshot()
        snapshot.scheduledBackups[0].suspend = true
        let result = Fixtures.run(.scheduledBackup, snapshot)
        #expect(result.verdict == .critical)
        #expect(result.reason.contains("ScheduledBackup paperless-ngx-db-daily is suspended"))
    }

    @Test func inTreeMethodOnAPluginClusterIsCritical() {
        var snapshot = Fixtures.pluginSnapshot()
        snapshot.scheduledBackups[0].method = "barmanObjectStore"
        let result = Fixtures.run(.scheduledBackup, snapshot)
        #expect(result.verdict == .critical)
        #expect(result.reason.contains("method is barmanObjectStore but the cluster is configured for plugin"))
    }

    @Test func missingIsCritical() {
        var snapshot = Fixtures.healthySnapshot()
        snapshot.scheduledBackups = []
        #expect(Fixtures.run(.scheduledBackup, snapshot).verdict == .critical)
    }

    @Test func notFiringIsAWarning() {
        var snapshot = Fixtures.healthySnapshot()
        snapshot.scheduledBackups[0].lastScheduleTime = Fixtures.time("2026-11-27T03:00:00Z")
        let result = Fixtures.run(.scheduledBackup, snapshot)
        #expect(result.verdict == .warn)
        #expect(result.reason.contains("did not fire for the run due 2026-11-29T03:00:00Z"))
    }

    @Test func invalidScheduleIsCritical() {
        var snapshot = Fixtures.healthySnapshot()
        snapshot.scheduledBackups[0].schedule = "0 0 25 * * *"
        #expect(Fixtures.run(.scheduledBackup, snapshot).verdict == .critical)
    }

    @Test func aFiveFieldScheduleCopiedFromACronJobWarns() {
        var snapshot = Fixtures.healthySnapshot()
        snapshot.scheduledBackups[0].schedule = "0 3 * * *"
        let result = Fixtures.run(.scheduledBackup, snapshot)
        #expect(result.verdict == .warn)
        #expect(result.reason.contains(#"schedule "0 3 * * *" of paperless-ngx-db-daily has 5 fields: CloudNativePG reads the first as seconds (it fires every 1h); for the CronJob meaning write "0 0 3 * * *""#))
        #expect(result.command == #"kubectl patch scheduledbackup paperless-ngx-db-daily --type=merge -p '{"spec":{"schedule":"0 0 3 * * *"}}' -n paperless-ngx"#)
    }

    @Test func unreadableIsUnknown() {
        var snapshot = Fixtures.healthySnapshot()
        snapshot.unreadable[.cnpgScheduledBackup] = .forbidden(verb: "list", resource: "scheduledbackups.postgresql.cnpg.io", detail: "")
        #expect(Fixtures.run(.scheduledBackup, snapshot).verdict == .unknown)
    }
}

// MARK: - Schedules that started recently

@Suite("Backup schedules created after the due time")
struct NewScheduleTests {
    @Test func aScheduledBackupCreatedAfterTheDueRunIsNotLate() {
        var snapshot = Fixtures.healthySnapshot()
        snapshot.backups = []
        snapshot.clusters[0].lastSuccessfulBackup = nil
        snapshot.scheduledBackups[0].metadata.creationTimestamp = Fixtures.time("2026-11-29T08:00:00Z")
        snapshot.scheduledBackups[0].lastScheduleTime = nil
        // Created at 08:00, after the 03:00 run: nothing was missed yet, but nothing exists either.
        let backups = Fixtures.run(.dbBackups, snapshot)
        #expect(backups.verdict == .critical)
        #expect(backups.reason.hasPrefix("no completed Backup for cluster paperless-ngx-db"))
        #expect(!backups.reason.contains("missed"))
        #expect(Fixtures.run(.scheduledBackup, snapshot).verdict == .ok)
    }

    @Test func aCronJobCreatedAfterTheDueRunIsNotLate() {
        var snapshot = Fixtures.healthySnapshot()
        snapshot.cronJobs[0].metadata.creationTimestamp = Fixtures.time("2026-11-30T05:00:00Z")
        snapshot.cronJobs[0].lastSuccessfulTime = Fixtures.time("2026-11-30T05:10:00Z")
        #expect(Fixtures.run(.fileBackups, snapshot, now: Fixtures.time("2026-11-30T07:00:00Z")).verdict == .ok)
    }

    @Test func aRunningJobIsShownNotFailed() {
        var snapshot = Fixtures.healthySnapshot()
        snapshot.jobs.append(Job(metadata: ObjectMeta(name: "manual-backup-1", ownerReferences: [OwnerReference(kind: "CronJob", name: "paperless-ngx-backup")]),
                                 startTime: Fixtures.now - 120, active: 1))
        let result = Fixtures.run(.fileBackups, snapshot)
        #expect(result.verdict == .ok)
        #expect(result.evidence.contains { $0.hasPrefix("running: manual-backup-1 since") })
    }

    @Test func aCronJobTimeZoneMovesTheDueTime() {
        // 04:00 in Berlin is 03:00 UTC in winter: the run is due an hour earlier than in UTC.
        var snapshot = Fixtures.healthySnapshot()
        snapshot.cronJobs[0].timeZone = "Europe/Berlin"
        let inside = Fixtures.run(.fileBackups, snapshot, now: Fixtures.time("2026-11-30T04:59:00Z"))
        #expect(inside.verdict == .ok, "\(inside.reason)")
        #expect(inside.evidence.contains { $0.contains("\"0 4 * * *\" Europe/Berlin, next run") })
        let late = Fixtures.run(.fileBackups, snapshot, now: Fixtures.time("2026-11-30T05:00:01Z"))
        #expect(late.verdict == .critical)
        #expect(late.reason.hasPrefix("missed the run due 2026-11-30T03:00:00Z"), "\(late.reason)")
        // UTC for comparison: still inside the grace then.
        #expect(Fixtures.run(.fileBackups, Fixtures.healthySnapshot(), now: Fixtures.time("2026-11-30T05:00:01Z")).verdict == .ok)
    }

    @Test func anUnknownTimeZoneIsAnInvalidSchedule() {
        var snapshot = Fixtures.healthySnapshot()
        snapshot.cronJobs[0].timeZone = "Mars/Olympus"
        let result = Fixtures.run(.fileBackups, snapshot)
        #expect(result.verdict == .critical)
        #expect(result.reason.contains("unknown time zone \"Mars/Olympus\""))
    }
}

// MARK: - the database drill record

@Suite("database drill record")
struct DatabaseDrillRecordTests {
    /// The snapshot with `record`, and the scratch clusters of its runs (the evidence) unless `evidence` is false.
    static func snapshot(with record: DrillRecord?, evidence: Bool = true) throws -> Snapshot {
        var snapshot = Fixtures.healthySnapshot()
        if let record {
            let json = record.configMapJSON(namespace: "paperless-ngx")
            snapshot.configMaps = [try KubeJSON.decode(ConfigMap.self, from: Data(json.utf8)), ConfigMap(metadata: ObjectMeta(name: "kube-root-ca.crt"))]
            if evidence {
                for run in [record.last, record.lastPassed].compactMap({ $0 }) where !snapshot.clusters.contains(where: { $0.metadata.name == run.cluster }) {
                    snapshot.clusters.append(drillCluster(run))
                }
            }
        }
        return snapshot
    }

    static func drillCluster(_ run: DrillRecord.Run, label: String = "db-drill") -> CNPGCluster {
        CNPGCluster(metadata: ObjectMeta(name: run.cluster, creationTimestamp: (run.finished ?? 0) - Double(run.rtoSeconds), labels: ["paperctl.io/purpose": label]))
    }

    static func run(_ passed: Bool, hoursAgo: Double, rto: Double = 187) -> DrillRecord.Run {
        DrillRecord.Run(finishedAt: Fixtures.now - hoursAgo * 3600, passed: passed, cluster: "paperless-ngx-db-drill-\(Int(hoursAgo))",
                        rtoSeconds: rto, recoveredTo: passed ? Fixtures.now - hoursAgo * 3600 - 300 : nil,
                        message: passed ? "healthy" : "no target backup found (s3://user:hunter2@minio/db)", by: "ops@bastion")
    }

    @Test func aPassedDrillIsNotedWithItsAgeAndRTO() throws {
        let record = DrillRecord().adding(Self.run(true, hoursAgo: 26))
        let result = Fixtures.run(.dbBackups, try Self.snapshot(with: record))
        #expect(result.verdict == .ok)
        #expect(result.evidence.contains { $0.hasPrefix("last database drill passed 26h ago: paperless-ngx-db-drill-26 healthy in 3m7s (the RTO)") && $0.contains("by ops@bastion") })
    }

    @Test func aFailedDrillWarnsNamingTheLastPassAndIsRedacted() throws {
        let record = DrillRecord().adding(Self.run(true, hoursAgo: 200)).adding(Self.run(false, hoursAgo: 2))
        #expect(record.lastPassed?.cluster == "paperless-ngx-db-drill-200", "a failure keeps the last pass")
        let result = Fixtures.run(.dbBackups, try Self.snapshot(with: record))
        #expect(result.verdict == .warn)
        #expect(result.reason.contains("the last database drill FAILED 2h ago (paperless-ngx-db-drill-2): no target backup found"))
        #expect(result.reason.contains("last passed 8d ago (RTO 3m7s)"))
        #expect(!result.reason.contains("hunter2"), "the record holds no credential")
        #expect(result.command == "kubectl describe cluster paperless-ngx-db-drill-2 -n paperless-ngx")
    }

    @Test func aHandMadeRecordWithoutEvidenceIsRecordedUnverifiedNotPassed() throws {
        // Anyone who may write ConfigMaps in the namespace can write this record.
        let record = DrillRecord().adding(Self.run(true, hoursAgo: 26))
        let result = Fixtures.run(.dbBackups, try Self.snapshot(with: record, evidence: false))
        #expect(!result.evidence.contains { $0.contains("last database drill passed") }, "\(result.evidence)")
        #expect(result.evidence.contains {
            $0.hasPrefix("a database drill that passed 26h ago is recorded by ops@bastion, unverified: neither cluster paperless-ngx-db-drill-26 nor its events are in the namespace")
        }, "\(result.evidence)")
        // A record naming the live cluster proves nothing either, though the cluster and its events exist.
        var live = Self.run(true, hoursAgo: 26)
        live.cluster = "paperless-ngx-db"
        var snapshot = try Self.snapshot(with: DrillRecord().adding(live), evidence: false)
        #expect(snapshot.clusters.contains { $0.metadata.name == "paperless-ngx-db" })
        snapshot.events = [try KubeJSON.decode(KubeEvent.self, from: Data(#"{"metadata":{"name":"e1"},"involvedObject":{"kind":"Cluster","name":"paperless-ngx-db"},"reason":"CreatingPod"}"#.utf8))]
        #expect(Fixtures.run(.dbBackups, snapshot).evidence.contains { $0.contains("recorded by ops@bastion, unverified: neither cluster paperless-ngx-db") })
    }

    @Test func theScratchClustersEventsVerifyARecordAfterTheClusterIsDeleted() throws {
        let record = DrillRecord().adding(Self.run(true, hoursAgo: 1))
        var snapshot = try Self.snapshot(with: record, evidence: false)
        snapshot.events = [try KubeJSON.decode(KubeEvent.self, from: Data(#"{"metadata":{"name":"e1"},"involvedObject":{"kind":"Cluster","name":"paperless-ngx-db-drill-1"},"reason":"CreatingPod"}"#.utf8))]
        #expect(Fixtures.run(.dbBackups, snapshot).evidence.contains { $0.hasPrefix("last database drill passed 1h ago: paperless-ngx-db-drill-1") })
    }

    @Test func aFailedRecordNamesAnUnverifiedPassAsSuch() throws {
        let pass = Self.run(true, hoursAgo: 200)
        let record = DrillRecord().adding(pass).adding(Self.run(false, hoursAgo: 2))
        var snapshot = try Self.snapshot(with: record, evidence: false)
        snapshot.clusters.append(Self.drillCluster(Self.run(false, hoursAgo: 2)))
        let result = Fixtures.run(.dbBackups, snapshot)
        #expect(result.reason.contains("last passed 8d ago (RTO 3m7s), recorded by ops@bastion, unverified: neither cluster paperless-ngx-db-drill-200"), "\(result.reason)")
    }

    @Test func noRecordOrAnUnreadableOneIsSaidSo() throws {
        #expect(Fixtures.run(.dbBackups, try Self.snapshot(with: nil)).evidence.contains { $0.hasPrefix("no database drill on record") })
        var forbidden = try Self.snapshot(with: nil)
        forbidden.unreadable[.configMap] = .forbidden(verb: "list", resource: "configmaps", detail: "")
        let result = Fixtures.run(.dbBackups, forbidden)
        #expect(result.verdict == .ok, "an unreadable record does not change the backups' verdict")
        #expect(result.evidence.contains { $0.hasPrefix("the drill record (ConfigMap paperctl-drills) cannot be read") })
    }

    @Test func theRecordIsAConfigMapThisToolLabelled() throws {
        let json = DrillRecord().adding(Self.run(true, hoursAgo: 1)).configMapJSON(namespace: "paperless-ngx")
        let map = try KubeJSON.decode(ConfigMap.self, from: Data(json.utf8))
        #expect(map.metadata.name == "paperctl-drills" && map.metadata.labels["app.kubernetes.io/managed-by"] == "paperctl")
        #expect(DrillRecord.read(from: [map])?.last?.rtoSeconds == 187)
        // The app's own ConfigMaps keep no data in the snapshot.
        let other = try KubeJSON.decode(ConfigMap.self, from: Data(#"{"metadata":{"name":"app"},"data":{"PAPERLESS_DBPASS":"x"}}"#.utf8))
        #expect(other.data.isEmpty)
    }
}
