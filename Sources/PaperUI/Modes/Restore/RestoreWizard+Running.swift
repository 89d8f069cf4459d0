import Foundation
import PaperDomain
import PaperKube

// MARK: - Confirming and running a plan, step by step
//
// Everything that runs a confirmed plan is here: the confirmation, the Lease, one `RestoreTask.step`
// per plan step and what each step's end leads to. A single `runPlan` effect (a plan runner in
// PaperDomain) replaces `runStep`/`stepFinished` without touching the other files.

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
                go(&w, to: .running)
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

    /// A plan step ended: the next one starts, or the plan stops with the way back.
    static func stepFinished(_ w: inout RestoreWizardState, _ state: inout AppState, _ index: Int, _ outcome: RestoreExecutor.Outcome) -> [Effect] {
        var effects: [Effect] = []
        guard w.stepStates.indices.contains(index), case .running(let since) = w.stepStates[index] else { return effects }
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
        return effects
    }

    /// The restore Lease answered: refused, back to the plan as it was; taken, the first write starts.
    static func leased(_ w: inout RestoreWizardState, _ state: inout AppState, refusal: String?) -> [Effect] {
        var effects: [Effect] = []
        if let refusal {
            // Nothing ran: back to the plan, with who holds the Lease and doing what.
            stepBack(&w, state)
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
        return effects
    }
}
