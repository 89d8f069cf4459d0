import Foundation
import PaperDomain
import PaperKube

// MARK: - RestoreWizardState

/// The guided file restore: what to restore, a preflight checklist, a snapshot, the scope, the
/// target, the whole plan, then the steps as they run. Every step shows what it will run; Esc
/// steps back; nothing that writes to the volume runs before the plan was shown and confirmed
/// (`y`, and the namespace typed for in place). The listing Jobs are the only writes before that.
public struct RestoreWizardState: Sendable, Equatable {
    public enum Kind: Int, Sendable, Equatable, CaseIterable {
        case files, database, both, drill, databaseDrill
        /// `u` on the dashboard: the preflight, then `restic unlock` (not a choice of the first step).
        case unlock

        /// What the first step offers, in order (the raw value is the row).
        public static let choices: [Kind] = [.files, .database, .both, .drill, .databaseDrill]

        var label: String {
            switch self {
            case .files: "Files: the data volume, from a restic snapshot"
            case .database: "Database: point-in-time recovery into a new CNPG cluster"
            case .both: "Both, on one restore point"
            case .drill: "Files drill: prove the newest snapshot restores (into an emptyDir with --verify; nothing live is touched)"
            case .databaseDrill: "Database drill: recover the newest point into a scratch cluster and time it (the RTO); nothing live is touched"
            case .unlock: "restic unlock: remove a stale repository lock"
            }
        }
    }

    public enum Step: Int, Sendable, Equatable, CaseIterable {
        case choose, preflight, snapshots, scope, target, plan, running, finished
        /// The database path: the restore-point timeline, then the new cluster's manifest.
        case timeline, dbPlan

        var title: String {
            switch self {
            case .choose: "What"
            case .preflight: "Preflight"
            case .snapshots: "Snapshot"
            case .scope: "Scope"
            case .target: "Target"
            case .plan: "Plan"
            case .running: "Run"
            case .finished: "Done"
            case .timeline: "Restore point"
            case .dbPlan: "New cluster"
            }
        }
    }

    /// Which text field has the keys.
    public enum Entry: Sendable, Equatable { case none, path, namespace, skipReason, time, cleanupNamespace, removeAllNamespace }

    /// How a plan step stands while the plan runs.
    public enum StepState: Sendable, Equatable {
        case pending
        case running(since: Double)
        case done(String, seconds: Double)
        case failed(String, seconds: Double)
        case unknown(String, seconds: Double)
    }

    public var facts: ActionFacts
    public var step: Step = .choose
    public var history: [Step] = []
    /// The cursor in the step's list.
    public var selection = 0
    /// Lines scrolled in the plan and the run.
    public var scroll = 0
    /// A task (listing, unlock, plan step) is running under this generation; other results are late.
    public var taskGeneration: Int?
    public var busy: String?
    public var progress: String?
    public var fraction: Double?
    /// The answer to the last key that could not act, or what just happened.
    public var message: String?

    public var preflight: RestorePreflight?
    public var cronJob: Data?
    public var unlockOffered = false
    /// The unlock Job offered, built once: the Job shown is the Job that runs.
    public var unlockJob: ResticJob?
    /// The Job whose `restic unlock` succeeded: the Done screen offers `b` to prove it.
    public var unlockedBy: String?
    /// The holder of the lock the unlock failed on, and whether its pod exists.
    public var lockHolder: ResticLockHolder?
    /// `restic unlock --remove-all`, offered once the holder is known to be gone (typed namespace).
    public var removeAllJob: ResticJob?
    public var snapshots: [ResticSnapshot] = []
    public var version: ResticVersion?
    public var listingFailure: String?
    public var kind: Kind = .files
    /// The directory being browsed (relative to the snapshot's root) and its entries.
    public var browse = ""
    public var files: [ResticNode]?
    public var filesFailure: String?
    /// The browsed directory on the live volume (the listing Job's `find`), to show what is missing live.
    public var live: LiveListing?
    /// The browser shows only the entries the snapshot has and the live volume lacks.
    public var missingOnly = false
    /// What the chosen path selects in the snapshot (`restic ls --recursive` counted), for the plan.
    public var match: PathMatch?
    /// The snapshot id and path `match` was counted for.
    public var matchFor: String?
    public var picking = false
    public var snapshot: ResticSnapshot?
    public var path: String?
    public var target: FileRestoreRequest.Target = .sideBySide
    public var skipReason: String?
    public var plan: FileRestorePlan?
    public var planError: String?
    public var entry: Entry = .none
    public var draft = ""
    /// Why the last typed answer was refused: shown next to the prompt, the answer kept for
    /// editing, until an answer is accepted or the prompt is left.
    public var entryError: String?
    /// The restore point as typed (`2026-12-06 09:00 Europe/Berlin`), echoed in its own zone.
    public var typedPoint: String?
    public var stepStates: [StepState] = []
    // The database path.
    public var timeline: DatabaseTimeline?
    public var timelineFailure: String?
    public var point: RestorePoint?
    public var dbPlan: DatabaseRestorePlan?
    public var dbPlanError: String?
    /// The server's dry run of the manifest: nil while it runs.
    public var dryRun: RestoreExecutor.Outcome?
    public var dbOutcome: RestoreExecutor.Outcome?
    public var confirmAbort = false
    /// The database drill's result, and what became of its scratch cluster's deletion.
    public var dbDrill: DatabaseDrillResult?
    public var cleanup: RestoreExecutor.Outcome?
    public var recovery: [String] = []

    public init(facts: ActionFacts) {
        self.facts = facts
    }

    /// What the journal and the screen call the choice so far.
    var choiceText: String {
        "snapshot \(snapshot?.shortID ?? "?"), \(path.map { "/\($0)" } ?? "everything"), \(target.rawValue)" + (skipReason.map { "; safety backup skipped: \($0)" } ?? "")
    }

    /// The plan is running a step (for the database: the new cluster is being created and followed).
    public var isRunning: Bool {
        step == .running && (stepStates.contains { if case .running = $0 { true } else { false } } || ((kind == .database || kind == .databaseDrill) && busy != nil))
    }

    /// The steps of this kind of restore, for the step bar; on the first step, those of the
    /// highlighted choice.
    public var steps: [Step] {
        let kind = step == .choose ? Kind(rawValue: selection) ?? self.kind : self.kind
        return switch kind {
        case .database: [.choose, .timeline, .dbPlan, .running]
        case .databaseDrill: [.choose, .dbPlan, .running]
        case .unlock: [.preflight]
        case .both: [.choose, .timeline, .plan, .running]
        case .files, .drill: [.choose, .preflight, .snapshots, .scope, .target, .plan, .running]
        }
    }
}

// MARK: - RestoreTask

