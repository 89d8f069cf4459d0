import Foundation
import ProcessTestSupport
import Testing
import PaperKube
@testable import SimCluster

/// Each scenario shows its signal through the real kubectl.
@Suite(.timeLimit(.minutes(2))) struct ScenarioTests {
    @Test func rbacLimitedForbidsSecretsStatsAndJobCreation() async throws {
        let h = try await SimHarness.start([.rbacLimited])
        defer { Task { await h.stop() } }
        let secrets = try await h.kubectl(["get", "secrets"])
        #expect(secrets.stderr.contains(#"secrets is forbidden: User "demo-operator" cannot list resource "secrets" in API group "" in the namespace "paperless-ngx""#), "\(secrets.stderr)")
        let stats = try await h.kubectl(["get", "--raw", "/api/v1/nodes/sim-node-1/proxy/stats/summary"])
        #expect(stats.stderr.contains("forbidden"))
        let job = try await h.kubectl(["create", "job", "--from=cronjob/paperless-ngx-backup", "denied-1"])
        #expect(job.stderr.contains(#"cannot create resource "jobs" in API group "batch""#), "\(job.stderr)")
        #expect(try await h.kubectl(["get", "pods"]).succeeded)
    }

    @Test func missingExternalSecretsCRDsAreNotServed() async throws {
        let h = try await SimHarness.start([.noExternalSecrets])
        defer { Task { await h.stop() } }
        let r = try await h.kubectl(["get", "externalsecrets"])
        #expect(r.stderr.contains("the server doesn't have a resource type \"externalsecrets\""))
        #expect(try await h.kubectl(["get", "backups"]).succeeded)
    }

    @Test func slowAndUnresponsiveServersTimeKubectlOut() async throws {
        let slow = try await SimHarness.start([.slowAPI])
        defer { Task { await slow.stop() } }
        let r = try await slow.kubectl(["get", "pods", "--request-timeout=1s"], timeout: 20)
        #expect(!r.succeeded)
        let dead = try await SimHarness.start([.unresponsiveAPI])
        defer { Task { await dead.stop() } }
        let started = Date()
        let d = try await dead.kubectl(["get", "pods", "--request-timeout=2s"], timeout: 30)
        #expect(!d.succeeded)
        #expect(Date().timeIntervalSince(started) < 25)
    }

    @Test func expiredCredentialsAreUnauthorized() async throws {
        let h = try await SimHarness.start([.expiredCredentials])
        defer { Task { await h.stop() } }
        let r = try await h.kubectl(["get", "pods"])
        #expect(!r.succeeded)
        #expect(r.stderr.contains("Unauthorized") || r.stderr.contains("must be logged in"))
    }

    @Test func failingScenariosShowTheirSignals() async throws {
        let h = try await SimHarness.start([.dbBackupFailing, .resticLocked, .secretSyncFailing, .appCrashloop, .pvcNearlyFull])
        defer { Task { await h.stop() } }
        let cluster = try await h.kubectl(["get", "cluster", "paperless-ngx-db", "-o", "json"]).json()
        let archiving = cluster.value(at: "status.conditions")?.arrayValue?.first { $0["type"] == "ContinuousArchiving" }
        #expect(archiving?["status"] == "False")
        #expect(cluster.value(at: "status.readyInstances") == 0)
        let backups = try await h.kubectl(["get", "backups", "-o", "json"]).json()["items"]?.arrayValue ?? []
        #expect(backups.filter { $0.value(at: "status.phase") == "failed" }.count == 2)
        #expect(backups.contains { $0.value(at: "status.phase") == "walArchivingFailing" })
        let lastOK = try #require(cluster.value(at: "status.lastSuccessfulBackup")?.stringValue.flatMap(UTCTime.parse))
        #expect(Date().timeIntervalSince1970 - lastOK > 2 * 86_400)
        let pods = try await h.kubectl(["get", "pods", "-o", "json"]).json()["items"]?.arrayValue ?? []
        let exitCodes = pods.compactMap { $0.value(at: "status.containerStatuses.0.state.terminated.exitCode")?.intValue }
        #expect(exitCodes.filter { $0 == 11 }.count == 2)
        let app = pods.first { $0.value(at: "metadata.name")?.stringValue?.hasPrefix("paperless-ngx-7d9f") == true }
        #expect(app?.value(at: "status.containerStatuses.1.state.waiting.reason") == "CrashLoopBackOff")
        let es = try await h.kubectl(["get", "es", "paperless-ngx-admin", "-o", "json"]).json()
        #expect(es.value(at: "status.conditions.0.reason") == "SecretSyncedError")
        let stats = try await h.kubectl(["get", "--raw", "/api/v1/nodes/sim-node-1/proxy/stats/summary"]).json()
        let data = (stats["pods"]?.arrayValue ?? []).flatMap { $0["volume"]?.arrayValue ?? [] }.first { $0.value(at: "pvcRef.name") == "paperless-ngx-data" }
        let ratio = Double(data?["usedBytes"]?.intValue ?? 0) / Double(data?["capacityBytes"]?.intValue ?? 1)
        #expect(ratio > 0.9)
        let events = try await h.kubectl(["get", "events", "--field-selector", "type=Warning", "-o", "json"]).json()["items"]?.arrayValue ?? []
        #expect(events.contains { $0["reason"] == "BackOff" })
    }

    @Test func redisErrorsCarryAPlantedPasswordInTheLogs() async throws {
        let h = try await SimHarness.start([.redisErrors])
        defer { Task { await h.stop() } }
        let logs = try await h.kubectl(["logs", "deploy/paperless-ngx", "-c", "paperless-ngx", "--since=1h"])
        #expect(logs.stdout.contains("redis://:\(h.sim.options.plantedPassword)@paperless-ngx-redis:6379"))
        #expect(logs.stdout.contains("Error while reading from socket: (104, 'Connection reset by peer')"))
    }

    @Test func pluginBackupsUseTheObjectStore() async throws {
        let h = try await SimHarness.start([.pluginBackups])
        defer { Task { await h.stop() } }
        let store = try await h.kubectl(["get", "objectstores.barmancloud.cnpg.io", "paperless-ngx-db-store", "-o", "json"])
        #expect(store.succeeded, "\(store.stderr)")
        #expect(store.json().value(at: ["status", "serverRecoveryWindow", "paperless-ngx-db", "lastSuccessfulBackupTime"]) != nil)
        let cluster = try await h.kubectl(["get", "cluster", "paperless-ngx-db", "-o", "json"]).json()
        #expect(cluster.value(at: "spec.plugins.0.name") == "barman-cloud.cloudnative-pg.io")
        #expect(cluster.value(at: "status.lastSuccessfulBackup") == nil)
        #expect(cluster.value(at: "spec.backup") == nil)
        let plain = try await SimHarness.start()
        defer { Task { await plain.stop() } }
        #expect(try await plain.kubectl(["get", "objectstores"]).stderr.contains("doesn't have a resource type"))
    }

    /// With the plugin gone, no Backup after the real case's failure completes, whatever the time
    /// of day: at 03:33 UTC the day's 03:00 run came after it (and failed), at 20:00 it came before.
    @Test(arguments: [3.55, 20.0])
    func pluginUnavailableFailsEveryPluginBackupSinceTheFailure(hourOfDay: Double) throws {
        let midnight = (Date().timeIntervalSince1970 / 86_400).rounded(.down) * 86_400
        let now = midnight + hourOfDay * 3600
        let options = SimOptions([.pluginUnavailable])
        let store = ObjectStore(clock: SimClock(start: now, speed: 1))
        Seed(options: options, store: store, logs: PodLogs(), now: now).plant()
        let backups = store.list(Catalogue.backups, namespace: "paperless-ngx").items
            .sorted { ($0.value(at: "metadata.creationTimestamp")?.stringValue ?? "") < ($1.value(at: "metadata.creationTimestamp")?.stringValue ?? "") }
        let index = try #require(backups.firstIndex { $0.value(at: "metadata.name") == "backup-example" })
        let since = backups[(index + 1)...]
        #expect(!since.contains { $0.value(at: "status.phase") == "completed" }, "\(since.map { $0.value(at: "metadata.name")?.stringValue ?? "" })")
        for backup in since {
            #expect(backup.value(at: "status.error")?.stringValue == "requested plugin is not available: barman-cloud.cloudnative-pg.io")
        }
        let cluster = try #require(store.list(Catalogue.clusters, namespace: "paperless-ngx").items.first)
        let last = cluster.value(at: "status.conditions")?.arrayValue?.first { $0["type"] == "LastBackupSucceeded" }
        #expect(last?["status"] == (since.isEmpty ? "True" : "False"))
        #expect(backups.contains { $0.value(at: "status.phase") == "completed" })
    }

    @Test func aPluginBackupFailsAtOnceWhileThePluginIsGone() async throws {
        let h = try await SimHarness.start([.pluginUnavailable])
        defer { Task { await h.stop() } }
        let backup = """
            apiVersion: postgresql.cnpg.io/v1
            kind: Backup
            metadata:
              name: manual-now
            spec:
              cluster:
                name: paperless-ngx-db
              method: plugin
              pluginConfiguration:
                name: barman-cloud.cloudnative-pg.io
            """
        #expect(try await h.kubectl(["apply", "-f", "-"], stdin: backup).succeeded)
        let done = try await h.kubectl(["wait", "--for=jsonpath={.status.phase}=failed", "backup/manual-now", "--timeout=20s"], timeout: 30)
        #expect(done.succeeded, "\(done.stderr)")
        let error = try await h.kubectl(["get", "backup", "manual-now", "-o", "jsonpath={.status.error}"]).stdout
        #expect(error == "requested plugin is not available: barman-cloud.cloudnative-pg.io")
    }

    @Test func aSecondServerOnTheSamePortGetsAClearError() async throws {
        let h = try await SimHarness.start()
        defer { Task { await h.stop() } }
        do {
            let second = try await SimulatedCluster.start(scenarios: [.healthy], port: h.sim.port)
            await second.stop()
            Issue.record("a second server bound the same port")
        } catch let error as HTTPServer.StartError {
            #expect(error.description.contains("port \(h.sim.port) is already in use"))
        }
    }
}

