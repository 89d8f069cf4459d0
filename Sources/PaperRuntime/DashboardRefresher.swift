import Foundation
import PaperDomain
import PaperKube
import PaperUI

// MARK: - DashboardRefresher

/// One dashboard refresh: a snapshot through the kubectl runner, the checks, the panel rows,
/// the typed facts the actions plan from, and the containers the log tail can follow.
public struct DashboardRefresher: Sendable {
    public var runner: any CommandRunning
    public var config: PaperConfig
    public var target: KubeTarget
    public var discovery: DiscoveryCache
    public var logFeed: AppLogFeed?
    public var clock: @Sendable () -> Double
    /// The proxy and its watches; nil: every refresh polls with kubectl.
    public var proxy: ProxySupervisor?

    public init(runner: any CommandRunning, config: PaperConfig, target: KubeTarget, discovery: DiscoveryCache, logFeed: AppLogFeed? = nil,
                proxy: ProxySupervisor? = nil, clock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }) {
        self.proxy = proxy
        self.runner = runner
        self.config = config
        self.target = target
        self.discovery = discovery
        self.logFeed = logFeed
        self.clock = clock
    }

    /// From the watches when they are live (raw reads through the proxy, no process), else by
    /// polling with kubectl; the data say which, and why the proxy is not used.
    public func refresh() async -> Result<DashboardData, RefreshError> {
        guard let proxy else { return await poll() }
        if let result = await fromWatches(proxy) { return result }
        guard proxy.status == .starting else { return await poll() }
        // The proxy is starting (the first refresh of a session, or a restart): poll with kubectl
        // and take whichever answers first, the poll or the watches' first lists. On a cluster far
        // away the lists through the proxy win (they run side by side, with no process each); on
        // loopback the poll usually does. The loser is cancelled, its kubectl killed.
        return await withTaskGroup(of: Result<DashboardData, RefreshError>?.self) { group in
            group.addTask { await poll() }
            group.addTask { await firstFromWatches(proxy) }
            var result: Result<DashboardData, RefreshError>?
            while result == nil, let next = await group.next() { result = next }
            group.cancelAll()
            return result ?? .failure(RefreshError(kind: .other, message: "the refresh was cancelled"))
        }
    }

    /// One snapshot from the watches, or nil while they are not live.
    func fromWatches(_ proxy: ProxySupervisor) async -> Result<DashboardData, RefreshError>? {
        guard let (live, reader) = proxy.current, let current = await live.objects(now: clock()) else { return nil }
        let fetcher = SnapshotFetcher(runner: reader, config: config, target: target, discovery: discovery, clock: clock, logFeed: logFeed)
        let snapshot = await fetcher.fetchLive(current, live: live)
        logFeed?.reconsider()  // off `kubectl logs -f`, onto the proxy, once it knows the pod
        return Self.judge(snapshot, config: config, now: clock(), feed: .live(watches: current.watches))
    }

    /// The snapshot from the watches as soon as their first lists are in; nil when the proxy
    /// fails first or the task is cancelled (the poll answers then).
    func firstFromWatches(_ proxy: ProxySupervisor) async -> Result<DashboardData, RefreshError>? {
        while !Task.isCancelled {
            if let result = await fromWatches(proxy) { return result }
            guard proxy.status == .starting else { return nil }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }

    /// One snapshot by polling with kubectl.
    func poll() async -> Result<DashboardData, RefreshError> {
        let fetcher = SnapshotFetcher(runner: runner, config: config, target: target, discovery: discovery, clock: clock, logFeed: logFeed)
        let snapshot = await fetcher.fetch()
        return Self.judge(snapshot, config: config, now: clock(), feed: proxy?.status ?? .off)
    }

    /// The checks and panels of one snapshot (read as `feed` says), or the failure that makes it unusable.
    public static func judge(_ snapshot: Snapshot, config: PaperConfig, now: Double, feed: LiveStatus = .off) -> Result<DashboardData, RefreshError> {
        if let error = fatalError(in: snapshot) { return .failure(error) }
        var data = DashboardData(checks: HealthChecks.run(snapshot, config: config, now: now), takenAt: snapshot.takenAt,
                                 facts: PanelFacts.rows(from: snapshot, config: config, now: now),
                                 actions: ActionFacts.from(snapshot, config: config),
                                 logSources: LogSource.from(snapshot, config: config),
                                 restoreLease: RestoreLease.active(in: snapshot.leases, now: now))
        data.feed = feed
        data.pods = snapshot.pods
        data.claims = snapshot.persistentVolumeClaims.map(\.metadata.name)
        data.events = snapshot.events
        data.failedJobLog = snapshot.failedBackupLog
        return .success(data)
    }

    /// A refresh that read nothing at all (credentials, network, timeout, no kubectl, output that is
    /// not JSON, kubectl failing with an error it does not usually print) is a failure: the dashboard
    /// keeps its last data, marked stale, and shows a banner that says what failed and what to do,
    /// instead of turning every panel unknown with data that look fresh.
    public static func fatalError(in snapshot: Snapshot) -> RefreshError? {
        guard let error = snapshot.whyUnreadable(.pod) else { return nil }
        switch error {
        case .unauthorized(let d): return RefreshError(kind: .unauthorized, message: d)
        case .unreachable(let d): return RefreshError(kind: .unreachable, message: d)
        case .timeout: return RefreshError(kind: .timeout, message: error.description)
        case .notInstalled(let searched):
            return RefreshError(kind: .other, message: "kubectl not found: install kubectl 1.28-1.33 or start with --kubectl PATH (looked in: \(searched.joined(separator: ", ")))")
        case .unparseableOutput(let detail):
            // The one batched `get` read every type: when pods are unparseable, so is everything.
            guard snapshot.whyUnreadable(.job) != nil else { return nil }
            return RefreshError(kind: .other, message: "kubectl output is not valid JSON (cut off?); check which kubectl runs (--kubectl PATH), "
                                + "its output is in the command log (c): \(Redactor.redact(detail))")
        case .failed:
            guard snapshot.whyUnreadable(.job) != nil else { return nil }
            return RefreshError(kind: .other, message: "\(Redactor.redact(error.description)) (its whole output is in the command log, c)")
        default: return nil
        }
    }
}
