import Foundation
import PaperDomain
import PaperKube

// MARK: - Confirming and running a plan, step by step
//
// Everything that runs a confirmed plan is here: the confirmation, one `RestoreTask.runPlan` (the
// one plan runner in PaperDomain decides which step runs next and holds the Lease), and what its
// events and its end are shown and journaled as. The wizard decides nothing about the order.

extension RestoreWizardMode {
    // MARK: Confirm and run

    static func confirm(_ w: inout RestoreWizardState, _ state: inout AppState) -> ModeStep {
        if w.step == .dbPlan {
            guard case .done? = w.dryRun, w.dbPlan != nil else {
                w.message = w.dryRun == nil ? "Wait for the server's dry run." : "The server rejected the manifest: nothing can be created."
                return .stay
            }
            if w.kind == .databaseDrill, let plan = w.dbPlan {
                // A scratch cluster beside the live one: nothing is overwritten, so y is the confirmation.
                go(&w, to: .databaseDrill(.running(plan)))
                return ModeStep(.stay, [journal(state, "database drill confirmed: create scratch cluster \(plan.name), recovering the newest point"),
                                        task(&w, &state, .dbDrill(plan), busy: "creating \(plan.name) and timing its recovery")])
            }
            return ask(.namespace)
        }
        guard w.step == .plan, let plan = w.plan else {
            w.message = "y confirms the plan, on the Plan step."
            return .stay
        }
        if plan.needsTypedConfirmation {
            return ask(.namespace)
        }
        return start(&w, &state, plan)
    }

    static func start(_ w: inout RestoreWizardState, _ state: inout AppState, _ plan: FileRestorePlan) -> ModeStep {
        if case .both(.plan(let both)) = w.flow {
            go(&w, to: .both(.running(.init(plan: both, stepStates: plan.steps.map { _ in .pending }))))
        } else {
            go(&w, to: .files(.running))
            w.stepStates = plan.steps.map { _ in .pending }
        }
        w.recovery = []
        w.leaseNote = nil
        let what = "restore \(w.kind == .both ? "database and files" : "files") \(w.target.rawValue): \(w.choiceText)"
        let effects = [journal(state, "restore confirmed: \(w.choiceText)" + (w.snapshot.map { " (snapshot taken \(UTCTime.rfc3339($0.time)))" } ?? "") + (plan.needsTypedConfirmation ? " (namespace typed)" : "")),
                       task(&w, &state, .runPlan(steps: plan.steps, what: what), busy: "taking the restore Lease")]
        return ModeStep(.stay, effects)
    }

    // MARK: The plan runner's events

    /// What the plan runner says while the plan runs: shown on the wizard's steps and journaled.
    /// The wizard left (or another one opened), what happens is still journaled.
    static func planEvent(_ state: inout AppState, generation: Int, _ event: RestorePlanRunner.Event) -> [Effect] {
        guard let i = index(state), case .restore(var w) = state.stack[i], w.taskGeneration == generation else { return leftEvent(&state, event) }
        var effects: [Effect] = []
        switch event {
        case .stepStarted(let index, let step):
            // The runner took the Lease before the first step.
            if index == 0 { effects.append(journal(state, "restore Lease \(RestoreLease.name) taken")) }
            if w.kind == .database, let plan = w.dbPlan {
                // The new cluster's one step: created and followed, its progress shown under this.
                w.busy = "creating \(plan.name) and following its recovery"
                w.progress = nil
            } else {
                effects += stepStarted(&w, &state, index, step)
            }
        case .progress(_, let update):
            return progress(&state, generation: generation, update)
        case .leaseNote(let note):
            w.leaseNote = note
            state.stack[i] = .restore(w)
            return progress(&state, generation: generation, RestoreExecutor.Progress(note, leaseLost: true))
        case .stepEnded(let index, let outcome):
            if w.kind == .database { w.dbOutcome = outcome } else { effects += stepEnded(&w, &state, index, outcome) }
        }
        state.stack[i] = .restore(w)
        return effects
    }

