import Foundation
import PaperKube

// MARK: - SnapshotFetcher

/// Builds a `Snapshot` with as few kubectl processes as possible.
///
/// A refresh costs three processes (two while the dashboard's `AppLogFeed` follows the log):
/// - one `kubectl get <every type> -o json`;
/// - the log of the app pod the last refresh found, in one raw request (`kubectl logs deploy/…`
///   when no pod is known yet or it is gone);
/// - the kubelet stats summary of the node that ran the pods mounting the watched PVCs last
///   time (one more process per extra node).
///
/// The two small reads run while the `get` runs, each with Go held to one thread; on a machine
/// with two cores or fewer they run one after the other, so that no more kubectl processes
/// compete than there are cores and the snapshot costs little more than the `get` alone. Only when that node is not yet known, or the pods
/// moved, does the stats call wait for the `get`. Discovery, which keeps
/// a missing CRD from failing the whole `get`, and the node hint come from `DiscoveryCache`;
/// discovery costs a fourth process only when the cache is cold or stale.
public struct SnapshotFetcher: Sendable {
    public var runner: any CommandRunning
    public var config: PaperConfig
    public var target: KubeTarget
    public var discovery: DiscoveryCache
    public var clock: @Sendable () -> Double
    /// Whether the logs and stats reads run side by side (true) or one after the other while
    /// the `get` runs. Defaults to side by side only with more than two cores.
    public var sideReadsInParallel: Bool
    /// The followed app log (the dashboard's); while it is live the snapshot takes the log from
    /// it and reads no log itself. Nil for one-shot use (`check`).
    public var logFeed: AppLogFeed?
    public init(
        runner: any CommandRunning, config: PaperConfig, target: KubeTarget,
        discovery: DiscoveryCache = DiscoveryCache(), clock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 },
        sideReadsInParallel: Bool = ProcessInfo.processInfo.activeProcessorCount > 2, logFeed: AppLogFeed? = nil
    ) {
        self.logFeed = logFeed
        self.runner = runner
        self.config = config
        self.target = target
        self.discovery = discovery
        self.clock = clock
        self.sideReadsInParallel = sideReadsInParallel
    }

    // MARK: - Commands

    /// The batched `get` for `kinds`, with the exact arguments the fetcher uses: in the target
    /// namespace, or in every namespace for the types read across namespaces (Argo CD's).
    public func getCommand(_ kinds: [ResourceKind]) -> KubectlCommand {
        .get(kinds.map(\.qualifiedName), target: target, allNamespaces: kinds.contains(where: \.readAcrossNamespaces))
    }

    /// The app-log command: the app container only, never the mesh sidecar.
    public var logsCommand: KubectlCommand {
        KubectlCommand.logs(workload: "deploy/\(config.app.deployment)", container: config.app.container,
                            sinceSeconds: Int(config.thresholds.logWindowSeconds), target: target, podRunningTimeout: 2)
            .singleThreaded()
    }

    /// The raw log read of one app pod: the same text as `logsCommand`, in one request.
    public func podLogCommand(pod: String) -> KubectlCommand {
        KubectlCommand.podLog(pod: pod, container: config.app.container, sinceSeconds: Int(config.thresholds.logWindowSeconds), target: target)
            .singleThreaded()
    }

    /// The kubelet stats-summary command for `node`.
    public func statsCommand(node: String) -> KubectlCommand {
        KubectlCommand.nodeStatsSummary(node: node, target: target).singleThreaded()
    }

    // MARK: - Fetch

    /// Fetches everything; never throws. What could not be read is recorded in the snapshot.
    public func fetch() async -> Snapshot {
        var snapshot = Snapshot(takenAt: clock(), target: target)
        var served: Set<String>?
        do {
            // The plugin's ObjectStore CRD is legitimately absent from in-tree clusters, Argo CD's from
            // clusters it does not manage: not "wanted".
            let wanted = ResourceKind.allCases.filter { $0.isCustomResource && !$0.isOptionalAddOn }.map(\.qualifiedName)
            let (names, ran) = try await discovery.servedResources(target: target, runner: runner, now: snapshot.takenAt, wanted: wanted)
            if ran { snapshot.processCount += 1 }
            served = names
        } catch {
            snapshot.processCount += 1
            switch error {
            case .unreachable, .unauthorized, .timeout, .notInstalled:
                snapshot.markAllUnreadable(error)
                return snapshot
            default:
                served = nil  // discovery itself refused: try every type and let `get` report.
            }
        }

        var kinds = ResourceKind.allCases.filter { !$0.isCustomResource || served?.contains($0.qualifiedName) ?? true }
        for kind in ResourceKind.allCases where !kinds.contains(kind) {
            snapshot.unreadable[kind] = .resourceTypeNotServed(resource: kind.qualifiedName)
        }
        // Argo CD's types are read across namespaces, in a `get -A` of their own, only when served.
        let acrossNamespaces = kinds.filter(\.readAcrossNamespaces)
        kinds.removeAll(where: \.readAcrossNamespaces)

        let hintedNodes = await discovery.nodeHint(target: target)
        let hintedPod = await discovery.logPodHint(target: target)
        async let sideResults = sideReads(hintedNodes: hintedNodes, hintedPod: hintedPod)
        var objects = await fetchObjects(kinds)
        snapshot.processCount += 1
        // The cached discovery was stale: forget it, drop the type, and try again. kubectl stops at
        // the first type it does not know, so an uninstalled operator (three ESO types) takes one
        // retry per type; the next refresh rediscovers.
        while case .failure(.resourceTypeNotServed(let resource)) = objects.result {
            await discovery.invalidate(target: target)
            let missing = kinds.filter { $0.qualifiedName == resource || $0.resource == resource }
            guard !missing.isEmpty else { break }
            for kind in missing { snapshot.unreadable[kind] = .resourceTypeNotServed(resource: kind.qualifiedName) }
            kinds.removeAll { missing.contains($0) }
            objects = await fetchObjects(kinds)
            snapshot.processCount += 1
        }
        objects.apply(to: &snapshot, kinds: kinds)
        if !acrossNamespaces.isEmpty {
            await fetchObjects(acrossNamespaces).apply(to: &snapshot, kinds: acrossNamespaces)
            snapshot.processCount += 1
        }

        var (logs, statsByNode) = await sideResults
        snapshot.logs = logs.result
        snapshot.processCount += logs.processes
        if snapshot.whyUnreadable(.pod) == nil, snapshot.whyUnreadable(.deployment) == nil {
            await discovery.setLogPodHint(Self.logPod(in: snapshot, config: config), target: target)
        }
        snapshot.processCount += hintedNodes.count
        snapshot.volumeStats = await volumeStats(for: snapshot, prefetched: &statsByNode, processes: &snapshot.processCount)
        snapshot.failedBackupLog = await failedBackupLog(snapshot, processes: &snapshot.processCount)
        return snapshot
    }

    /// The snapshot from the watched objects: no `get`, no discovery; the log comes from the
    /// followed feed (or one raw read), the stats at most once per poll interval, all as raw reads.
    public func fetchLive(_ current: LiveObjects.Current, live: LiveObjects) async -> Snapshot {
        var snapshot = Snapshot(takenAt: clock(), target: target)
        snapshot.add(current.items)
        snapshot.unreadable = current.unreadable
        if let lines = logFeed?.recentLines() {
            snapshot.logs = .ok(lines)
        } else if let pod = Self.logPod(in: snapshot, config: config) {
            let logs = await fetchLogs(pod: pod)
            snapshot.logs = logs.result
        } else {
            snapshot.logs = .skipped("no pod of deploy/\(config.app.deployment) runs the \(config.app.container) container")
        }
        if snapshot.whyUnreadable(.pod) == nil, snapshot.whyUnreadable(.deployment) == nil {
            await discovery.setLogPodHint(Self.logPod(in: snapshot, config: config), target: target)
        }
        if let stats = await live.cachedVolumeStats(now: snapshot.takenAt) {
            snapshot.volumeStats = stats
        } else {
            var none: [String: Result<KubeletStatsSummary, KubectlError>] = [:]
            var requests = 0
            snapshot.volumeStats = await volumeStats(for: snapshot, prefetched: &none, processes: &requests)
            await live.keepVolumeStats(snapshot.volumeStats, at: snapshot.takenAt)
        }
        var requests = 0
        snapshot.failedBackupLog = await failedBackupLog(snapshot, processes: &requests)
        return snapshot
    }

    // MARK: - Parts

    struct ObjectsOutcome {
        var result: Result<[KubeObject], KubectlError>
        var partialErrors: [ResourceKind: KubectlError] = [:]

        /// Adds what was read of `kinds` to the snapshot, and why the rest could not be.
        func apply(to snapshot: inout Snapshot, kinds: [ResourceKind]) {
            switch result {
            case .success(let items):
                snapshot.add(items)
                for (kind, error) in partialErrors { snapshot.unreadable[kind] = error }
            case .failure(let error):
                for kind in kinds { snapshot.unreadable[kind] = error }
            }
        }
    }

    func fetchObjects(_ kinds: [ResourceKind]) async -> ObjectsOutcome {
        guard !kinds.isEmpty else { return ObjectsOutcome(result: .success([])) }
        let output: CommandOutput
        do {
            output = try await runner.run(getCommand(kinds))
        } catch {
            return ObjectsOutcome(result: .failure(error))
        }
        let hasBody = output.stdout.contains { $0 == UInt8(ascii: "{") }
        guard output.succeeded || hasBody else {
            return ObjectsOutcome(result: .failure(KubectlErrorClassifier.classify(stderr: output.stderr, exitStatus: output.exitStatus)))
        }
        let list: KubeList
        do {
            list = try KubeJSON.decode(KubeList.self, from: output.stdout)
        } catch {
            return ObjectsOutcome(result: .failure(.unparseableOutput(detail: "kubectl get: \(Self.describe(error))")))
        }
        var outcome = ObjectsOutcome(result: .success(list.items))
        guard !output.succeeded else { return outcome }
        // Partial success: kubectl printed what it could read; stderr names the rest.
        var attributed = false
        for error in KubectlErrorClassifier.errors(inStderr: output.stderr) {
            let resource: String
            switch error {
            case .forbidden(_, let r, _): resource = r
            case .resourceTypeNotServed(let r): resource = r
            default: continue
            }
            for kind in kinds where kind.qualifiedName == resource || kind.resource == resource {
                outcome.partialErrors[kind] = error
                attributed = true
            }
        }
        if !attributed {
            let error = KubectlErrorClassifier.classify(stderr: output.stderr, exitStatus: output.exitStatus)
            let present = Set(list.items.compactMap(Self.kind(of:)))
            for kind in kinds where !present.contains(kind) { outcome.partialErrors[kind] = error }
        }
        return outcome
    }

    /// The logs and the hinted nodes' stats, read while the `get` runs: side by side or one
    /// after the other (see `sideReadsInParallel`).
    func sideReads(hintedNodes: [String], hintedPod: String?) async -> (LogsOutcome, [String: Result<KubeletStatsSummary, KubectlError>]) {
        if let lines = logFeed?.recentLines() {
            return (LogsOutcome(result: .ok(lines), processes: 0), await fetchStats(nodes: hintedNodes))
        }
        if sideReadsInParallel {
            async let logs = fetchLogs(pod: hintedPod)
            async let stats = fetchStats(nodes: hintedNodes)
            return await (logs, stats)
        }
        let logs = await fetchLogs(pod: hintedPod)
        return (logs, await fetchStats(nodes: hintedNodes, concurrently: false))
    }

    struct LogsOutcome {
        var result: Fetched<[LogLine]>
        var processes: Int
    }

    /// The app log: `pod`'s, read raw, when a pod is known; else, or when that pod is gone or
    /// refuses (replaced, container not there), whatever `kubectl logs deploy/…` picks.
    func fetchLogs(pod: String?) async -> LogsOutcome {
        var processes = 0
        if let pod {
            processes += 1
            do {
                let data = try await runner.output(of: podLogCommand(pod: pod))
                return LogsOutcome(result: .ok(LogLine.parse(String(decoding: data, as: UTF8.self))), processes: processes)
            } catch {
                switch error {
                case .notFound, .failed: break  // the pod was replaced: ask the Deployment.
                default: return LogsOutcome(result: .failed(error), processes: processes)
                }
            }
        }
        processes += 1
        do {
            let data = try await runner.output(of: logsCommand)
            return LogsOutcome(result: .ok(LogLine.parse(String(decoding: data, as: UTF8.self))), processes: processes)
        } catch {
            return LogsOutcome(result: .failed(error), processes: processes)
        }
    }

    /// The app pod `kubectl logs deploy/…` would read: a pod of the Deployment's selector that
    /// runs the app container and is not being deleted; ready before running before the rest,
    /// then the newest. Nil when there is none.
    static func logPod(in snapshot: Snapshot, config: PaperConfig) -> String? {
        guard let deployment = snapshot.deployments.first(where: { $0.metadata.name == config.app.deployment }),
              !deployment.selector.isEmpty else { return nil }
        let candidates = snapshot.pods.filter { pod in
            pod.metadata.deletionTimestamp == nil && pod.metadata.matches(deployment.selector)
                && (pod.containerNames.contains(config.app.container) || pod.container(config.app.container) != nil)
        }
        func rank(_ pod: Pod) -> Int { pod.isReady ? 0 : pod.phase == .running ? 1 : 2 }
        return candidates.min { a, b in
            rank(a) != rank(b) ? rank(a) < rank(b) : (a.metadata.creationTimestamp ?? 0) > (b.metadata.creationTimestamp ?? 0)
        }?.metadata.name
    }

    /// Stats for the nodes that run pods mounting the watched PVCs, reusing what was prefetched
    /// for the hinted nodes and fetching only nodes that were not hinted.
    func volumeStats(for snapshot: Snapshot, prefetched: inout [String: Result<KubeletStatsSummary, KubectlError>], processes: inout Int) async -> Fetched<[KubeletStatsSummary]> {
        if let error = snapshot.whyUnreadable(.pod) {
            // Which nodes matter is unknown; what the hint fetched may still cover the PVCs.
            let summaries = prefetched.values.compactMap { try? $0.get() }
            return summaries.isEmpty ? .failed(error) : .ok(summaries)
        }
        let watched = WatchedVolumes(snapshot: snapshot, config: config)
        let nodes = watched.nodes(in: snapshot)
        await discovery.setNodeHint(nodes, target: target)
        guard !nodes.isEmpty else {
            return .skipped("no running pod mounts \(watched.all.isEmpty ? "the watched PVCs" : watched.all.joined(separator: ", "))")
        }
        let missing = nodes.filter { prefetched[$0] == nil }
        if !missing.isEmpty {
            prefetched.merge(await fetchStats(nodes: missing)) { first, _ in first }
            processes += missing.count
        }
        let results = nodes.compactMap { prefetched[$0] }
        let summaries = results.compactMap { try? $0.get() }
        if summaries.isEmpty, case .failure(let error)? = results.first { return .failed(error) }
        return .ok(summaries)
    }

    /// One stats-summary call per node, run concurrently unless `concurrently` is false.
    func fetchStats(nodes: [String], concurrently: Bool = true) async -> [String: Result<KubeletStatsSummary, KubectlError>] {
        guard !nodes.isEmpty else { return [:] }
        guard concurrently || nodes.count == 1 else {
            var all: [String: Result<KubeletStatsSummary, KubectlError>] = [:]
            for node in nodes { all[node] = await Self.stats(of: node, command: statsCommand(node: node), runner: runner) }
            return all
        }
        let runner = self.runner
        let commands = nodes.map { ($0, statsCommand(node: $0)) }
        return await withTaskGroup(of: (String, Result<KubeletStatsSummary, KubectlError>).self) { group in
            for (node, command) in commands {
                group.addTask { (node, await Self.stats(of: node, command: command, runner: runner)) }
            }
            var all: [String: Result<KubeletStatsSummary, KubectlError>] = [:]
            for await (node, result) in group { all[node] = result }
            return all
        }
    }

    static func stats(of node: String, command: KubectlCommand, runner: any CommandRunning) async -> Result<KubeletStatsSummary, KubectlError> {
        let data: Data
        do throws(KubectlError) {
            data = try await runner.output(of: command)
        } catch {
            return .failure(error)
        }
        do {
            return .success(try KubeJSON.decode(KubeletStatsSummary.self, from: data))
        } catch {
            return .failure(.unparseableOutput(detail: "stats summary of \(node): \(Self.describe(error))"))
        }
    }

    /// The newest backup Job's log tail when it failed: one raw read, once per failed pod (a
    /// finished pod's log does not change, so it is cached).
    func failedBackupLog(_ snapshot: Snapshot, processes: inout Int) async -> FailedJobLog? {
        guard let (job, pod, container) = BackupJobs.newestFailed(snapshot, config: config) else { return nil }
        let key = pod.metadata.uid ?? pod.metadata.name
        if let cached = await discovery.finishedLog(pod: key, target: target) {
            return FailedJobLog(job: job.metadata.name, pod: pod.metadata.name, container: container, log: .success(cached))
        }
        processes += 1
        do {
            let data = try await runner.output(of: KubectlCommand.podLogTail(pod: pod.metadata.name, container: container, tailLines: 40, target: target).singleThreaded())
            let log = String(decoding: data, as: UTF8.self)
            await discovery.setFinishedLog(log, pod: key, target: target)
            return FailedJobLog(job: job.metadata.name, pod: pod.metadata.name, container: container, log: .success(log))
        } catch {
            return FailedJobLog(job: job.metadata.name, pod: pod.metadata.name, container: container, log: .failure(error))
        }
    }

    // MARK: - Helpers

    static func kind(of object: KubeObject) -> ResourceKind? {
        switch object {
        case .pod: .pod
        case .deployment: .deployment
        case .job: .job
        case .cronJob: .cronJob
        case .persistentVolumeClaim: .persistentVolumeClaim
        case .event: .event
        case .networkPolicy: .networkPolicy
        case .ingress: .ingress
        case .configMap: .configMap
        case .lease: .lease
        case .cnpgCluster: .cnpgCluster
        case .cnpgBackup: .cnpgBackup
        case .cnpgScheduledBackup: .cnpgScheduledBackup
        case .barmanObjectStore: .barmanObjectStore
        case .externalSecret: .externalSecret
        case .secretStore(let store): store.kind == "ClusterSecretStore" ? .clusterSecretStore : .secretStore
        case .argoApplication: .argoApplication
        case .argoApplicationSet: .argoApplicationSet
        case .argoAppProject: .argoAppProject
        case .other: nil
        }
    }

    static func describe(_ error: any Error) -> String {
        switch error {
        case let syntax as JSONTape.SyntaxError: syntax.description
        case DecodingError.dataCorrupted(let context): "invalid JSON (\(context.debugDescription))"
        case DecodingError.typeMismatch(_, let context): "unexpected JSON shape (\(context.debugDescription))"
        default: "invalid JSON"
        }
    }
}
