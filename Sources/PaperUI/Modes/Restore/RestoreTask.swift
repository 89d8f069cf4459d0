import Foundation
import PaperDomain

// MARK: - RestoreTask

/// Work the wizard asks the effect runner to do; the answer comes back as `.restoreFinished`
/// with the same generation, progress as `.restoreProgress`.
public enum RestoreTask: Sendable, Equatable {
    case preflight(ActionFacts)
    // The Jobs are built once, by the wizard, when it shows them: the Job created is that one, name included.
    /// `restic snapshots` (`RestoreToolkit.snapshotsJob`).
    case listSnapshots(job: ResticJob)
    /// `restic ls` of one directory of `snapshot` (`RestoreToolkit.filesJob`).
    case listFiles(job: ResticJob, snapshot: ResticSnapshot, directory: String)
    /// How many files the chosen path selects in the snapshot (the plan shows it; 0 is refused;
    /// `RestoreToolkit.matchJob`).
    case matchPath(job: ResticJob, snapshot: ResticSnapshot, path: String)
    /// The files drill (`RestoreToolkit.drillJob`).
    case drill(job: ResticJob)
    case dbTimeline(ActionFacts)
    /// The window and the Backups only: a drill needs no file snapshots, and read-only lists
    /// none (the listing is a Job).
    case dbDrillTimeline(ActionFacts)
    case dbDrill(DatabaseRestorePlan)
    case dbDrillCleanup(name: String)
    case dbDryRun(json: String)
    /// The new cluster created and followed; `steps`: the whole database restore (the credentials
    /// Secret first, the backups re-armed after), run in order when given.
    case dbCreate(json: String, name: String, steps: [RestoreStep] = [])
    /// `restic unlock` (or `--remove-all`): the Job built when it was offered.
    case unlock(ResticJob)
    /// Two operators at once: the restore Lease, taken before the database's new cluster is created
    /// and given back after (a plan of steps takes and gives it back in `runPlan`).
    case acquireLease(what: String)
    case releaseLease
    /// A confirmed plan, run by the one plan runner (`RestorePlanRunner.run`) under the restore
    /// Lease taken for `what`: what happens comes back as `.restorePlanEvent`, the end as `.plan`.
    case runPlan(steps: [RestoreStep], what: String)
}

extension RestoreTask {
    /// The Job this task creates, as it was built and shown.
    public var job: ResticJob? {
        switch self {
        case .listSnapshots(let job), .listFiles(let job, _, _), .matchPath(let job, _, _), .drill(let job), .unlock(let job): job
        default: nil
        }
    }
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
    /// How a plan run by `runPlan` ended.
    case plan(RestorePlanRunner.Result)
}