/// Work the wizard asks the effect runner to do; the answer comes back as `.restoreFinished`
/// with the same generation, progress as `.restoreProgress`.
public enum RestoreTask: Sendable, Equatable {
    case preflight(ActionFacts)
    case listSnapshots(cronJob: Data)
    case listFiles(cronJob: Data, snapshot: ResticSnapshot, directory: String)
    /// How many files the chosen path selects in the snapshot (the plan shows it; 0 is refused).
    case matchPath(cronJob: Data, snapshot: ResticSnapshot, path: String)
    case drill(cronJob: Data, scratchLimit: String?)
    case dbTimeline(ActionFacts)
    /// The window and the Backups only: a drill needs no file snapshots, and read-only lists
    /// none (the listing is a Job).
    case dbDrillTimeline(ActionFacts)
    case dbDrill(DatabaseRestorePlan)
    case dbDrillCleanup(name: String)
    case dbDryRun(json: String)
    case dbCreate(json: String, name: String)
    /// `restic unlock` (or `--remove-all`): the Job built when it was offered.
    case unlock(ResticJob)
    /// Two operators at once: the restore Lease, taken before the first write and given back after.
    case acquireLease(what: String)
    case releaseLease
    case step(RestoreStep, index: Int)
}

/// What a `RestoreTask` came to.
public enum RestoreTaskResult: Sendable, Equatable {
    case preflight(RestoreToolkit.PreflightResult)
    case snapshots(RestoreToolkit.SnapshotListing)
    case files(RestoreToolkit.FileListing)
    case matched(RestoreToolkit.PathMatchResult)
    case unlocked(RestoreToolkit.UnlockResult)
    case drilled(RestoreToolkit.DrillResult)
    case timeline(DatabaseTimelineResult)
    case dryRun(RestoreExecutor.Outcome)
    case created(RestoreExecutor.Outcome)
    case dbDrilled(DatabaseDrillResult)
    case cleaned(RestoreExecutor.Outcome)
    case leased(refusal: String?)
    /// The Lease given back, or why it could not be (it then lapses on its own).
    case released(failure: String?)
    case step(index: Int, RestoreExecutor.Outcome)
}

// MARK: - RestoreWizardMode

enum RestoreWizardMode {
    /// `R` on the dashboard.
    static func open(_ state: inout AppState) -> ModeStep {
        guard let facts = state.data.data?.actions else {
            return ModeStep(.push(.dialog(DialogState(notice: "Restore", "No data yet: wait for the first refresh, then press R again."))))
        }
        var wizard = RestoreWizardState(facts: facts)
        wizard.message = "Pick what to restore. Nothing runs until you have seen the plan and confirmed it."
        if let lease = state.data.data?.othersRestore {
            wizard.message = "Another restore is running: \(RestoreLease.describe(lease, now: state.now)). A restore is refused until it ends; drills still run."
        }
        if state.readOnly {
            wizard.message = "Read-only: plan only. The reads run (the preflight, the restore point, the plan); nothing that writes runs: no Job, no dry run, no create. Each refused key is named."
        }
        return ModeStep(.push(.restore(wizard)), [.journal("- \(UTCTime.rfc3339(state.now)) restore wizard opened" + (state.readOnly ? " (read-only: plan only)" : ""))])
    }

    /// `u` on the dashboard, when the File backups check names a repository lock as the cause:
    /// the preflight (RBAC, the lock's evidence, active Jobs), then `restic unlock` confirmed.
    static func openUnlock(_ state: inout AppState) -> ModeStep {
        guard let data = state.data.data, let facts = data.actions else {
            return ModeStep(.push(.dialog(DialogState(notice: "restic unlock", "No data yet: wait for the first refresh, then press u again."))))
        }
        let cause = data.results(for: .fileBackups).first { $0.id == .fileBackups }?.cause
        guard cause?.kind == ResticDiagnosis.Cause.locked.rawValue else {
            let named = cause.map { " (it names: \($0.kind))" } ?? ""
            return ModeStep(.push(.dialog(DialogState(notice: "restic unlock",
                "u removes a stale restic lock when the File backups check names a repository lock as the cause of the failed backups; it names none\(named). Nothing was run."))))
        }
        var wizard = RestoreWizardState(facts: facts)
        wizard.kind = .unlock
        wizard.step = .preflight
        wizard.message = "Checking first: permissions, the lock, and whether a backup Job is active (its restic may hold the lock)."
        let preflight = runPreflight(&wizard, &state)
        return ModeStep(.push(.restore(wizard)), [.journal("- \(UTCTime.rfc3339(state.now)) restic unlock opened (cause: \(cause?.evidence ?? "?"))"), preflight])
    }

    static func update(_ w: inout RestoreWizardState, _ state: inout AppState, _ intent: Intent) -> ModeStep {
        if w.entry != .none { return typing(&w, &state, intent) }
        if w.unlockOffered { return unlockDialog(&w, &state, intent) }
        if w.confirmAbort { return abortDialog(&w, &state, intent) }
        w.message = nil
        switch intent {
        case .scroll(let how):
            move(&w, how)
            return .stay
        case .back:
            return back(&w, &state)
        case .submit:
            return next(&w, &state)
        case .confirm:
            return confirm(&w, &state)
        case .restoreUnlock:
            if let job = w.removeAllJob, w.busy == nil {
                // The holder is gone: --remove-all, behind the typed namespace.
                w.entry = .removeAllNamespace
                w.draft = ""
                w.message = "restic unlock --remove-all removes every lock, live ones too. This will run exactly: \(Self.createCommand(w)) (Job \(job.name): \(job.script))"
                return .stay
            }
            guard w.step == .preflight, w.preflight?.lock != nil else {
                w.message = "u removes a stale restic lock; the preflight found none."
                return .stay
            }
            guard w.preflight?.activeJobs.isEmpty ?? false else {
                w.message = "A backup Job is active (\(w.preflight?.activeJobs.joined(separator: ", ") ?? "")): its restic may hold the lock. Wait for it to end."
                return .stay
            }
            w.unlockOffered = true
            w.unlockJob = w.cronJob.flatMap { try? RestoreToolkit.unlockJob(cronJob: $0, now: state.now, namespace: w.facts.target.namespace) }
            return .stay
        case .fileBackup:
            // After a successful unlock the Done screen offers a backup to prove the repository is free.
            guard w.kind == .unlock, w.step == .finished, w.unlockedBy != nil else {
                w.message = "b starts a backup here only after a successful restic unlock; on the dashboard b starts one."
                return .stay
            }
            guard let request = ActionRequest.make(.fileBackup, state) else { return .stay }
            return ModeStep(.replace(.dialog(request.dialog(state))))
        case .restoreCleanup:
            guard w.kind == .databaseDrill, w.step == .finished, let drill = w.dbDrill, w.busy == nil else {
                w.message = "d deletes a database drill's scratch cluster, once the drill has finished."
                return .stay
            }
            if w.cleanup?.succeeded == true {
                w.message = "\(drill.cluster) is deleted already."
                return .stay
            }
            w.entry = .cleanupNamespace
            w.draft = ""
            return .stay
        case .restoreMissingLive:
            guard w.step == .scope, w.picking else {
                w.message = "m shows what the snapshot has and the live volume lacks, while browsing the snapshot's files."
                return .stay
            }
            guard w.live != nil else {
                w.message = "The live volume could not be listed for this directory: nothing to compare with."
                return .stay
            }
            w.missingOnly.toggle()
            w.selection = 0
            return .stay
        case .restoreTypePath:
            guard w.step == .scope else {
                w.message = "/ types a path on the Scope step."
                return .stay
            }
            w.entry = .path
            w.draft = w.path ?? ""
            return .stay
        case .restoreSkipSafety:
            guard w.step == .plan, w.target == .inPlace else {
                w.message = "s skips the safety backup of an in-place restore (with a reason)."
                return .stay
            }
            w.entry = .skipReason
            w.draft = w.skipReason ?? ""
            return .stay
        case .refresh:
            return retry(&w, &state)
        default:
            return .stay
        }
    }

