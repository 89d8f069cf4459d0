import Foundation
import PaperKube
import Synchronization
import TestSupport
import Testing
@testable import PaperDomain

// MARK: - SnapshotFetcher with a fake runner

@Suite("Snapshot fetching: exact kubectl argument arrays and process budget")
struct SnapshotFetcherTests {
    static let allServed = """
        pods
        events
        persistentvolumeclaims
        deployments.apps
        jobs.batch
        cronjobs.batch
        networkpolicies.networking.k8s.io
        ingresses.networking.k8s.io
        events.events.k8s.io
        backups.postgresql.cnpg.io
        clusters.postgresql.cnpg.io
        scheduledbackups.postgresql.cnpg.io
        poolers.postgresql.cnpg.io
        objectstores.barmancloud.cnpg.io
        clustersecretstores.external-secrets.io
        externalsecrets.external-secrets.io
        secretstores.external-secrets.io
        """

    static let getArguments = [
        "--namespace", "paperless-ngx", "get",
        "pods,deployments.apps,jobs.batch,cronjobs.batch,persistentvolumeclaims,events,networkpolicies.networking.k8s.io,ingresses.networking.k8s.io,configmaps,leases.coordination.k8s.io,"
            + "clusters.postgresql.cnpg.io,backups.postgresql.cnpg.io,scheduledbackups.postgresql.cnpg.io,objectstores.barmancloud.cnpg.io,"
            + "externalsecrets.external-secrets.io,secretstores.external-secrets.io,clustersecretstores.external-secrets.io",
        "-o", "json",
    ]
    static let logsArguments = ["--namespace", "paperless-ngx", "logs", "deploy/paperless-ngx", "-c", "paperless-ngx", "--since=1h", "--timestamps", "--pod-running-timeout=2s"]
    static let statsArguments = ["get", "--raw", "/api/v1/nodes/pool-nyc3-a1/proxy/stats/summary"]
    static let podLogArguments = ["get", "--raw", "/api/v1/namespaces/paperless-ngx/pods/paperless-ngx-7d9f8b6c4-x2k8p/log?container=paperless-ngx&sinceSeconds=3600&timestamps=true"]

    /// Answers like a healthy cluster; `get` and `api-resources` answers can be replaced.
    static func runner(served: String = allServed, get: (@Sendable ([String]) -> CommandOutput)? = nil, stats: CommandOutput? = nil) -> FakeRunner {
        FakeRunner { command throws(KubectlError) in respond(command, served: served, get: get, stats: stats) }
    }

    static func respond(_ command: KubectlCommand, served: String = allServed, get: (@Sendable ([String]) -> CommandOutput)? = nil, stats: CommandOutput? = nil) -> CommandOutput {
        let args = command.arguments
        if args.contains("api-resources") { return .ok(served) }
        if args.contains("--raw"), args.last?.hasSuffix("/stats/summary") == true { return stats ?? .ok(Fixtures.data("stats-summary.json")) }
        if args.contains("logs") || args.last?.contains("/log?") == true { return .ok("2026-11-29T11:59:00.000000000Z [INFO] fine\n") }
        if let get { return get(args) }
        return .ok(Fixtures.data("get-all-healthy.json"))
    }

