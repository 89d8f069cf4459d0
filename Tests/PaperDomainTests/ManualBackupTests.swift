import Foundation
import PaperDomain
import PaperKube
import Synchronization
import TestSupport
import Testing

/// The manual backup rules and the exact kubectl commands, through a fake runner.
@Suite("Manual backups (backup files|db)")
struct ManualBackupTests {
    static let now = 1_700_000_000.0
    static let target = KubeTarget(kubeconfig: "/k/config", context: "prod", namespace: "paperless-ngx")
    static let global = ["--kubeconfig", "/k/config", "--context", "prod", "--namespace", "paperless-ngx"]

    /// A clock that only `sleep` moves.
    final class FakeClock: Sendable {
        let time = Mutex(ManualBackupTests.now)
        var now: @Sendable () -> Double { { self.time.withLock { $0 } } }
        var sleep: @Sendable (Double) async -> Void { { s in self.time.withLock { $0 += s } } }
    }

    static func session(_ runner: FakeRunner, clock: FakeClock = FakeClock()) -> ManualBackupSession {
        ManualBackupSession(config: PaperConfig(), target: target, runner: runner, now: clock.now, sleep: clock.sleep, pollInterval: 2)
    }

    static let cronJob = #"{"apiVersion":"batch/v1","kind":"CronJob","metadata":{"name":"paperless-ngx-backup"},"spec":{"schedule":"0 4 * * *"},"status":{}}"#

    static func job(_ name: String, status: String, owned: Bool = true) -> String {
        let owner = owned ? #","ownerReferences":[{"apiVersion":"batch/v1","kind":"CronJob","name":"paperless-ngx-backup","uid":"u1"}]"# : ""
        return #"{"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"\#(name)","labels":{"job-name":"\#(name)"}\#(owner)},"status":\#(status)}"#
    }

    static let running = #"{"active":1,"startTime":"2023-11-14T22:13:00Z"}"#
    static let complete = #"{"succeeded":1,"startTime":"2023-11-14T22:13:00Z","completionTime":"2023-11-14T22:14:00Z","conditions":[{"type":"Complete","status":"True"}]}"#
    static let failed = #"{"failed":1,"startTime":"2023-11-14T22:13:00Z","conditions":[{"type":"Failed","status":"True","reason":"BackoffLimitExceeded","message":"Job has reached the specified backoff limit"}]}"#

    static func list(_ items: [String]) -> String { #"{"apiVersion":"v1","kind":"List","items":[\#(items.joined(separator: ","))]}"# }

    static func cluster(plugin: Bool, lastBackup: String = "2023-11-13T03:00:00Z") -> String {
        let spec = plugin
            ? #""plugins":[{"name":"barman-cloud.cloudnative-pg.io","isWALArchiver":true,"parameters":{"barmanObjectName":"paperless-ngx-db-store"}}]"#
            : #""backup":{"barmanObjectStore":{"destinationPath":"s3://bucket/"}}"#
        return #"{"apiVersion":"postgresql.cnpg.io/v1","kind":"Cluster","metadata":{"name":"paperless-ngx-db"},"spec":{"instances":1,\#(spec)},"status":{"lastSuccessfulBackup":"\#(lastBackup)"}}"#
    }

    static func backup(_ name: String, phase: String?, cluster: String = "paperless-ngx-db") -> String {
        let status = phase.map { #"{"phase":"\#($0)"}"# } ?? "{}"
        return #"{"apiVersion":"postgresql.cnpg.io/v1","kind":"Backup","metadata":{"name":"\#(name)"},"spec":{"cluster":{"name":"\#(cluster)"},"method":"barmanObjectStore"},"status":\#(status)}"#
    }

    // MARK: files

    @Test func filesRunsExactlyTheCreateJobCommandAndPrintsItFirst() async {
        let runner = FakeRunner { c throws(KubectlError) in
            if c.arguments.contains("cronjobs.batch") { return .ok(Self.cronJob) }
            if c.arguments.contains("create") { return .ok("job.batch/manual-backup-1700000000 created\n") }
            return .ok(Self.list([Self.job("paperless-ngx-backup-29000000", status: Self.complete)]))
        }
        var said: [String] = []
        let outcome = await Self.session(runner).run(.files, wait: false, timeout: 60) { said.append($0) }
        #expect(runner.argumentArrays == [
            Self.global + ["get", "cronjobs.batch", "paperless-ngx-backup", "-o", "json"],
            Self.global + ["get", "jobs.batch", "-o", "json"],
            ["--kubeconfig", "/k/config", "--context", "prod", "create", "job", "--from=cronjob/paperless-ngx-backup", "manual-backup-1700000000", "-n", "paperless-ngx"],
        ])
        #expect(runner.commands.last?.stdin == nil)
        #expect(said.first == "Running: kubectl --kubeconfig /k/config --context prod create job --from=cronjob/paperless-ngx-backup manual-backup-1700000000 -n paperless-ngx")
        #expect(said.contains("job.batch/manual-backup-1700000000 created"))
        #expect(outcome == .created(name: "job/manual-backup-1700000000"))
        #expect(outcome.exitCode == 0)
    }

