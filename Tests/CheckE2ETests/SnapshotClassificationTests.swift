import Foundation
import PaperDomain
import PaperKube
import ProcessTestSupport
import SimCluster
import Testing

// MARK: - A discovery answer without kubectl

/// Answers `api-resources` with every type the snapshot reads, as a warm cache would hold it.
struct EverythingServed: CommandRunning {
    func run(_ command: KubectlCommand) async throws(KubectlError) -> CommandOutput {
        CommandOutput(stdout: Data(ResourceKind.allCases.map(\.qualifiedName).joined(separator: "\n").utf8))
    }
}

// MARK: - Tests

/// kubectl's real stderr, as the simulator's RBAC, missing-CRD and slow-server scenarios make
/// it, classified into typed errors by `SnapshotFetcher` and `CheckSession`.
@Suite("error classification against the simulator, through the real kubectl", .timeLimit(.minutes(2)))
struct SnapshotClassificationTests {
    func fetcher(_ cluster: Cluster, timeout: Double = 20, discovery: DiscoveryCache? = nil) throws -> SnapshotFetcher {
        SnapshotFetcher(
            runner: KubectlRunner(executable: try cluster.kubectlWrapper(), timeout: timeout),
            config: PaperConfig(), target: target(cluster),
            discovery: discovery ?? DiscoveryCache(directory: "\(cluster.directory)/cache/discovery")
        )
    }

    func target(_ cluster: Cluster) -> KubeTarget {
        KubeTarget(kubeconfig: cluster.kubeconfig, context: "demo", namespace: "paperless-ngx")
    }

    @Test func rbacLimitedNodeProxyIsForbiddenWithVerbAndResource() async throws {
        let cluster = try await Cluster.start([.rbacLimited])
        defer { cluster.finish() }
        let snapshot = try await fetcher(cluster).fetch()
        guard case .failed(.forbidden(let verb, let resource, let detail)) = snapshot.volumeStats else {
            Issue.record("stats should be forbidden, got \(snapshot.volumeStats)")
            return
        }
        #expect(verb == "get")
        #expect(resource == "nodes/proxy")
        #expect(detail.contains("forbidden"))
        // Only the stats were refused: every type, and the logs, were read.
        #expect(snapshot.unreadable.keys.allSatisfy { $0.isOptionalAddOn }, "\(snapshot.unreadable)")
        #expect(snapshot.logs.value?.isEmpty == false)
        #expect(snapshot.persistentVolumeClaims.count >= 2)

        let report = await CheckSession.report(config: PaperConfig(), target: target(cluster), kubectlPath: try cluster.kubectlWrapper(),
                                               timeout: 20, only: [.storage], discovery: DiscoveryCache(directory: "\(cluster.directory)/cache/discovery"))
        #expect(report.overall == .unknown)
        #expect(report.checks.first?.reason.contains("forbidden: no permission to get nodes/proxy") == true)
    }

    @Test func noExternalSecretsIsNotServedAndTheRestIsRead() async throws {
        let cluster = try await Cluster.start([.noExternalSecrets])
        defer { cluster.finish() }
        let snapshot = try await fetcher(cluster).fetch()
        #expect(snapshot.whyUnreadable(.externalSecret) == .resourceTypeNotServed(resource: "externalsecrets.external-secrets.io"))
        #expect(snapshot.whyUnreadable(.clusterSecretStore) == .resourceTypeNotServed(resource: "clustersecretstores.external-secrets.io"))
        #expect(Set(snapshot.unreadable.keys) == [.externalSecret, .secretStore, .clusterSecretStore, .barmanObjectStore, .argoApplication, .argoApplicationSet, .argoAppProject])
        #expect(!snapshot.pods.isEmpty && !snapshot.backups.isEmpty && !snapshot.jobs.isEmpty && snapshot.clusters.count == 1)
        #expect(snapshot.volumeStats.value?.isEmpty == false)
    }

