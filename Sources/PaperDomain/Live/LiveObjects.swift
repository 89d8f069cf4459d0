import Foundation
import PaperKube
import Synchronization

// MARK: - LiveObjects

/// The namespace's objects kept up to date by watches: each type is listed once, then watched
/// from the list's resourceVersion, the way client-go's informers (and so k9s) do it.
///
/// Every request is a raw read through `reader` (the read-only `kubectl proxy`, so no process
/// per read); a watch that ends is resumed from the newest resourceVersion seen, one refused
/// with 410 Expired lists again. Types that cannot be watched or are refused (the cluster-wide
/// ExternalSecret stores, a type RBAC forbids) are listed again at most every `pollInterval`
/// seconds, when a snapshot asks. Each change calls `onChange`, at most once until the next
/// `objects(now:)`: a burst of events costs one recompute.
///
/// `run()` lasts while the proxy does and returns why it stopped: the caller falls back to
/// polling with kubectl and starts a new proxy later.
public actor LiveObjects {
    /// What a snapshot can take from the watches.
    public struct Current: Sendable {
        public var items: [KubeObject]
        public var unreadable: [ResourceKind: KubectlError]
        /// Watch streams open.
        public var watches: Int
    }

    let reader: any CommandRunning & CommandStreaming
    let target: KubeTarget
    let pollInterval: Double
    let clock: @Sendable () -> Double
    let onChange: @Sendable () -> Void
    private let changePending = Atomic<Bool>(false)

    private var paths: [ResourceKind: String] = [:]
    private var stores: [ResourceKind: [String: KubeObject]] = [:]
    private var resourceVersions: [ResourceKind: String] = [:]
    private var unreadable: [ResourceKind: KubectlError] = [:]
    private var polled: Set<ResourceKind> = []
    private var lastPoll: Double = -.infinity
    private var isLive = false
    private var openWatches = 0
    private var stats: (at: Double, value: Fetched<[KubeletStatsSummary]>)?
    /// A poll found the proxy or the server gone: `run()` ends with it.
    private let (failures, failed) = AsyncStream<KubectlError>.makeStream(bufferingPolicy: .bufferingNewest(1))

    /// - Parameters:
    ///   - reader: runs `kubectl get --raw` reads and follows raw streams (the proxy runner).
    ///   - pollInterval: seconds between lists of the types that are not watched.
    ///   - onChange: called when the objects changed (from any task; keep it cheap).
    public init(reader: any CommandRunning & CommandStreaming, target: KubeTarget, pollInterval: Double,
                clock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }, onChange: @escaping @Sendable () -> Void) {
        self.clock = clock
        self.reader = reader
        self.target = target
        self.pollInterval = pollInterval
        self.onChange = onChange
    }

    /// The objects as the watches know them, or nil until every type has been listed (and after
    /// the watches stopped). Lists the polled types first when they are due.
    public func objects(now: Double) async -> Current? {
        changePending.store(false, ordering: .relaxed)
        guard isLive else { return nil }
        if now - lastPoll >= pollInterval {
            lastPoll = now
            // Watches say nothing when the server hangs: a read per interval proves it answers (the
            // polled types, or the server's version when every type is watched).
            var probes: [KubectlError?] = []
            for kind in polled.sorted(by: { $0.rawValue < $1.rawValue }) { probes.append(await list(kind)) }
            if polled.isEmpty { probes.append(await probe()) }
            if let fatal = probes.compactMap({ $0 }).first(where: Self.isFatal) {
                isLive = false
                failed.yield(fatal)
                return nil
            }
        }
        let items = ResourceKind.allCases.flatMap { kind in
            (stores[kind] ?? [:]).sorted { $0.key < $1.key }.map(\.value)
        }
        return Current(items: items, unreadable: unreadable, watches: openWatches)
    }

    /// The volume stats read less than `pollInterval` ago: the kubelet is polled at the refresh
    /// interval, not on every change a watch brings.
    public func cachedVolumeStats(now: Double) -> Fetched<[KubeletStatsSummary]>? {
        guard let stats, now - stats.at < pollInterval, now >= stats.at else { return nil }
        return stats.value
    }

    public func keepVolumeStats(_ value: Fetched<[KubeletStatsSummary]>, at: Double) { stats = (at, value) }

    // MARK: - Running

    /// Discovers, lists every type, then watches until a stream fails for a reason other than an
    /// expired resourceVersion (the proxy is gone, credentials were refused); returns that reason.
    /// Cancelling the calling task ends it too (returning nil).
    public func run() async -> KubectlError? {
        if let error = await discover() { return error }
        let watched = ResourceKind.allCases.filter { paths[$0] != nil && !polled.contains($0) }
        // Every type at once: the first verdict waits for the slowest list, not for their sum
        // (17 requests one after the other are most of a second on a cluster 50 ms away).
        let fatal = await withTaskGroup(of: KubectlError?.self, returning: KubectlError?.self) { group in
            for kind in ResourceKind.allCases where paths[kind] != nil {
                group.addTask { await self.list(kind) }
            }
            var fatal: KubectlError?
            for await error in group where fatal == nil {
                if let error, Self.isFatal(error) { fatal = error }
            }
            return fatal
        }
        if let fatal { return fatal }
        // A type refused at the list is polled, not watched.
        let streams = watched.filter { unreadable[$0] == nil }
        isLive = true
        lastPoll = clock()
        changed()
        defer {
            isLive = false
            changed()
        }
        let failures = self.failures
        return await withTaskGroup(of: KubectlError?.self) { group in
            for kind in streams {
                group.addTask { await self.watch(kind) }
            }
            group.addTask {
                for await error in failures { return error }
                return nil
            }
            for await result in group {
                if let error = result {
                    group.cancelAll()
                    return error
                }
            }
            return nil
        }
    }

    /// Where each type is listed: the core and built-in groups at their stable version, the
    /// operators' groups at the version the server prefers (ESO serves v1 or only v1beta1). A
    /// group the server does not serve marks its types not served, as `kubectl get` would.
    func discover() async -> KubectlError? {
        let data: Data
        do {
            data = try await reader.output(of: .rawGet("/apis", target: target))
        } catch {
            return error
        }
        struct GroupList: Decodable {
            struct Group: Decodable {
                struct Version: Decodable { var version: String }
                var name: String
                var preferredVersion: Version?
                var versions: [Version]?
            }
            var groups: [Group]
        }
        let groups: [String: String]
        do {
            let list = try JSONDecoder().decode(GroupList.self, from: data)
            groups = Dictionary(list.groups.compactMap { g in (g.preferredVersion ?? g.versions?.first).map { (g.name, $0.version) } }) { a, _ in a }
        } catch {
            return .unparseableOutput(detail: "API discovery (/apis) through the proxy: \(error)")
        }
        let builtIn = ["apps": "v1", "batch": "v1", "networking.k8s.io": "v1", "coordination.k8s.io": "v1"]
        let ns = target.namespace
        for kind in ResourceKind.allCases {
            let version = kind.group.isEmpty ? "v1" : builtIn[kind.group] ?? groups[kind.group]
            guard let version else {
                unreadable[kind] = .resourceTypeNotServed(resource: kind.qualifiedName)
                continue
            }
            let base = kind.group.isEmpty ? "/api/v1" : "/apis/\(kind.group)/\(version)"
            paths[kind] = kind == .clusterSecretStore || kind.readAcrossNamespaces ? "\(base)/\(kind.resource)" : "\(base)/namespaces/\(ns)/\(kind.resource)"
            if kind == .clusterSecretStore { polled.insert(kind) }
        }
        return nil
    }

    /// One cheap read (`/version`): nil when the server answered.
    func probe() async -> KubectlError? {
        do {
            _ = try await reader.output(of: .rawGet("/version", target: target))
            return nil
        } catch {
            return error
        }
    }

    /// Lists `kind` and replaces what is kept of it; returns the error when the list failed.
    @discardableResult
    func list(_ kind: ResourceKind) async -> KubectlError? {
        guard let path = paths[kind] else { return nil }
        let data: Data
        do {
            data = try await reader.output(of: .rawGet(path, target: target))
        } catch {
            switch error {
            case .notFound: unreadable[kind] = .resourceTypeNotServed(resource: kind.qualifiedName)
            default: unreadable[kind] = error
            }
            if !Self.isFatal(error) { polled.insert(kind) }
            return error
        }
        do {
            let (version, items) = try KubeObject.list(of: kind, from: data)
            var store: [String: KubeObject] = [:]
            for item in items { store[item.storeKey] = item }
            if stores[kind] != store { changed() }
            stores[kind] = store
            resourceVersions[kind] = version
            unreadable[kind] = nil
            return nil
        } catch {
            let failure = KubectlError.unparseableOutput(detail: "\(path): \(error)")
            unreadable[kind] = failure
            return failure
        }
    }

    /// Watches `kind` until a stream fails for good; lists again on 410 Expired. Events are
    /// applied as they arrive, in order, on this actor.
    func watch(_ kind: ResourceKind) async -> KubectlError? {
        guard let base = paths[kind] else { return nil }
        var failures = 0
        while !Task.isCancelled {
            let version = resourceVersions[kind] ?? ""
            let command = KubectlCommand.rawGet("\(base)?watch=1&allowWatchBookmarks=true&resourceVersion=\(version)", target: target)
            let reader = self.reader
            let (stream, continuation) = AsyncStream<[String]>.makeStream()
            openWatches += 1
            let (end, outcome) = await withTaskGroup(of: FollowEnd.self, returning: (FollowEnd, Outcome).self) { group in
                group.addTask {
                    let end = await reader.follow(command) { continuation.yield($0) }
                    continuation.finish()
                    return end
                }
                var outcome = Outcome.ok
                for await lines in stream where apply(Self.decode(lines, as: kind), to: kind) == .expired {
                    outcome = .expired
                }
                return (await group.next() ?? .cancelled, outcome)
            }
            openWatches -= 1
            switch end {
            case .cancelled:
                return nil
            case .ended where outcome == .expired, .failed where outcome == .expired:
                if let error = await list(kind), Self.isFatal(error) { return error }
            case .ended:
                failures = 0  // the server's watch timeout: resume from the newest version
            case .failed(let error):
                if error.isExpiredResourceVersion {
                    if let error = await list(kind), Self.isFatal(error) { return error }
                    continue
                }
                if Self.isFatal(error) { return error }
                failures += 1
                if failures >= 3 { return error }
                try? await Task.sleep(for: .milliseconds(200 * failures))
            }
        }
        return nil
    }

    static func decode(_ lines: [String], as kind: ResourceKind) -> [WatchEvent] {
        lines.compactMap { line in
            line.isEmpty ? nil : try? KubeObject.watchEvent(of: kind, from: Data(line.utf8))
        }
    }

    enum Outcome { case ok, expired }

    /// Applies decoded events; an ERROR event with 410 asks for a new list.
    func apply(_ events: [WatchEvent], to kind: ResourceKind) -> Outcome {
        var outcome = Outcome.ok
        var store = stores[kind] ?? [:]
        var touched = false
        for event in events {
            switch event {
            case .object(let change, let object, let version):
                touched = true
                if change == .deleted { store[object.storeKey] = nil } else { store[object.storeKey] = object }
                if let version { resourceVersions[kind] = version }
            case .bookmark(let version):
                if let version { resourceVersions[kind] = version }
            case .error(let code, _, _):
                if code == 410 { outcome = .expired }
            }
        }
        if touched {
            stores[kind] = store
            changed()
        }
        return outcome
    }

    /// Tells the owner once per batch of changes (reset by the next `objects(now:)`).
    func changed() {
        guard !changePending.exchange(true, ordering: .relaxed) else { return }
        onChange()
    }

    /// Errors that mean the proxy (or the credentials behind it) is gone, not just this type.
    static func isFatal(_ error: KubectlError) -> Bool {
        switch error {
        case .unreachable, .unauthorized, .timeout, .notInstalled: true
        default: false
        }
    }
}
