import Foundation
import PaperKube
import TestSupport
import Testing
@testable import PaperDomain

/// The recoverability window, restore points in every accepted form, and the recovery manifest.
@Suite struct DatabaseRestoreTests {
    static let now = 1_800_000_000.0  // 2027-01-15T08:00:00Z

    static func clusterJSON(plugin: Bool, archiving: String = "True", since: String = "2027-01-14T20:00:00Z") -> Data {
        let backup = plugin
            ? #""plugins":[{"name":"barman-cloud.cloudnative-pg.io","isWALArchiver":true,"parameters":{"barmanObjectName":"paperless-ngx-db-store"}}]"#
            : #""backup":{"retentionPolicy":"28d","barmanObjectStore":{"destinationPath":"s3://db-backups/","endpointURL":"https://nyc3.digitaloceanspaces.com","s3Credentials":{"accessKeyId":{"name":"db-s3","key":"ACCESS_KEY_ID"},"secretAccessKey":{"name":"db-s3","key":"ACCESS_SECRET_KEY"}},"wal":{"compression":"gzip"},"data":{"compression":"gzip"}}}"#
        let status = plugin ? "" : #","firstRecoverabilityPoint":"2027-01-06T03:01:40Z""#
        return Data(#"""
            {"apiVersion":"postgresql.cnpg.io/v1","kind":"Cluster","metadata":{"name":"paperless-ngx-db"},
             "spec":{"instances":2,"imageName":"ghcr.io/cloudnative-pg/postgresql:16.6","storage":{"size":"5Gi"},"resources":{"requests":{"memory":"512Mi"}},
                     "bootstrap":{"initdb":{"database":"paperless","owner":"paperless"}},"postgresql":{"parameters":{"archive_timeout":"5min","max_connections":"100"}},\#(backup)},
             "status":{"phase":"Cluster in healthy state","conditions":[{"type":"ContinuousArchiving","status":"\#(archiving)","message":"broken pipe","lastTransitionTime":"\#(since)"}]\#(status)}}
            """#.utf8)
    }

    static func cluster(_ data: Data) throws -> CNPGCluster { try KubeJSON.decode(CNPGCluster.self, from: data) }

    static let store = try? KubeJSON.decode(BarmanObjectStore.self, from: Data(#"{"apiVersion":"barmancloud.cnpg.io/v1","kind":"ObjectStore","metadata":{"name":"paperless-ngx-db-store"},"status":{"serverRecoveryWindow":{"paperless-ngx-db":{"firstRecoverabilityPoint":"2027-01-08T03:01:40Z"}}}}"#.utf8))

    static let backup = try? KubeJSON.decode(CNPGBackup.self, from: Data(#"{"metadata":{"name":"paperless-ngx-db-daily-20270114030000"},"spec":{"cluster":{"name":"paperless-ngx-db"}},"status":{"phase":"completed","backupId":"20270114T030002","startedAt":"2027-01-14T03:00:02Z","stoppedAt":"2027-01-14T03:01:40Z"}}"#.utf8))

    // MARK: Window

    @Test func theWindowIsReadFromTheClusterInTreeAndFromTheObjectStoreWithThePlugin() throws {
        let inTree = try #require(DatabaseRestore.window(cluster: try Self.cluster(Self.clusterJSON(plugin: false)), objectStores: [], archiveTimeout: 300, now: Self.now))
        #expect(inTree.start == UTCTime.parse("2027-01-06T03:01:40Z") && inTree.end == Self.now - 300 && inTree.unsafe == nil)
        #expect(inTree.source.contains("status.firstRecoverabilityPoint"))
        let store = try #require(Self.store)
        let plugin = try #require(DatabaseRestore.window(cluster: try Self.cluster(Self.clusterJSON(plugin: true)), objectStores: [store], archiveTimeout: 300, now: Self.now))
        #expect(plugin.start == UTCTime.parse("2027-01-08T03:01:40Z"))
        #expect(plugin.source.contains("serverRecoveryWindow[paperless-ngx-db]"))
        #expect(DatabaseRestore.window(cluster: try Self.cluster(Self.clusterJSON(plugin: true)), objectStores: [], archiveTimeout: 300, now: Self.now) == nil, "no ObjectStore, no window")
    }

    @Test func failingArchivingEndsTheWindowWhereItBrokeAndMarksItUnsafe() throws {
        let w = try #require(DatabaseRestore.window(cluster: try Self.cluster(Self.clusterJSON(plugin: false, archiving: "False")), objectStores: [], archiveTimeout: 300, now: Self.now))
        #expect(w.end == UTCTime.parse("2027-01-14T20:00:00Z"))
        #expect(w.unsafe?.contains("WAL archiving is failing") == true)
    }

    @Test(arguments: [("5min", 300.0), ("300s", 300), ("300", 300), ("1h", 3600)])
    func archiveTimeoutIsReadFromTheSpec(text: String, seconds: Double) {
        #expect(DatabaseRestore.archiveTimeout(clusterJSON: ["spec": ["postgresql": ["parameters": ["archive_timeout": text]]]]) == seconds)
    }

    @Test func targetsAtTheEdgesAreInsideAndOneSecondOutIsRefused() throws {
        let data = Self.clusterJSON(plugin: false)
        let c = try Self.cluster(data)
        let start = try #require(UTCTime.parse("2027-01-06T03:01:40Z"))
        for t in [start, Self.now - 300] {
            #expect(throws: Never.self) { try DatabaseRestore.plan(.time(t), clusterJSON: data, cluster: c, backups: [], objectStores: [], namespace: "n", now: Self.now) }
        }
        for t in [start - 1, Self.now - 299] {
            #expect(throws: DatabaseRestore.Refusal.self) { try DatabaseRestore.plan(.time(t), clusterJSON: data, cluster: c, backups: [], objectStores: [], namespace: "n", now: Self.now) }
        }
    }

    // MARK: Restore points

    @Test(arguments: [
        ("2027-01-14T14:00:00Z", "2027-01-14T14:00:00Z"),
        ("2027-01-14T15:00:00+01:00", "2027-01-14T14:00:00Z"),
        ("2027-01-14 14:00 UTC", "2027-01-14T14:00:00Z"),
        ("2027-01-14 16:30 +02:30", "2027-01-14T14:00:00Z"),
        ("2027-01-14 15:00 Europe/Berlin", "2027-01-14T14:00:00Z"),       // winter: +01:00
        ("2026-07-14 16:00 Europe/Berlin", "2026-07-14T14:00:00Z"),       // summer: +02:00
        ("2026-03-29 03:30 Europe/Berlin", "2026-03-29T01:30:00Z"),       // after the spring-forward gap
    ])
    func timesWithAnExplicitZoneAreReadInUTC(text: String, utc: String) throws {
        let expected = try #require(UTCTime.parse(utc))
        #expect(try RestorePoint.parse(text, now: Self.now) == .time(expected))
    }

    @Test(arguments: [("-2h", 7200.0), ("-90m", 5400), ("-1d", 86_400), ("-1h30m", 5400)])
    func relativeTimesCountBackFromNow(text: String, seconds: Double) throws {
        #expect(try RestorePoint.parse(text, now: Self.now) == .time(Self.now - seconds))
    }

    @Test(arguments: ["2027-01-14 14:00", "yesterday", "-2x", "2027-01-14 14:00 Mars/Olympus",
                      "2026-03-29 02:30 Europe/Berlin",   // in the spring-forward gap: does not exist
                      "2026-10-25 02:30 Europe/Berlin"])  // the repeated hour: ambiguous
    func aTimeWithoutAZoneOrNotATimeIsRefusedWithTheAcceptedForms(text: String) {
        #expect(throws: RestorePoint.ParseError.self) { try RestorePoint.parse(text, now: Self.now) }
    }

    /// A clock time with a zone is today in that zone; it is shown back in the zone it was typed
    /// in, UTC beside it (the date too when UTC's differs).
    @Test(arguments: [
        ("09:00 Europe/Berlin", "2027-01-15T08:00:00Z", "2027-01-15 09:00 Europe/Berlin (08:00:00Z)"),
        ("2027-01-14 15:00 Europe/Berlin", "2027-01-14T14:00:00Z", "2027-01-14 15:00 Europe/Berlin (14:00:00Z)"),
        ("2027-01-15 00:30:15 +02:00", "2027-01-14T22:30:15Z", "2027-01-15 00:30:15 +02:00 (2027-01-14T22:30:15Z)"),
        ("07:00 UTC", "2027-01-15T07:00:00Z", "2027-01-15 07:00 UTC (07:00:00Z)"),
    ])
    func aTimeTypedInAZoneIsEchoedInThatZone(text: String, utc: String, echo: String) throws {
        let expected = try #require(UTCTime.parse(utc))
        #expect(try RestorePoint.parse(text, now: Self.now) == .time(expected))
        #expect(RestorePoint.echo(text, at: expected) == echo)
    }

    @Test func aTimeWithoutAZoneHasNoEchoAndUTCIsShownWithTheLocalTimeWhereTZIsSet() throws {
        #expect(RestorePoint.echo("-2h", at: Self.now) == nil)
        #expect(RestorePoint.echo("2027-01-14T14:00:00Z", at: Self.now) == nil)
        let berlin = try #require(TimeZone(identifier: "Europe/Berlin"))
        #expect(UTCTime.withLocal(Self.now, zone: berlin).hasPrefix("2027-01-15T08:00:00Z (2027-01-15 09:00 "))
        #expect(UTCTime.withLocal(Self.now, zone: try #require(TimeZone(identifier: "UTC"))) == "2027-01-15T08:00:00Z")
    }

    /// The cutover's command carries the session's kubeconfig and context: pasted into a shell
    /// whose current context is another cluster, it still scales this app.
    @Test func theCutoverCommandNamesTheKubeconfigAndContext() {
        let target = KubeTarget(kubeconfig: "/home/op/.kube/prod.yaml", context: "do-nyc3-prod", namespace: "paperless-ngx")
        let steps = DatabaseRestore.cutover(newName: "paperless-ngx-db-restore-1", live: "paperless-ngx-db", target: target)
        #expect(steps.first == "Scale the app down during the switch: kubectl --kubeconfig /home/op/.kube/prod.yaml --context do-nyc3-prod scale deployment/paperless-ngx --replicas=0 -n paperless-ngx")
    }

    // MARK: Manifest

    @Test func theManifestReadsWhereTheLiveClusterArchivesAndArchivesNowhere() throws {
        let data = Self.clusterJSON(plugin: false)
        let plan = try DatabaseRestore.plan(.time(Self.now - 7200), clusterJSON: data, cluster: try Self.cluster(data), backups: [], objectStores: [], namespace: "paperless-ngx", now: Self.now)
        #expect(plan.name == "paperless-ngx-db-restore-202701150800")
        let m = try #require(try JSONSerialization.jsonObject(with: Data(plan.json.utf8)) as? [String: Any])
        let spec = try #require(m["spec"] as? [String: Any])
        let recovery = try #require((spec["bootstrap"] as? [String: Any])?["recovery"] as? [String: Any])
        #expect(recovery["source"] as? String == "origin")
        #expect((recovery["recoveryTarget"] as? [String: Any])?["targetTime"] as? String == "2027-01-15T06:00:00+00:00", "an explicit +00:00 offset")
        #expect(recovery["database"] as? String == "paperless" && recovery["owner"] as? String == "paperless")
        let origin = try #require((spec["externalClusters"] as? [[String: Any]])?.first)
        let store = try #require(origin["barmanObjectStore"] as? [String: Any])
        #expect(store["destinationPath"] as? String == "s3://db-backups/" && store["serverName"] as? String == "paperless-ngx-db")
        #expect(store["s3Credentials"] != nil && store["wal"] != nil)
        #expect(spec["backup"] == nil && spec["plugins"] == nil, "the new cluster must not archive")
        #expect(spec["instances"] as? Int == 2 && spec["imageName"] as? String == "ghcr.io/cloudnative-pg/postgresql:16.6" && spec["resources"] != nil)
        #expect(((spec["postgresql"] as? [String: Any])?["parameters"] as? [String: Any])?["max_connections"] as? String == "100")
        #expect(((m["metadata"] as? [String: Any])?["labels"] as? [String: String])?["app.kubernetes.io/managed-by"] == "paperctl")
        // The annotation is JSON, as kubectl shows it, not a Swift dictionary literal (`["targetTime": "…"]`).
        #expect(((m["metadata"] as? [String: Any])?["annotations"] as? [String: String])?["paperctl.io/recovery-target"] == #"{"targetTime":"2027-01-15T06:00:00+00:00"}"#)
        #expect(plan.yaml.contains("targetTime: '2027-01-15T06:00:00+00:00'") || plan.yaml.contains("targetTime: 2027-01-15T06:00:00+00:00"))
    }

    @Test func thePluginFormAndABackupIDFromAPickedBackup() throws {
        let data = Self.clusterJSON(plugin: true)
        let backup = try #require(Self.backup)
        let store = try #require(Self.store)
        let plan = try DatabaseRestore.plan(.backup("paperless-ngx-db-daily-20270114030000"), clusterJSON: data, cluster: try Self.cluster(data),
                                            backups: [backup], objectStores: [store], namespace: "paperless-ngx", now: Self.now)
        #expect(plan.target == "20270114T030002")
        #expect(plan.recoveredTo == UTCTime.parse("2027-01-14T03:01:40Z"))
        #expect(plan.json.contains(#""barmanObjectName" : "paperless-ngx-db-store""#) && plan.json.contains(#""serverName" : "paperless-ngx-db""#))
        #expect(plan.json.contains(#""name" : "barman-cloud.cloudnative-pg.io""#))
        #expect(throws: DatabaseRestore.Refusal.self, "a Backup that does not exist") {
            try DatabaseRestore.plan(.backup("nope"), clusterJSON: data, cluster: try Self.cluster(data), backups: [], objectStores: [store], namespace: "n", now: Self.now)
        }
    }

    @Test func failuresAreExplainedFromCloudNativePGsOwnWords() {
        #expect(DatabaseRestore.explain("ERROR: WAL archive check failed for server x: Expected empty archive").contains("serverName of its own"))
        #expect(DatabaseRestore.explain("no target backup found").contains("externalClusters"))
        #expect(DatabaseRestore.explain("FATAL:  recovery ended before configured recovery target was reached").contains("inside the recoverability window"))
    }
}


/// Following a new cluster: healthy, or CNPG's failure with what to change.
@Suite struct ClusterWaitTests {
    @Test func aFailedFullRecoveryJobIsExplainedFromItsLog() async {
        let runner = FakeRunner { c throws(KubectlError) in
            let a = c.arguments
            if a.contains("clusters.postgresql.cnpg.io") { return .ok(#"{"metadata":{"name":"pdb"},"status":{"phase":"Setting up primary"}}"#) }
            if a.contains("jobs.batch") { return .ok(#"{"metadata":{"name":"pdb-1-full-recovery"},"status":{"failed":1,"conditions":[{"type":"Failed","status":"True"}]}}"#) }
            if a.contains("logs") { return .ok(#"{"level":"error","msg":"Error while restoring a backup","error":"no target backup found"}"# + "\n") }
            return .failure("unexpected")
        }
        let executor = RestoreExecutor(runner: runner, target: KubeTarget(namespace: "paperless-ngx"), config: PaperConfig(), now: { 0 }, sleep: { _ in }, pollInterval: 1, stepTimeout: 10)
        let outcome = await executor.waitForCluster("pdb") { _ in }
        guard case .failed(let message) = outcome else { Issue.record("not failed: \(outcome)"); return }
        #expect(message.contains("no target backup found") && message.contains("what to change: the source does not point where the live cluster archives"))
    }

    @Test func aHealthyClusterIsDone() async {
        let runner = FakeRunner { _ throws(KubectlError) in .ok(#"{"metadata":{"name":"pdb"},"status":{"phase":"Cluster in healthy state"}}"#) }
        let executor = RestoreExecutor(runner: runner, target: KubeTarget(namespace: "paperless-ngx"), config: PaperConfig(), now: { 0 }, sleep: { _ in }, pollInterval: 1, stepTimeout: 10)
        #expect(await executor.waitForCluster("pdb") { _ in }.succeeded)
    }
}

/// "Both" in one plan, in the order the runbook needs.
@Suite struct BothRestoreTests {
    @Test func safetyBackupsThenScaleDownThenTheRestoresThenGuidance() throws {
        let data = DatabaseRestoreTests.clusterJSON(plugin: false)
        let cluster = try DatabaseRestoreTests.cluster(data)
        let window = DatabaseRestore.window(cluster: cluster, objectStores: [], archiveTimeout: 300, now: DatabaseRestoreTests.now)
        let snapshot = ResticSnapshot(id: "bbbb2222", time: DatabaseRestoreTests.now - 5 * 3600, hostname: "paperless-ngx", paths: ["/data"])
        let timeline = DatabaseTimeline(clusterJSON: data, cluster: cluster, window: window, backups: [], objectStores: [],
                                        snapshots: [snapshot, ResticSnapshot(id: "cccc3333", time: DatabaseRestoreTests.now - 3600, paths: ["/data"])])
        let plan = try BothRestore.plan(.time(DatabaseRestoreTests.now - 2 * 3600), timeline: timeline, facts: RestorePlanningTests.facts(replicas: 1),
                                        cronJob: RestorePlanningTests.cronJob, resticVersion: ResticVersion(0, 17, 3), now: DatabaseRestoreTests.now)
        let kinds = plan.steps.steps.map { step -> String in
            switch step.kind {
            case .databaseBackup(let backup): backup.objectName.hasPrefix("paperless-ngx-db-restore-") ? "first backup" : "db safety"
            case .safetyBackup: "files safety"
            case .suspendCronJob(_, let s): s ? "suspend" : "resume"
            case .scaleDown: "scale down"
            case .job: "files restore"
            case .recoverCluster: "db restore"
            case .guidance: "guidance"
            case .scaleUp: "scale up"
            case .postCheck: "check"
            case .carryCredentials: "credentials"
            case .scheduledBackup: "scheduled backup"
            case .checkArchiving: "archiving"
            }
        }
        // The credentials Secret before the new cluster; its own backups after (no live ScheduledBackup was read: none to copy).
        #expect(kinds == ["db safety", "files safety", "suspend", "scale down", "files restore", "credentials", "db restore", "first backup", "archiving", "guidance"])
        #expect(plan.snapshot.id == "bbbb2222", "the nearest snapshot at or before the point, not the newer one")
        #expect(plan.rpo.contains { $0.contains("files: snapshot bbbb2222") && $0.contains("3h before the point") })
        #expect(plan.steps.notes.first?.hasPrefix("database: exactly") == true, "the RPO readout is shown with the plan")
        guard case .guidance(let steps) = plan.steps.steps.last?.kind else { Issue.record("no guidance"); return }
        #expect(steps.contains { $0.contains("PAPERLESS_DBHOST") } && steps.contains { $0.contains(#"{"spec":{"suspend":false}}"#) })
    }

    /// "latest" is the end of the window as the plan computes it, a moment after the timeline was
    /// read: the readout must not call that point outside the window (it did: the wizard and the CLI
    /// showed "OUTSIDE the window: refused" above a plan that then ran).
    @Test func latestIsInsideTheWindowInTheReadoutEvenWhenTheTimelineWasReadAMomentEarlier() throws {
        let data = DatabaseRestoreTests.clusterJSON(plugin: false)
        let cluster = try DatabaseRestoreTests.cluster(data)
        let read = DatabaseRestoreTests.now - 20
        let timeline = DatabaseTimeline(clusterJSON: data, cluster: cluster, window: DatabaseRestore.window(cluster: cluster, objectStores: [], archiveTimeout: 300, now: read),
                                        backups: [], objectStores: [], snapshots: [ResticSnapshot(id: "bbbb2222", time: DatabaseRestoreTests.now - 3600, paths: ["/data"])])
        let plan = try BothRestore.plan(.latest, timeline: timeline, facts: RestorePlanningTests.facts(replicas: 1), cronJob: RestorePlanningTests.cronJob,
                                        resticVersion: nil, now: DatabaseRestoreTests.now)
        #expect(plan.rpo.first == "database: exactly \(UTCTime.rfc3339(DatabaseRestoreTests.now - 300)) (inside the window)", "\(plan.rpo)")
    }

    @Test func noFileSnapshotBeforeThePointIsRefused() throws {
        let data = DatabaseRestoreTests.clusterJSON(plugin: false)
        let cluster = try DatabaseRestoreTests.cluster(data)
        let timeline = DatabaseTimeline(clusterJSON: data, cluster: cluster, window: DatabaseRestore.window(cluster: cluster, objectStores: [], archiveTimeout: 300, now: DatabaseRestoreTests.now),
                                        backups: [], objectStores: [], snapshots: [ResticSnapshot(id: "late", time: DatabaseRestoreTests.now - 600, paths: ["/data"])])
        #expect(throws: DatabaseRestore.Refusal.self) {
            try BothRestore.plan(.time(DatabaseRestoreTests.now - 7200), timeline: timeline, facts: RestorePlanningTests.facts(), cronJob: RestorePlanningTests.cronJob,
                                 resticVersion: nil, now: DatabaseRestoreTests.now)
        }
    }
}