    // MARK: Moving

    static func listCount(_ w: RestoreWizardState) -> Int {
        switch w.step {
        case .choose: RestoreWizardState.Kind.choices.count
        case .snapshots: w.snapshots.count
        case .scope: w.picking ? shownFiles(w).count + 1 : 3
        case .timeline: w.timeline.map { $0.backups.count + 2 } ?? 0
        case .dbPlan: 0
        case .target: FileRestoreRequest.Target.allCases.count
        case .preflight, .plan, .running, .finished: 0
        }
    }

    static func move(_ w: inout RestoreWizardState, _ how: Intent.Scroll) {
        let count = listCount(w)
        guard count > 0 else {
            // The plan and the run scroll their text.
            switch how {
            case .down: w.scroll += 1
            case .up: w.scroll = max(0, w.scroll - 1)
            case .pageDown: w.scroll += 10
            case .pageUp: w.scroll = max(0, w.scroll - 10)
            case .top: w.scroll = 0
            case .bottom: w.scroll = Int.max / 4
            }
            return
        }
        switch how {
        case .down: w.selection = min(count - 1, w.selection + 1)
        case .up: w.selection = max(0, w.selection - 1)
        case .pageDown: w.selection = min(count - 1, w.selection + 10)
        case .pageUp: w.selection = max(0, w.selection - 10)
        case .top: w.selection = 0
        case .bottom: w.selection = count - 1
        }
    }

    static func go(_ w: inout RestoreWizardState, to step: RestoreWizardState.Step, selection: Int = 0) {
        w.history.append(w.step)
        w.step = step
        w.selection = selection
        w.scroll = 0
    }

    /// Esc: one step back; on the first step it closes the wizard. While a step runs it asks.
    static func back(_ w: inout RestoreWizardState, _ state: inout AppState) -> ModeStep {
        if w.picking {
            // Up one directory, or out of the picker at the root.
            guard !w.browse.isEmpty, let cronJob = w.cronJob, let snapshot = w.snapshot else {
                w.picking = false
                w.selection = 2
                return .stay
            }
            let parent = w.browse.split(separator: "/").dropLast().joined(separator: "/")
            return ModeStep(.stay, [browse(&w, &state, cronJob, snapshot, parent)])
        }
        if w.isRunning {
            w.confirmAbort = true
            return .stay
        }
        if w.step == .finished || w.history.isEmpty {
            return ModeStep(.pop, [.journal("- \(UTCTime.rfc3339(state.now)) restore wizard closed at step \(w.step.title)")])
        }
        if w.step == .running {
            // The plan stopped (failed); going back is leaving.
            return ModeStep(.pop, [.journal("- \(UTCTime.rfc3339(state.now)) restore wizard closed after the plan stopped")])
        }
        w.taskGeneration = nil
        w.busy = nil
        w.step = w.history.removeLast()
        w.selection = 0
        w.scroll = 0
        return .stay
    }

    // MARK: Next