    @Test func filesIsRefusedWhileAJobOfTheCronJobIsActiveAndCreatesNothing() async {
        let runner = FakeRunner { c throws(KubectlError) in
            if c.arguments.contains("cronjobs.batch") { return .ok(Self.cronJob) }
            return .ok(Self.list([Self.job("manual-backup-1699999990", status: Self.running), Self.job("old", status: Self.failed)]))
        }
        let outcome = await Self.session(runner).run(.files, wait: true, timeout: 60) { _ in }
        #expect(!runner.argumentArrays.contains { $0.contains("create") })
        #expect(outcome.exitCode == 1)
        #expect(outcome.message.contains("manual-backup-1699999990"))
        #expect(outcome.message.contains("still active"))
    }

    @Test func activeJobsComeFromOwnershipLabelsAndTheCronJobStatus() {
        let config = PaperConfig()
        let labelled = Job(metadata: ObjectMeta(name: "by-label", labels: ["app.kubernetes.io/name": "paperless-ngx-backup"]), active: 1)
        let foreign = Job(metadata: ObjectMeta(name: "other-job"), active: 1)
        let done = Job(metadata: ObjectMeta(name: "done", ownerReferences: [OwnerReference(kind: "CronJob", name: "paperless-ngx-backup")]),
                       completionTime: 1, succeeded: 1)
        var cron = CronJob(metadata: ObjectMeta(name: "paperless-ngx-backup"), schedule: "0 4 * * *")
        cron.activeJobNames = ["listed-by-cronjob", "done"]
        #expect(ManualBackup.activeFileBackups(jobs: [labelled, foreign, done], cronJob: cron, config: config) == ["by-label", "listed-by-cronjob"])
    }

