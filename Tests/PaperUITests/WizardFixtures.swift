import Foundation
import PaperDomain
import PaperKube
@testable import PaperUI

/// Restore wizard states at each step, built the way the wizard builds them, and the answers the
/// effect runner would send back.
enum WizardFixtures {
    static let cronJob = Data(#"""
        {"apiVersion":"batch/v1","kind":"CronJob","metadata":{"name":"paperless-ngx-backup"},"spec":{"schedule":"0 4 * * *","jobTemplate":{"spec":{"template":{"metadata":{"labels":{"app.kubernetes.io/name":"paperless-ngx-backup"}},"spec":{"containers":[{"name":"restic","image":"restic/restic:0.17.3","command":["/bin/sh","-c"],"args":["restic backup /data --host paperless-ngx && restic forget --keep-daily 7 --prune"],"volumeMounts":[{"mountPath":"/data","name":"data","readOnly":true}]}],"volumes":[{"name":"data","persistentVolumeClaim":{"claimName":"paperless-ngx-data","readOnly":true}}]}}}}}}
        """#.utf8)

    static let snapshots = (0..<3).map { i in
        ResticSnapshot(id: "\(i)a2b3c4d5e6f7", time: Fixtures.now - Double(i + 1) * 86_400, hostname: "paperless-ngx", paths: ["/data"], tags: ["paperless-ngx"])
    }

    /// Facts with a Deployment of 1 replica and the data volume, so in place can plan.
    static func facts() -> ActionFacts {
        var f = Fixtures.facts()
        // The app container mounts the data volume's root, as the chart does (the "what next" commands name it).
        f.deployment = try? KubeJSON.decode(Deployment.self, from: Data(#"""
            {"metadata":{"name":"paperless-ngx"},"spec":{"replicas":1,"selector":{"matchLabels":{"app.kubernetes.io/name":"paperless-ngx"}},
             "template":{"spec":{"containers":[{"name":"paperless-ngx","volumeMounts":[{"mountPath":"/usr/src/paperless/data","name":"data"}],
               "env":[{"name":"PAPERLESS_MEDIA_ROOT","value":"/usr/src/paperless/data/media"}]}],
              "volumes":[{"name":"data","persistentVolumeClaim":{"claimName":"paperless-ngx-data"}}]}}}}
            """#.utf8))
        f.dataVolume = .init(claim: PersistentVolumeClaim(metadata: ObjectMeta(name: "paperless-ngx-data"), phase: "Bound"),
                             stats: VolumeStats(name: "data", pvcName: "paperless-ngx-data", usedBytes: 4 << 30, capacityBytes: 10 << 30, availableBytes: 6 << 30))
        return f
    }

    static func preflight(lock: Bool = false, canScale: Bool = true, _ facts: ActionFacts = WizardFixtures.facts()) -> RestoreToolkit.PreflightResult {
        var pre = RestorePreflight.evaluate(facts, canCreateJobs: true, canScale: canScale, cronJobJSON: cronJob, lastFailedLog: nil, now: Fixtures.now)
        if lock {
            pre.lock = ResticDiagnosis(cause: .locked, evidence: "Fatal: unable to create lock in backend: repository is already locked exclusively by PID 27", nextStep: "unlock")
            pre.lines = pre.lines.map { $0.title == "repository lock" ? RestorePreflight.Line("repository lock", .critical, "locked") : $0 }
        }
        return RestoreToolkit.PreflightResult(preflight: pre, cronJob: cronJob)
    }

    static func listing() -> RestoreToolkit.SnapshotListing {
        RestoreToolkit.SnapshotListing(job: "paperctl-restic-snapshots-x", snapshots: snapshots, version: ResticVersion(0, 17, 3))
    }

    /// The wizard on the Snapshot step, three snapshots listed, the middle one selected.
    static func atSnapshots(_ state: AppState) -> RestoreWizardState {
        var w = RestoreWizardState(facts: facts())
        w.preflight = preflight().preflight
        w.cronJob = cronJob
        w.snapshots = snapshots
        w.version = ResticVersion(0, 17, 3)
        w.history = steps([.choose, .files(.preflight)], of: w)
        w.flow = .files(.snapshots)
        w.selection = 1
        return w
    }

    /// The wizard on the Plan step for the newest snapshot, everything, `target`.
    static func atPlan(_ state: AppState, target: FileRestoreRequest.Target) -> RestoreWizardState {
        var w = atSnapshots(state)
        w.snapshot = snapshots[0]
        w.target = target
        w.history = steps([.choose, .files(.preflight), .files(.snapshots), .files(.scope), .files(.target)], of: w)
        w.flow = .files(.plan)
        w.selection = 0
        RestoreWizardMode.makePlan(&w, state)
        return w
    }

    /// A history of `steps` (flows and their steps), each the value `w` with that step (its cursor at the top).
    static func steps(_ steps: [RestoreWizardState.Flow], of w: RestoreWizardState) -> [RestoreWizardState] {
        steps.map { step in
            var kept = w.kept
            kept.flow = step
            kept.selection = 0
            return kept
        }
    }

    /// The wizard on the stack (a prompt may be open above it), if any.
    static func wizard(_ s: AppState) -> RestoreWizardState? {
        RestoreWizardMode.index(s).flatMap { if case .restore(let w) = s.stack[$0] { w } else { nil } }
    }

    /// The wizard's question on top of the stack, if one is open.
    static func prompt(_ s: AppState) -> RestorePrompt? {
        if case .restorePrompt(let p) = s.mode { p } else { nil }
    }

    /// The generation and task of the restore effect among `effects`.
    static func task(_ effects: [Effect]) -> (generation: Int, task: RestoreTask)? {
        for e in effects {
            if case .restore(let task, let generation) = e { return (generation, task) }
        }
        return nil
    }

    /// The plan runner's events for step `index` of the wizard's plan: started, then ended with
    /// `outcome` (nil: it goes on running).
    @discardableResult
    static func step(_ s: inout AppState, _ generation: Int, _ index: Int, _ outcome: RestoreExecutor.Outcome?) -> [Effect] {
        guard let steps = wizard(s)?.plan?.steps, steps.indices.contains(index) else { return [] }
        var effects = update(&s, .restorePlanEvent(generation: generation, .stepStarted(index, steps[index])))
        if let outcome { effects += update(&s, .restorePlanEvent(generation: generation, .stepEnded(index, outcome))) }
        return effects
    }

    /// The plan the wizard started among `effects`, run to its end as the plan runner would: every
    /// step started and done (`text(index)`), then finished.
    static func finishPlan(_ s: inout AppState, _ effects: [Effect], _ text: (Int) -> String) -> [Effect] {
        guard let (generation, task) = task(effects), case .runPlan(let steps, _) = task else { return [] }
        var all: [Effect] = []
        for index in steps.indices { all += step(&s, generation, index, .done(text(index))) }
        return all + update(&s, .restoreFinished(generation: generation, .plan(.finished)))
    }

    /// The plan runner's answer on the Lease for the plan among `effects`: granted (the plan
    /// goes on; `effects` returned), or refused (the plan's end says so).
    static func granted(_ s: inout AppState, _ effects: [Effect], refusal: String? = nil) -> [Effect] {
        guard let (generation, task) = task(effects), case .runPlan = task, let refusal else { return effects }
        return update(&s, .restoreFinished(generation: generation, .plan(.refused(refusal))))
    }
}
