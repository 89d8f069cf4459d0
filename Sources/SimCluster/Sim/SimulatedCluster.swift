import PaperKube

// MARK: - SimulatedCluster

/// The whole simulated deployment: store, logs, controllers and the loopback API server.
///
/// ```swift
/// let sim = try await SimulatedCluster.start(scenarios: [.healthy], port: 0, speed: 30)
/// try sim.writeKubeconfig(to: path)   // context "demo", namespace "paperless-ngx"
/// ```
public final class SimulatedCluster: Sendable {
    public let options: SimOptions
    public let clock: SimClock
    public let store: ObjectStore
    public let logs: PodLogs
    public let api: KubeAPI
    public let controllers: Controllers
    let server: HTTPServer
    let tasks: TaskBox

    public var port: Int { server.port }
    public var serverURL: String { "http://127.0.0.1:\(server.port)" }

    init(options: SimOptions, clock: SimClock, store: ObjectStore, logs: PodLogs, api: KubeAPI, controllers: Controllers, server: HTTPServer) {
        self.options = options
        self.clock = clock
        self.store = store
        self.logs = logs
        self.api = api
        self.controllers = controllers
        self.server = server
        self.tasks = TaskBox()
    }

    /// Seeds the deployment for the scenarios, binds 127.0.0.1:`port` and starts serving and ticking.
    public static func start(scenarios: [Scenario], port: Int = 0, speed: Double = 1, startAt: Double? = nil, options configure: (inout SimOptions) -> Void = { _ in },
                             jobRunner: (any JobRunning)? = nil, logRequests: Bool = false) async throws -> SimulatedCluster {
        var options = SimOptions(scenarios)
        configure(&options)
        let clock = SimClock(start: startAt, speed: speed)
        let store = ObjectStore(clock: clock)
        let logs = PodLogs()
        Seed(options: options, store: store, logs: logs, now: clock.now()).plant()
        var config = ServingConfig(kinds: options.servedKinds)
        config.isForbidden = options.forbidden
        config.latency = options.latency
        config.unresponsive = options.unresponsive
        config.unauthorized = options.unauthorized
        config.logRequests = logRequests
        let stats = StatsBox()
        let api = KubeAPI(store: store, logs: logs, clock: clock, config: config) { node in stats.summary(node) }
        let controllers = Controllers(api: api, options: options, runner: jobRunner)
        let server = try await HTTPServer(port: port, handler: api)
        let sim = SimulatedCluster(options: options, clock: clock, store: store, logs: logs, api: api, controllers: controllers, server: server)
        stats.set(sim)
        sim.tasks.add(Task { await server.run() })
        sim.tasks.add(Task {
            while !Task.isCancelled {
                controllers.tick()
                try? await Task.sleep(nanoseconds: 100_000_000)
            }
        })
        return sim
    }

    /// Stops serving and ticking.
    public func stop() async {
        tasks.cancelAll()
        // Closing the listener and every connection ends the serving tasks (a keep-alive
        // connection would otherwise hold them); they are waited for before the event loop stops.
        await server.close()
        await tasks.waitAll(timeout: 2)
        await server.shutdown()
    }

    // MARK: Kubelet stats

