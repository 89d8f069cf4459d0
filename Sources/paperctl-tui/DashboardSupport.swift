import ArgumentParser
import Foundation
import PaperDomain
import PaperKube
import PaperRuntime
import PaperUI
import SimCluster
import Synchronization

// MARK: - Where the cluster comes from

extension DashboardCommand {
    /// True when nothing names a cluster: no flags, no $KUBECONFIG, no ~/.kube/config.
    static func noClusterConfigured(_ kube: KubeOptions, environment: [String: String]) -> Bool {
        guard kube.kubeconfig == nil, kube.context == nil else { return false }
        if let k = environment["KUBECONFIG"], !k.isEmpty { return false }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return !FileManager.default.fileExists(atPath: "\(home)/.kube/config")
    }

    enum ClusterSource: Equatable {
        /// `--demo`/`--scenario`, or nothing names a cluster and this is not a pod: the built-in demo.
        case demo
        /// Nothing names a cluster, but `KUBERNETES_SERVICE_HOST` is set: kubectl's in-cluster config.
        case inCluster
        /// Flags, `$KUBECONFIG` or `~/.kube/config`.
        case configured
    }

    /// Where the dashboard's cluster comes from. The demo never starts by itself inside a pod.
    static func clusterSource(demo: Bool, _ kube: KubeOptions, environment: [String: String]) -> ClusterSource {
        if demo { return .demo }
        guard noClusterConfigured(kube, environment: environment) else { return .configured }
        if let host = environment["KUBERNETES_SERVICE_HOST"], !host.isEmpty { return .inCluster }
        return .demo
    }

    /// The bundled themes with `name` (a bundled name or a YAML file) chosen; a refused theme is
    /// said, and the default kept.
    static func themes(choosing name: String) async -> ([Theme], Int) {
        var themes = Theme.bundled
        var startIndex = 0
        do {
            let chosen = try Theme.load(nameOrPath: name) { try? String(contentsOfFile: $0, encoding: .utf8) }
            if let i = themes.firstIndex(where: { $0.name == chosen.name && $0 == chosen }) {
                startIndex = i
            } else {
                themes.insert(chosen, at: 0)
            }
        } catch {
            FileHandle.standardError.write(Data("paperctl-tui: theme refused: \(error.description); using the default theme\n".utf8))
            try? await Task.sleep(for: .seconds(1.5))
        }
        return (themes, startIndex)
    }

    /// What the dashboard says on its way out: the exit notes and where the journal is.
    static func printExitNotes(_ notes: [String], journal: JournalFile) {
        for line in notes { print(line) }
        if let failure = journal.lastFailure {
            print("paperctl-tui: incident journal NOT written (\(failure.count) \(failure.count == 1 ? "entry" : "entries") lost): \(failure.reason)")
        } else if let unavailable = journal.unavailable {
            print("paperctl-tui: no incident journal: \(unavailable)")
        } else if journal.exists {
            print("paperctl-tui: incident journal: \(journal.path)")
        }
    }
}

// MARK: - DemoCluster

/// The built-in demo, started for the dashboard or `demo-cluster`: the simulated API server and
/// its kubeconfig, written in one place (`DemoKubeconfig`: mode 0600, a new file only). When the
/// kubeconfig cannot be written the server is stopped again.
enum DemoCluster {
    static func start(scenarios: [Scenario], port: Int = 0, speed: Double, latency: Double = 0, jobRunner: ResticJobRunner?, logRequests: Bool = false,
                      kubeconfigPath: String?) async throws -> (SimulatedCluster, DemoKubeconfig) {
        let sim: SimulatedCluster
        do {
            sim = try await SimulatedCluster.start(scenarios: scenarios, port: port, speed: speed,
                                                   options: { if latency > 0 { $0.latency = max($0.latency, latency) } },
                                                   jobRunner: jobRunner, logRequests: logRequests)
        } catch let error as HTTPServer.StartError {
            throw ValidationError(error.description)
        }
        do {
            return (sim, try DemoKubeconfig.write(sim.kubeconfig(), to: kubeconfigPath))
        } catch let error as ValidationError {
            await sim.stop()
            throw error
        } catch {
            await sim.stop()
            throw ValidationError("cannot write the demo cluster's kubeconfig: \(error)")
        }
    }
}

// MARK: - DashboardWiring

/// The dashboard's kubectl side: one recording runner (every command to the command log), the
/// read-only kubectl proxy unless --no-proxy, the followed app log, and the refresher.
struct DashboardWiring {
    let runner: RecordingRunner
    let proxy: ProxySupervisor?
    let logFeed: AppLogFeed
    let refresher: DashboardRefresher

    init(executable: String, config: PaperConfig, target: KubeTarget, kubectlTimeout: Double?, refreshInterval: Double, proxy useProxy: Bool,
         environment: [String: String], clock: @escaping @Sendable () -> Double, sink: AsyncStream<Msg>.Continuation, commandFile: CommandLogFile) {
        // Every run reaches the command log; the actions are also kept beside the journal.
        let runner = RecordingRunner(base: KubectlRunner(executable: executable, timeout: kubectlTimeout ?? config.timeoutSeconds), clock: clock) { record in
            sink.yield(.commandRan(record))
            commandFile.append(record)
        }
        let discovery = DiscoveryCache(directory: DiscoveryCache.defaultDirectory())
        // One read-only kubectl proxy on a private socket: the objects are listed once and watched,
        // the stats and the app log read through it; without it every refresh polls with kubectl.
        let feedBox = FeedBox()
        let proxy = useProxy ? ProxySupervisor(
            runner: runner, target: target, pollInterval: refreshInterval, requestTimeout: kubectlTimeout ?? config.timeoutSeconds,
            environment: environment, clock: clock, report: { sink.yield(.commandRan($0)) },
            onChange: { sink.yield(.clusterChanged(at: clock())) },
            onLive: { feedBox.feed?.reconsider() }) : nil
        // The app log is followed once, not re-read on every refresh: through the proxy when it runs.
        let window = config.thresholds.logWindowSeconds
        let logFeed = AppLogFeed(settings: AppLogFeed.Settings(window: window), clock: clock) { [config, target] resumeAt in
            if let (_, reader) = proxy?.current, let pod = await discovery.logPodHint(target: target) {
                return AppLogFeed.Route(streamer: reader, command: KubectlCommand.podLogFollow(pod: pod, container: config.app.container, sinceSeconds: Int(window),
                                                                                            resumeAt: resumeAt, target: target))
            }
            return AppLogFeed.Route(streamer: runner, command: AppLogFeed.followCommand(config: config, target: target, resumeAt: resumeAt), isFallback: proxy != nil)
        }
        feedBox.feed = logFeed
        proxy?.start()
        logFeed.start()
        self.runner = runner
        self.proxy = proxy
        self.logFeed = logFeed
        self.refresher = DashboardRefresher(runner: runner, config: config, target: target, discovery: discovery, logFeed: logFeed, proxy: proxy, clock: clock)
    }

    /// The proxy's process group killed and its socket directory removed, the log no longer followed.
    func stop() async {
        logFeed.stop()
        await proxy?.stop()
    }
}

/// The app log feed, set once it exists (the proxy moves it onto the proxy when the watches are live).
final class FeedBox: Sendable {
    private let value = Mutex<AppLogFeed?>(nil)
    var feed: AppLogFeed? {
        get { value.withLock { $0 } }
        set { value.withLock { $0 = newValue } }
    }
}

/// Lets the first-frame hook run once.
final class FirstFrame: Sendable {
    private let done = Atomic<Bool>(false)
    func claim() -> Bool { !done.exchange(true, ordering: .relaxed) }
}
