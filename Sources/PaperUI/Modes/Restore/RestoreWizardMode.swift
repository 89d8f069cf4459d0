import Foundation
import PaperDomain
import PaperKube

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
        wizard.flow = .unlock(.preflight(.init()))
        wizard.message = "Checking first: permissions, the lock, and whether a backup Job is active (its restic may hold the lock)."
        let preflight = runPreflight(&wizard, &state)
        return ModeStep(.push(.restore(wizard)), [.journal("- \(UTCTime.rfc3339(state.now)) restic unlock opened (cause: \(cause?.evidence ?? "?"))"), preflight])
    }

    static func update(_ w: inout RestoreWizardState, _ state: inout AppState, _ intent: Intent) -> ModeStep {
        // Under --read-only a key that would write says what it would run, in place.
        if state.readOnly, let key = Keymap.bindings(for: .restore).first(where: { $0.dangerous && $0.matches.values.contains(intent) })?.label {
            return readOnlyKey(&w, state, intent, key: key)
        }
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
                w.message = "restic unlock --remove-all removes every lock, live ones too. This will run exactly: \(Self.createCommand(w)) (Job \(job.name): \(job.script))"
                return ask(.removeAllNamespace)
            }
            guard w.step == .preflight, w.preflight?.lock != nil else {
                w.message = "u removes a stale restic lock; the preflight found none."
                return .stay
            }
            guard w.preflight?.activeJobs.isEmpty ?? false else {
                w.message = "A backup Job is active (\(w.preflight?.activeJobs.joined(separator: ", ") ?? "")): its restic may hold the lock. Wait for it to end."
                return .stay
            }
            w.unlockJob = w.cronJob.flatMap { try? RestoreToolkit.unlockJob(cronJob: $0, now: state.now, namespace: w.facts.target.namespace) }
            return ask(.unlock)
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
            return ask(.cleanupNamespace)
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
            return ask(.path, draft: w.path ?? "")
        case .restoreSkipSafety:
            guard w.step == .plan, w.target == .inPlace else {
                w.message = "s skips the safety backup of an in-place restore (with a reason)."
                return .stay
            }
            return ask(.skipReason, draft: w.skipReason ?? "")
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

    static func go(_ w: inout RestoreWizardState, to flow: RestoreWizardState.Flow, selection: Int = 0) {
        w.history.append(w.kept)
        w.flow = flow
        w.selection = selection
        w.scroll = 0
    }

    /// Esc: one step back; on the first step it closes the wizard. While a step runs it asks.
    static func back(_ w: inout RestoreWizardState, _ state: inout AppState) -> ModeStep {
        if w.picking, w.step == .scope {
            // Up one directory, or out of the picker at the root.
            guard !w.browse.isEmpty, let cronJob = w.cronJob, let snapshot = w.snapshot else {
                w.picking = false
                w.selection = 2
                return .stay
            }
            let parent = w.browse.split(separator: "/").dropLast().joined(separator: "/")
            return ModeStep(.stay, browse(&w, &state, cronJob, snapshot, parent))
        }
        if w.isRunning { return ask(.abort) }
        if w.step == .finished || w.history.isEmpty {
            return ModeStep(.pop, [.journal("- \(UTCTime.rfc3339(state.now)) restore wizard closed at step \(w.step.title)")])
        }
        if w.step == .running {
            // The plan stopped (failed); going back is leaving.
            return ModeStep(.pop, [.journal("- \(UTCTime.rfc3339(state.now)) restore wizard closed after the plan stopped")])
        }
        stepBack(&w, state)
        return .stay
    }

    /// The previous step's value put back exactly; a task of the step left is no longer awaited.
    /// A Job it showed that has run since is built anew (a Job name is created once).
    static func stepBack(_ w: inout RestoreWizardState, _ state: AppState) {
        guard var previous = w.history.popLast() else { return }
        previous.history = w.history
        previous.taskGeneration = nil
        previous.busy = nil
        previous.startedJobs = w.startedJobs
        if let job = previous.previewJob, w.startedJobs.contains(job.name) { previous.previewJob = preflightJob(previous, now: state.now) }
        w = previous
    }

    /// The wizard on the stack (it may be under an overlay).
    static func index(_ state: AppState) -> Int? {
        state.stack.lastIndex { if case .restore = $0 { true } else { false } }
    }
}