    /// A cache that still believes the ESO CRDs exist: the real kubectl's "doesn't have a resource
    /// type" is recognised, the type dropped, the get retried once, and the rest still read.
    /// ExternalSecrets are read in whichever version is served: v1 by preference, v1beta1 from
    /// an older operator, with the same checks passing.
    @Test(arguments: [(Scenario.healthy, "external-secrets.io/v1"), (.oldExternalSecrets, "external-secrets.io/v1beta1")])
    func externalSecretsAreReadInTheServedVersion(_ scenario: Scenario, apiVersion: String) async throws {
        let cluster = try await Cluster.start([scenario])
        defer { cluster.finish() }
        let fetcher = try fetcher(cluster)
        let snapshot = await fetcher.fetch()
        #expect(snapshot.unreadable.keys.allSatisfy { $0.isOptionalAddOn })
        #expect(snapshot.externalSecrets.count == 4)
        #expect(snapshot.externalSecrets.allSatisfy { $0.apiVersion == apiVersion }, "\(snapshot.externalSecrets.map(\.apiVersion))")
        #expect(!snapshot.secretStores.isEmpty)
        let secrets = HealthChecks.run(snapshot, config: PaperConfig(), now: snapshot.takenAt).first { $0.id == .secrets }
        #expect(secrets?.verdict == .ok, "\(secrets?.reason ?? "")")
    }

    @Test func staleDiscoveryAgainstAMissingCRDRecovers() async throws {
        let cluster = try await Cluster.start([.noExternalSecrets])
        defer { cluster.finish() }
        let discovery = DiscoveryCache()
        _ = try await discovery.servedResources(target: target(cluster), runner: EverythingServed(), now: Date().timeIntervalSince1970)
        let snapshot = try await fetcher(cluster, discovery: discovery).fetch()
        // kubectl names only the first unknown type; all three ESO types are found out.
        for kind in [ResourceKind.externalSecret, .secretStore, .clusterSecretStore] {
            #expect(snapshot.whyUnreadable(kind) == .resourceTypeNotServed(resource: kind.qualifiedName))
        }
        #expect(!snapshot.pods.isEmpty && !snapshot.backups.isEmpty && snapshot.clusters.count == 1)
        #expect(snapshot.whyUnreadable(.pod) == nil && snapshot.whyUnreadable(.cnpgBackup) == nil)
        let results = HealthChecks.run(snapshot, config: PaperConfig(), now: snapshot.takenAt)
        #expect(results.filter { $0.verdict != .ok }.map(\.id) == [.secrets])
        #expect(results.first { $0.id == .secrets }?.verdict == .unknown)
    }

    @Test func slowAPIIsATimeoutWithinTheBound() async throws {
        let cluster = try await Cluster.start([.slowAPI])
        defer { cluster.finish() }
        // Warm discovery, so the get, the logs and the stats all run against the slow server.
        let discovery = DiscoveryCache()
        _ = try await discovery.servedResources(target: target(cluster), runner: EverythingServed(), now: Date().timeIntervalSince1970)
        let start = ContinuousClock.now
        let snapshot = try await fetcher(cluster, timeout: 2, discovery: discovery).fetch()
        let elapsed = start.duration(to: .now)
        // The behaviour is the timeouts below; the bound only tells a 2 s watchdog from none (the
        // 14-type get alone takes 14 × 3 s without it), with room for a busy machine.
        #expect(elapsed < .seconds(30), "took \(elapsed)")
        #expect(snapshot.whyUnreadable(.pod) == .timeout(seconds: 2))
        #expect(snapshot.whyUnreadable(.cnpgBackup) == .timeout(seconds: 2))
        #expect(snapshot.logs == .failed(.timeout(seconds: 2)))
        #expect(processes(mentioning: cluster.kubeconfig).isEmpty)

        let report = await CheckSession.report(config: PaperConfig(), target: target(cluster), kubectlPath: try cluster.kubectlWrapper(), timeout: 2,
                                               discovery: DiscoveryCache(directory: "\(cluster.directory)/cache/discovery"))
        #expect(report.overall == .unknown)
        #expect(report.checks.allSatisfy { $0.verdict == .unknown && $0.reason.contains("timed out after 2 s") })
    }

