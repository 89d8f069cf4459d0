import ArgumentParser
import Foundation
import PaperDomain
import PaperKube
import PaperTerminal
import PaperUI
import SimCluster

// MARK: - DashboardCommand

/// The default command: the incident dashboard. Without a cluster it runs against the built-in demo.
struct DashboardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dashboard",
        abstract: "The incident dashboard (default). Without a kubeconfig it starts the built-in demo cluster.",
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

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let config: PaperConfig
        do {
            config = try ConfigLoader.load(explicitPath: kube.config)
        } catch {
            throw ValidationError("config refused: \(error.description)")
        }
        var target = kube.cluster.target(config)
        var sim: SimulatedCluster?
        if demo || !scenario.isEmpty || Self.noClusterConfigured(kube, environment: environment) {
            let s = try await SimulatedCluster.start(scenarios: try Scenario.parse(scenario), port: 0, speed: speed, jobRunner: ResticJobRunner.detect())
            let path = "\(NSTemporaryDirectory())paperctl-demo-\(s.port).kubeconfig"
            try s.kubeconfig().write(toFile: path, atomically: true, encoding: .utf8)
            target = KubeTarget(kubeconfig: path, context: "demo", namespace: s.options.namespace)
            sim = s
        }
        defer { if let sim { Task { await sim.stop() } } }

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
            throw ValidationError(error.description)
        }
        let (commandMessages, commandSink) = AsyncStream<Msg>.makeStream(bufferingPolicy: .bufferingNewest(500))
        let runner = RecordingRunner(base: KubectlRunner(executable: executable, timeout: kube.timeout ?? config.timeoutSeconds)) { record in
            commandSink.yield(.commandRan(record))
        }
        let discovery = DiscoveryCache(directory: DiscoveryCache.defaultDirectory())
        let fetchTarget = target
        // The app log is followed once, not re-read on every refresh.
        let logFeed = AppLogFeed(streamer: runner, config: config, target: target)
        logFeed.start()
        defer { logFeed.stop() }
        let refresher: TerminalApp.Refresher = {
            let fetcher = SnapshotFetcher(runner: runner, config: config, target: fetchTarget, discovery: discovery, clock: { Date().timeIntervalSince1970 },
                                          logFeed: logFeed)
            let snapshot = await fetcher.fetch()
            if let error = DashboardRefresh.fatalError(in: snapshot) { return .failure(error) }
            let now = Date().timeIntervalSince1970
            let checks = HealthChecks.run(snapshot, config: config, now: now)
            return .success(DashboardData(checks: checks, takenAt: snapshot.takenAt, facts: PanelFacts.rows(from: snapshot, config: config, now: now),
                                          actions: ActionContext.from(snapshot, config: config, globalArguments: fetchTarget.globalArguments),
                                          logSources: LogSource.from(snapshot, config: config)))
        }
        let context = target.context ?? KubeconfigContext.current(kubeconfig: target.kubeconfig, environment: environment) ?? "(current)"
        var state = AppState(width: 80, height: 24, context: context, namespace: target.namespace, refreshInterval: refresh ?? config.refreshSeconds, now: Date().timeIntervalSince1970)
        state.unicode = utf8
        state.themeIndex = startIndex
        state.readOnly = readOnly || config.readOnly
        let journalPath = Journal.path(environment: environment, now: Date().timeIntervalSince1970)
        let executors = TerminalApp.Executors(
            runAction: { plan in
                do {
                    let out = try await runner.run(plan.command)
                    let text = out.succeeded ? String(decoding: out.stdout, as: UTF8.self) : out.stderr
                    let line = text.split(separator: "\n").first.map(String.init) ?? (out.succeeded ? "done" : "exit \(out.exitStatus)")
                    return ActionOutcome(plan: plan, succeeded: out.succeeded, message: Redactor.redact(line))
                } catch {
                    return ActionOutcome(plan: plan, succeeded: false, message: Redactor.redact("\(error)"))
                }
            },
            appendJournal: { text in JournalFile.append(text, to: journalPath) },
            readJournal: { JournalFile.read(journalPath) },
            streamLogs: { request, deliver in
                switch await runner.follow(KubectlCommand(arguments: request.arguments), deliver: deliver) {
                case .ended: "ended"
                case .cancelled: "closed"
                case .failed(let error): Redactor.redact(error.description)
                }
            }
        )
        // For the benchmark: the wall-clock time of the first frame, written to a file.
        let frameFile = environment["PAPERCTL_FIRST_FRAME_FILE"]
        let firstFrameWritten = FirstFrame()
        let onFrame: @Sendable (Double) -> Void = { at in
            guard let frameFile, firstFrameWritten.claim() else { return }
            try? String(format: "%.6f\n", at).write(toFile: frameFile, atomically: true, encoding: .utf8)
        }
        let app = TerminalApp(state: state, themes: themes, environment: environment, clock: { Date().timeIntervalSince1970 }, refresher: refresher, executors: executors,
                              messages: commandMessages, onFrame: onFrame)
        await app.run()
        commandSink.finish()
        if FileManager.default.fileExists(atPath: journalPath) { print("paperctl-tui: incident journal: \(journalPath)") }
        if sim != nil { print("paperctl-tui: demo cluster stopped") }
    }
}

