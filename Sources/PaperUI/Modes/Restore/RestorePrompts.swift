import Foundation
import PaperDomain
import PaperKube

// MARK: - RestorePrompt

/// A question the wizard asks on top of itself, as a mode of the stack: a typed answer (a path,
/// the namespace, a reason, a time) or a yes/no (run restic unlock; leave while a step runs).
/// The wizard under it gets the answer; Esc closes the question and the wizard is as it was.
/// The wizard draws it at its bottom, always in view.
public struct RestorePrompt: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// The path inside the snapshot; the namespace before a write; why the safety backup is
        /// skipped; the restore point; the namespace before deleting a drill's scratch cluster or
        /// running `restic unlock --remove-all`.
        case path, namespace, skipReason, time, cleanupNamespace, removeAllNamespace
        /// `y` runs the restic unlock Job shown.
        case unlock
        /// A step runs: Esc (or Ctrl-C) again leaves, the way back on record; Enter stays.
        case abort
    }

    public var kind: Kind
    public var draft: String
    /// Why the last typed answer was refused: shown beside the prompt, the answer kept for editing.
    public var error: String?

    public init(_ kind: Kind, draft: String = "") {
        self.kind = kind
        self.draft = draft
    }

    /// Keys type text (otherwise they answer yes or no).
    public var isTyped: Bool { kind != .unlock && kind != .abort }
}

// MARK: - RestorePrompts

enum RestorePrompts {
    static func update(_ p: inout RestorePrompt, _ state: inout AppState, _ intent: Intent) -> ModeStep {
        guard let i = RestoreWizardMode.index(state), case .restore(var w) = state.stack[i] else { return .pop }
        switch p.kind {
        case .unlock:
            switch intent {
            case .confirm:
                let effects = RestoreWizardMode.unlockConfirmed(&w, &state)
                state.stack[i] = .restore(w)
                return ModeStep(.pop, effects)
            case .back:
                return ModeStep(.pop, [RestoreWizardMode.journal(state, "restore: restic unlock cancelled")])
            default:
                return .stay
            }
        case .abort:
            switch intent {
            case .back:
                // Leave: the running step goes on, nothing after it starts; the way back is on record.
                state.stack.remove(at: i)  // the wizard; this prompt, on top, pops
                return ModeStep(.pop, RestoreWizardMode.left(w, &state))
            case .submit, .confirm:
                return .pop
            default:
                return .stay
            }
        default:
            switch intent {
            case .type(let c):
                p.draft.append(c)
            case .erase:
                if !p.draft.isEmpty { p.draft.removeLast() }
            case .back:
                return .pop
            case .submit:
                // Accepted: the prompt closes. Refused: it stays, the answer kept, the reason beside it.
                let (error, effects) = RestoreWizardMode.answer(&w, &state, p.kind, p.draft.trimmingCharacters(in: .whitespaces))
                state.stack[i] = .restore(w)
                p.error = error
                return ModeStep(error == nil ? .pop : .stay, effects)
            default:
                break
            }
            return .stay
        }
    }

    /// The prompt open right above the wizard, if any (an overlay such as the help may be above it).
    static func open(_ state: AppState) -> RestorePrompt? {
        guard let i = RestoreWizardMode.index(state), i + 1 < state.stack.count, case .restorePrompt(let p) = state.stack[i + 1] else { return nil }
        return p
    }
}

// MARK: - The wizard's side: opening a prompt, taking its answer

extension RestoreWizardMode {
    /// Opens `prompt` above the wizard.
    static func ask(_ prompt: RestorePrompt.Kind, draft: String = "", _ effects: [Effect] = []) -> ModeStep {
        ModeStep(.push(.restorePrompt(RestorePrompt(prompt, draft: draft))), effects)
    }

    /// Ctrl-C while a step runs asks first (overlays above the wizard are closed so the question
    /// is seen); asked again, the wizard is left and the app quits, the way back on record.
    /// Nil: nothing runs, quit as usual.
    static func askBeforeQuitting(_ state: inout AppState) -> [Effect]? {
        guard let i = index(state), case .restore(let w) = state.stack[i] else { return nil }
        let asking = RestorePrompts.open(state)?.kind == .abort
        guard w.isRunning || asking else { return nil }
        if asking {
            state.stack.removeSubrange(i...)
            state.quitting = true
            return left(w, &state) + [.quit]
        }
        state.stack.removeSubrange((i + 1)...)
        state.apply(.push(.restorePrompt(RestorePrompt(.abort))))
        return []
    }

