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
        /// The database path: the timeline (then the point chosen on it), the new cluster's plan
        /// with its dry run, the create followed, its outcome.
        public enum DatabaseStep: Sendable, Equatable {
            case timeline(DatabasePlanStep)
            case plan(DatabasePlanStep)
            case running(DatabaseRun)
            case finished(DatabaseRun)
        }
        /// Both on one restore point: the timeline (then the point chosen), the plan of both
        /// (the new cluster and the files of the snapshot before the point), the plan run, its end.
        public enum BothStep: Sendable, Equatable {
            case timeline(DatabasePlanStep)
            case plan(BothPlanStep)
            case running(BothRun)
            case finished(BothRun)
        }
        /// The files drill: its preflight (the checklist and the drill Job), then its end (the
        /// summary is the message).
        public enum DrillStep: Sendable, Equatable { case preflight(PreflightStep), finished }
        /// The database drill: the timeline read and the scratch cluster's plan with its dry run,
        /// then the plan created and timed, then its result and the scratch cluster's deletion.
        public enum DatabaseDrillStep: Sendable, Equatable {
            case plan(DatabasePlanStep)
            case running(DatabaseRestorePlan)
            case finished(DatabaseDrillEnd)
        }
        /// `u` on the dashboard: the preflight (the lock, the unlock Job offered, the holder of a
        /// lock it failed on), then the lock removed by a Job.
        public enum UnlockStep: Sendable, Equatable { case preflight(PreflightStep), finished(unlockedBy: String) }

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
            case .drill(let s): if case .preflight = s { .preflight } else { .finished }
            case .databaseDrill(let s):
                switch s {
                case .plan: .dbPlan
                case .running: .running
                case .finished: .finished
                }
            case .unlock(let s): if case .preflight = s { .preflight } else { .finished }
            }
        }
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

    /// The files path's preflight, which its later steps read (the CronJob, the permission to
    /// scale); the both path keeps its CronJob here too. The drill and unlock flows carry
    /// theirs in their step (`.drill(.preflight(…))`, `.unlock(.preflight(…))`).
    var filesPreflight = PreflightStep()
    /// The names of the Jobs this wizard has started: a step shown again (Esc) builds its Job anew.
    public var startedJobs: Set<String> = []
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
    /// The files path's snapshot, target and plan (the both path carries its own in its step).
    var filesSnapshot: ResticSnapshot?
    public var path: String?
    var filesTarget: FileRestoreRequest.Target = .sideBySide
    public var skipReason: String?
    var filesPlan: FileRestorePlan?
    public var planError: String?
    /// The files path's steps as they run, and the way back (the both path's are in its step).
    var filesStepStates: [StepState] = []
    var filesRecovery: [String] = []

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
