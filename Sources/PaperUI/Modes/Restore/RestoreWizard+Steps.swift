import Foundation
import PaperDomain
import PaperKube

// MARK: - What each step carries
//
// The drill, unlock, database, database drill and both flows carry their steps' data in their
// step cases; the names below read (and write) the current step's. The files flow still keeps
// its data in RestoreWizardState's stored fields (`filesPreflight`, `filesPlan`, …).

extension RestoreWizardState {
    /// A preflight step's data: the checklist, the CronJob it read, the Job Enter runs (built
    /// once when the preflight came back: shown exactly, name included, and carried in the
    /// effect), and the unlock offer.
    public struct PreflightStep: Sendable, Equatable {
        public var preflight: RestorePreflight?
        public var cronJob: Data?
        public var previewJob: ResticJob?
        /// The unlock Job offered, built once: the Job shown is the Job that runs.
        public var unlockJob: ResticJob?
        /// The holder of the lock the unlock failed on, and whether its pod exists.
        public var lockHolder: ResticLockHolder?
        /// `restic unlock --remove-all`, offered once the holder is known to be gone (typed namespace).
        public var removeAllJob: ResticJob?
        /// The Job whose `restic unlock` succeeded (on the files path's preflight).
        public var unlockedBy: String?

        public init() {}
    }

    /// A database plan's data: the timeline read, the plan for the chosen point (or why it was
    /// refused), and the server's dry run of its manifest (nil while it runs).
    public struct DatabasePlanStep: Sendable, Equatable {
        public var timeline: DatabaseTimeline?
        public var timelineFailure: String?
        public var plan: DatabaseRestorePlan?
        public var planError: String?
        public var dryRun: RestoreExecutor.Outcome?
        public var point: RestorePoint?
        /// The restore point as typed (`2026-12-06 09:00 Europe/Berlin`), echoed in its own zone.
        public var typedPoint: String?

        public init() {}

        /// A step that carries only the plan.
        static func only(_ plan: DatabaseRestorePlan) -> DatabasePlanStep {
            var step = DatabasePlanStep()
            step.plan = plan
            return step
        }
    }

    /// The new cluster being created from its plan, and the outcome (while it runs: the step's).
    public struct DatabaseRun: Sendable, Equatable {
        public var plan: DatabaseRestorePlan
        public var outcome: RestoreExecutor.Outcome?
    }

    /// Both's plan: the new cluster's (with the timeline and the point), the files' steps, the
    /// snapshot before the point and the CronJob its Jobs are built from.
    public struct BothPlanStep: Sendable, Equatable {
        public var database: DatabasePlanStep
        public var files: FileRestorePlan
        public var snapshot: ResticSnapshot
        public var cronJob: Data
    }

    /// Both's plan running (or ended): its steps as they run, and the way back.
    public struct BothRun: Sendable, Equatable {
        public var plan: BothPlanStep
        public var stepStates: [StepState]
        public var recovery: [String] = []
    }

    /// The database drill's end: its result, and what became of its scratch cluster's deletion.
    public struct DatabaseDrillEnd: Sendable, Equatable {
        public var drill: DatabaseDrillResult
        public var cleanup: RestoreExecutor.Outcome?
    }