    static func next(_ w: inout RestoreWizardState, _ state: inout AppState) -> ModeStep {
        guard w.busy == nil else {
            w.message = "Wait for \(w.busy ?? "the task") to finish (Esc steps back)."
            return .stay
        }
        switch w.step {
        case .choose:
            let kind = RestoreWizardState.Kind(rawValue: w.selection) ?? .files
            if state.readOnly && kind == .both {
                return refuseReadOnly(&w, state, key: "Enter", would: "list the file snapshots in a Job (kubectl create -f -), which the plan for both needs; Database plans with reads alone")
            }
            if kind == .database || kind == .both {
                w.kind = kind
                go(&w, to: .timeline)
                w.timeline = nil
                if let fresh = state.data.data?.actions { w.facts = fresh }
                // Read-only lists no file snapshots: the listing is a Job.
                let read: RestoreTask = state.readOnly ? .dbDrillTimeline(w.facts) : .dbTimeline(w.facts)
                return ModeStep(.stay, [journal(state, "restore: \(kind == .both ? "database and files" : "database") chosen"),
                                        task(&w, &state, read, busy: state.readOnly ? "reading the recoverability window" : "reading the recoverability window and listing the file snapshots")])
            }
            if kind == .databaseDrill {
                w.kind = kind
                go(&w, to: .dbPlan)
                w.timeline = nil
                w.dbPlan = nil
                w.dbPlanError = nil
                w.dryRun = nil
                if let fresh = state.data.data?.actions { w.facts = fresh }
                return ModeStep(.stay, [journal(state, "restore: database drill chosen"),
                                        task(&w, &state, .dbDrillTimeline(w.facts), busy: "reading the recoverability window")])
            }
            w.kind = kind
            go(&w, to: .preflight)
            return ModeStep(.stay, [journal(state, "restore: \(kind == .drill ? "drill" : "files") chosen"), runPreflight(&w, &state)])
        case .preflight:
            guard let pre = w.preflight, let cronJob = w.cronJob else {
                w.message = "The preflight did not finish; r runs it again."
                return .stay
            }
            if w.kind == .unlock {
                offerUnlock(&w, state)
                return .stay
            }
            if pre.blocksEverything {
                w.message = pre.lock != nil ? "The repository is locked: u offers restic unlock." : "A critical line blocks the restore: fix it, then r runs the checks again."
                return .stay
            }
            if state.readOnly {
                return refuseReadOnly(&w, state, key: "Enter", would: w.kind == .drill ? "run the restore drill Job (kubectl create -f -)"
                                                                                  : "run the snapshot listing Job (kubectl create -f -), which the file plan needs; the preflight is shown")
            }
            if w.kind == .drill {
                let limit = w.facts.dataVolume?.claim.capacityBytes.map { "\($0)" }
                return ModeStep(.stay, [journal(state, "restore drill started"), task(&w, &state, .drill(cronJob: cronJob, scratchLimit: limit), busy: "the restore drill Job")])
            }
            go(&w, to: .snapshots)
            clearListing(&w)
            return ModeStep(.stay, [task(&w, &state, .listSnapshots(cronJob: cronJob), busy: "the snapshot listing Job")])
        case .snapshots:
            guard w.snapshots.indices.contains(w.selection) else {
                w.message = w.listingFailure == nil ? "No snapshot to pick." : "The listing failed; r lists again."
                return .stay
            }
            w.snapshot = w.snapshots[w.selection]
            w.path = nil
            w.files = nil
            w.browse = ""
            go(&w, to: .scope)
            return ModeStep(.stay, [journal(state, "restore: snapshot \(w.snapshots[w.selection].shortID) chosen")])
        case .scope:
            if w.picking {
                guard w.files != nil else { return .stay }
                let files = shownFiles(w)
                if w.selection == 0 {
                    // This directory (the root: everything).
                    w.path = w.browse.isEmpty ? nil : w.browse
                } else if files.indices.contains(w.selection - 1) {
                    let node = files[w.selection - 1]
                    if node.isDirectory, let cronJob = w.cronJob, let snapshot = w.snapshot {
                        return ModeStep(.stay, [browse(&w, &state, cronJob, snapshot, node.path)])
                    }
                    w.path = node.path
                } else {
                    return .stay
                }
                w.picking = false
                go(&w, to: .target)
                return ModeStep(.stay, [journal(state, "restore: path \(w.path.map { "/\($0)" } ?? "everything") picked")])
            }
            switch w.selection {
            case 0:
                w.path = nil
                go(&w, to: .target)
            case 1:
                w.entry = .path
                w.draft = w.path ?? ""
            default:
                guard let cronJob = w.cronJob, let snapshot = w.snapshot else { return .stay }
                if w.files != nil {
                    w.picking = true
                    w.selection = 0
                    return .stay
                }
                return ModeStep(.stay, [browse(&w, &state, cronJob, snapshot, "")])
            }
            return .stay
        case .target:
            let target = FileRestoreRequest.Target.allCases[min(w.selection, 1)]
            if target == .inPlace, w.preflight?.blocksInPlace ?? true {
                w.message = "In place needs the permission to scale \(w.facts.config.app.deployment) (the preflight says no): restore side by side."
                return .stay
            }
            w.target = target
            // Plan from the newest facts (replicas, free space, Jobs), not those of when the wizard opened.
            if let fresh = state.data.data?.actions { w.facts = fresh }
            go(&w, to: .plan)
            return ModeStep(.stay, [journal(state, "restore: target \(target.rawValue)")] + planOrCount(&w, &state))
        case .plan:
            w.message = w.target == .inPlace ? "y, then type the namespace, runs the plan." : "y runs the plan."
            return .stay
        case .running:
            return .stay
        case .finished:
            return ModeStep(.pop)
        case .timeline:
            guard let timeline = w.timeline else {
                w.message = w.timelineFailure ?? "Wait for the timeline."
                return .stay
            }
            if w.selection == timeline.backups.count + 1 {
                w.entry = .time
                w.draft = ""
                return .stay
            }
            let point: RestorePoint = w.selection == 0 ? .latest : .backup(timeline.backups[w.selection - 1].metadata.name)
            w.typedPoint = nil
            return choosePoint(&w, &state, point)
        case .dbPlan:
            w.message = w.kind == .databaseDrill ? "y creates the scratch cluster and times its recovery." : "y, then the namespace, creates the new cluster."
            return .stay
        }
    }

    /// The database path: plan the new cluster for `point` and ask the server for a dry run.
    static func choosePoint(_ w: inout RestoreWizardState, _ state: inout AppState, _ point: RestorePoint) -> ModeStep {
        guard let timeline = w.timeline else { return .stay }
        w.point = point
        w.dbPlan = nil
        w.dbPlanError = nil
        w.dryRun = nil
        if w.kind == .both {
            guard let cronJob = timeline.cronJob else {
                w.message = "The restic CronJob could not be read: the files cannot be restored with the database."
                return .stay
            }
            if let fresh = state.data.data?.actions { w.facts = fresh }
            do {
                let both = try BothRestore.plan(point, timeline: timeline, facts: w.facts, cronJob: cronJob, resticVersion: timeline.resticVersion, now: state.now)
                w.plan = both.steps
                w.dbPlan = both.database
                w.snapshot = both.snapshot
                w.target = .inPlace
                w.cronJob = cronJob
            } catch {
                w.message = "Refused: \(error.description)"
                return ModeStep(.stay, [journal(state, "restore both: point refused: \(error.description)")])
            }
            go(&w, to: .plan)
            return ModeStep(.stay, [journal(state, "restore both: point \(w.dbPlan?.target ?? "latest"), files from snapshot \(w.snapshot?.shortID ?? "?")")])
        }
        do {
            w.dbPlan = try DatabaseRestore.plan(point, clusterJSON: timeline.clusterJSON, cluster: timeline.cluster, backups: timeline.backups,
                                                objectStores: timeline.objectStores, namespace: state.namespace, now: state.now)
        } catch {
            w.dbPlanError = error.description
            w.message = "Refused: \(error.description)"
            return ModeStep(.stay, [journal(state, "restore db: point refused: \(error.description)")])
        }
        go(&w, to: .dbPlan)
        guard let plan = w.dbPlan else { return .stay }
        let chosen = journal(state, "restore db: point \(pointText(w, plan, state)) chosen")
        // Read-only sends no dry run: it is a create request, even if nothing is kept.
        if state.readOnly { return ModeStep(.stay, [chosen]) }
        return ModeStep(.stay, [chosen, task(&w, &state, .dbDryRun(json: plan.json), busy: "the server's dry run of the manifest")])
    }

    /// The entries the browser shows: all of the directory's, or only those missing live.
    static func shownFiles(_ w: RestoreWizardState) -> [ResticNode] {
        guard let files = w.files else { return [] }
        guard w.missingOnly, let live = w.live else { return files }
        return live.missing(files)
    }

    /// The key `match` is kept under: the snapshot and the path.
    static func matchKey(_ w: RestoreWizardState) -> String? {
        guard let snapshot = w.snapshot, let path = w.path else { return nil }
        return "\(snapshot.id):\(path)"
    }

    /// The plan, once the files the path matches are counted: a file picked from the listing is
    /// one file (the listing's own result); a directory or a typed path is counted by a
    /// `restic ls --recursive` Job first.
    static func planOrCount(_ w: inout RestoreWizardState, _ state: inout AppState) -> [Effect] {
        if let key = matchKey(w), w.matchFor != key {
            w.match = nil
            if let path = w.path, let node = w.files?.first(where: { $0.path == path && !$0.isDirectory }) {
                w.match = PathMatch(path: path, files: 1, bytes: node.size)
                w.matchFor = key
            } else if let cronJob = w.cronJob, let snapshot = w.snapshot, let path = w.path {
                w.plan = nil
                w.planError = nil
                return [task(&w, &state, .matchPath(cronJob: cronJob, snapshot: snapshot, path: path),
                             busy: "counting the files /\(path) matches in snapshot \(snapshot.shortID) (restic ls --recursive in a Job)")]
            }
        }
        makePlan(&w, state)
        return []
    }