/// The controllers move objects through their lives on the simulated clock.
@Suite(.timeLimit(.minutes(2))) struct ControllerTimeTests {
    /// Seconds since the epoch of the next `hh:00:00` UTC.
    static func nextTime(hour: Int) -> Double {
        let now = Date().timeIntervalSince1970
        let schedule = try? CronSchedule(parsing: "0 \(hour) * * *", dialect: .kubernetes)
        return schedule?.next(after: now) ?? now
    }

    @Test func cronJobFiresOnItsScheduleAndTheJobRuns() async throws {
        let h = try await SimHarness.start(speed: 20, startAt: Self.nextTime(hour: 4) - 20)
        defer { Task { await h.stop() } }
        try await waitUntil("one active Job of CronJob paperless-ngx-backup", timeout: 10) {
            let cj = try await h.kubectl(["get", "cronjob", "paperless-ngx-backup", "-o", "json"]).json()
            return (cj.value(at: "status.active")?.arrayValue?.count ?? 0) == 1
        }
        let jobs = try await h.kubectl(["get", "jobs", "-o", "json"]).json()["items"]?.arrayValue ?? []
        let newest = try #require(jobs.max { ($0.value(at: "metadata.creationTimestamp")?.stringValue ?? "") < ($1.value(at: "metadata.creationTimestamp")?.stringValue ?? "") })
        let name = try #require(newest.value(at: "metadata.name")?.stringValue)
        #expect(name == "paperless-ngx-backup-\(Int(Self.nextTime(hour: 4) / 60))")
        let done = try await h.kubectl(["wait", "--for=condition=complete", "job/\(name)", "--timeout=30s"], timeout: 40)
        #expect(done.succeeded, "\(done.stderr)")
        let cj = try await h.kubectl(["get", "cronjob", "paperless-ngx-backup", "-o", "json"]).json()
        #expect(cj.value(at: "status.active") == nil)
        #expect(cj.value(at: "status.lastSuccessfulTime")?.stringValue.flatMap(UTCTime.parse) ?? 0 > Self.nextTime(hour: 4))
    }

    @Test func scheduledBackupRunsPendingRunningCompletedAndMovesTheCluster() async throws {
        let start = Self.nextTime(hour: 3) - 10
        let h = try await SimHarness.start(speed: 20, startAt: start)
        defer { Task { await h.stop() } }
        let before = try await h.kubectl(["get", "cluster", "paperless-ngx-db", "-o", "jsonpath={.status.lastSuccessfulBackup}"]).stdout
        let name = "paperless-ngx-db-daily-\(Seed.compactStamp(Self.nextTime(hour: 3)))"
        try await waitUntil("Backup \(name)", timeout: 10) { try await h.kubectl(["get", "backup", name]).succeeded }
        let done = try await h.kubectl(["wait", "--for=jsonpath={.status.phase}=completed", "backup/\(name)", "--timeout=30s"], timeout: 40)
        #expect(done.succeeded, "\(done.stderr)")
        let after = try await h.kubectl(["get", "cluster", "paperless-ngx-db", "-o", "jsonpath={.status.lastSuccessfulBackup}"]).stdout
        #expect(after != before)
        #expect((UTCTime.parse(after) ?? 0) > (UTCTime.parse(before) ?? 0))
    }

    @Test func runningBackupSetsBackupStartedNotFailed() async throws {
        let h = try await SimHarness.start(speed: 1)
        defer { Task { await h.stop() } }
        let backup = """
            apiVersion: postgresql.cnpg.io/v1
            kind: Backup
            metadata:
              name: slow-one
            spec:
              cluster:
                name: paperless-ngx-db
            """
        #expect(try await h.kubectl(["apply", "-f", "-"], stdin: backup).succeeded)
        try await waitUntil("condition LastBackupSucceeded False/BackupStarted on the Cluster", timeout: 10) {
            let c = try await h.kubectl(["get", "cluster", "paperless-ngx-db", "-o", "json"]).json()
            let cond = c.value(at: "status.conditions")?.arrayValue?.first { $0["type"] == "LastBackupSucceeded" }
            return cond?["status"] == "False" && cond?["reason"] == "BackupStarted"
        }
    }
}