    /// The wizard left while a step ran: said, and journaled with the way back.
    static func left(_ w: RestoreWizardState, _ state: inout AppState) -> [Effect] {
        let text = "restore left while a step ran; to get back: " + (w.recovery.isEmpty ? "nothing to undo" : w.recovery.joined(separator: "; "))
        notify(&state, text)
        // A plan: its runner stops waiting, no step after the running one starts, and its end says the way back.
        let cancel: [Effect] = if (w.kind == .files || w.kind == .both), let generation = w.taskGeneration { [.cancelRestore(generation: generation)] } else { [] }
        return [journal(state, text)] + cancel
    }

    /// Every destructive confirmation checks the typed namespace the same way: a wrong one runs
    /// nothing and says so next to the prompt, the typed text kept for editing.
    static func wrongNamespace(_ state: AppState, _ text: String) -> String? {
        text == state.namespace ? nil : "\"\(text)\" is not the namespace: type \(state.namespace) exactly (Backspace edits), or Esc. Nothing was run."
    }

    /// Enter in a prompt: the wizard takes the typed answer (nil) or refuses it (the reason).
    static func answer(_ w: inout RestoreWizardState, _ state: inout AppState, _ kind: RestorePrompt.Kind, _ text: String) -> (error: String?, effects: [Effect]) {
        switch kind {
        case .path:
            guard !text.isEmpty else { return (nil, []) }
            w.path = text.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
            go(&w, to: .files(.target))
            w.picking = false  // typed from the browser: Esc on the target comes back to it, as it was
            return (nil, [journal(state, "restore: path /\(w.path ?? "") typed")])
        case .skipReason:
            guard text.count >= 5 else { return ("Give a reason of a few words (5 characters or more): it goes into the journal.", []) }
            w.skipReason = text
            if w.kind == .both {
                // Both's plan again, without the files' safety backup: the database's steps stay in it.
                if let why = replanBoth(&w, state) { return (why, []) }
            } else {
                makePlan(&w, state)
            }
            return (nil, [journal(state, "restore: safety backup skipped, reason: \(text)")])
        case .namespace:
            if let wrong = wrongNamespace(state, text) { return (wrong, []) }
            if w.kind == .database, let plan = w.dbPlan {
                go(&w, to: .database(.running(.init(plan: plan))))
                // The database restore's plan, run by the one plan runner: the Lease, the credentials Secret,
                // the create, the wait until healthy, the backups re-armed, the Lease back.
                let steps = plan.steps(target: w.facts.target).map { step in
                    var step = step
                    if case .recoverCluster = step.kind { step.dryRunDone = true }  // y waited for this manifest's dry run to be accepted
                    return step
                }
                return (nil, [journal(state, "restore db confirmed (namespace typed): create \(plan.name) to \(pointText(w, plan, state))"),
                              task(&w, &state, .runPlan(steps: steps, what: "restore db into new cluster \(plan.name), to \(plan.target ?? "latest")"), busy: "taking the restore Lease")])
            }
            guard let plan = w.plan else { return (nil, []) }
            return (nil, start(&w, &state, plan).effects)
        case .removeAllNamespace:
            if let wrong = wrongNamespace(state, text) { return (wrong, []) }
            guard let job = w.removeAllJob else { return (nil, []) }
            w.removeAllJob = nil
            w.message = nil
            let holder = w.lockHolder.map { $0.summary(namespace: state.namespace) } ?? "holder unknown"
            return (nil, [journal(state, "restic unlock --remove-all confirmed (namespace typed; \(holder)): `\(createCommand(w))` Job \(job.name): \(job.script)"),
                          task(&w, &state, .unlock(job), busy: "the restic unlock --remove-all Job \(job.name)")])
        case .cleanupNamespace:
            if let wrong = wrongNamespace(state, text) { return (wrong, []) }
            guard let drill = w.dbDrill else { return (nil, []) }
            let command = DatabaseDrill.deleteCommand(drill.cluster, target: w.facts.target)
            return (nil, [journal(state, "database drill cleanup confirmed (namespace typed): `\(command.displayLine)`"),
                          task(&w, &state, .dbDrillCleanup(name: drill.cluster), busy: "deleting scratch cluster \(drill.cluster)")])
        case .time:
            let point: RestorePoint
            do {
                point = try RestorePoint.parse(text, now: state.now)
            } catch {
                return (error.description, [])
            }
            w.typedPoint = text
            let step = choosePoint(&w, &state, point)
            guard w.step == .timeline else { return (nil, step.effects) }
            // Refused (outside the window, no snapshot before it): the prompt stays, with the reason.
            let refusal = w.message ?? w.dbPlanError.map { "Refused: \($0)" } ?? "Refused."
            w.message = nil
            w.typedPoint = nil
            return (refusal, step.effects)
        case .unlock, .abort:
            return (nil, [])
        }
    }
}