    /// The preflight step's data: the step's own (drill, unlock), else the files path's. A
    /// finished drill or unlock has none: what is written then is dropped.
    var preflightStep: PreflightStep {
        get {
            switch flow {
            case .drill(.preflight(let p)), .unlock(.preflight(let p)): p
            case .drill, .unlock: PreflightStep()
            default: filesPreflight
            }
        }
        set {
            switch flow {
            case .drill(.preflight): flow = .drill(.preflight(newValue))
            case .unlock(.preflight): flow = .unlock(.preflight(newValue))
            case .drill, .unlock: break
            default: filesPreflight = newValue
            }
        }
    }
    public var preflight: RestorePreflight? {
        get { preflightStep.preflight }
        set { preflightStep.preflight = newValue }
    }
    public var cronJob: Data? {
        get { bothPlan?.cronJob ?? preflightStep.cronJob }
        set { preflightStep.cronJob = newValue }
    }
    /// The Job Enter runs on the preflight (the snapshot listing, or the files drill).
    public var previewJob: ResticJob? {
        get { preflightStep.previewJob }
        set { preflightStep.previewJob = newValue }
    }
    public var unlockJob: ResticJob? {
        get { preflightStep.unlockJob }
        set { preflightStep.unlockJob = newValue }
    }
    /// The Job whose `restic unlock` succeeded: the unlock flow's Done screen offers `b` to prove it.
    public var unlockedBy: String? {
        if case .unlock(.finished(let job)) = flow { return job }
        return preflightStep.unlockedBy
    }
    public var lockHolder: ResticLockHolder? {
        get { preflightStep.lockHolder }
        set { preflightStep.lockHolder = newValue }
    }
    public var removeAllJob: ResticJob? {
        get { preflightStep.removeAllJob }
        set { preflightStep.removeAllJob = newValue }
    }
    /// The database plan's data: the database, database drill or both path's step's own. Running or
    /// finished, the database step carries only its plan (the drill's Done step, and the files
    /// path, none): what is written then is dropped.
    var databasePlanStep: DatabasePlanStep {
        get {
            switch flow {
            case .databaseDrill(.plan(let p)), .database(.timeline(let p)), .database(.plan(let p)): p
            case .databaseDrill(.running(let plan)): .only(plan)
            case .database(.running(let run)), .database(.finished(let run)): .only(run.plan)
            case .both(.timeline(let p)): p
            case .both(.plan(let both)): both.database
            case .both(.running(let run)), .both(.finished(let run)): run.plan.database
            default: DatabasePlanStep()
            }
        }
        set {
            switch flow {
            case .databaseDrill(.plan): flow = .databaseDrill(.plan(newValue))
            case .database(.timeline): flow = .database(.timeline(newValue))
            case .database(.plan): flow = .database(.plan(newValue))
            case .both(.timeline): flow = .both(.timeline(newValue))
            case .both(.plan(var both)):
                both.database = newValue
                flow = .both(.plan(both))
            default: break
            }
        }
    }
    public var point: RestorePoint? {
        get { databasePlanStep.point }
        set { databasePlanStep.point = newValue }
    }
    /// The restore point as typed (`2026-12-06 09:00 Europe/Berlin`), echoed in its own zone.
    public var typedPoint: String? {
        get { databasePlanStep.typedPoint }
        set { databasePlanStep.typedPoint = newValue }
    }
    public var timeline: DatabaseTimeline? {
        get { databasePlanStep.timeline }
        set { databasePlanStep.timeline = newValue }
    }
    public var timelineFailure: String? {
        get { databasePlanStep.timelineFailure }
        set { databasePlanStep.timelineFailure = newValue }
    }
    public var dbPlan: DatabaseRestorePlan? {
        get { databasePlanStep.plan }
        set { databasePlanStep.plan = newValue }
    }
    public var dbPlanError: String? {
        get { databasePlanStep.planError }
        set { databasePlanStep.planError = newValue }
    }
    /// The server's dry run of the manifest: nil while it runs.
    public var dryRun: RestoreExecutor.Outcome? {
        get { databasePlanStep.dryRun }
        set { databasePlanStep.dryRun = newValue }
    }
    /// The new cluster's outcome (the database path's running or Done step's).
    public var dbOutcome: RestoreExecutor.Outcome? {
        get {
            switch flow {
            case .database(.running(let run)), .database(.finished(let run)): run.outcome
            default: nil
            }
        }
        set {
            switch flow {
            case .database(.running(var run)):
                run.outcome = newValue
                flow = .database(.running(run))
            case .database(.finished(var run)):
                run.outcome = newValue
                flow = .database(.finished(run))
            default: break
            }
        }
    }
    /// The database drill's result (its Done step's).
    public var dbDrill: DatabaseDrillResult? {
        if case .databaseDrill(.finished(let end)) = flow { return end.drill }
        return nil
    }
    /// What became of the drill's scratch cluster's deletion (its Done step's).
    public var cleanup: RestoreExecutor.Outcome? {
        get {
            if case .databaseDrill(.finished(let end)) = flow { return end.cleanup }
            return nil
        }
        set {
            guard case .databaseDrill(.finished(var end)) = flow else { return }
            end.cleanup = newValue
            flow = .databaseDrill(.finished(end))
        }
    }

    /// Both's plan, on its plan step and while it runs.
    var bothPlan: BothPlanStep? {
        switch flow {
        case .both(.plan(let both)): both
        case .both(.running(let run)), .both(.finished(let run)): run.plan
        default: nil
        }
    }
    /// The files' plan: both's, else the files path's. (On both's plan step, `s` and a reason
    /// plan the files again through `makePlan`, as before: that plan replaces both's steps.)
    public var plan: FileRestorePlan? {
        get { bothPlan?.files ?? filesPlan }
        set {
            if case .both(.plan(var both)) = flow {
                if let newValue { both.files = newValue }
                flow = .both(.plan(both))
            } else if bothPlan == nil {
                filesPlan = newValue
            }
        }
    }
    public var snapshot: ResticSnapshot? {
        get { bothPlan?.snapshot ?? filesSnapshot }
        set { if bothPlan == nil { filesSnapshot = newValue } }
    }
    /// Where the files go: both restores them in place.
    public var target: FileRestoreRequest.Target {
        get { if case .both = flow { .inPlace } else { filesTarget } }
        set { if case .both = flow {} else { filesTarget = newValue } }
    }
    /// The plan's steps as they run: both's running (or ended) step's, else the files path's.
    public var stepStates: [StepState] {
        get {
            switch flow {
            case .both(.running(let run)), .both(.finished(let run)): run.stepStates
            default: filesStepStates
            }
        }
        set {
            switch flow {
            case .both(.running(var run)):
                run.stepStates = newValue
                flow = .both(.running(run))
            case .both(.finished(var run)):
                run.stepStates = newValue
                flow = .both(.finished(run))
            default: filesStepStates = newValue
            }
        }
    }
    /// The way back from where the plan stopped: both's running (or ended) step's, else the files path's.
    public var recovery: [String] {
        get {
            switch flow {
            case .both(.running(let run)), .both(.finished(let run)): run.recovery
            default: filesRecovery
            }
        }
        set {
            switch flow {
            case .both(.running(var run)):
                run.recovery = newValue
                flow = .both(.running(run))
            case .both(.finished(var run)):
                run.recovery = newValue
                flow = .both(.finished(run))
            default: filesRecovery = newValue
            }
        }
    }
}