    /// The plan for the choices so far (pure), or why not.
    static func makePlan(_ w: inout RestoreWizardState, _ state: AppState) {
        w.plan = nil
        w.planError = nil
        guard let snapshot = w.snapshot, let cronJob = w.cronJob else {
            w.planError = "no snapshot chosen"
            return
        }
        let needed: Int? = w.path == nil ? snapshot.totalBytes : w.files.map { nodes in
            nodes.filter { !$0.isDirectory && ($0.path == w.path || $0.path.hasPrefix((w.path ?? "") + "/")) }.reduce(0) { $0 + $1.size }
        }
        do {
            w.plan = try FileRestore.plan(FileRestoreRequest(snapshot: snapshot, path: w.path, target: w.target, skipSafetyBackup: w.skipReason, resticVersion: w.version),
                                          facts: w.facts, cronJob: cronJob, neededBytes: needed, now: state.now,
                                          match: w.matchFor != nil && w.matchFor == matchKey(w) ? w.match : nil)
        } catch {
            w.planError = error.description
        }
    }

    // MARK: Confirm and run

    static func confirm(_ w: inout RestoreWizardState, _ state: inout AppState) -> ModeStep {
        if w.step == .dbPlan {
            guard case .done? = w.dryRun, w.dbPlan != nil else {
                w.message = w.dryRun == nil ? "Wait for the server's dry run." : "The server rejected the manifest: nothing can be created."
                return .stay
            }
            if w.kind == .databaseDrill, let plan = w.dbPlan {
                // A scratch cluster beside the live one: nothing is overwritten, so y is the confirmation.
                go(&w, to: .running)
                return ModeStep(.stay, [journal(state, "database drill confirmed: create scratch cluster \(plan.name), recovering the newest point"),
                                        task(&w, &state, .dbDrill(plan), busy: "creating \(plan.name) and timing its recovery")])
            }
            w.entry = .namespace
            w.draft = ""
            return .stay
        }
        guard w.step == .plan, let plan = w.plan else {
            w.message = "y confirms the plan, on the Plan step."
            return .stay
        }
        if plan.needsTypedConfirmation {
            w.entry = .namespace
            w.draft = ""
            return .stay
        }
        return start(&w, &state, plan)
    }

    static func start(_ w: inout RestoreWizardState, _ state: inout AppState, _ plan: FileRestorePlan) -> ModeStep {
        go(&w, to: .running)
        w.stepStates = plan.steps.map { _ in .pending }
        w.recovery = []
        let effects = [journal(state, "restore confirmed: \(w.choiceText)" + (plan.needsTypedConfirmation ? " (namespace typed)" : "")),
                       task(&w, &state, .acquireLease(what: "restore \(w.kind == .both ? "database and files" : "files") \(w.target.rawValue): \(w.choiceText)"), busy: "taking the restore Lease")]
        return ModeStep(.stay, effects)
    }

    static func runStep(_ w: inout RestoreWizardState, _ state: inout AppState, _ index: Int) -> [Effect] {
        guard let plan = w.plan, plan.steps.indices.contains(index) else { return [] }
        let step = plan.steps[index]
        w.stepStates[index] = .running(since: state.now)
        w.recovery = plan.recovery(upTo: index)
        // If the dashboard is left or quit from here on, the way back is printed on exit.
        state.exitNotes = w.recovery.isEmpty ? [] : ["A restore was left at step \(index + 1) (\(step.title)). To get the app back:"] + w.recovery.map { "  \($0)" }
        return [journal(state, "restore step \(index + 1) started: \(step.title)" + (step.command.map { "\n  `\($0.displayLine)`" } ?? "")),
                task(&w, &state, .step(step, index: index), busy: step.title)]
    }

    static func clearListing(_ w: inout RestoreWizardState) {
        w.snapshots = []
        w.version = nil
        w.listingFailure = nil
    }

    static func task(_ w: inout RestoreWizardState, _ state: inout AppState, _ task: RestoreTask, busy: String) -> Effect {
        let generation = state.nextGeneration()
        w.taskGeneration = generation
        w.busy = busy
        w.progress = nil
        w.fraction = nil
        return .restore(task, generation: generation)
    }

    static func journal(_ state: AppState, _ text: String) -> Effect { .journal("- \(UTCTime.rfc3339(state.now)) \(text)") }

    /// The preflight, from the dashboard's newest facts.
    static func runPreflight(_ w: inout RestoreWizardState, _ state: inout AppState) -> Effect {
        if let fresh = state.data.data?.actions { w.facts = fresh }
        w.preflight = nil  // never show an earlier run's checklist as this one's
        return task(&w, &state, .preflight(w.facts), busy: "the preflight checks")
    }

    /// Lists one directory of the snapshot (a `restic ls` Job).
    static func browse(_ w: inout RestoreWizardState, _ state: inout AppState, _ cronJob: Data, _ snapshot: ResticSnapshot, _ directory: String) -> Effect {
        w.browse = directory
        w.files = nil
        w.live = nil
        w.filesFailure = nil
        return task(&w, &state, .listFiles(cronJob: cronJob, snapshot: snapshot, directory: directory), busy: "the file listing Job (restic ls /\(directory))")
    }

    static func retry(_ w: inout RestoreWizardState, _ state: inout AppState) -> ModeStep {
        guard w.busy == nil else { return .stay }
        switch w.step {
        case .preflight:
            w.unlockOffered = false
            w.lockHolder = nil
            w.removeAllJob = nil
            return ModeStep(.stay, [runPreflight(&w, &state)])
        case .snapshots:
            guard let cronJob = w.cronJob else { return .stay }
            clearListing(&w)
            return ModeStep(.stay, [task(&w, &state, .listSnapshots(cronJob: cronJob), busy: "the snapshot listing Job")])
        case .plan where w.plan == nil && w.path != nil:
            w.matchFor = nil
            return ModeStep(.stay, planOrCount(&w, &state))
        default:
            w.message = "r runs the preflight or the snapshot listing again, on those steps."
            return .stay
        }
    }

    // MARK: Read-only

    /// Read-only mode: the wizard reads and plans; a key that would write names what it would
    /// run, and nothing runs.
    static func refuseReadOnly(_ w: inout RestoreWizardState, _ state: AppState, key: String, would: String) -> ModeStep {
        let planShown = w.step == .plan || w.step == .dbPlan
        let text = "read-only: \(key) would \(would); \(planShown ? "the plan is shown, " : "")nothing was run."
        w.message = text
        return ModeStep(.stay, [journal(state, "restore wizard, \(text)")])
    }

