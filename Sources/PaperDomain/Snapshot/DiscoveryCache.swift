import Foundation
import PaperKube

// MARK: - DiscoveryCache

/// Which resource types the server serves, remembered so a refresh costs no extra process.
///
/// The answer of `kubectl api-resources -o name` is kept in memory and, when a directory is
/// given, on disk per kubeconfig/context, for `ttl` seconds (6 h by default, like kubectl's
/// own discovery cache). A one-shot `paperctl-tui check` from cron therefore pays for
/// discovery once every few hours, and the dashboard once per session. `invalidate()` forces
/// a fresh read, e.g. after kubectl reported a type as not served.
///
/// It also remembers which nodes ran the pods that mount the watched PVCs, and which app pod
/// the logs were read from, so the next refresh can ask those kubelets for stats and read that
/// pod's log with one request each while the `get` is still running.
public actor DiscoveryCache {
    struct Entry: Codable {
        var fetchedAt: Double
        var resources: [String]
        /// Nodes that ran the pods mounting the watched PVCs at the last refresh.
        var nodes: [String]?
        /// The app pod whose log the last refresh read.
        var logPod: String?
    }

    private var entries: [String: Entry] = [:]
    /// Logs of finished pods: they no longer change, so each is read once (memory only).
    private var finishedLogs: [String: String] = [:]
    private let directory: String?
    private let ttl: Double
    private let missingTTL: Double

    /// - Parameters:
    ///   - ttl: how long an answer is trusted (6 h, like kubectl).
    ///   - missingTTL: how long an answer that lacks a wanted type is trusted (10 min), so an
    ///     operator installing a missing CRD is noticed soon, at one extra process per window.
    public init(directory: String? = nil, ttl: Double = 6 * 3600, missingTTL: Double = 600) {
        self.directory = directory
        self.ttl = ttl
        self.missingTTL = missingTTL
    }

    /// `$XDG_CACHE_HOME/paperctl/discovery` (or `~/.cache/…`).
    public static func defaultDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let xdg = environment["XDG_CACHE_HOME"], !xdg.isEmpty { return "\(xdg)/paperctl/discovery" }
        return "\(environment["HOME"] ?? NSHomeDirectory())/.cache/paperctl/discovery"
    }

    /// The served types (as `resource.group` names), from cache or by running kubectl.
    /// The Bool is true when kubectl had to run.
    public func servedResources(target: KubeTarget, runner: any CommandRunning, now: Double, wanted: [String] = []) async throws(KubectlError) -> (Set<String>, Bool) {
        let key = Self.key(for: target)
        if let entry = entries[key] ?? loadFromDisk(key), now >= entry.fetchedAt - 60 {
            let served = Set(entry.resources)
            let limit = wanted.allSatisfy(served.contains) ? ttl : missingTTL
            if now - entry.fetchedAt < limit {
                entries[key] = entry
                return (served, false)
            }
        }
        let result = try await runner.run(.apiResources(target: target))
        let text = String(decoding: result.stdout, as: UTF8.self)
        let names = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        // api-resources prints what it could discover even when one aggregated API is down.
        guard result.succeeded || !names.isEmpty else {
            throw KubectlErrorClassifier.classify(stderr: result.stderr, exitStatus: result.exitStatus)
        }
        let entry = Entry(fetchedAt: now, resources: names, nodes: entries[key]?.nodes, logPod: entries[key]?.logPod)
        entries[key] = entry
        saveToDisk(key, entry)
        return (Set(names), true)
    }

    /// The nodes remembered for `target`, empty when none.
    public func nodeHint(target: KubeTarget) -> [String] {
        let key = Self.key(for: target)
        return (entries[key] ?? loadFromDisk(key))?.nodes ?? []
    }

    /// Remembers the nodes for `target` (kept with the discovery entry, in memory and on disk).
    public func setNodeHint(_ nodes: [String], target: KubeTarget) {
        let key = Self.key(for: target)
        guard var entry = entries[key] ?? loadFromDisk(key), entry.nodes != nodes else { return }
        entry.nodes = nodes
        entries[key] = entry
        saveToDisk(key, entry)
    }

    /// The app pod remembered for `target`, if any.
    public func logPodHint(target: KubeTarget) -> String? {
        let key = Self.key(for: target)
        return (entries[key] ?? loadFromDisk(key))?.logPod
    }

    /// The log tail already read from the finished pod `pod` (its UID, or its name).
    public func finishedLog(pod: String, target: KubeTarget) -> String? {
        finishedLogs["\(Self.key(for: target))|\(pod)"]
    }

    /// Keeps a finished pod's log tail; at most a few are kept.
    public func setFinishedLog(_ log: String, pod: String, target: KubeTarget) {
        if finishedLogs.count >= 8 { finishedLogs.removeAll() }
        finishedLogs["\(Self.key(for: target))|\(pod)"] = log
    }

    /// Remembers the app pod for `target` (kept with the discovery entry, in memory and on disk).
    public func setLogPodHint(_ pod: String?, target: KubeTarget) {
        let key = Self.key(for: target)
        guard var entry = entries[key] ?? loadFromDisk(key), entry.logPod != pod else { return }
        entry.logPod = pod
        entries[key] = entry
        saveToDisk(key, entry)
    }

    /// Forgets what is known about `target`, in memory and on disk.
    public func invalidate(target: KubeTarget) {
        let key = Self.key(for: target)
        entries[key] = nil
        if let path = path(for: key) { try? FileManager.default.removeItem(atPath: path) }
    }

    // MARK: - Disk

    static func key(for target: KubeTarget) -> String {
        let raw = "\(target.kubeconfig ?? ProcessInfo.processInfo.environment["KUBECONFIG"] ?? "default")|\(target.context ?? "current")"
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in raw.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return String(hash, radix: 16)
    }

    private func path(for key: String) -> String? {
        directory.map { "\($0)/\(key).json" }
    }

    private func loadFromDisk(_ key: String) -> Entry? {
        guard let path = path(for: key), let data = FileManager.default.contents(atPath: path) else { return nil }
        return try? JSONDecoder().decode(Entry.self, from: data)
    }

    private func saveToDisk(_ key: String, _ entry: Entry) {
        guard let directory, let path = path(for: key), let data = try? JSONEncoder().encode(entry) else { return }
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: path, contents: data)
    }
}
