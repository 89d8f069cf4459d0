import Foundation
import PaperDomain
import PaperKube

// MARK: - The files flow: the browser, the count of what a path matches, the plan

extension RestoreWizardMode {
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
                do {
                    let job = try RestoreToolkit.matchJob(cronJob: cronJob, snapshot: snapshot, path: path, now: state.now, namespace: w.facts.target.namespace)
                    return [task(&w, &state, .matchPath(job: job, snapshot: snapshot, path: path),
                                 busy: "counting the files /\(path) matches in snapshot \(snapshot.shortID) (restic ls --recursive in a Job)")]
                } catch {
                    w.planError = "could not count the files /\(path) matches in the snapshot: \(error.description). r counts again."
                    return []
                }
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

    static func clearListing(_ w: inout RestoreWizardState) {
        w.snapshots = []
        w.version = nil
        w.listingFailure = nil
    }

    static func task(_ w: inout RestoreWizardState, _ state: inout AppState, _ task: RestoreTask, busy: String) -> Effect {
        let generation = state.nextGeneration()
        w.taskGeneration = generation
        if let job = task.job { w.startedJobs.insert(job.name) }
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
    static func browse(_ w: inout RestoreWizardState, _ state: inout AppState, _ cronJob: Data, _ snapshot: ResticSnapshot, _ directory: String) -> [Effect] {
        w.browse = directory
        w.files = nil
        w.live = nil
        w.filesFailure = nil
        do {
            let job = try RestoreToolkit.filesJob(cronJob: cronJob, snapshot: snapshot, directory: directory, now: state.now, namespace: w.facts.target.namespace)
            return [task(&w, &state, .listFiles(job: job, snapshot: snapshot, directory: directory), busy: "the file listing Job (restic ls /\(directory))")]
        } catch {
            w.filesFailure = error.description
            return []
        }
    }

    /// The Job Enter runs on the preflight of the files path (the snapshot listing) or of the
    /// files drill, built from the CronJob's template now.
    static func preflightJob(_ w: RestoreWizardState, now: Double) -> ResticJob? {
        guard let cronJob = w.cronJob else { return nil }
        let namespace = w.facts.target.namespace
        switch w.kind {
        case .files: return try? RestoreToolkit.snapshotsJob(cronJob: cronJob, now: now, namespace: namespace)
        case .drill: return try? RestoreToolkit.drillJob(cronJob: cronJob, scratchLimit: w.facts.dataVolume?.claim.capacityBytes.map { "\($0)" }, now: now, namespace: namespace)
        case .database, .both, .databaseDrill, .unlock: return nil
        }
    }

    /// Why `preflightJob` built nothing.
    static func previewJobProblem(_ w: RestoreWizardState, _ cronJob: Data, _ state: AppState) -> String {
        do {
            _ = try RestoreToolkit.snapshotsJob(cronJob: cronJob, now: state.now, namespace: w.facts.target.namespace)
            return "no Job for this path"
        } catch {
            return error.description
        }
    }

    static func retry(_ w: inout RestoreWizardState, _ state: inout AppState) -> ModeStep {
        guard w.busy == nil else { return .stay }
        switch w.step {
        case .preflight:
            w.lockHolder = nil
            w.removeAllJob = nil
            return ModeStep(.stay, [runPreflight(&w, &state)])
        case .snapshots:
            // The listing again: a new Job (a Job's name is created once).
            guard let cronJob = w.cronJob else { return .stay }
            clearListing(&w)
            do {
                let job = try RestoreToolkit.snapshotsJob(cronJob: cronJob, now: state.now, namespace: w.facts.target.namespace)
                return ModeStep(.stay, [task(&w, &state, .listSnapshots(job: job), busy: "the snapshot listing Job")])
            } catch {
                w.listingFailure = error.description
                return .stay
            }
        case .plan where w.plan == nil && w.path != nil:
            w.matchFor = nil
            return ModeStep(.stay, planOrCount(&w, &state))
        default:
            w.message = "r runs the preflight or the snapshot listing again, on those steps."
            return .stay
        }
    }
}
