import Foundation
import PaperDomain
import PaperKube

// MARK: - Enter: the next step of each flow

extension RestoreWizardMode {
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
                go(&w, to: kind == .both ? .both(.timeline(.init())) : .database(.timeline(.init())))
                w.timeline = nil
                if let fresh = state.data.data?.actions { w.facts = fresh }
                // Read-only lists no file snapshots: the listing is a Job.
                let read: RestoreTask = state.readOnly ? .dbDrillTimeline(w.facts) : .dbTimeline(w.facts)
                return ModeStep(.stay, [journal(state, "restore: \(kind == .both ? "database and files" : "database") chosen"),
                                        task(&w, &state, read, busy: state.readOnly ? "reading the recoverability window" : "reading the recoverability window and listing the file snapshots")])
            }
            if kind == .databaseDrill {
                go(&w, to: .databaseDrill(.plan(.init())))
                if let fresh = state.data.data?.actions { w.facts = fresh }
                return ModeStep(.stay, [journal(state, "restore: database drill chosen"),
                                        task(&w, &state, .dbDrillTimeline(w.facts), busy: "reading the recoverability window")])
            }
            go(&w, to: kind == .drill ? .drill(.preflight(.init())) : .files(.preflight))
            return ModeStep(.stay, [journal(state, "restore: \(kind == .drill ? "drill" : "files") chosen"), runPreflight(&w, &state)])
        case .preflight:
            guard let pre = w.preflight, let cronJob = w.cronJob else {
                w.message = "The preflight did not finish; r runs it again."
                return .stay
            }
            if w.kind == .unlock {
                return offerUnlock(&w, state) ? ask(.unlock) : .stay
            }
            if pre.blocksEverything {
                w.message = pre.lock != nil ? "The repository is locked: u offers restic unlock." : "A critical line blocks the restore: fix it, then r runs the checks again."
                return .stay
            }
            if state.readOnly {
                return refuseReadOnly(&w, state, key: "Enter", would: w.kind == .drill ? "run the restore drill Job (kubectl create -f -)"
                                                                                  : "run the snapshot listing Job (kubectl create -f -), which the file plan needs; the preflight is shown")
            }
            guard let job = w.previewJob else {
                w.message = "The Job cannot be built from CronJob's template (\(previewJobProblem(w, cronJob, state))); r checks again."
                return .stay
            }
            if w.kind == .drill {
                return ModeStep(.stay, [journal(state, "restore drill started"), task(&w, &state, .drill(job: job), busy: "the restore drill Job")])
            }
            go(&w, to: .files(.snapshots))
            clearListing(&w)
            return ModeStep(.stay, [task(&w, &state, .listSnapshots(job: job), busy: "the snapshot listing Job")])
        case .snapshots:
            guard w.snapshots.indices.contains(w.selection) else {
                w.message = w.listingFailure == nil ? "No snapshot to pick." : "The listing failed; r lists again."
                return .stay
            }
            w.snapshot = w.snapshots[w.selection]
            w.path = nil
            w.files = nil
            w.browse = ""
            go(&w, to: .files(.scope))
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
                        return ModeStep(.stay, browse(&w, &state, cronJob, snapshot, node.path))
                    }
                    w.path = node.path
                } else {
                    return .stay
                }
                // Kept as it is: Esc on the target comes back to this directory, on this entry.
                go(&w, to: .files(.target))
                w.picking = false
                return ModeStep(.stay, [journal(state, "restore: path \(w.path.map { "/\($0)" } ?? "everything") picked")])
            }
            switch w.selection {
            case 0:
                w.path = nil
                go(&w, to: .files(.target))
            case 1:
                return ask(.path, draft: w.path ?? "")
            default:
                guard let cronJob = w.cronJob, let snapshot = w.snapshot else { return .stay }
                if w.files != nil {
                    w.picking = true
                    w.selection = 0
                    return .stay
                }
                return ModeStep(.stay, browse(&w, &state, cronJob, snapshot, ""))
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
            go(&w, to: .files(.plan))
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
                return ask(.time)
            }
            let point: RestorePoint = w.selection == 0 ? .latest : .backup(timeline.backups[w.selection - 1].metadata.name)
            w.typedPoint = nil
            return choosePoint(&w, &state, point)
        case .dbPlan:
            w.message = w.kind == .databaseDrill ? "y creates the scratch cluster and times its recovery." : "y, then the namespace, creates the new cluster."
            return .stay
        }
    }

    /// Both's plan made again for the same point and new cluster, with the skip reason now given;
    /// nil when planned, else why not (the plan shown stays as it was).
    static func replanBoth(_ w: inout RestoreWizardState, _ state: AppState) -> String? {
        guard case .both(.plan(var planned)) = w.flow, let point = w.point, let timeline = w.timeline else { return "s skips the files' safety backup on the plan." }
        do {
            let both = try BothRestore.plan(point, timeline: timeline, facts: w.facts, cronJob: planned.cronJob, resticVersion: timeline.resticVersion,
                                            now: state.now, name: planned.database.plan?.name, skipSafetyBackup: w.skipReason)
            planned.files = both.steps
            w.flow = .both(.plan(planned))
            return nil
        } catch {
            return "Refused: \(error.description)"
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
                w.dbPlan = both.database
                let planned = RestoreWizardState.BothPlanStep(database: w.databasePlanStep, files: both.steps, snapshot: both.snapshot, cronJob: cronJob)
                go(&w, to: .both(.plan(planned)))
            } catch {
                w.message = "Refused: \(error.description)"
                return ModeStep(.stay, [journal(state, "restore both: point refused: \(error.description)")])
            }
            return ModeStep(.stay, [journal(state, "restore both: point \(w.dbPlan.map { pointText(w, $0, state) } ?? "latest"), files from snapshot \(w.snapshot?.journalName ?? "?")")])
        }
        do {
            w.dbPlan = try DatabaseRestore.plan(point, timeline: timeline, namespace: state.namespace, now: state.now)
        } catch {
            w.dbPlanError = error.description
            w.message = "Refused: \(error.description)"
            return ModeStep(.stay, [journal(state, "restore db: point refused: \(error.description)")])
        }
        let planned = w.databasePlanStep  // the timeline, the point and its plan, carried to the plan step
        go(&w, to: .database(.plan(planned)))
        guard let plan = w.dbPlan else { return .stay }
        let chosen = journal(state, "restore db: point \(pointText(w, plan, state)) chosen")
        // Read-only sends no dry run: it is a create request, even if nothing is kept.
        if state.readOnly { return ModeStep(.stay, [chosen]) }
        return ModeStep(.stay, [chosen, task(&w, &state, .dbDryRun(json: plan.json), busy: "the server's dry run of the manifest")])
    }
}
