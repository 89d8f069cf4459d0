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
            let (s, written) = try await DemoCluster.start(scenarios: try Scenario.parse(scenario), speed: speed, jobRunner: ResticJobRunner.detect(), kubeconfigPath: nil)
            demoKubeconfig = written
            target = KubeTarget(kubeconfig: written.path, context: "demo", namespace: s.options.namespace)
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

        let (themes, startIndex) = await Self.themes(choosing: theme)

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
        let refreshInterval = refresh ?? config.refreshSeconds
        let wiring = DashboardWiring(executable: executable, config: config, target: target, kubectlTimeout: kube.timeout, refreshInterval: refreshInterval,
                                     proxy: !noProxy, environment: environment, clock: clock, sink: commandSink,
                                     commandFile: CommandLogFile(journal: journal))
        let context = target.context ?? KubeconfigContext.current(kubeconfig: target.kubeconfig, environment: environment) ?? "(current)"
        var state = AppState(width: 80, height: 24, context: context, namespace: target.namespace, refreshInterval: refreshInterval, now: clock())
        state.unicode = utf8
        state.themeIndex = startIndex
        state.readOnly = readOnly || config.readOnly
        state.version = BuildInfo.version
        let services = Services.live(runner: wiring.runner, refresher: wiring.refresher, journal: journal, version: BuildInfo.versionLine, clock: clock)
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
        await wiring.stop()
        commandSink.finish()
        Self.printExitNotes(final.exitNotes, journal: journal)
        if sim != nil { print("paperctl-tui: demo cluster stopped") }
    }
}