    static func stepStarted(_ w: inout RestoreWizardState, _ state: inout AppState, _ index: Int, _ step: RestoreStep) -> [Effect] {
        guard w.stepStates.indices.contains(index) else { return [] }
        w.leaseNote = nil
        w.stepStates[index] = .running(since: state.now)
        w.busy = step.title
        w.progress = nil
        w.fraction = nil
        w.recovery = w.plan?.recovery(upTo: index) ?? []
        // If the dashboard is left or quit from here on, the way back is printed on exit.
        state.exitNotes = w.recovery.isEmpty ? [] : ["A restore was left at step \(index + 1) (\(step.title)). To get the app back:"] + w.recovery.map { "  \($0)" }
        return [journal(state, "restore step \(index + 1) started: \(step.title)" + (step.command.map { "\n  `\($0.displayLine)`" } ?? ""))]
    }

    /// A step ended: done is journaled here; a failure is said when the plan's end comes.
    static func stepEnded(_ w: inout RestoreWizardState, _ state: inout AppState, _ index: Int, _ outcome: RestoreExecutor.Outcome) -> [Effect] {
        guard w.stepStates.indices.contains(index), case .running(let since) = w.stepStates[index] else { return [] }
        let seconds = state.now - since
        switch outcome {
        case .done(let m):
            w.stepStates[index] = .done(m, seconds: seconds)
            return [journal(state, "restore step \(index + 1) done: \(m)")]
        case .failed(let m): w.stepStates[index] = .failed(m, seconds: seconds)
        case .unknown(let m): w.stepStates[index] = .unknown(m, seconds: seconds)
        }
        return []
    }

    // MARK: The plan's end

    /// The plan runner's result: finished, stopped with the way back, refused (back to the plan), cancelled.
    static func planEnded(_ w: inout RestoreWizardState, _ state: inout AppState, _ result: RestorePlanRunner.Result) -> [Effect] {
        var effects: [Effect] = []
        if case .refused(let refusal) = result {
            // Nothing ran: back to the plan, with who holds the Lease and doing what.
            stepBack(&w, state)
            w.message = "Refused: \(refusal). Nothing ran."
            notify(&state, "restore refused: \(refusal)")
            return [journal(state, "restore refused: \(refusal)")]
        }
        if w.kind == .database {
            effects += databaseEnded(&w, &state, result)
        } else {
            effects += filesEnded(&w, &state, result)
        }
        // The runner gave the Lease back; a failure to do so came as its last note.
        if w.leaseNote == nil { effects.append(journal(state, "restore Lease \(RestoreLease.name) given back")) }
        return effects
    }

    /// A plan of files (or both) ended: finished, stopped with the way back, cancelled.
    static func filesEnded(_ w: inout RestoreWizardState, _ state: inout AppState, _ result: RestorePlanRunner.Result) -> [Effect] {
        var effects: [Effect] = []
        switch result {
        case .finished, .detached:
            effects += planFinished(&w, &state)
        case .stopped(let at, let outcome, let recovery):
            w.recovery = recovery
            effects += stopped(&w, &state, at, outcome)
        case .notCreated(let at, let outcome):
            effects += stopped(&w, &state, at, outcome)
        case .notStarted(let at, let why, let recovery):
            // The Lease was lost and could not be taken again: announced, and the step did not start.
            let text = Redactor.redact(why)
            notify(&state, text)
            effects.append(journal(state, text))
            w.recovery = recovery
            effects += stopped(&w, &state, at, .failed("not started: \(why)"))
        case .refused:
            break  // said by planEnded
        case .cancelled(let before, let recovery):
            w.recovery = recovery
            w.message = "Cancelled before step \(before + 1): nothing after it ran."
            effects.append(journal(state, "restore cancelled before step \(before + 1)" + (recovery.isEmpty ? "" : "\n  to get back: " + recovery.joined(separator: "; "))))
        }
        return effects
    }

    /// The new cluster's plan ended: its outcome and, when healthy, the cutover, which the tool does none of.
    static func databaseEnded(_ w: inout RestoreWizardState, _ state: inout AppState, _ result: RestorePlanRunner.Result) -> [Effect] {
        let outcome: RestoreExecutor.Outcome = switch result {
        case .finished, .detached, .refused: w.dbOutcome ?? .done("\(w.dbPlan?.name ?? "the new cluster") created")
        case .stopped(_, let outcome, _), .notCreated(_, let outcome): outcome
        case .notStarted(_, let why, _): .failed("not started: \(why)")
        case .cancelled: .unknown("stopped following the new cluster: cancelled")
        }
        var effects: [Effect] = []
        if case .database(.running(var run)) = w.flow {
            run.outcome = outcome
            w.flow = .database(.finished(run))
        }
        w.message = outcome.succeeded ? "\(outcome.message). Nothing was switched: the cutover steps below are yours to run." : "The recovery FAILED: \(outcome.message)"
        notify(&state, "restore db: \(outcome.message)")
        effects.append(journal(state, "restore db: \(outcome.message)"))
        if outcome.succeeded, let plan = w.dbPlan {
            // What the operator is told to run is on record, exactly as shown.
            let steps = cutoverSteps(w, plan).enumerated().map { "  \($0.offset + 1). \($0.element)" }
            effects.append(journal(state, "restore db: cutover, yours to run:\n" + steps.joined(separator: "\n")))
        }
        return effects
    }

