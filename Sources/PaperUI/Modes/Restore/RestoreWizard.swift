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

    /// How a plan step stands while the plan runs.
    public enum StepState: Sendable, Equatable {
        case pending
        case running(since: Double)
        case done(String, seconds: Double)
        case failed(String, seconds: Double)
        case unknown(String, seconds: Double)
    }

    /// Where the wizard is: the flow and its step, one value (a step of one flow cannot be
    /// paired with another flow).
    public enum Flow: Sendable, Equatable {
        /// The first step: what to restore (no flow chosen yet).
        case choose
        case files(FileStep)
        case database(DatabaseStep)
        case both(BothStep)
        case drill(DrillStep)
        case databaseDrill(DatabaseDrillStep)
        case unlock(UnlockStep)

        public enum FileStep: Sendable, Equatable { case preflight, snapshots, scope, target, plan, running, finished }
        public enum DatabaseStep: Sendable, Equatable { case timeline, plan, running, finished }
        public enum BothStep: Sendable, Equatable { case timeline, plan, running, finished }
        public enum DrillStep: Sendable, Equatable { case preflight, finished }
        public enum DatabaseDrillStep: Sendable, Equatable { case plan, running, finished }
        public enum UnlockStep: Sendable, Equatable { case preflight, finished }

        /// The flow's kind (on the first step: files, until one is chosen).
        public var kind: Kind {
            switch self {
            case .choose, .files: .files
            case .database: .database
            case .both: .both
            case .drill: .drill
            case .databaseDrill: .databaseDrill
            case .unlock: .unlock
            }
        }

        /// The step, in the step bar's words.
        public var step: Step {
            switch self {
            case .choose: .choose
            case .files(let s):
                switch s {
                case .preflight: .preflight
                case .snapshots: .snapshots
                case .scope: .scope
                case .target: .target
                case .plan: .plan
                case .running: .running
                case .finished: .finished
                }
            case .database(let s):
                switch s {
                case .timeline: .timeline
                case .plan: .dbPlan
                case .running: .running
                case .finished: .finished
                }
            case .both(let s):
                switch s {
                case .timeline: .timeline
                case .plan: .plan
                case .running: .running
                case .finished: .finished
                }
            case .drill(let s): s == .preflight ? .preflight : .finished
            case .databaseDrill(let s):
                switch s {
                case .plan: .dbPlan
                case .running: .running
                case .finished: .finished
                }
            case .unlock(let s): s == .preflight ? .preflight : .finished
            }
        }

        /// A plan of steps (files, or both) running, or finished.
        static func running(_ kind: Kind) -> Flow { kind == .both ? .both(.running) : .files(.running) }
        static func finished(_ kind: Kind) -> Flow { kind == .both ? .both(.finished) : .files(.finished) }
    }

    public var facts: ActionFacts
    public var flow: Flow = .choose
    /// The step, in the step bar's words (of `flow`).
    public var step: Step { flow.step }
    /// What is restored (of `flow`).
    public var kind: Kind { flow.kind }
    /// The steps behind this one, as they were left (cursor, scroll, browsed directory, choices):
    /// Esc puts the last one back exactly. Each kept value has an empty history of its own.
    public var history: [RestoreWizardState] = []
    /// The cursor in the step's list.
    public var selection = 0
    /// Lines scrolled in the plan and the run.
    public var scroll = 0
    /// A task (listing, unlock, plan step) is running under this generation; other results are late.
    public var taskGeneration: Int?
    /// The plan runner's latest Lease note since a step started: after the last step, the release failed.
    public var leaseNote: String?
    public var busy: String?
    public var progress: String?
    public var fraction: Double?
    /// The answer to the last key that could not act, or what just happened.
    public var message: String?

    public var preflight: RestorePreflight?
    public var cronJob: Data?
    /// The Job Enter runs on the preflight (the snapshot listing, or the files drill), built once
    /// when the preflight came back: shown exactly, name included, and carried in the effect.
    public var previewJob: ResticJob?
    /// The names of the Jobs this wizard has started: a step shown again (Esc) builds its Job anew.
    public var startedJobs: Set<String> = []
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
    /// The database drill's result, and what became of its scratch cluster's deletion.
    public var dbDrill: DatabaseDrillResult?
    public var cleanup: RestoreExecutor.Outcome?
    public var recovery: [String] = []

    public init(facts: ActionFacts) {
        self.facts = facts
    }

    /// This step's value as history keeps it: without its own history or message.
    var kept: RestoreWizardState {
        var kept = self
        kept.history = []
        kept.message = nil
        return kept
    }

    /// What the journal and the screen call the choice so far.
    var choiceText: String {
        "snapshot \(snapshot?.shortID ?? "?"), \(path.map { "/\($0)" } ?? "everything"), \(target.rawValue)" + (skipReason.map { "; safety backup skipped: \($0)" } ?? "")
    }

    /// The plan is running a step (for the database: the new cluster is being created and followed).
    public var isRunning: Bool {
        step == .running && (stepStates.contains { if case .running = $0 { true } else { false } } || ((kind == .database || kind == .databaseDrill) && busy != nil)
                             // between two steps of a plan: the runner goes on to the next one
                             || (busy != nil && stepStates.contains { if case .pending = $0 { false } else { true } }))
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
