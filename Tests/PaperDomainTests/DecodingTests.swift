import Foundation
import PaperKube
import Testing
@testable import PaperDomain

// MARK: - Decoding recorded kubectl output

@Suite("Decoding recorded kubectl -o json output")
struct DecodingTests {
    @Test func healthyListDecodesEveryType() {
        var snapshot = Snapshot(takenAt: Fixtures.now, target: Fixtures.target)
        snapshot.add(Fixtures.list("get-all-healthy.json").items)
        #expect(snapshot.deployments.map(\.metadata.name).sorted() == ["paperless-ngx", "paperless-ngx-redis"])
        #expect(snapshot.pods.count == 4)
        #expect(snapshot.jobs.count == 7)
        #expect(snapshot.cronJobs.first?.schedule == "0 4 * * *")
        #expect(snapshot.persistentVolumeClaims.count == 2)
        #expect(snapshot.events.count == 1)
        #expect(snapshot.networkPolicies.count == 2)
        #expect(snapshot.ingresses.first?.loadBalancerAddresses == ["paperless-ngx.marlin-tet.ts.net"])
        #expect(snapshot.clusters.count == 1)
        #expect(snapshot.backups.count == 10)
        #expect(snapshot.scheduledBackups.first?.schedule == "0 0 3 * * *")
        #expect(snapshot.externalSecrets.count == 4)
        #expect(snapshot.secretStores.first?.kind == "ClusterSecretStore")
        #expect(snapshot.secretStores.first?.provider == "onepasswordSDK")
    }

    @Test func podFieldsAreTyped() throws {
        let list = Fixtures.list("get-all-healthy.json")
        let pods = list.items.compactMap { if case .pod(let p) = $0 { p } else { nil } }
        let app = try #require(pods.first { $0.metadata.name.hasPrefix("paperless-ngx-7d9") })
        #expect(app.nodeName == "pool-nyc3-a1")
        #expect(app.claimNames == ["data": "paperless-ngx-data"])
        #expect(app.containerStatuses.map(\.name) == ["paperless-ngx", "linkerd-proxy"])
        #expect(app.isReady)
        #expect(app.phase == .running)
        let jobPod = try #require(pods.first { $0.metadata.labels["job-name"] != nil })
        #expect(jobPod.containerStatuses.first?.state == .terminated(exitCode: 0, reason: "Completed", message: nil, finishedAt: Fixtures.time("2026-11-29T04:03:00Z")))
    }

    @Test func clusterBackupModeInTreeAndPlugin() throws {
        let inTree = try #require(Fixtures.healthySnapshot().clusters.first)
        #expect(inTree.backupConfiguration == .barmanObjectStore(destinationPath: "s3://bc4-do-nyc3-prod-paperless-ngx-postgres-backups/"))
        #expect(inTree.lastSuccessfulBackup == Fixtures.time("2026-11-29T03:05:12Z"))
        #expect(inTree.conditions[type: "ContinuousArchiving"]?.isTrue == true)

        let plugin = Fixtures.pluginSnapshot()
        let cluster = try #require(plugin.clusters.first)
        #expect(cluster.backupConfiguration == .plugin(name: "barman-cloud.cloudnative-pg.io", objectStore: "paperless-ngx-store", serverName: nil))
        #expect(cluster.lastSuccessfulBackup == nil)
        let window = try #require(plugin.objectStores.first?.serverRecoveryWindow["paperless-ngx-db"])
        #expect(window.lastSuccessfulBackupTime == Fixtures.time("2026-11-29T03:05:12Z"))
        #expect(window.lastFailedBackupTime == Fixtures.time("2026-11-20T03:01:00Z"))
        #expect(plugin.scheduledBackups.first?.method == "plugin")
        #expect(plugin.scheduledBackups.first?.pluginName == "barman-cloud.cloudnative-pg.io")
    }

