import Foundation
import PaperDomain
import PaperKube

// MARK: - The dialogs and prompts inside the wizard

extension RestoreWizardMode {
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
}