    @Test func filesWaitExplainsAFailedResticJobByItsExitCode() async {
        let polls = Mutex(0)
        let runner = FakeRunner { c throws(KubectlError) in
            let a = c.arguments
            if a.contains("cronjobs.batch") { return .ok(Self.cronJob) }
            if a.contains("create") { return .ok("job.batch/manual-backup-1700000000 created") }
            if a.contains("pods") {
                return .ok(Self.list([#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"manual-backup-1700000000-x"},"status":{"phase":"Failed","containerStatuses":[{"name":"restic","ready":false,"restartCount":0,"state":{"terminated":{"exitCode":11,"reason":"Error"}}}]}}"#]))
            }
            if a.contains("manual-backup-1700000000") {
                let n = polls.withLock { $0 += 1; return $0 }
                return .ok(Self.job("manual-backup-1700000000", status: n < 3 ? Self.running : Self.failed))
            }
            return .ok(Self.list([]))
        }
        var said: [String] = []
        let outcome = await Self.session(runner).run(.files, wait: true, timeout: 60) { said.append($0) }
        #expect(outcome.exitCode == 2)
        #expect(outcome.message.contains("exited 11"))
        #expect(outcome.message.contains(ResticExitCode.meaning(11)))
        #expect(said.contains("job/manual-backup-1700000000: running"))
        #expect(runner.argumentArrays.contains(Self.global + ["get", "pods", "-l", "job-name=manual-backup-1700000000", "-o", "json"]))
    }

    @Test func filesWaitSucceedsWhenTheJobCompletes() async {
        let runner = FakeRunner { c throws(KubectlError) in
            let a = c.arguments
            if a.contains("cronjobs.batch") { return .ok(Self.cronJob) }
            if a.contains("create") { return .ok("job.batch/manual-backup-1700000000 created") }
            if a.contains("manual-backup-1700000000") { return .ok(Self.job("manual-backup-1700000000", status: Self.complete)) }
            return .ok(Self.list([]))
        }
        let outcome = await Self.session(runner).run(.files, wait: true, timeout: 60) { _ in }
        #expect(outcome == .succeeded(name: "job/manual-backup-1700000000", detail: "Job complete"))
    }

    @Test func waitGivesUpWithExitThreeAtTheTimeout() async {
        let clock = FakeClock()
        let runner = FakeRunner { c throws(KubectlError) in
            let a = c.arguments
            if a.contains("cronjobs.batch") { return .ok(Self.cronJob) }
            if a.contains("create") { return .ok("job.batch/manual-backup-1700000000 created") }
            if a.contains("manual-backup-1700000000") { return .ok(Self.job("manual-backup-1700000000", status: Self.running)) }
            return .ok(Self.list([]))
        }
        let outcome = await Self.session(runner, clock: clock).run(.files, wait: true, timeout: 10) { _ in }
        #expect(outcome.exitCode == 3)
        #expect(outcome.message.contains("still running after 10 s"))
        let reads = runner.argumentArrays.filter { $0.contains("manual-backup-1700000000") && $0.contains("get") }.count
        #expect(reads >= 5 && reads <= 7, "polled \(reads) times at 2 s over 10 s")
    }

    @Test func aForbiddenCreateIsAClearRBACErrorAndExitOne() async {
        let runner = FakeRunner { c throws(KubectlError) in
            if c.arguments.contains("cronjobs.batch") { return .ok(Self.cronJob) }
            if c.arguments.contains("create") {
                return .failure(#"error: failed to create job: jobs.batch is forbidden: User "ops" cannot create resource "jobs" in API group "batch" in the namespace "paperless-ngx""#)
            }
            return .ok(Self.list([]))
        }
        let outcome = await Self.session(runner).run(.files, wait: true, timeout: 60) { _ in }
        #expect(outcome.exitCode == 1)
        #expect(outcome.message.hasPrefix("forbidden:"))
        #expect(outcome.message.contains("'create' on jobs"))
        #expect(outcome.message.contains("nothing was created"))
        #expect(runner.argumentArrays.count == 3, "no wait after a refused create")
    }

    // MARK: db

    @Test func dbUsesThePluginMethodWhenTheClusterHasTheBarmanCloudPlugin() async throws {
        let runner = FakeRunner { c throws(KubectlError) in
            if c.arguments.contains("clusters.postgresql.cnpg.io") { return .ok(Self.cluster(plugin: true)) }
            if c.arguments.contains("create") { return .ok("backup.postgresql.cnpg.io/paperless-ngx-db-manual-1700000000 created") }
            return .ok(Self.list([Self.backup("daily-1", phase: "completed"), Self.backup("other", phase: "running", cluster: "another-db")]))
        }
        var said: [String] = []
        let outcome = await Self.session(runner).run(.db, wait: false, timeout: 60) { said.append($0) }
        #expect(outcome == .created(name: "backup/paperless-ngx-db-manual-1700000000"))
        #expect(runner.argumentArrays == [
            Self.global + ["get", "clusters.postgresql.cnpg.io", "paperless-ngx-db", "-o", "json"],
            Self.global + ["get", "backups.postgresql.cnpg.io", "-o", "json"],
            ["--kubeconfig", "/k/config", "--context", "prod", "create", "-f", "-", "-n", "paperless-ngx"],
        ])
        let stdin = try #require(runner.commands.last?.stdin)
        let object = try #require(try JSONSerialization.jsonObject(with: stdin) as? [String: Any])
        #expect(object["kind"] as? String == "Backup")
        #expect(object["apiVersion"] as? String == "postgresql.cnpg.io/v1")
        let metadata = try #require(object["metadata"] as? [String: Any])
        #expect(metadata["name"] as? String == "paperless-ngx-db-manual-1700000000")
        let spec = try #require(object["spec"] as? [String: Any])
        #expect((spec["cluster"] as? [String: Any])?["name"] as? String == "paperless-ngx-db")
        #expect(spec["method"] as? String == "plugin")
        #expect((spec["pluginConfiguration"] as? [String: Any])?["name"] as? String == "barman-cloud.cloudnative-pg.io")
        #expect(said.first?.hasPrefix("Running: kubectl --kubeconfig /k/config --context prod create -f - -n paperless-ngx <<'EOF'") == true)
        #expect(said.first?.contains(#""method": "plugin""#) == true)
    }

    @Test func dbUsesBarmanObjectStoreOtherwise() throws {
        let json = ManualBackup.databaseBackupJSON(name: "b", cluster: "c", namespace: "n", method: .barmanObjectStore)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let spec = try #require(object["spec"] as? [String: Any])
        #expect(spec["method"] as? String == "barmanObjectStore")
        #expect(spec["pluginConfiguration"] == nil)
        let cluster = try KubeJSON.decode(CNPGCluster.self, from: Data(Self.cluster(plugin: false).utf8))
        #expect(ManualBackup.databaseMethod(for: cluster) == .barmanObjectStore)
    }

    @Test func oddValuesStayValidJSON() throws {
        // Names come from the config: quotes, backslashes, slashes and control characters must not break the document.
        let odd = "db\"x\\y/z\n\u{1}é"
        let json = ManualBackup.databaseBackupJSON(name: odd, cluster: odd, namespace: "n", method: .plugin(name: odd))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect((object["metadata"] as? [String: Any])?["name"] as? String == odd)
        #expect(((object["spec"] as? [String: Any])?["cluster"] as? [String: Any])?["name"] as? String == odd)
        // Slashes stay as they are; the newline is escaped.
        #expect(json.contains(#"y/z\n"#))
    }

    @Test(arguments: ["pending", "started", "running", "walArchivingFailing"])
    func dbIsRefusedWhileABackupOfTheClusterIsInFlight(phase: String) async {
        let runner = FakeRunner { c throws(KubectlError) in
            if c.arguments.contains("clusters.postgresql.cnpg.io") { return .ok(Self.cluster(plugin: false)) }
            return .ok(Self.list([Self.backup("daily-1", phase: "completed"), Self.backup("paperless-ngx-db-daily-20231114", phase: phase)]))
        }
        let outcome = await Self.session(runner).run(.db, wait: true, timeout: 60) { _ in }
        #expect(outcome.exitCode == 1)
        #expect(outcome.message.contains("paperless-ngx-db-daily-20231114"))
        #expect(outcome.message.contains(phase))
        #expect(!runner.argumentArrays.contains { $0.contains("create") })
    }

    @Test func dbWaitReportsTheFailureAndTheNewLastBackupOnSuccess() async {
        for (final, code) in [("failed", Int32(2)), ("completed", Int32(0))] {
            let created = Mutex(false)
            let runner = FakeRunner { c throws(KubectlError) in
                let a = c.arguments
                if a.contains("clusters.postgresql.cnpg.io") {
                    return .ok(Self.cluster(plugin: false, lastBackup: created.withLock { $0 } ? "2023-11-14T22:15:00Z" : "2023-11-13T03:00:00Z"))
                }
                if a.contains("create") { created.withLock { $0 = true }; return .ok("created") }
                if a.contains("paperless-ngx-db-manual-1700000000") {
                    return .ok(#"{"apiVersion":"postgresql.cnpg.io/v1","kind":"Backup","metadata":{"name":"paperless-ngx-db-manual-1700000000"},"spec":{"cluster":{"name":"paperless-ngx-db"}},"status":{"phase":"\#(final)","error":"can't execute backup: exit status 4"}}"#)
                }
                return .ok(Self.list([]))
            }
            let outcome = await Self.session(runner).run(.db, wait: true, timeout: 60) { _ in }
            #expect(outcome.exitCode == code)
            if code == 0 {
                #expect(outcome.message.contains("lastSuccessfulBackup is now 2023-11-14T22:15:00Z"))
            } else {
                #expect(outcome.message.contains("can't execute backup"))
            }
        }
    }

    @Test func aClusterWithoutBackupConfigurationIsNotBackedUp() async {
        let runner = FakeRunner { c throws(KubectlError) in
            .ok(#"{"apiVersion":"postgresql.cnpg.io/v1","kind":"Cluster","metadata":{"name":"paperless-ngx-db"},"spec":{"instances":1}}"#)
        }
        let outcome = await Self.session(runner).run(.db, wait: false, timeout: 60) { _ in }
        #expect(outcome.exitCode == 1)
        #expect(outcome.message.contains("no backup configuration"))
        #expect(runner.argumentArrays.count == 1)
    }
}

extension ManualBackupTests {
    @Test func aCreateThatTimesOutIsAnUnknownOutcomeNotNothingStarted() async {
        let runner = FakeRunner { c throws(KubectlError) in
            if c.arguments.contains("cronjobs.batch") { return .ok(Self.cronJob) }
            if c.arguments.contains("create") { throw .timeout(seconds: 10) }
            return .ok(Self.list([]))
        }
        let outcome = await Self.session(runner).run(.files, wait: true, timeout: 60) { _ in }
        #expect(outcome.exitCode == 3)
        #expect(outcome.message.contains("job/manual-backup-1700000000"))
        #expect(outcome.message.contains("may have been created"))
    }
}