    @Test func externalSecretV1AndV1beta1BothDecode() {
        let secrets = Fixtures.healthySnapshot().externalSecrets
        #expect(Set(secrets.compactMap(\.apiVersion)) == ["external-secrets.io/v1", "external-secrets.io/v1beta1"])
        #expect(secrets.allSatisfy { $0.refreshIntervalSeconds == 3600 && $0.conditions[type: "Ready"]?.isTrue == true })
        #expect(secrets.allSatisfy { $0.storeKind == "ClusterSecretStore" && $0.storeName == "onepassword" })
    }

    @Test func missingFieldsAndUnknownPhasesDegradeInsteadOfFailing() throws {
        let list = Fixtures.list("odd-objects.json")
        // 9 items, one of them the number 42: skipped, not fatal.
        #expect(list.items.count == 8)
        var snapshot = Snapshot(takenAt: Fixtures.now, target: Fixtures.target)
        snapshot.add(list.items)
        let queued = try #require(snapshot.backups.first { $0.metadata.name == "queued-no-status" })
        #expect(queued.phase == BackupPhase.none)
        let future = try #require(snapshot.backups.first { $0.metadata.name == "future-phase" })
        #expect(future.phase == .unknown("uploading"))
        #expect(future.startedAt == nil)
        let pod = try #require(snapshot.pods.first)
        #expect(pod.phase == .unknown("Evicted"))
        #expect(pod.metadata.labels == ["a": "b"])
        #expect(pod.containerStatuses.count == 2)
        #expect(pod.containerStatuses.first?.ready == true)
        #expect(pod.containerStatuses.first?.restartCount == 4)
        #expect(pod.containerStatuses.first?.state.waitingReason == "ContainerCreating")
        #expect(snapshot.jobs.first?.outcome == .pending)
        let es = try #require(snapshot.externalSecrets.first)
        #expect(es.conditions.isEmpty && es.refreshTime == nil)
        #expect(es.refreshIntervalSeconds == 930)
        #expect(es.storeKind == "SecretStore")
        #expect(snapshot.persistentVolumeClaims.first?.requestedBytes == 1_610_612_736)
        let cluster = try #require(snapshot.clusters.first)
        #expect(cluster.instances == nil && cluster.conditions.isEmpty && cluster.phase == "Setting up primary")
        #expect(list.items.contains(.other(kind: "Service", apiVersion: "v1")))
    }

    @Test func kubeletStatsKeepOnlyVolumesWithTheirPVC() throws {
        let stats = Fixtures.stats()
        #expect(stats.nodeName == "pool-nyc3-a1")
        let data = try #require(stats.volume(forClaim: "paperless-ngx-data", namespace: "paperless-ngx"))
        #expect(data.usedBytes == 3_435_973_837 && data.capacityBytes == 10_737_418_240)
        #expect(data.podName == "paperless-ngx-7d9f8b6c4-x2k8p")
        #expect(abs((data.usedFraction ?? 0) - 0.32) < 0.001)
        #expect(stats.volume(forClaim: "kube-api-access-x", namespace: "paperless-ngx") == nil)
    }

    @Test func notJSONIsAnError() {
        #expect(throws: JSONTape.SyntaxError.self) { try KubeJSON.decode(KubeList.self, from: Data("Error from server".utf8)) }
    }

    @Test(arguments: [
        ("10Gi", Int64(10_737_418_240)), ("5Gi", 5_368_709_120), ("500Mi", 524_288_000), ("1.5Gi", 1_610_612_736),
        ("1G", 1_000_000_000), ("100", 100), ("2Ti", 2_199_023_255_552),
    ])
    func quantities(text: String, bytes: Int64) {
        #expect(Quantity.bytes(text) == bytes)
    }

    @Test(arguments: [("1h", 3600.0), ("15m", 900), ("1h30m", 5400), ("90s", 90), ("0", 0), ("500ms", 0.5)])
    func goDurations(text: String, seconds: Double) {
        #expect(GoDuration.seconds(text) == seconds)
    }

    @Test(arguments: ["", "abc", "1x", "h"])
    func badGoDurations(text: String) {
        #expect(GoDuration.seconds(text) == nil)
    }
}