    static func planFinished(_ w: inout RestoreWizardState, _ state: inout AppState) -> [Effect] {
        var effects: [Effect] = []
        if case .both(.running(let run)) = w.flow { w.flow = .both(.finished(run)) } else { w.flow = .files(.finished) }
        w.message = "Restore finished: \(w.choiceText), into \(w.plan?.targetDirectory ?? "?")."
        w.recovery = []
        state.exitNotes = []
        notify(&state, "restore finished: \(w.choiceText)")
        effects.append(journal(state, "restore finished: \(w.choiceText) into \(w.plan?.targetDirectory ?? "?")"))
        if w.kind == .files, let plan = w.plan {
            let commands = FileRestoreAftercare.lines(plan: plan, facts: w.facts, cronJob: w.cronJob).filter { $0.kind == .command }.map { "  `\($0.text)`" }
            if !commands.isEmpty { effects.append(journal(state, "restore: what next, commands shown:\n" + commands.joined(separator: "\n"))) }
        }
        return effects
    }

    /// Step `index` failed (or its outcome is unknown): the plan stopped, the way back is shown.
    static func stopped(_ w: inout RestoreWizardState, _ state: inout AppState, _ index: Int, _ outcome: RestoreExecutor.Outcome) -> [Effect] {
        let seconds: Double = if w.stepStates.indices.contains(index), case .running(let since) = w.stepStates[index] { state.now - since } else { 0 }
        let m = outcome.message
        if w.stepStates.indices.contains(index) {
            switch w.stepStates[index] {
            case .failed, .unknown: break  // set when the step ended
            default: w.stepStates[index] = if case .unknown = outcome { .unknown(m, seconds: seconds) } else { .failed(m, seconds: seconds) }
            }
        }
        let title = w.plan.flatMap { $0.steps.indices.contains(index) ? $0.steps[index].title : nil } ?? "step"
        let word = if case .unknown = outcome { "outcome UNKNOWN" } else { "FAILED" }
        w.message = "Step \(index + 1) (\(title)) \(word): \(m). The plan stopped; nothing after it ran."
        notify(&state, "restore step \(index + 1) \(word): \(m)")
        return [journal(state, "restore step \(index + 1) \(word): \(m)" + (w.recovery.isEmpty ? "" : "\n  to get back: " + w.recovery.joined(separator: "; ")))]
    }

    /// The plan's events and end after the wizard was left: journaled (and a Lease note said).
    static func leftEvent(_ state: inout AppState, _ event: RestorePlanRunner.Event) -> [Effect] {
        switch event {
        case .stepStarted(let index, let step): return [journal(state, "restore step \(index + 1) started: \(step.title)")]
        case .progress: return []
        case .leaseNote(let note):
            notify(&state, note)
            return [journal(state, note)]
        case .stepEnded(let index, let outcome):
            let word = switch outcome { case .done: "done"; case .failed: "FAILED"; case .unknown: "outcome UNKNOWN" }
            return [journal(state, "restore step \(index + 1) \(word): \(outcome.message)")]
        }
    }

    /// How a plan ended after the wizard was left.
    static func leftEnd(_ state: AppState, _ result: RestorePlanRunner.Result) -> [Effect] {
        let text = switch result {
        case .finished, .detached: "restore finished after the wizard was left"
        case .stopped(let at, _, let recovery), .cancelled(let at, let recovery), .notStarted(let at, _, let recovery):
            "restore (left) stopped at step \(at + 1); to get back: " + (recovery.isEmpty ? "nothing to undo" : recovery.joined(separator: "; "))
        case .notCreated(let at, let outcome): "restore (left) stopped at step \(at + 1): \(outcome.message); nothing was changed"
        case .refused(let why): "restore refused: \(why)"
        }
        return [journal(state, text)]
    }
}