    /// A warm refresh reads the app pod's log with one raw request; when that pod is deleted
    /// and replaced, the refresh asks the Deployment instead (one more process) and the next
    /// refresh reads the new pod's log raw again.
    @Test func aReplacedAppPodIsFollowedWithoutLosingTheLogs() async throws {
        let cluster = try await Cluster.start([.redisErrors])
        defer { cluster.finish() }
        let fetcher = try fetcher(cluster)
        let cold = await fetcher.fetch()
        let first = try #require(await fetcher.discovery.logPodHint(target: target(cluster)))
        let warm = await fetcher.fetch()
        #expect(warm.processCount == 3)
        let coldLines = try #require(cold.logs.value)
        let warmLines = try #require(warm.logs.value)
        // The same log, through the Deployment and then raw: the newest lines of the first read are in the second.
        #expect(!coldLines.isEmpty && Set(warmLines.map(\.text)).isSuperset(of: coldLines.suffix(10).map(\.text)))
        #expect(LogDigest(lines: warmLines, now: warm.takenAt, window: 3600).groups.contains { $0.id == "redis-connection-error" })

        let deleted = try await cluster.kubectl(["--context", "demo", "-n", "paperless-ngx", "delete", "pod", first, "--wait=false"])
        #expect(deleted.status == 0, "\(deleted.stderr)")
        let replaced = await fetcher.fetch()
        // The remembered pod is gone: its raw log is a NotFound, then `kubectl logs deploy/…`.
        #expect(replaced.processCount == 4)
        if replaced.logs.value?.isEmpty != false {
            // The replacement pod may not have logged yet.
            try await waitUntil("the app log of the replacement pod", timeout: 5, every: .milliseconds(250)) {
                await fetcher.fetch().logs.value?.isEmpty == false
            }
        }
        let second = try #require(await fetcher.discovery.logPodHint(target: target(cluster)))
        #expect(second != first)
        let settled = await fetcher.fetch()
        #expect(settled.processCount == 3)
        #expect(settled.logs.value?.isEmpty == false)
    }

    /// The dashboard follows the app log with one `kubectl logs -f`: once it is live a refresh
    /// costs the get and the stats call only, with the same log verdict; stopping the feed
    /// ends the kubectl process.
    @Test func aLiveLogFeedSavesTheLogReadAndStopsCleanly() async throws {
        let cluster = try await Cluster.start([.redisErrors])
        defer { cluster.finish() }
        let runner = KubectlRunner(executable: try cluster.kubectlWrapper(), timeout: 20)
        let feed = AppLogFeed(streamer: runner, config: PaperConfig(), target: target(cluster))
        var fetcher = try fetcher(cluster)
        fetcher.logFeed = feed
        let cold = await fetcher.fetch()
        feed.start()
        let live = try await waitFor("the log feed to go live", timeout: 10, read: { feed.recentLines() }, until: { $0 != nil })
        #expect(live?.isEmpty == false)
        let warm = await fetcher.fetch()
        #expect(warm.processCount == 2)
        let digest = { (snapshot: Snapshot) in LogDigest(lines: snapshot.logs.value ?? [], now: snapshot.takenAt, window: 3600).groups.map(\.id) }
        #expect(digest(warm).contains("redis-connection-error"))
        #expect(Set(digest(warm)) == Set(digest(cold)))
        #expect(!processes(mentioning: cluster.directory).filter { $0.contains(" -f ") }.isEmpty)
        feed.stop()
        try await waitFor("the kubectl logs -f process to end after stop()", timeout: 3,
                              read: { processes(mentioning: cluster.directory).filter { $0.contains(" -f ") } }, until: \.isEmpty)
    }

    /// Issue 3's process budget, with the real kubectl: once discovery is cached, a full
    /// snapshot costs the get, the logs and one stats call.
    @Test(arguments: [Scenario.healthy, .pluginBackups])
    func fullSnapshotCostsAtMostThreeProcessesOnAWarmCache(_ scenario: Scenario) async throws {
        let cluster = try await Cluster.start([scenario])
        defer { cluster.finish() }
        let fetcher = try fetcher(cluster)
        let cold = await fetcher.fetch()
        #expect(cold.processCount == 4)
        for _ in 0..<2 {
            let warm = await fetcher.fetch()
            #expect(warm.processCount <= 3)
            #expect(warm.unreadable.keys.allSatisfy { $0.isOptionalAddOn } && (scenario != .pluginBackups || warm.unreadable[.barmanObjectStore] == nil))
            #expect(warm.volumeStats.value?.isEmpty == false && warm.logs.value?.isEmpty == false)
            #expect(HealthChecks.run(warm, config: PaperConfig(), now: warm.takenAt).allSatisfy { $0.verdict == .ok })
        }
    }
}