    /// A dangerous key in the wizard under `--read-only`: what it would do, in the wizard's own words.
    static func readOnlyKey(_ w: inout RestoreWizardState, _ state: AppState, _ intent: Intent, key: String) -> ModeStep {
        w.message = nil
        let would: String
        switch intent {
        case .confirm:
            if let plan = w.dbPlan, w.step == .dbPlan {
                would = w.kind == .databaseDrill ? "create the scratch cluster \(plan.name) and time its recovery"
                                                 : "create the new cluster \(plan.name) from the backups (kubectl create -f -, after the namespace is typed)"
            } else if let plan = w.plan, w.step == .plan {
                would = "run the plan's \(plan.steps.count) steps" + (plan.needsTypedConfirmation ? " (after the namespace is typed)" : "")
            } else {
                would = "run the plan, on the plan step"
            }
        case .restoreUnlock: would = "run restic unlock in a Job"
        case .restoreCleanup: would = "delete the database drill's scratch cluster"
        default: would = "run what it names"
        }
        return refuseReadOnly(&w, state, key: key, would: would)
    }

    /// The database cutover, its commands aimed at this session's cluster (`--kubeconfig`/`--context`).
    static func cutoverSteps(_ w: RestoreWizardState, _ plan: DatabaseRestorePlan) -> [String] {
        let argo = w.facts.deployment?.metadata.annotations.keys.contains { $0.hasPrefix("argocd.argoproj.io") } ?? false
        return DatabaseRestore.cutover(newName: plan.name, live: w.facts.config.database.cluster, target: w.facts.target,
                                       argoManaged: argo, deployment: w.facts.config.app.deployment)
    }

    /// The restore point for the journal and the confirmation: as typed, in its own zone, else the plan's target.
    static func pointText(_ w: RestoreWizardState, _ plan: DatabaseRestorePlan, _ state: AppState) -> String {
        if let typed = w.typedPoint, let echo = RestorePoint.echo(typed, at: plan.recoveredTo) { return echo }
        guard let target = plan.target else { return "latest (about \(both(plan.recoveredTo, state)))" }
        if case .time = plan.point { return both(plan.recoveredTo, state) }
        return "\(target) (\(both(plan.recoveredTo, state)))"
    }

    // MARK: Dialogs inside the wizard

    static func unlockDialog(_ w: inout RestoreWizardState, _ state: inout AppState, _ intent: Intent) -> ModeStep {
        switch intent {
        case .confirm:
            w.unlockOffered = false
            guard let job = w.unlockJob else { return .stay }
            if state.readOnly {
                w.message = "Read-only mode: nothing is run."
                return .stay
            }
            return ModeStep(.stay, [journal(state, "restore: restic unlock confirmed: Job \(job.name) (\(job.script))"), task(&w, &state, .unlock(job), busy: "the restic unlock Job \(job.name)")])
        case .back:
            w.unlockOffered = false
            return ModeStep(.stay, [journal(state, "restore: restic unlock cancelled")])
        default:
            return .stay
        }
    }

    /// The unlock path: offer the dialog when the preflight found a lock and no backup Job is
    /// active; otherwise say why not.
    static func offerUnlock(_ w: inout RestoreWizardState, _ state: AppState) {
        guard let pre = w.preflight else { return }
        guard pre.lock != nil else {
            w.message = "The preflight finds no lock now (it may have been removed, or the newest failed backup's log is gone): nothing to unlock. r checks again."
            return
        }
        guard pre.activeJobs.isEmpty else {
            w.message = "A backup Job is active (\(pre.activeJobs.joined(separator: ", "))): its restic may still hold the lock, and restic unlock removes only stale ones. Wait for it to end, then r."
            return
        }
        guard w.cronJob != nil else {
            w.message = "The CronJob could not be read: the unlock Job is built from its template. r checks again."
            return
        }
        w.unlockOffered = true
        w.unlockJob = w.cronJob.flatMap { try? RestoreToolkit.unlockJob(cronJob: $0, now: state.now, namespace: w.facts.target.namespace) }
        w.message = nil
    }

    /// `kubectl … create -f - -n NS`: how the wizard's Jobs are created, with the connection flags.
    static func createCommand(_ w: RestoreWizardState) -> String {
        KubectlCommand(arguments: w.facts.target.connectionArguments + ["create", "-f", "-", "-n", w.facts.target.namespace]).displayLine
    }

    static func abortDialog(_ w: inout RestoreWizardState, _ state: inout AppState, _ intent: Intent) -> ModeStep {
        switch intent {
        case .back, .quit:
            // Leave: the running step goes on, nothing after it starts; the way back is on record.
            w.confirmAbort = false
            let text = "restore left while a step ran; to get back: " + (w.recovery.isEmpty ? "nothing to undo" : w.recovery.joined(separator: "; "))
            notify(&state, text)
            if intent == .quit {
                state.quitting = true
                return ModeStep(.pop, [journal(state, text), .quit])
            }
            return ModeStep(.pop, [journal(state, text)])
        case .submit, .confirm:
            w.confirmAbort = false
            return .stay
        default:
            return .stay
        }
    }

    /// Every destructive confirmation checks the typed namespace the same way: a wrong one runs
    /// nothing and says so next to the prompt, the typed text kept for editing.
    static func namespaceTyped(_ w: inout RestoreWizardState, _ state: AppState, _ text: String) -> Bool {
        guard text == state.namespace else {
            w.entryError = "\"\(text)\" is not the namespace: type \(state.namespace) exactly (Backspace edits), or Esc. Nothing was run."
            return false
        }
        w.entry = .none
        return true
    }

    static func typing(_ w: inout RestoreWizardState, _ state: inout AppState, _ intent: Intent) -> ModeStep {
        switch intent {
        case .type(let c):
            w.draft.append(c)
        case .erase:
            if !w.draft.isEmpty { w.draft.removeLast() }
        case .back:
            w.entry = .none
            w.draft = ""
            w.entryError = nil
        case .submit:
            let step = submitTyped(&w, &state)
            // An accepted answer leaves the prompt: its error goes with it.
            if w.entry == .none { w.entryError = nil }
            return step
        default:
            break
        }
        return .stay
    }

