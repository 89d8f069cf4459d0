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
            restorePlan = try DatabaseRestore.plan(point, timeline: timeline, namespace: target.namespace, name: request.name, now: toolkit.executor.now())
        } catch {
            out(.fail("refused: \(error.description)"))
            return .notStarted
        }
        let live = timeline.cluster.metadata.name
        Self.sayPoint(restorePlan, to: request.to, out: out)
        Self.sayCarryOver(restorePlan, target: target, afterRecovery: request.wait || request.planOnly, out: out)
        // The manifest last: it is what a GitOps repository gets, and what --plan ends with.
        out(.say("New cluster \(restorePlan.name) (the live cluster \(live) is not touched):"))
        out(.say(restorePlan.yaml))
        if request.planOnly { return .done }
        let missing = await toolkit.credentialsPreflight(restorePlan.credentials)
        if !missing.isEmpty {
            out(.fail("RBAC: the owner's credentials cannot be carried over: missing \(missing.joined(separator: "; ")); nothing was created"))
            return .notStarted
        }
        guard await Self.dryRun(toolkit, restorePlan.json, out: out) else { return .notStarted }
        guard request.yes else {
            out(.fail("add --yes to create \(restorePlan.name) (or --plan to see it only); nothing was created"))
            return .notStarted
        }
        let steps = restorePlan.steps(target: target).map { step in
            var step = step
            if case .recoverCluster = step.kind { step.dryRunDone = true }  // accepted just above: one dry run per create
            return step
        }
        let recoverIndex = steps.firstIndex { if case .recoverCluster = $0.kind { true } else { false } } ?? 0
        let started = Box(0.0)
        let recovered = Box(0.0)
        let ended = Box("")
        let last = ChangedLine()
        let result = await runner.run(steps, what: "restore db into new cluster \(restorePlan.name), to \(restorePlan.target ?? "latest") (CLI)",
                                      detach: request.wait ? nil : RestorePlanRunner.Detach(handOverSeconds: nil)) { event in
            switch event {
            case .stepStarted(let i, let step):
                if i == recoverIndex {
                    out(.say("Running: \(step.command?.displayLine ?? "") <<'EOF' (the manifest above) EOF"))
                    out(.journal("restore db confirmed (CLI): new cluster \(restorePlan.name) to \(restorePlan.target ?? "latest"), \(restorePlan.journalPoint)"))
                    started.set(toolkit.executor.now())
                } else {
                    out(.say("Step \(i + 1)/\(steps.count): \(step.title)"))
                    out(.journal("restore db step \(i + 1) started: \(step.title)"))
                }
            case .progress(_, let p):
                if p.leaseLost {
                    out(.fail(p.text))
                    out(.journal(p.text))
                } else if !p.text.hasPrefix("running: "), last.changed(p.text) {
                    out(.say("  \(p.text)"))
                }
            case .leaseNote(let note):
                out(.fail(note))
            case .stepEnded(let i, let outcome):
                out(.journal("restore db: \(outcome.message)"))
                if i == recoverIndex {
                    ended.set(outcome.message)
                    recovered.set(toolkit.executor.now())
                } else if outcome.succeeded {
                    out(.say("  done: \(outcome.message)"))
                }
            }
        }
        switch result {
        case .detached:
            out(.say("created; not waiting (use --wait). Follow it: \(KubectlCommand(arguments: target.connectionArguments + ["get", "cluster", restorePlan.name, "-n", target.namespace, "-w"]).displayLine)"))
            if restorePlan.rearm != nil {
                out(.say("its backups are NOT re-armed yet (no ScheduledBackup, no first Backup): they need the cluster healthy; run the restore with --wait to have them made"))
            }
            return .done
        case .finished:
            out(.say("\(ended.value) in \(UTCTime.humanDuration(recovered.value - started.value)) (the RTO); recovered to \(UTCTime.rfc3339(restorePlan.recoveredTo))"))
            if let rearm = restorePlan.rearm {
                out(.say("Backups re-armed: serverName \(rearm.serverName), first Backup \(rearm.firstBackupName) completed" + (rearm.scheduledBackupName.map { ", ScheduledBackup \($0)" } ?? "")))
            }
            let cutover = await Self.cutover(toolkit, newName: restorePlan.name, live: live, credentials: restorePlan.credentials)
            out(.say("Cutover (the tool does none of it):"))
            for line in cutover { out(.say(line)) }
            out(.journal("restore db: cutover, yours to run:\n" + cutover.joined(separator: "\n")))
            return .done
        case .stopped(let i, .failed(let message), _) where i == recoverIndex:
            out(.fail("the recovery of \(restorePlan.name) failed: \(message)"))
            return .failed
        case .stopped(let i, .failed(let message), _):
            out(.fail("step \(i + 1) (\(steps[i].title)) failed: \(message)"))
            return .failed
        case .stopped(_, let outcome, _):
            out(.fail(outcome.message))
            return .unknown
        default:
            return RestorePlanRunner.sayStop(result, steps, out) ?? .notStarted
        }
    }

    /// What is carried over, for the plan: the credentials Secret (name and keys, never values)
    /// and the new cluster's backups (its serverName, the ScheduledBackup to create).
    /// `afterRecovery`: the steps after the new cluster is healthy run (with --wait), so they are shown.
    static func sayCarryOver(_ plan: DatabaseRestorePlan, target: KubeTarget, afterRecovery: Bool, out: RestoreSessionOutput) {
        // Every step beside the new cluster, with what it creates (the password only as where it comes from).
        let all = plan.steps(target: target)
        let recover = all.firstIndex { if case .recoverCluster = $0.kind { true } else { false } } ?? all.count
        let steps = afterRecovery ? all : Array(all.prefix(recover + 1))
        if !afterRecovery, plan.rearm != nil {
            out(.say("note: without --wait the new cluster's backups are NOT re-armed (its ScheduledBackup and first Backup need it healthy): use --wait"))
        }
        for (i, step) in steps.enumerated() {
            if case .recoverCluster = step.kind { continue }
            out(.say("Step \(i + 1)/\(steps.count): \(step.title)"))
            if let line = step.commandLine { out(.say("  " + line.replacingOccurrences(of: "\n", with: "\n  "))) }
        }
    }

    /// The server's dry run of a new cluster's manifest, said: true when accepted (the wizard
    /// asks it before `y` too, so nothing is created that the server would refuse).
    static func dryRun(_ toolkit: RestoreToolkit, _ json: String, out: RestoreSessionOutput) async -> Bool {
        switch await toolkit.dryRun(json) {
        case .done:
            out(.say("kubectl create --dry-run=server: accepted"))
            return true
        case .failed(let why):
            out(.fail("\(why); nothing was created"))
        case .unknown(let why):
            out(.fail("the dry run could not run: \(why); nothing was created"))
        }
        return false
    }

    /// The cutover steps, numbered: Argo CD named when it manages the app (read now).
    static func cutover(_ toolkit: RestoreToolkit, newName: String, live: String, credentials: RecoveryCredentials? = nil) async -> [String] {
        let config = toolkit.executor.config
        let target = toolkit.executor.target
        let argo = (try? await toolkit.executor.runner.output(of: KubectlCommand(arguments: target.globalArguments + ["get", "deployments.apps", config.app.deployment, "-o", "json"])))
            .map { String(decoding: $0, as: UTF8.self).contains("argocd.argoproj.io") } ?? false
        return DatabaseRestore.cutover(newName: newName, live: live, target: target, argoManaged: argo, deployment: config.app.deployment, credentials: credentials)
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
