import ArgumentParser
import Foundation
import PaperDomain
import PaperKube
import PaperRuntime
import PaperTerminal
import PaperUI
import SimCluster

// MARK: - DashboardCommand

/// The default command: the incident dashboard. Without a cluster it runs against the built-in demo.
struct DashboardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dashboard",
        abstract: "The incident dashboard (default). Without a kubeconfig, outside a pod, it starts the built-in demo cluster.",
        discussion: """
            Keys: Tab/Shift-Tab or 1-6 focus a panel, j/k and arrows move, PgUp/PgDn g/G page, Enter details, \
            / filter, r refresh, t theme, ? help, q quit. Ctrl-C quits from every mode, like q on the dashboard.
            Themes: \(Theme.bundled.map(\.name).joined(separator: ", ")), or a path to a YAML file.
            """
    )

    @OptionGroup var kube: KubeOptions

    @Flag(name: .long, help: "Run against the built-in simulated cluster.")
    var demo = false

    @Option(name: .long, help: "Demo scenario (repeatable or comma-separated; implies --demo).")
    var scenario: [String] = []

    @Option(name: .long, help: "Demo clock speed (simulated seconds per real second).")
    var speed: Double = 1

    @Option(name: .long, help: "Theme name or path to a theme YAML file.")
    var theme: String = "default"

    @Flag(name: .long, help: "Run no action at all: every action key explains itself (also readOnly: true in the config).")
    var readOnly = false

    @Option(name: .long, help: "Seconds between refreshes (default: refreshSeconds in the config, else 5).")
    var refresh: Double?

    @Flag(name: .long, help: "Poll with kubectl on every refresh instead of watching through a read-only kubectl proxy.")
    var noProxy = false

    func validate() throws {
        if let refresh, !(refresh >= 1 && refresh <= 3600) { throw ValidationError("--refresh must be between 1 and 3600 seconds, got \(refresh)") }
        do { _ = try Scenario.parse(scenario) } catch { throw ValidationError(error.description) }
    }

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

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let config: PaperConfig
        do {
            config = try ConfigLoader.load(explicitPath: kube.config)
        } catch {
            // One line naming the file, the line and the key; not the usage text. 3, as `check` says it.
            FileHandle.standardError.write(Data("paperctl-tui: config refused: \(TerminalText.safe(error.description))\n".utf8))
            throw ExitCode(3)
        }
        var target = kube.cluster.target(config)
        var sim: SimulatedCluster?
        var demoKubeconfig: DemoKubeconfig?
        switch Self.clusterSource(demo: demo || !scenario.isEmpty, kube, environment: environment) {
        case .demo:
            let s = try await SimulatedCluster.start(scenarios: try Scenario.parse(scenario), port: 0, speed: speed, jobRunner: ResticJobRunner.detect())
            do {
                let written = try DemoKubeconfig.write(s.kubeconfig(), to: nil)
                demoKubeconfig = written
                target = KubeTarget(kubeconfig: written.path, context: "demo", namespace: s.options.namespace)
            } catch {
                await s.stop()
                throw ValidationError("cannot write the demo cluster's kubeconfig: \(error)")
            }
            sim = s
        case .inCluster:
            FileHandle.standardError.write(Data("paperctl-tui: no kubeconfig, and KUBERNETES_SERVICE_HOST is set: using kubectl's in-cluster configuration (this pod's service account), not the demo\n".utf8))
        case .configured:
            break
        }
        defer {
            if let sim { Task { await sim.stop() } }
            demoKubeconfig?.remove()
        }

        // A terminal curses cannot drive gets the text report instead of a silent exit.
        let term = environment["TERM"]
        guard isatty(1) == 1, TerminalCheck.usable(term: term) else {
            FileHandle.standardError.write(Data("paperctl-tui: TERM=\(term ?? "(unset)") cannot show the dashboard; printing `paperctl-tui check` instead.\n".utf8))
            let report = await CheckSession.report(config: config, target: target, kubectlPath: kube.kubectl, timeout: kube.timeout)
            print(report.table(verbose: false), terminator: "")
            throw ExitCode(report.exitCode)
        }

        var themes = Theme.bundled
        var startIndex = 0
        do {
            let chosen = try Theme.load(nameOrPath: theme) { try? String(contentsOfFile: $0, encoding: .utf8) }
            if let i = themes.firstIndex(where: { $0.name == chosen.name && $0 == chosen }) {
                startIndex = i
            } else {
                themes.insert(chosen, at: 0)
            }
        } catch {
            FileHandle.standardError.write(Data("paperctl-tui: theme refused: \(error.description); using the default theme\n".utf8))
            try? await Task.sleep(for: .seconds(1.5))
        }

        let utf8 = TerminalCheck.utf8Locale()
        let executable: String
        do {
            executable = try KubectlLocator(explicitPath: kube.kubectl, environment: environment).locate()
        } catch {
            FileHandle.standardError.write(Data("paperctl-tui: \(TerminalText.safe(error.description))\n".utf8))
            throw ExitCode(3)
        }
        let clock: @Sendable () -> Double = { Date().timeIntervalSince1970 }
        let (commandMessages, commandSink) = AsyncStream<Msg>.makeStream(bufferingPolicy: .bufferingNewest(500))
        let journal = JournalFile(environment: environment, now: clock())
        let commandFile = CommandLogFile(journal: journal)
        let runner = RecordingRunner(base: KubectlRunner(executable: executable, timeout: kube.timeout ?? config.timeoutSeconds), clock: clock) { record in
            commandSink.yield(.commandRan(record))
            commandFile.append(record)
        }
        let refreshInterval = refresh ?? config.refreshSeconds
        let discovery = DiscoveryCache(directory: DiscoveryCache.defaultDirectory())
        // One read-only kubectl proxy on a private socket: the objects are listed once and watched,
        // the stats and the app log read through it; without it every refresh polls with kubectl.
        let feedBox = FeedBox()
        let proxy = noProxy ? nil : ProxySupervisor(
            runner: runner, target: target, pollInterval: refreshInterval, requestTimeout: kube.timeout ?? config.timeoutSeconds,
            environment: environment, clock: clock, report: { commandSink.yield(.commandRan($0)) },
            onChange: { commandSink.yield(.clusterChanged(at: clock())) },
            onLive: { feedBox.feed?.reconsider() })
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
        let refresher = DashboardRefresher(runner: runner, config: config, target: target, discovery: discovery, logFeed: logFeed, proxy: proxy, clock: clock)
        let context = target.context ?? KubeconfigContext.current(kubeconfig: target.kubeconfig, environment: environment) ?? "(current)"
        var state = AppState(width: 80, height: 24, context: context, namespace: target.namespace, refreshInterval: refreshInterval, now: clock())
        state.unicode = utf8
        state.themeIndex = startIndex
        state.readOnly = readOnly || config.readOnly
        state.version = BuildInfo.version
        let services = Services.live(runner: runner, refresher: refresher, journal: journal, clock: clock)
        // For the benchmark: the wall-clock time of the first frame, written to a file.
        let frameFile = environment["PAPERCTL_FIRST_FRAME_FILE"]
        let firstFrameWritten = FirstFrame()
        let onFrame: @Sendable (Double) -> Void = { at in
            guard let frameFile, firstFrameWritten.claim() else { return }
            try? String(format: "%.6f\n", at).write(toFile: frameFile, atomically: true, encoding: .utf8)
        }
        let final = await TerminalApp.run(state: state, themes: themes, environment: environment, services: services, messages: commandMessages, onFrame: onFrame)
        // Every way out (q, Ctrl-C, SIGTERM, SIGHUP) comes here: the proxy's process group is
        // killed and its socket directory removed before the program ends.
        logFeed.stop()
        await proxy?.stop()
        commandSink.finish()
        for line in final.exitNotes { print(line) }
        if let failure = journal.lastFailure {
            print("paperctl-tui: incident journal NOT written (\(failure.count) \(failure.count == 1 ? "entry" : "entries") lost): \(failure.reason)")
        } else if let unavailable = journal.unavailable {
            print("paperctl-tui: no incident journal: \(unavailable)")
        } else if journal.exists {
            print("paperctl-tui: incident journal: \(journal.path)")
        }
        if sim != nil { print("paperctl-tui: demo cluster stopped") }
    }
}

import Synchronization

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