    static func withoutKind(_ kind: String, _ data: Data) -> Data {
        guard var root = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any], let items = root["items"] as? [[String: Any]] else { return data }
        root["items"] = items.filter { $0["kind"] as? String != kind }
        return (try? JSONSerialization.data(withJSONObject: root)) ?? data
    }

    func fetcher(_ runner: FakeRunner, target: KubeTarget = Fixtures.target, discovery: DiscoveryCache = DiscoveryCache()) -> SnapshotFetcher {
        SnapshotFetcher(runner: runner, config: PaperConfig(), target: target, discovery: discovery, clock: { Fixtures.now })
    }

    @Test func firstRefreshRunsDiscoveryThenGetAndLogsThenStats() async {
        let runner = Self.runner()
        let snapshot = await fetcher(runner).fetch()
        let arrays = runner.argumentArrays
        #expect(arrays.count == 4)
        #expect(arrays.first == ["api-resources", "-o", "name"])
        #expect(Set(arrays[1...2]) == [Self.getArguments, Self.logsArguments])
        #expect(arrays.last == Self.statsArguments)
        #expect(snapshot.processCount == 4)
        // Every type the cluster serves was read; Argo CD's are not served here (and cost no process).
        #expect(Set(snapshot.unreadable.keys) == [.argoApplication, .argoApplicationSet, .argoAppProject])
        #expect(snapshot.unreadable.values.allSatisfy { if case .resourceTypeNotServed = $0 { true } else { false } })
        #expect(snapshot.pods.count == 4 && snapshot.backups.count == 10)
        #expect(snapshot.logs.value?.count == 1)
        #expect(snapshot.volumeStats.value?.first?.nodeName == "pool-nyc3-a1")
        #expect(runner.commands.allSatisfy { $0.logPolicy == .backgroundRead })
    }

    @Test func laterRefreshesCostThreeProcessesRunSideBySide() async {
        let runner = Self.runner()
        let discovery = DiscoveryCache()
        _ = await fetcher(runner, discovery: discovery).fetch()
        let second = await fetcher(runner, discovery: discovery).fetch()
        #expect(second.processCount == 3)
        #expect(runner.argumentArrays.filter { $0.contains("api-resources") }.count == 1)
        // The stats call no longer waits for the get: the node is remembered. The log is read
        // from the app pod the first refresh found, in one request.
        #expect(Set(runner.argumentArrays[4...]) == [Self.getArguments, Self.podLogArguments, Self.statsArguments])
        #expect(await discovery.logPodHint(target: Fixtures.target) == "paperless-ngx-7d9f8b6c4-x2k8p")
        #expect(second.logs.value?.count == 1)
        #expect(await discovery.nodeHint(target: Fixtures.target) == ["pool-nyc3-a1"])
        #expect(second.volumeStats.value?.count == 1)
    }

    @Test func theSmallReadsRunSingleThreadedAndTheGetDoesNot() async {
        let runner = Self.runner()
        let discovery = DiscoveryCache()
        _ = await fetcher(runner, discovery: discovery).fetch()
        _ = await fetcher(runner, discovery: discovery).fetch()
        for command in runner.commands {
            let small = command.arguments.contains("logs") || command.arguments.contains("--raw")
            #expect(command.environment == (small ? ["GOMAXPROCS": "1"] : [:]), "\(command.arguments)")
        }
    }

    @Test(arguments: [false, true])
    func onTwoCoresTheSmallReadsTakeTurnsWhileTheGetRuns(parallel: Bool) async {
        // The get answers only once both small reads are done, so a fetcher that made them wait
        // for the get would stall (the recorder gives up after 10 s and says so). The logs read
        // answers only once the stats read has started, or after 0.3 s when they take turns.
        let runner = OverlapRecorder(getWaitsForSmallReads: true, logsWaitsForStats: parallel ? 10 : 0.3)
        let discovery = DiscoveryCache()
        // A warm cache: the served types and the node that ran the pods mounting the PVCs.
        _ = try? await discovery.servedResources(target: Fixtures.target, runner: Self.runner(), now: Fixtures.now)
        await discovery.setNodeHint(["pool-nyc3-a1"], target: Fixtures.target)
        let snapshot = await SnapshotFetcher(runner: runner, config: PaperConfig(), target: Fixtures.target, discovery: discovery,
                                             clock: { Fixtures.now }, sideReadsInParallel: parallel).fetch()
        #expect(snapshot.processCount == 3)
        #expect(snapshot.logs.value != nil && snapshot.volumeStats.value?.count == 1)
        // Neither small read waits for the get.
        #expect(runner.getSawSmallReadsFinish)
        // On two cores the small reads take turns; with more cores they run side by side.
        #expect(runner.activeAtStart["stats"]?.contains("logs") == parallel)
    }

    @Test func aReplacedAppPodCostsOneMoreLogsCallThroughTheDeployment() async {
        let discovery = DiscoveryCache()
        _ = await fetcher(Self.runner(), discovery: discovery).fetch()
        await discovery.setLogPodHint("paperless-ngx-old-pod", target: Fixtures.target)
        let runner = FakeRunner { command throws(KubectlError) in
            if command.arguments.last?.contains("/pods/paperless-ngx-old-pod/log") == true {
                return .failure(#"Error from server (NotFound): pods "paperless-ngx-old-pod" not found"#)
            }
            return Self.respond(command)
        }
        let snapshot = await fetcher(runner, discovery: discovery).fetch()
        let logCalls = runner.argumentArrays.filter { $0.contains("logs") || $0.last?.contains("/log?") == true }
        #expect(logCalls.count == 2)
        #expect(logCalls.last == Self.logsArguments)
        #expect(snapshot.processCount == 4)
        #expect(snapshot.logs.value?.count == 1)
        #expect(await discovery.logPodHint(target: Fixtures.target) == "paperless-ngx-7d9f8b6c4-x2k8p")
    }

    @Test func aForbiddenPodLogIsReportedNotRetried() async {
        let discovery = DiscoveryCache()
        _ = await fetcher(Self.runner(), discovery: discovery).fetch()
        let runner = FakeRunner { command throws(KubectlError) in
            if command.arguments.last?.contains("/log?") == true {
                return .failure(#"Error from server (Forbidden): pods "paperless-ngx-7d9f8b6c4-x2k8p" is forbidden: User "viewer" cannot get resource "pods/log" in API group "" in the namespace "paperless-ngx""#)
            }
            return Self.respond(command)
        }
        let snapshot = await fetcher(runner, discovery: discovery).fetch()
        #expect(snapshot.processCount == 3)
        guard case .failed(let error) = snapshot.logs else {
            Issue.record("logs: \(snapshot.logs)")
            return
        }
        #expect(error.code == "forbidden")
    }

    @Test func theLogPodIsTheReadyNewestPodOfTheDeploymentWithTheAppContainer() throws {
        func pod(_ name: String, labels: [String: String] = ["app.kubernetes.io/name": "paperless-ngx"], created: Double, ready: Bool, container: String = "paperless-ngx") -> Pod {
            var pod = Pod(metadata: ObjectMeta(name: name, creationTimestamp: created, labels: labels),
                          containerStatuses: [ContainerStatus(name: container, ready: ready)])
            pod.conditions = [Condition(type: "Ready", status: ready ? "True" : "False")]
            return pod
        }
        var snapshot = Snapshot(takenAt: Fixtures.now, target: Fixtures.target)
        let deployment = #"{"metadata":{"name":"paperless-ngx"},"spec":{"selector":{"matchLabels":{"app.kubernetes.io/name":"paperless-ngx"}}}}"#
        snapshot.deployments = [try #require(try? KubeJSON.decode(Deployment.self, from: Data(deployment.utf8)))]
        snapshot.pods = [
            pod("old-ready", created: 100, ready: true),
            pod("new-ready", created: 200, ready: true),
            pod("newest-starting", created: 300, ready: false),
            pod("redis", labels: ["app.kubernetes.io/name": "redis"], created: 400, ready: true),
            pod("other-container", created: 500, ready: true, container: "worker"),
        ]
        #expect(SnapshotFetcher.logPod(in: snapshot, config: PaperConfig()) == "new-ready")
        snapshot.pods.removeAll { $0.metadata.name.hasSuffix("-ready") }
        #expect(SnapshotFetcher.logPod(in: snapshot, config: PaperConfig()) == "newest-starting")
        snapshot.pods = []
        #expect(SnapshotFetcher.logPod(in: snapshot, config: PaperConfig()) == nil)
    }

    @Test func garbageFromGetIsUnparseableForEveryTypeNotACrash() async {
        let runner = Self.runner(get: { _ in .ok("<html>502 Bad Gateway</html>") })
        let snapshot = await fetcher(runner).fetch()
        #expect(!snapshot.unreadable.isEmpty)
        #expect(snapshot.unreadable.values.allSatisfy { $0.code == "unparseable" || $0.code == "not-served" })
        #expect(snapshot.unreadable[.pod]?.description.contains("kubectl get: invalid JSON at byte 0") == true)
        let results = HealthChecks.run(snapshot, config: PaperConfig(), now: Fixtures.now)
        #expect(results.filter { $0.id != .logs }.allSatisfy { $0.verdict == .unknown }, "\(results.map { "\($0.id): \($0.verdict)" })")
    }

    @Test func hintCommandsAimAtTheKubeconfigAndContextTheSnapshotCameFrom() async {
        let target = KubeTarget(kubeconfig: "/home/op/.kube/prod config", context: "do-nyc3-prod", namespace: "paperless-ngx")
        var snapshot = Fixtures.healthySnapshot()
        snapshot.target = target
        snapshot.cronJobs[0].suspend = true
        let result = Fixtures.run(.fileBackups, snapshot)
        #expect(result.command?.hasPrefix("kubectl --kubeconfig '/home/op/.kube/prod config' --context do-nyc3-prod ") == true, "\(result.command ?? "")")
        #expect(Fixtures.run(.fileBackups, { var s = snapshot; s.target = Fixtures.target; return s }()).command?.hasPrefix("kubectl patch") == true)
    }

    @Test func podsThatMovedCostOneMoreStatsCall() async throws {
        let discovery = DiscoveryCache()
        _ = await fetcher(Self.runner(), discovery: discovery).fetch()
        await discovery.setNodeHint(["old-node"], target: Fixtures.target)
        let runner = Self.runner()
        let snapshot = await fetcher(runner, discovery: discovery).fetch()
        #expect(runner.argumentArrays.contains(["get", "--raw", "/api/v1/nodes/old-node/proxy/stats/summary"]))
        #expect(runner.argumentArrays.last == Self.statsArguments)
        #expect(snapshot.processCount == 4)
        #expect(snapshot.volumeStats.value?.map(\.nodeName) == ["pool-nyc3-a1"])
        #expect(await discovery.nodeHint(target: Fixtures.target) == ["pool-nyc3-a1"])
    }

    @Test func discoveryIsCachedOnDiskAcrossRuns() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("paperctl-discovery-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        _ = await fetcher(Self.runner(), discovery: DiscoveryCache(directory: directory)).fetch()
        let runner = Self.runner()
        let snapshot = await fetcher(runner, discovery: DiscoveryCache(directory: directory)).fetch()
        #expect(snapshot.processCount == 3)
        #expect(!runner.argumentArrays.contains { $0.contains("api-resources") })
    }

    @Test func contextKubeconfigAndNamespacePassThrough() async {
        let runner = Self.runner()
        let target = KubeTarget(kubeconfig: "/tmp/demo kubeconfig", context: "demo", namespace: "docs")
        _ = await fetcher(runner, target: target).fetch()
        let arrays = runner.argumentArrays
        #expect(arrays[0] == ["--kubeconfig", "/tmp/demo kubeconfig", "--context", "demo", "api-resources", "-o", "name"])
        #expect(arrays.contains(["--kubeconfig", "/tmp/demo kubeconfig", "--context", "demo", "--namespace", "docs", "logs", "deploy/paperless-ngx", "-c", "paperless-ngx", "--since=1h", "--timestamps", "--pod-running-timeout=2s"]))
        #expect(arrays.contains { $0.starts(with: ["--kubeconfig", "/tmp/demo kubeconfig", "--context", "demo", "--namespace", "docs", "get"]) })
    }

    @Test func aMissingCRDIsLeftOutOfTheGetAndReportedNotServed() async {
        let served = Self.allServed.split(separator: "\n").filter { !$0.contains("external-secrets.io") && !$0.contains("barmancloud") }.joined(separator: "\n")
        let runner = Self.runner(served: served)
        let snapshot = await fetcher(runner).fetch()
        let get = runner.argumentArrays.first { $0.contains("-o") && $0.contains("json") }
        #expect(get?.contains { $0.contains("external-secrets.io") || $0.contains("objectstores") } == false)
        #expect(snapshot.unreadable[.externalSecret] == .resourceTypeNotServed(resource: "externalsecrets.external-secrets.io"))
        #expect(snapshot.unreadable[.barmanObjectStore] == .resourceTypeNotServed(resource: "objectstores.barmancloud.cnpg.io"))
        #expect(snapshot.unreadable[.pod] == nil)
        let secrets = HealthChecks.run(snapshot, config: PaperConfig(), now: Fixtures.now, only: [.secrets])
        #expect(secrets.first?.verdict == .unknown)
    }

    @Test func aMissingCRDIsLookedForAgainAfterTenMinutesNotEveryRefresh() async {
        let withoutESO = Self.allServed.split(separator: "\n").filter { !$0.contains("external-secrets.io") }.joined(separator: "\n")
        let runner = Self.runner(served: withoutESO)
        let discovery = DiscoveryCache()
        for offset in [0.0, 300, 599] {
            let snapshot = await SnapshotFetcher(runner: runner, config: PaperConfig(), target: Fixtures.target, discovery: discovery, clock: { Fixtures.now + offset }).fetch()
            #expect(snapshot.unreadable[.externalSecret] == .resourceTypeNotServed(resource: "externalsecrets.external-secrets.io"))
        }
        #expect(runner.argumentArrays.filter { $0.contains("api-resources") }.count == 1)
        _ = await SnapshotFetcher(runner: runner, config: PaperConfig(), target: Fixtures.target, discovery: discovery, clock: { Fixtures.now + 601 }).fetch()
        #expect(runner.argumentArrays.filter { $0.contains("api-resources") }.count == 2)
    }

    @Test func anInTreeClusterWithoutThePluginCRDIsNotRediscovered() async {
        let withoutPlugin = Self.allServed.split(separator: "\n").filter { !$0.contains("barmancloud") }.joined(separator: "\n")
        let runner = Self.runner(served: withoutPlugin)
        let discovery = DiscoveryCache()
        for offset in [0.0, 700, 3600] {
            _ = await SnapshotFetcher(runner: runner, config: PaperConfig(), target: Fixtures.target, discovery: discovery, clock: { Fixtures.now + offset }).fetch()
        }
        #expect(runner.argumentArrays.filter { $0.contains("api-resources") }.count == 1)
    }

    @Test func oneForbiddenTypeDoesNotHideTheOthers() async {
        let stderr = #"Error from server (Forbidden): backups.postgresql.cnpg.io is forbidden: User "system:serviceaccount:paperless-ngx:viewer" cannot list resource "backups" in API group "postgresql.cnpg.io" in the namespace "paperless-ngx""#
        // kubectl prints the List of what it could read (no Backups), then the error.
        let body = Self.withoutKind("Backup", Fixtures.data("get-all-healthy.json"))
        let runner = Self.runner(get: { _ in .failure(stderr, stdout: body) })
        let snapshot = await fetcher(runner).fetch()
        #expect(snapshot.unreadable[.cnpgBackup] == .forbidden(verb: "list", resource: "backups.postgresql.cnpg.io", detail: KubectlErrorClassifier.classify(stderr: stderr, exitStatus: 1).forbiddenDetail))
        #expect(snapshot.unreadable[.pod] == nil && !snapshot.pods.isEmpty)
        #expect(snapshot.backups.isEmpty)
        let results = Dictionary(uniqueKeysWithValues: HealthChecks.run(snapshot, config: PaperConfig(), now: Fixtures.now).map { ($0.id, $0.verdict) })
        #expect(results[.dbBackups] == .unknown)
        #expect(results[.pods] == .ok)
    }

    @Test func staleDiscoveryIsRetriedOnceWithoutTheMissingType() async {
        let runner = Self.runner(get: { args in
            args.contains { $0.contains("objectstores") }
                ? .failure(#"error: the server doesn't have a resource type "objectstores""#)
                : .ok(Fixtures.data("get-all-healthy.json"))
        })
        let snapshot = await fetcher(runner).fetch()
        #expect(snapshot.unreadable[.barmanObjectStore] == .resourceTypeNotServed(resource: "objectstores.barmancloud.cnpg.io"))
        #expect(snapshot.pods.count == 4)
        #expect(snapshot.processCount == 5)
    }

    @Test func anUnreachableClusterMakesEveryCheckUnknownAfterOneProcess() async {
        let runner = FakeRunner { _ throws(KubectlError) in
            .failure("Unable to connect to the server: dial tcp 10.0.0.1:443: connect: connection refused")
        }
        let snapshot = await fetcher(runner).fetch()
        #expect(snapshot.processCount == 1)
        let report = CheckReport(context: "demo", namespace: "paperless-ngx", now: Fixtures.now, checks: HealthChecks.run(snapshot, config: PaperConfig(), now: Fixtures.now))
        #expect(report.checks.allSatisfy { $0.verdict == .unknown })
        #expect(report.exitCode == 3)
        for check in report.checks {
            #expect(check.reason.contains("cluster unreachable"), "\(check.id.rawValue): \(check.reason)")
        }
    }

    @Test func aTimedOutGetIsUnknownWithTheTimeout() async {
        let runner = FakeRunner { command throws(KubectlError) in
            let args = command.arguments
            if args.contains("api-resources") { return .ok(Self.allServed) }
            if args.contains("json") { throw .timeout(seconds: 10) }
            return .ok("")
        }
        let snapshot = await fetcher(runner).fetch()
        #expect(snapshot.unreadable[.cnpgCluster] == .timeout(seconds: 10))
        let database = HealthChecks.run(snapshot, config: PaperConfig(), now: Fixtures.now, only: [.database])
        #expect(database.first?.reason == "cannot read CNPG clusters: kubectl timed out after 10 s and was killed")
    }

    @Test func forbiddenNodeProxyLeavesStorageUnknown() async {
        let stats = CommandOutput.failure(#"Error from server (Forbidden): nodes "pool-nyc3-a1" is forbidden: User "viewer" cannot get resource "nodes/proxy" in API group "" at the cluster scope"#)
        let snapshot = await fetcher(Self.runner(stats: stats)).fetch()
        guard case .failed(.forbidden(let verb, let resource, _)) = snapshot.volumeStats else {
            Issue.record("expected forbidden stats, got \(snapshot.volumeStats)")
            return
        }
        #expect(verb == "get" && resource == "nodes/proxy")
        #expect(HealthChecks.run(snapshot, config: PaperConfig(), now: Fixtures.now, only: [.storage]).first?.verdict == .unknown)
    }

    @Test func displayLineQuotesForTheShell() {
        let command = KubectlCommand(arguments: ["--kubeconfig", "/tmp/my config", "get", "pods", "-l", "app=x"], logPolicy: .action(title: "List pods"))
        #expect(command.displayLine == "kubectl --kubeconfig '/tmp/my config' get pods -l app=x")
    }

    // MARK: Argo CD, read across namespaces

    static let argoServed = allServed + "\napplications.argoproj.io\napplicationsets.argoproj.io\nappprojects.argoproj.io"
    static let argoArguments = ["get", "applications.argoproj.io,applicationsets.argoproj.io,appprojects.argoproj.io", "-A", "-o", "json"]

    @Test func argoCDsObjectsAreReadInEveryNamespaceInOneMoreGetWhenServed() async {
        let runner = Self.runner(served: Self.argoServed, get: { args in
            args.contains("-A") ? .ok(Fixtures.data("argocd-applicationset.json")) : .ok(Fixtures.data("get-all-healthy.json"))
        })
        let snapshot = await fetcher(runner).fetch()
        #expect(runner.argumentArrays.contains(Self.argoArguments), "\(runner.argumentArrays)")
        #expect(runner.argumentArrays.contains(Self.getArguments), "the namespace's get is unchanged")
        #expect(snapshot.processCount == 5)
        #expect(snapshot.unreadable.isEmpty)
        #expect(snapshot.argoApplications.map(\.qualifiedName) == ["argocd/paperless-ngx"])
        #expect(snapshot.argoApplicationSets.count == 1 && snapshot.argoAppProjects.count == 1)
    }

    @Test func forbiddenApplicationsAreMarkedForbiddenNotEmpty() async {
        let stderr = #"Error from server (Forbidden): applications.argoproj.io is forbidden: User "demo" cannot list resource "applications" in API group "argoproj.io" at the cluster scope"#
        let runner = Self.runner(served: Self.argoServed, get: { args in
            args.contains("-A") ? CommandOutput(stdout: Data(#"{"apiVersion":"v1","kind":"List","items":[]}"#.utf8), stderr: stderr, exitStatus: 1)
                : .ok(Fixtures.data("get-all-healthy.json"))
        })
        let snapshot = await fetcher(runner).fetch()
        guard case .forbidden? = snapshot.whyUnreadable(.argoApplication) else {
            Issue.record("applications not marked forbidden: \(String(describing: snapshot.whyUnreadable(.argoApplication)))")
            return
        }
        #expect(GitOps.detect(snapshot, config: PaperConfig()) == .unknown(reason: "applications.argoproj.io forbidden"))
    }
}

// MARK: - OverlapRecorder

/// A runner that records which calls were running when each began. The get can be made to
/// answer only after the logs and stats calls finished (waiting at most 10 s), and the logs
/// call only after the stats call started (waiting at most `logsWaitsForStats` seconds),
/// without blocking a thread.
final class OverlapRecorder: CommandRunning, Sendable {
    private struct State {
        var active: Set<String> = []
        var started: Set<String> = []
        var finished: Set<String> = []
        var atStart: [String: Set<String>] = [:]
        var getSawSmallReadsFinish = false
    }

    private let getWaitsForSmallReads: Bool
    private let logsWaitsForStats: Double
    private let state = Mutex(State())

    init(getWaitsForSmallReads: Bool, logsWaitsForStats: Double) {
        self.getWaitsForSmallReads = getWaitsForSmallReads
        self.logsWaitsForStats = logsWaitsForStats
    }

    var activeAtStart: [String: Set<String>] { state.withLock { $0.atStart } }
    var getSawSmallReadsFinish: Bool { state.withLock { $0.getSawSmallReadsFinish } }

    static func name(_ command: KubectlCommand) -> String {
        if command.arguments.contains("logs") || command.arguments.last?.contains("/log?") == true { return "logs" }
        if command.arguments.contains("--raw") { return "stats" }
        return "get"
    }

    /// Polls until `condition` holds, for at most `seconds`; true when it held.
    private func wait(atMost seconds: Double = 10, until condition: (State) -> Bool) async -> Bool {
        for _ in 0..<Int(seconds * 100) {
            if state.withLock({ condition($0) }) { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return false
    }

    func run(_ command: KubectlCommand) async throws(KubectlError) -> CommandOutput {
        let name = Self.name(command)
        state.withLock { state in
            state.atStart[name] = state.active
            state.active.insert(name)
            state.started.insert(name)
        }
        switch name {
        case "get" where getWaitsForSmallReads:
            let saw = await wait { $0.finished.isSuperset(of: ["logs", "stats"]) }
            state.withLock { $0.getSawSmallReadsFinish = saw }
        case "logs":
            _ = await wait(atMost: logsWaitsForStats) { $0.started.contains("stats") }
        default:
            break
        }
        state.withLock { state in
            state.active.remove(name)
            state.finished.insert(name)
        }
        switch name {
        case "logs": return .ok("2026-11-29T11:59:00.000000000Z [INFO] fine\n")
        case "stats": return .ok(Fixtures.data("stats-summary.json"))
        default: return .ok(Fixtures.data("get-all-healthy.json"))
        }
    }
}

