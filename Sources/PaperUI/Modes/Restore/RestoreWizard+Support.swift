import Foundation
import PaperDomain
import PaperKube

// MARK: - Read-only refusals and the database words

extension RestoreWizardMode {
    // MARK: Read-only

    /// Read-only mode: the wizard reads and plans; a key that would write names what it would
    /// run, and nothing runs.
    static func refuseReadOnly(_ w: inout RestoreWizardState, _ state: AppState, key: String, would: String) -> ModeStep {
        let planShown = w.step == .plan || w.step == .dbPlan
        let text = "read-only: \(key) would \(would); \(planShown ? "the plan is shown, " : "")nothing was run."
        w.message = text
        return ModeStep(.stay, [journal(state, "restore wizard, \(text)")])
    }

    /// A dangerous key in the wizard under `--read-only`: what it would do, in the wizard's own words.
    static func readOnlyKey(_ w: inout RestoreWizardState, _ state: AppState, _ intent: Intent, key: String) -> ModeStep {
        w.message = nil
        let would: String
        switch intent {
        case .confirm:
            if let plan = w.dbPlan, w.step == .dbPlan {
                would = w.kind == .databaseDrill ? "create the scratch cluster \(plan.name) and time its recovery"
                                                 : "create the new cluster \(plan.name) from the backups (kubectl create -f -, after the namespace is typed)"
            } else if let plan = w.plan, w.step == .plan {
                would = "run the plan's \(plan.steps.count) steps" + (plan.needsTypedConfirmation ? " (after the namespace is typed)" : "")
            } else {
                would = "run the plan, on the plan step"
            }
        case .restoreUnlock: would = "run restic unlock in a Job"
        case .restoreCleanup: would = "delete the database drill's scratch cluster"
        default: would = "run what it names"
        }
        return refuseReadOnly(&w, state, key: key, would: would)
    }

    /// The database cutover, its commands aimed at this session's cluster (`--kubeconfig`/`--context`).
    static func cutoverSteps(_ w: RestoreWizardState, _ plan: DatabaseRestorePlan) -> [String] {
        let argo = w.facts.deployment?.metadata.annotations.keys.contains { $0.hasPrefix("argocd.argoproj.io") } ?? false
        return DatabaseRestore.cutover(newName: plan.name, live: w.facts.config.database.cluster, target: w.facts.target,
                                       argoManaged: argo, deployment: w.facts.config.app.deployment, credentials: plan.credentials)
    }

    /// The restore point for the journal and the confirmation: as typed, in its own zone, else the plan's target.
    static func pointText(_ w: RestoreWizardState, _ plan: DatabaseRestorePlan, _ state: AppState) -> String {
        if let typed = w.typedPoint, let echo = RestorePoint.echo(typed, at: plan.recoveredTo) { return echo }
        guard let target = plan.target else { return "latest (about \(both(plan.recoveredTo, state)))" }
        if case .time = plan.point { return both(plan.recoveredTo, state) }
        return "\(target) (\(both(plan.recoveredTo, state)))"
    }
}
