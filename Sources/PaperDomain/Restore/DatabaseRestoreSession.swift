import Foundation
import PaperKube
import Synchronization

// MARK: - DatabaseRestoreSession

/// `restore db`: point-in-time recovery into a NEW cluster. The timeline is the wizard's read
/// (`databaseTimeline`), the check is the one server dry run, and the create and the wait are
/// the plan runner's `recoverCluster` step under the restore Lease.
public struct DatabaseRestoreSession: Sendable {
    public struct Request: Sendable, Equatable {
        /// `--to` as typed: latest, a time, or backup:NAME.
        public var to: String
        public var name: String?
        public var planOnly: Bool
        public var yes: Bool
        public var wait: Bool

        public init(to: String, name: String? = nil, planOnly: Bool = false, yes: Bool = false, wait: Bool = false) {
            self.to = to
            self.name = name
            self.planOnly = planOnly
            self.yes = yes
            self.wait = wait
        }
    }

    public var toolkit: RestoreToolkit
    public let runner: RestorePlanRunner

    public init(toolkit: RestoreToolkit) {
        self.toolkit = toolkit
        self.runner = toolkit.planRunner
    }

    var target: KubeTarget { toolkit.executor.target }

    /// The point parsed, the live cluster's timeline read: nil after saying why not.
    static func timeline(_ toolkit: RestoreToolkit, to: String, out: RestoreSessionOutput) async -> (RestorePoint, DatabaseTimeline)? {
        let point: RestorePoint
        do {
            point = try RestorePoint.parse(to, now: toolkit.executor.now())
        } catch {
            out(.fail("--to: \(error.description)"))
            return nil
        }
        switch await toolkit.databaseTimelineWithoutFiles(config: toolkit.executor.config) {
        case .timeline(let t): return (point, t)
        case .failed(let m):
            out(.fail(m))
            return nil
        }
    }

    /// The window and where the point falls in it, as the operator typed it.
    /// `notes`: said here (the database alone), or in the plan's text (both).
    static func sayPoint(_ plan: DatabaseRestorePlan, to: String, notes: Bool = true, out: RestoreSessionOutput) {
        out(.say("Recoverability window: \(plan.window.text) (\(plan.window.source))"))
        // A time typed in a zone is shown back in it, UTC beside it; UTC alone with the local time where TZ is set.
        let recoversTo = RestorePoint.echo(to, at: plan.recoveredTo) ?? UTCTime.withLocal(plan.recoveredTo)
        out(.say("Recovers to: \(recoversTo) (the database: exact, inside the window)" + (plan.target.map { "; target \($0)" } ?? "; all archived WAL")))
        if notes { for note in plan.notes { out(.say("note: \(note)")) } }
    }