    /// The kubelet `/stats/summary` document for a node: per-pod volume usage with `pvcRef`.
    public func statsSummary(node: String) -> JSONValue? {
        guard store.get(Catalogue.nodes, namespace: "", name: node) != nil else { return nil }
        let now = clock.now()
        let gib = 1024.0 * 1024 * 1024
        var pods: [JSONValue] = []
        for pod in store.list(Catalogue.pods, namespace: nil).items
        where pod.value(at: "spec.nodeName")?.stringValue == node && pod.value(at: "status.phase")?.stringValue == "Running" {
            let ns = pod.value(at: "metadata.namespace")?.stringValue ?? ""
            var volumes: [JSONValue] = []
            for v in pod.value(at: "spec.volumes")?.arrayValue ?? [] {
                guard let claim = v.value(at: "persistentVolumeClaim.claimName")?.stringValue,
                      let pvc = store.get(Catalogue.pvcs, namespace: ns, name: claim) else { continue }
                let capacity = Self.bytes(pvc.value(at: "status.capacity.storage")?.stringValue ?? "1Gi") ?? gib
                let fraction = claim == "paperless-ngx-data" ? options.dataUsage : (claim.hasSuffix("-1") && claim.contains("db") ? 0.27 : 0.1)
                // Filesystem overhead: capacity the kubelet reports is a little under the request.
                let fsCapacity = (capacity * 0.984).rounded()
                let used = (fsCapacity * fraction + (now.truncatingRemainder(dividingBy: 600)) * 1024).rounded()
                volumes.append([
                    "name": v["name"] ?? "", "time": .string(UTCTime.rfc3339(now)),
                    "availableBytes": .int(Int(fsCapacity - used)), "capacityBytes": .int(Int(fsCapacity)), "usedBytes": .int(Int(used)),
                    "inodesFree": 640_000, "inodes": 655_360, "inodesUsed": .int(Int(15_360 + fraction * 100_000)),
                    "pvcRef": ["name": .string(claim), "namespace": .string(ns)],
                ])
            }
            volumes.append(["name": "kube-api-access", "time": .string(UTCTime.rfc3339(now)), "availableBytes": 8_312_832_000, "capacityBytes": 8_312_844_288,
                            "usedBytes": 12_288, "inodesFree": 1_014_793, "inodes": 1_014_802, "inodesUsed": 9])
            pods.append([
                "podRef": ["name": pod.value(at: "metadata.name") ?? "", "namespace": .string(ns), "uid": pod.value(at: "metadata.uid") ?? ""],
                "startTime": pod.value(at: "status.startTime") ?? "",
                "cpu": ["time": .string(UTCTime.rfc3339(now)), "usageNanoCores": 21_000_000, "usageCoreNanoSeconds": 912_345_678_901],
                "memory": ["time": .string(UTCTime.rfc3339(now)), "workingSetBytes": 612_000_000, "usageBytes": 700_000_000],
                "volume": .array(volumes),
            ])
        }
        return [
            "node": ["nodeName": .string(node), "startTime": .string(UTCTime.rfc3339(now - 180 * 86_400)),
                     "fs": ["time": .string(UTCTime.rfc3339(now)), "availableBytes": 52_000_000_000, "capacityBytes": 84_000_000_000, "usedBytes": 32_000_000_000]],
            "pods": .array(pods),
        ]
    }

    /// Parses a Kubernetes quantity such as `10Gi`, `5G` or `512Mi` to bytes.
    public static func bytes(_ quantity: String) -> Double? {
        let units: [(String, Double)] = [("Ki", 1024), ("Mi", 1_048_576), ("Gi", 1_073_741_824), ("Ti", 1_099_511_627_776),
                                         ("k", 1e3), ("M", 1e6), ("G", 1e9), ("T", 1e12)]
        for (suffix, factor) in units where quantity.hasSuffix(suffix) {
            return Double(quantity.dropLast(suffix.count)).map { $0 * factor }
        }
        return Double(quantity)
    }

    // MARK: Kubeconfig

    /// A kubeconfig for this server: context `demo`, namespace from the options.
    public func kubeconfig(context: String = "demo") -> String {
        """
        apiVersion: v1
        kind: Config
        clusters:
        - name: paperctl-demo
          cluster:
            server: \(serverURL)
        users:
        - name: demo-operator
          user:
            token: demo-operator-token
        contexts:
        - name: \(context)
          context:
            cluster: paperctl-demo
            user: demo-operator
            namespace: \(options.namespace)
        current-context: \(context)
        preferences: {}

        """
    }
}

import Synchronization

/// Holds the running tasks so `stop()` can cancel them.
final class TaskBox: Sendable {
    private let tasks = Mutex<[Task<Void, Never>]>([])
    func add(_ t: Task<Void, Never>) { tasks.withLock { $0.append(t) } }
    func cancelAll() { for t in tasks.withLock({ $0 }) { t.cancel() } }

    /// Waits for the cancelled tasks to finish, at most `timeout` seconds.
    func waitAll(timeout: Double) async {
        let all = tasks.withLock { $0 }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { for t in all { await t.value } }
            group.addTask { try? await Task.sleep(nanoseconds: UInt64(timeout * 1e9)) }
            await group.next()
            group.cancelAll()
        }
    }
}

/// Lets the API call back into the simulation for stats without a reference cycle at init.
final class StatsBox: Sendable {
    private let sim = Mutex<SimulatedCluster?>(nil)
    func set(_ s: SimulatedCluster) { sim.withLock { $0 = s } }
    func summary(_ node: String) -> JSONValue? { sim.withLock { $0 }?.statsSummary(node: node) }
}