    /// Enter in a prompt: the typed answer accepted (the prompt closes) or refused (the prompt
    /// stays, the answer kept, the reason beside it).
    static func submitTyped(_ w: inout RestoreWizardState, _ state: inout AppState) -> ModeStep {
        let text = w.draft.trimmingCharacters(in: .whitespaces)
        switch w.entry {
        case .path:
            w.entry = .none
            guard !text.isEmpty else { return .stay }
            w.path = text.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
            go(&w, to: .target)
            return ModeStep(.stay, [journal(state, "restore: path /\(w.path ?? "") typed")])
        case .skipReason:
            guard text.count >= 5 else {
                w.entryError = "Give a reason of a few words (5 characters or more): it goes into the journal."
                return .stay
            }
            w.entry = .none
            w.skipReason = text
            makePlan(&w, state)
            return ModeStep(.stay, [journal(state, "restore: safety backup skipped, reason: \(text)")])
        case .namespace:
            guard namespaceTyped(&w, state, text) else { return .stay }
            if w.kind == .database, let plan = w.dbPlan {
                go(&w, to: .running)
                return ModeStep(.stay, [journal(state, "restore db confirmed (namespace typed): create \(plan.name) to \(pointText(w, plan, state))"),
                                        task(&w, &state, .acquireLease(what: "restore db into new cluster \(plan.name), to \(plan.target ?? "latest")"), busy: "taking the restore Lease")])
            }
            guard let plan = w.plan else { return .stay }
            return start(&w, &state, plan)
        case .removeAllNamespace:
            guard namespaceTyped(&w, state, text) else { return .stay }
            guard let job = w.removeAllJob else { return .stay }
            w.removeAllJob = nil
            w.message = nil
            let holder = w.lockHolder.map { $0.summary(namespace: state.namespace) } ?? "holder unknown"
            return ModeStep(.stay, [journal(state, "restic unlock --remove-all confirmed (namespace typed; \(holder)): `\(createCommand(w))` Job \(job.name): \(job.script)"),
                                    task(&w, &state, .unlock(job), busy: "the restic unlock --remove-all Job \(job.name)")])
        case .cleanupNamespace:
            guard namespaceTyped(&w, state, text) else { return .stay }
            guard let drill = w.dbDrill else { return .stay }
            let command = DatabaseDrill.deleteCommand(drill.cluster, target: w.facts.target)
            return ModeStep(.stay, [journal(state, "database drill cleanup confirmed (namespace typed): `\(command.displayLine)`"),
                                    task(&w, &state, .dbDrillCleanup(name: drill.cluster), busy: "deleting scratch cluster \(drill.cluster)")])
        case .time:
            let point: RestorePoint
            do {
                point = try RestorePoint.parse(text, now: state.now)
            } catch {
                w.entryError = error.description
                return .stay
            }
            w.entry = .none
            w.typedPoint = text
            let step = choosePoint(&w, &state, point)
            if w.step == .timeline {
                // Refused (outside the window, no snapshot before it): back into the prompt with the reason.
                w.entry = .time
                w.entryError = w.message ?? w.dbPlanError.map { "Refused: \($0)" }
                w.message = nil
                w.typedPoint = nil
            }
            return step
        case .none:
            return .stay
        }
    }

    // MARK: Results

    static func progress(_ state: inout AppState, generation: Int, _ progress: RestoreExecutor.Progress) -> [Effect] {
        guard let i = index(state), case .restore(var w) = state.stack[i], w.taskGeneration == generation else { return [] }
        var effects: [Effect] = []
        if progress.leaseLost {
            // A lost (or retaken) restore Lease is announced: the wizard's banner, a notice, the journal.
            let text = Redactor.redact(progress.text)
            w.message = text.prefix(1).uppercased() + text.dropFirst() + "."
            notify(&state, text)
            effects.append(journal(state, text))
        } else {
            w.progress = Redactor.redact(progress.text)
        }
        if let f = progress.fraction { w.fraction = f }
        state.stack[i] = .restore(w)
        return effects
    }