    public func run(_ request: Request, out: @escaping RestoreSessionOutput) async -> RestoreSessionEnd {
        guard let (point, timeline) = await Self.timeline(toolkit, to: request.to, out: out) else { return .notStarted }
        let restorePlan: DatabaseRestorePlan
        do {
            restorePlan = try DatabaseRestore.plan(point, clusterJSON: timeline.clusterJSON, cluster: timeline.cluster, backups: timeline.backups,
                                                   objectStores: timeline.objectStores, namespace: target.namespace, name: request.name, now: toolkit.executor.now())
        } catch {
            out(.fail("refused: \(error.description)"))
            return .notStarted
        }
        let live = timeline.cluster.metadata.name
        Self.sayPoint(restorePlan, to: request.to, out: out)
        out(.say("New cluster \(restorePlan.name) (the live cluster \(live) is not touched):"))
        out(.say(restorePlan.yaml))
        if request.planOnly { return .done }
        switch await toolkit.dryRun(restorePlan.json) {
        case .done: out(.say("kubectl create --dry-run=server: accepted"))
        case .failed(let why):
            out(.fail("\(why); nothing was created"))
            return .notStarted
        case .unknown(let why):
            out(.fail("the dry run could not run: \(why); nothing was created"))
            return .notStarted
        }
        guard request.yes else {
            out(.fail("add --yes to create \(restorePlan.name) (or --plan to see it only); nothing was created"))
            return .notStarted
        }
        let step = {
            var step = DatabaseRestore.recoverStep(restorePlan, target: target)
            step.dryRunDone = true  // accepted just above: one dry run per create
            return step
        }()
        let started = Box(0.0)
        let ended = Box("")
        let last = ChangedLine()
        let result = await runner.run([step], what: "restore db into new cluster \(restorePlan.name), to \(restorePlan.target ?? "latest") (CLI)",
                                      detach: request.wait ? nil : RestorePlanRunner.Detach(handOverSeconds: nil)) { event in
            switch event {
            case .stepStarted:
                out(.say("Running: \(step.command?.displayLine ?? "") <<'EOF' (the manifest above) EOF"))
                out(.journal("restore db confirmed (CLI): new cluster \(restorePlan.name) to \(restorePlan.target ?? "latest"), \(restorePlan.journalPoint)"))
                started.set(toolkit.executor.now())
            case .progress(_, let p):
                if p.leaseLost {
                    out(.fail(p.text))
                    out(.journal(p.text))
                } else if !p.text.hasPrefix("running: "), last.changed(p.text) {
                    out(.say("  \(p.text)"))
                }
            case .leaseNote(let note):
                out(.fail(note))
            case .stepEnded(_, let outcome):
                out(.journal("restore db: \(outcome.message)"))
                ended.set(outcome.message)
            }
        }
        switch result {
        case .detached:
            out(.say("created; not waiting (use --wait). Follow it: \(KubectlCommand(arguments: target.connectionArguments + ["get", "cluster", restorePlan.name, "-n", target.namespace, "-w"]).displayLine)"))
            return .done
        case .finished:
            out(.say("\(ended.value) in \(UTCTime.humanDuration(toolkit.executor.now() - started.value)) (the RTO); recovered to \(UTCTime.rfc3339(restorePlan.recoveredTo))"))
            let cutover = await Self.cutover(toolkit, newName: restorePlan.name, live: live)
            out(.say("Cutover (the tool does none of it):"))
            for line in cutover { out(.say(line)) }
            out(.journal("restore db: cutover, yours to run:\n" + cutover.joined(separator: "\n")))
            return .done
        case .stopped(_, .failed(let message), _):
            out(.fail("the recovery of \(restorePlan.name) failed: \(message)"))
            return .failed
        case .stopped(_, let outcome, _):
            out(.fail(outcome.message))
            return .unknown
        default:
            return RestorePlanRunner.sayStop(result, [step], out) ?? .notStarted
        }
    }

    /// The cutover steps, numbered: Argo CD named when it manages the app (read now).
    static func cutover(_ toolkit: RestoreToolkit, newName: String, live: String) async -> [String] {
        let config = toolkit.executor.config
        let target = toolkit.executor.target
        let argo = (try? await toolkit.executor.runner.output(of: KubectlCommand(arguments: target.globalArguments + ["get", "deployments.apps", config.app.deployment, "-o", "json"])))
            .map { String(decoding: $0, as: UTF8.self).contains("argocd.argoproj.io") } ?? false
        return DatabaseRestore.cutover(newName: newName, live: live, target: target, argoManaged: argo, deployment: config.app.deployment)
            .enumerated().map { "  \($0.offset + 1). \($0.element)" }
    }
}

// MARK: - Small state for the event callbacks

/// A value the event callbacks set and the session reads after.
final class Box<Value: Sendable>: Sendable {
    private let stored: Mutex<Value>
    init(_ value: Value) { stored = Mutex(value) }
    func set(_ value: Value) { stored.withLock { $0 = value } }
    var value: Value { stored.withLock { $0 } }
}

/// Says a progress line only when it changed.
final class ChangedLine: Sendable {
    private let last = Mutex("")

    func changed(_ text: String) -> Bool {
        last.withLock { last in
            guard text != last else { return false }
            last = text
            return true
        }
    }
}
