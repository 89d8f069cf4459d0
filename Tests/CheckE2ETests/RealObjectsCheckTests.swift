import Foundation
import PaperDomain
import PaperKube
import SimCluster
import Testing

// MARK: - Real objects through the checks

/// The objects users pasted in public issues (`RealObjects`, each with its source), run through
/// the checks in process at the reporter's own "now": the verdict, the cause and the next step an
/// operator would get. The same objects are served by the simulator (`CheckCommandScenarioTests`).
@Suite("real objects from public issues through the checks")
struct RealObjectsCheckTests {
    static let target = KubeTarget(context: "demo", namespace: "paperless-ngx")

    /// A plain healthy Cluster, for cases whose paste is only a Backup.
    static let healthyCluster = #"""
        {"apiVersion": "postgresql.cnpg.io/v1", "kind": "Cluster", "metadata": {"name": "paperless-ngx-db", "namespace": "paperless-ngx", "creationTimestamp": "2024-01-01T00:00:00Z"},
         "spec": {"instances": 1, "backup": {"barmanObjectStore": {"destinationPath": "s3://bc4-do-nyc3-prod-paperless-ngx-postgres-backups/"}}},
         "status": {"phase": "Cluster in healthy state", "instances": 1, "readyInstances": 1, "currentPrimary": "paperless-ngx-db-1"}}
        """#

    static func snapshot(_ real: RealCase, plus extra: [String] = []) throws -> (Snapshot, Double) {
        let now = try #require(UTCTime.parse(real.observedAt))
        let list = "{\"apiVersion\": \"v1\", \"kind\": \"List\", \"items\": [" + (real.objects + extra).joined(separator: ",") + "]}"
        var snapshot = Snapshot(takenAt: now, target: target)
        snapshot.add(try KubeJSON.decode(KubeList.self, from: Data(list.utf8)).items)
        return (snapshot, now)
    }

    static func run(_ id: CheckID, _ snapshot: Snapshot, now: Double) throws -> CheckResult {
        try #require(HealthChecks.run(snapshot, config: PaperConfig(), now: now, only: [id]).first)
    }

    @Test func everyCaseNamesItsPublicSource() {
        for real in RealObjects.all {
            #expect(real.source.hasPrefix("https://github.com/"), "\(real.summary)")
            #expect(UTCTime.parse(real.observedAt) != nil && !real.objects.isEmpty)
        }
    }

    /// open-bank-oss#1432: the app is down; "Not enough disk space" waits for a person and no
    /// instance is primary, although currentPrimary names one.
    @Test func diskFullWithNoPrimaryIsCriticalAndSaysSo() throws {
        let (snapshot, now) = try Self.snapshot(RealObjects.diskFullNoPrimary)
        let r = try Self.run(.database, snapshot, now: now)
        #expect(r.verdict == .critical)
        #expect(r.reason.contains("phase is \"Not enough disk space\": CNPG waits for a person"), "\(r.reason)")
        #expect(r.evidence.contains { $0.hasPrefix("CRIT: no primary: no instance of paperless-ngx-db reports isPrimary") }, "\(r.evidence)")
        #expect(r.evidence.contains { $0.contains("primary: none (no instance reports isPrimary; currentPrimary paperless-ngx-db-1, targetPrimary paperless-ngx-db-1)") })
        #expect(r.cause?.kind == "volume full")
        #expect(r.cause?.evidence.contains("Further information inside .status.instancesReportedState") == true)
        #expect(r.hint?.contains("does not fail over") == true)
        #expect(r.command == "kubectl --context demo patch cluster paperless-ngx-db --type=merge -p '{\"spec\":{\"storage\":{\"size\":\"4Gi\"}}}' -n paperless-ngx")
    }

    /// cloudnative-pg#6317: every instance fenced; the way back is the plugin's fencing off.
    @Test func everyInstanceFencedIsCriticalWithTheWayBack() throws {
        let (snapshot, now) = try Self.snapshot(RealObjects.allFenced)
        let r = try Self.run(.database, snapshot, now: now)
        #expect(r.verdict == .critical)
        #expect(r.reason.hasPrefix("every instance of paperless-ngx-db is fenced (cnpg.io/fencedInstances: [\"*\"])"), "\(r.reason)")
        #expect(r.cause?.kind == "every instance fenced")
        #expect(r.command == "kubectl --context demo cnpg fencing off paperless-ngx-db '*' -n paperless-ngx")
        #expect(r.hint?.contains("kubectl --context demo cnpg fencing off paperless-ngx-db '*' -n paperless-ngx") == true)
    }

    /// A fenced replica is a warning; hibernation is critical with `hibernate off`.
    @Test func oneFencedReplicaWarnsAndHibernationNamesTheWayBack() throws {
        let replica = RealObjects.allFenced.objects[0].replacingOccurrences(of: #"[\"*\"]"#, with: #"[\"paperless-ngx-db-2\"]"#)
            .replacingOccurrences(of: "\"status\": {", with: "\"spec\": {\"instances\": 2}, \"status\": {\"currentPrimary\": \"paperless-ngx-db-1\", \"instances\": 2, \"readyInstances\": 1,")
        let (base, now) = try Self.snapshot(RealObjects.allFenced)
        var snapshot = base
        snapshot.clusters = [try KubeJSON.decode(CNPGCluster.self, from: Data(replica.utf8))]
        let fenced = try Self.run(.database, snapshot, now: now)
        #expect(fenced.cause?.kind == "instance fenced")
        #expect(fenced.command == "kubectl --context demo cnpg fencing off paperless-ngx-db paperless-ngx-db-2 -n paperless-ngx")

        snapshot.clusters[0].metadata.annotations = ["cnpg.io/hibernation": "on"]
        let asleep = try Self.run(.database, snapshot, now: now)
        #expect(asleep.verdict == .critical && asleep.cause?.kind == "hibernated")
        #expect(asleep.command == "kubectl --context demo cnpg hibernate off paperless-ngx-db -n paperless-ngx")
    }

    /// cloudnative-pg#7905: the running Backup is named as the blocker, and "back up now" is not offered.
    @Test func aBackupStuckRunningIsTheBlockerAndNoBackupNowIsOffered() throws {
        let (snapshot, now) = try Self.snapshot(RealObjects.stuckRunningBackup, plus: [Self.healthyCluster])
        let r = try Self.run(.dbBackups, snapshot, now: now)
        #expect(r.verdict == .critical)
        #expect(r.evidence.contains { $0.hasPrefix("CRIT: backup paperless-ngx-db-manual-20250625210000 has been running for 15h") && $0.contains("CNPG starts no other backup while it executes") }, "\(r.evidence)")
        #expect(r.command == "kubectl --context demo delete backup paperless-ngx-db-manual-20250625210000 -n paperless-ngx")
        #expect(r.hint?.hasPrefix("no backup can start while paperless-ngx-db-manual-20250625210000 is running: delete it first") == true, "\(r.hint ?? "")")
        #expect(!r.evidence.contains { $0.contains("backup queue blocked by") })
    }

    /// plugin-barman-cloud#842: the rpc prefix is stripped; exit 1 is barman-cloud's own failure,
    /// and after a failover (timeline 2) the plugin's check, not a second cluster.
    @Test func archivingAfterAFailoverThroughThePlugin() throws {
        let (snapshot, now) = try Self.snapshot(RealObjects.archivingAfterFailover)
        let r = try Self.run(.walArchiving, snapshot, now: now)
        #expect(r.verdict == .critical)
        #expect(r.cause?.kind == "barman-cloud operation failed (exit 1)")
        #expect(r.cause?.evidence == "unexpected failure invoking barman-cloud-wal-archive: exit status 1")
        #expect(r.cause?.nextStep.contains("timeline 2") == true && r.cause?.nextStep.contains("not a second cluster") == true)
        #expect(r.command == "kubectl --context demo logs paperless-ngx-db-2 -c plugin-barman-cloud --tail=100 -n paperless-ngx")
        // The log line itself, on the same cluster: the plugin's check after a failover.
        let line = CNPGDiagnosis.diagnose(RealObjects.expectedEmptyArchiveLine, source: "log", context: .live(timeline: snapshot.clusters.first?.timeline))
        #expect(line?.kind == "empty-archive check after a failover")
        #expect(line?.nextStep.contains("this is not a second cluster") == true)
        // On timeline 1 it still means what it always meant, and in a recovery what that means.
        #expect(CNPGDiagnosis.diagnose(RealObjects.expectedEmptyArchiveLine, source: "log", context: .live(timeline: 1))?.kind == "archive already in use")
        #expect(DatabaseRestore.explain(RealObjects.expectedEmptyArchiveLine).contains("serverName of its own"))
    }

    /// plugin-barman-cloud#541: the next step is the plugin's Deployment, never "back up now".
    @Test func pluginNotAvailablePointsAtThePluginDeployment() throws {
        let (snapshot, now) = try Self.snapshot(RealObjects.pluginNotAvailable, plus: [Self.healthyCluster.replacingOccurrences(
            of: #""backup": {"barmanObjectStore": {"destinationPath": "s3://bc4-do-nyc3-prod-paperless-ngx-postgres-backups/"}}"#,
            with: #""plugins": [{"name": "barman-cloud.cloudnative-pg.io", "isWALArchiver": true, "parameters": {"barmanObjectName": "paperless-ngx-db-store"}}]"#)])
        let r = try Self.run(.dbBackups, snapshot, now: now)
        #expect(r.cause?.kind == "Barman Cloud plugin not available")
        #expect(r.cause?.evidence == "requested plugin is not available: barman-cloud.cloudnative-pg.io")
        #expect(r.hint?.contains("barman-cloud Deployment in cnpg-system") == true && r.hint?.contains("rollout restart") == true)
        #expect(r.command == "kubectl --context demo rollout status deployment/barman-cloud -n cnpg-system")
        #expect(!r.evidence.joined().contains("take a first backup"), "\(r.evidence)")
    }

    /// open-bank-oss#3975: a day without a ContinuousArchiving condition is a failure, with no
    /// point of recoverability; the cluster's own phase is critical with its cause.
    @Test func noArchivingConditionPastTheGraceIsAFailure() throws {
        let (snapshot, now) = try Self.snapshot(RealObjects.neverArchived)
        let wal = try Self.run(.walArchiving, snapshot, now: now)
        #expect(wal.verdict == .critical)
        #expect(!wal.reason.contains("starting up"))
        #expect(wal.reason.contains("WAL archiving has never reported") && wal.reason.contains("the cluster is down (phase \"Not enough disk space\")") && wal.reason.hasSuffix("no point of recoverability"), "\(wal.reason)")
        #expect(wal.evidence.contains { $0.hasPrefix("first point of recoverability: none — no point of recoverability") })
        let db = try Self.run(.database, snapshot, now: now)
        #expect(db.verdict == .critical && db.cause?.kind == "volume full")
        // Young clusters still get their grace.
        var young = snapshot
        young.clusters[0].metadata.creationTimestamp = now - 600
        #expect(try Self.run(.walArchiving, young, now: now).verdict == .unknown)
    }

    /// The troubleshooting guide's exit status 2 is a failed connection, not credentials.
    @Test func exitTwoIsTheConnectionNotTheCredentials() throws {
        let (snapshot, now) = try Self.snapshot(RealObjects.troubleshootingExit2)
        let r = try Self.run(.walArchiving, snapshot, now: now)
        #expect(r.verdict == .critical && r.cause?.kind == "object storage unreachable (exit 2)")
        #expect(r.cause?.nextStep.contains("NetworkPolicy") == true && r.cause?.nextStep.contains("credentials") == false)
    }

    /// barman-cloud's exit statuses, with and without the plugin's gRPC wrapping.
    @Test(arguments: [
        ("unexpected failure invoking barman-cloud-wal-archive: exit status 1", "barman-cloud operation failed (exit 1)"),
        ("rpc error: code = Unknown desc = unexpected failure invoking barman-cloud-wal-archive: exit status 2", "object storage unreachable (exit 2)"),
        ("rpc error: code = Unknown desc = unexpected failure invoking barman-cloud-backup: exit status 3", "barman-cloud rejected its input (exit 3)"),
        // plugin-barman-cloud#164, as pasted
        ("rpc error: code = Unknown desc = unexpected failure invoking barman-cloud-wal-archive: exit status 4", "unexpected barman-cloud failure (exit 4)"),
        // The seed's backup error: the exception names the credentials, which wins over the code.
        ("can't execute backup: exit status 4: ERROR: Barman cloud backup exception: An error occurred (InvalidAccessKeyId) when calling the CreateMultipartUpload operation: Unknown",
         "object storage refused the credentials"),
    ])
    func barmanCloudExitCodes(_ message: String, _ kind: String) {
        let cause = CNPGDiagnosis.diagnose(message, source: "test")
        #expect(cause?.kind == kind)
        #expect(cause?.evidence.hasPrefix("rpc error") == false)
    }

    /// external-secrets#3094: the generic condition message gives way to the newest UpdateFailed event.
    @Test func externalSecretCauseComesFromTheNewestUpdateFailedEvent() throws {
        let (snapshot, now) = try Self.snapshot(RealObjects.genericSecretMessage)
        let r = try Self.run(.secrets, snapshot, now: now)
        #expect(r.verdict == .critical)
        #expect(r.reason.contains("paperless-ngx-admin not synced (SecretSyncedError): error retrieving secret at .data[0], key: prod/mytlssecret, err: Secret does not exist"), "\(r.reason)")
        #expect(r.cause?.kind == "item missing in the provider")
        #expect(r.cause?.source == "event UpdateFailed on ExternalSecret paperless-ngx-admin (×22, newest 7m11s ago)")
        #expect(r.evidence.contains("paperless-ngx-admin condition message: could not get secret data from provider"))
        #expect(r.hint?.contains("force-sync=$(date +%s)") == true)
    }
}