// MARK: - DashboardRefresh

enum DashboardRefresh {
    /// A refresh that read nothing at all (credentials, network, timeout, no kubectl) is a failure:
    /// the dashboard keeps its last data and shows a banner instead of turning every panel unknown.
    static func fatalError(in snapshot: Snapshot) -> RefreshError? {
        guard let error = snapshot.whyUnreadable(.pod) else { return nil }
        switch error {
        case .unauthorized(let d): return RefreshError(kind: .unauthorized, message: d)
        case .unreachable(let d): return RefreshError(kind: .unreachable, message: d)
        case .timeout: return RefreshError(kind: .timeout, message: error.description)
        case .notInstalled: return RefreshError(kind: .other, message: error.description)
        default: return nil
        }
    }
}

import Synchronization

/// Lets the first-frame hook run once.
final class FirstFrame: Sendable {
    private let done = Atomic<Bool>(false)
    func claim() -> Bool { !done.exchange(true, ordering: .relaxed) }
}

// MARK: - RecordingRunner

/// Wraps the kubectl runner so every command run, followed ones included, is reported to the command log.
struct RecordingRunner: CommandRunning, CommandStreaming {
    let base: KubectlRunner
    let report: @Sendable (CommandRecord) -> Void

    func run(_ command: KubectlCommand) async throws(KubectlError) -> CommandOutput {
        let started = Date().timeIntervalSince1970
        let isAction: Bool
        let title: String?
        switch command.logPolicy {
        case .backgroundRead: isAction = false; title = nil
        case .action(let t): isAction = true; title = t
        }
        let line = Redactor.redact(command.displayLine)
        do {
            let out = try await base.run(command)
            report(CommandRecord(startedAt: started, duration: out.duration, commandLine: line, exitStatus: out.exitStatus, isAction: isAction, title: title))
            return out
        } catch {
            report(CommandRecord(startedAt: started, duration: Date().timeIntervalSince1970 - started, commandLine: line + "  (\(error.code))", exitStatus: nil, isAction: isAction, title: title))
            throw error
        }
    }

    /// Follows through the base runner; the command log gets a line when the stream starts and one when it ends.
    func follow(_ command: KubectlCommand, deliver: @escaping @Sendable ([String]) -> Void) async -> FollowEnd {
        let started = Date().timeIntervalSince1970
        report(CommandRecord(startedAt: started, duration: 0, commandLine: Redactor.redact(command.displayLine), exitStatus: nil, isAction: false, title: "following"))
        let end = await base.follow(command, deliver: deliver)
        let how = switch end {
        case .ended: "ended"
        case .cancelled: "closed"
        case .failed(let error): error.code
        }
        report(CommandRecord(startedAt: started, duration: Date().timeIntervalSince1970 - started, commandLine: Redactor.redact(command.displayLine),
                             exitStatus: nil, isAction: false, title: "followed (\(how))"))
        return end
    }
}

// MARK: - JournalFile

/// Today's append-only incident journal (Markdown), redacted line by line.
enum JournalFile {
    static func append(_ text: String, to path: String) {
        let fm = FileManager.default
        let dir = (path as NSString).deletingLastPathComponent
        try? fm.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        var entry = Journal.entry(text)
        if !fm.fileExists(atPath: path) {
            entry = "# paperctl incident journal \((path as NSString).lastPathComponent.replacingOccurrences(of: ".md", with: ""))\n\n" + entry
            _ = fm.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600])
        }
        guard let handle = FileHandle(forWritingAtPath: path) else { return }
        defer { try? handle.close() }
        _ = try? handle.seekToEnd()
        try? handle.write(contentsOf: Data(entry.utf8))
    }

    static func read(_ path: String) -> [String] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return ["No journal entries yet today (\(path))."] }
        return ["\(path)", ""] + text.split(separator: "\n", omittingEmptySubsequences: false).suffix(5000).map(String.init)
    }
}