    static func finished(_ state: inout AppState, generation: Int, _ result: RestoreTaskResult) -> [Effect] {
        // The Lease is given back after the wizard moved on (or closed): said whether or not it is still open.
        if case .released(let failure) = result {
            if let failure { notify(&state, failure) }
            return [journal(state, failure ?? "restore Lease \(RestoreLease.name) given back")]
        }
        guard let i = index(state), case .restore(var w) = state.stack[i], w.taskGeneration == generation else { return [] }
        w.taskGeneration = nil
        w.busy = nil
        var effects: [Effect] = []
        switch result {
        case .preflight(let r):
            w.preflight = r.preflight
            w.cronJob = r.cronJob
            if w.kind == .unlock { offerUnlock(&w, state) }
            let problems = r.preflight.lines.filter { $0.verdict != .ok }.map { "\($0.verdict.label) \($0.title): \($0.reason)" }
            effects.append(journal(state, "restore preflight: " + (problems.isEmpty ? "all OK" : problems.joined(separator: "; "))))
        case .snapshots(let listing):
            effects.append(journal(state, "restore: snapshot listing Job \(listing.job) " + (listing.failure.map { "FAILED: \($0)" } ?? "listed \(listing.snapshots.count) snapshots")))
            w.snapshots = listing.snapshots
            w.version = listing.version
            w.listingFailure = listing.failure.map { f in listing.diagnosis.map { "\(f)\nNext step: \($0.nextStep)" } ?? f }
            w.selection = 0
            if listing.failure == nil && listing.snapshots.isEmpty { w.listingFailure = "the repository has no snapshot yet" }
        case .files(let listing):
            w.files = listing.nodes
            w.live = listing.live
            w.filesFailure = listing.failure
            w.picking = listing.failure == nil
            w.selection = 0
        case .matched(let result):
            if let match = result.match {
                w.match = match
                w.matchFor = matchKey(w)
                makePlan(&w, state)
                effects.append(journal(state, "restore: /\(match.path) matches \(match.text) in snapshot \(w.snapshot?.shortID ?? "?") (Job \(result.job))"))
            } else {
                let failure = result.failure ?? "no answer"
                w.planError = "could not count the files /\(w.path ?? "") matches in the snapshot: \(failure). r counts again."
                effects.append(journal(state, "restore: counting the files /\(w.path ?? "") matches FAILED: \(failure)"))
            }
        case .timeline(let result):
            switch result {
            case .timeline(let t):
                w.timeline = t
                w.selection = 0
                effects.append(journal(state, "restore db: window \(t.window?.text ?? "unknown")" + (t.window?.unsafe.map { " (UNSAFE: \($0))" } ?? "")))
                if w.kind == .databaseDrill {
                    do {
                        let plan = try DatabaseRestore.plan(.latest, clusterJSON: t.clusterJSON, cluster: t.cluster, backups: t.backups,
                                                            objectStores: t.objectStores, namespace: state.namespace, drill: true, now: state.now)
                        w.dbPlan = plan
                        if !state.readOnly { effects.append(task(&w, &state, .dbDryRun(json: plan.json), busy: "the server's dry run of the manifest")) }
                    } catch {
                        w.dbPlanError = error.description
                        effects.append(journal(state, "database drill refused: \(error.description)"))
                    }
                }
            case .failed(let m):
                w.timelineFailure = m
            }
        case .dryRun(let outcome):
            w.dryRun = outcome
            effects.append(journal(state, "restore db: dry run \(outcome.succeeded ? "accepted" : "rejected: \(outcome.message)")"))
        case .leased(let refusal):
            if let refusal {
                // Nothing ran: back to the plan, with who holds the Lease and doing what.
                w.stepStates = []
                w.step = w.history.popLast() ?? (w.kind == .database ? .dbPlan : .plan)
                w.message = "Refused: \(refusal). Nothing ran."
                notify(&state, "restore refused: \(refusal)")
                effects.append(journal(state, "restore refused: \(refusal)"))
            } else if w.kind == .database, let plan = w.dbPlan {
                effects.append(journal(state, "restore Lease \(RestoreLease.name) taken"))
                effects.append(task(&w, &state, .dbCreate(json: plan.json, name: plan.name), busy: "creating \(plan.name) and following its recovery"))
            } else {
                effects.append(journal(state, "restore Lease \(RestoreLease.name) taken"))
                effects += runStep(&w, &state, 0)
            }
        case .released:
            break  // answered above
        case .created(let outcome):
            effects.append(.restore(.releaseLease, generation: state.nextGeneration()))
            w.dbOutcome = outcome
            w.step = .finished
            w.message = outcome.succeeded ? "\(outcome.message). Nothing was switched: the cutover steps below are yours to run." : "The recovery FAILED: \(outcome.message)"
            notify(&state, "restore db: \(outcome.message)")
            effects.append(journal(state, "restore db: \(outcome.message)"))
            if outcome.succeeded, let plan = w.dbPlan {
                // What the operator is told to run is on record, exactly as shown.
                let steps = cutoverSteps(w, plan).enumerated().map { "  \($0.offset + 1). \($0.element)" }
                effects.append(journal(state, "restore db: cutover, yours to run:\n" + steps.joined(separator: "\n")))
            }
        case .dbDrilled(let drill):
            w.dbDrill = drill
            w.step = .finished
            w.message = drill.recordFailure.map { "Not recorded (\($0)): check will not show this drill." }
            notify(&state, drill.summary)
            effects.append(journal(state, drill.summary + (drill.recordFailure.map { "; not recorded: \($0)" } ?? "")))
        case .cleaned(let outcome):
            w.cleanup = outcome
            w.message = outcome.succeeded ? outcome.message.prefix(1).uppercased() + outcome.message.dropFirst() + "." : "Deleting the scratch cluster FAILED: \(outcome.message)"
            effects.append(journal(state, "database drill cleanup: \(outcome.message)"))
        case .drilled(let drill):
            w.step = .finished
            w.message = drill.summary + (drill.diagnosis.map { "\nNext step: \($0.nextStep)" } ?? "")
            effects.append(journal(state, drill.summary))
        case .unlocked(let unlock):
            let result = unlock.result
            let job = unlock.job ?? "?"
            if result.outcome.succeeded {
                let said = result.log.split(whereSeparator: \.isNewline).last { !$0.hasPrefix("repository ") }.map(String.init) ?? "no output"
                w.unlockedBy = job
                w.lockHolder = nil
                w.message = "restic unlock ran in Job \(job): \(said)." + (w.kind == .unlock ? " b starts a backup Job to prove the repository is free." : "")
                if var pre = w.preflight {
                    pre.lock = nil
                    pre.lines = pre.lines.map { $0.title == "repository lock" ? RestorePreflight.Line("repository lock", .ok, "restic unlock (Job \(job)) ran just now (restic: \(said))") : $0 }
                    w.preflight = pre
                }
                effects.append(journal(state, "restic unlock done in Job \(job): \(said)"))
                if w.kind == .unlock {
                    w.step = .finished
                    notify(&state, "restic unlock ran in Job \(job): \(said); b starts a backup to prove the repository is free")
                }
            } else if let holder = unlock.holder {
                w.lockHolder = holder
                let summary = holder.summary(namespace: state.namespace)
                if holder.isGone, let cron = w.cronJob {
                    w.removeAllJob = try? RestoreToolkit.unlockJob(cronJob: cron, removeAll: true, now: state.now, namespace: w.facts.target.namespace)
                }
                w.message = "restic unlock FAILED (Job \(job)): \(summary). " + (w.removeAllJob != nil
                    ? "u offers restic unlock --remove-all (you type the namespace)."
                    : "Wait for it to end, then r checks again.")
                effects.append(journal(state, "restic unlock failed (Job \(job)): \(result.outcome.message); \(summary)"))
            } else {
                w.message = "restic unlock FAILED (Job \(job)): \(result.outcome.message)"
                effects.append(journal(state, "restic unlock failed (Job \(job)): \(result.outcome.message)"))
            }
        case .step(let index, let outcome):
            guard w.stepStates.indices.contains(index), case .running(let since) = w.stepStates[index] else { break }
            let seconds = state.now - since
            let title = w.plan?.steps[index].title ?? "step"
            switch outcome {
            case .done(let m):
                w.stepStates[index] = .done(m, seconds: seconds)
                effects.append(journal(state, "restore step \(index + 1) done: \(m)"))
                if index + 1 < w.stepStates.count {
                    effects += runStep(&w, &state, index + 1)
                } else {
                    w.step = .finished
                    effects.append(.restore(.releaseLease, generation: state.nextGeneration()))
                    w.message = "Restore finished: \(w.choiceText), into \(w.plan?.targetDirectory ?? "?")."
                    w.recovery = []
                    state.exitNotes = []
                    notify(&state, "restore finished: \(w.choiceText)")
                    effects.append(journal(state, "restore finished: \(w.choiceText) into \(w.plan?.targetDirectory ?? "?")"))
                    if w.kind == .files, let plan = w.plan {
                        let commands = FileRestoreAftercare.lines(plan: plan, facts: w.facts, cronJob: w.cronJob).filter { $0.kind == .command }.map { "  `\($0.text)`" }
                        if !commands.isEmpty { effects.append(journal(state, "restore: what next, commands shown:\n" + commands.joined(separator: "\n"))) }
                    }
                }
            case .failed(let m), .unknown(let m):
                if case .unknown = outcome { w.stepStates[index] = .unknown(m, seconds: seconds) } else { w.stepStates[index] = .failed(m, seconds: seconds) }
                let word = if case .unknown = outcome { "outcome UNKNOWN" } else { "FAILED" }
                effects.append(.restore(.releaseLease, generation: state.nextGeneration()))
                w.message = "Step \(index + 1) (\(title)) \(word): \(m). The plan stopped; nothing after it ran."
                notify(&state, "restore step \(index + 1) \(word): \(m)")
                effects.append(journal(state, "restore step \(index + 1) \(word): \(m)" + (w.recovery.isEmpty ? "" : "\n  to get back: " + w.recovery.joined(separator: "; "))))
            }
        }
        state.stack[i] = .restore(w)
        return effects
    }

    /// The wizard on the stack (it may be under an overlay).
    static func index(_ state: AppState) -> Int? {
        state.stack.lastIndex { if case .restore = $0 { true } else { false } }
    }
}
