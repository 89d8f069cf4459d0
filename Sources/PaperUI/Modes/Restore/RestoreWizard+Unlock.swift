import Foundation
import PaperDomain
import PaperKube

// MARK: - The unlock path: the offer, the Job built once, its end

extension RestoreWizardMode {
    /// `y` on the unlock question: the Job shown runs.
    static func unlockConfirmed(_ w: inout RestoreWizardState, _ state: inout AppState) -> [Effect] {
        guard let job = w.unlockJob else { return [] }
        if state.readOnly {
            w.message = "Read-only mode: nothing is run."
            return []
        }
        return [journal(state, "restore: restic unlock confirmed: Job \(job.name) (\(job.script))"), task(&w, &state, .unlock(job), busy: "the restic unlock Job \(job.name)")]
    }

    /// The unlock path: offer the question (true) when the preflight found a lock and no backup
    /// Job is active, the Job built once; otherwise say why not.
    static func offerUnlock(_ w: inout RestoreWizardState, _ state: AppState) -> Bool {
        guard let pre = w.preflight else { return false }
        guard pre.lock != nil else {
            w.message = "The preflight finds no lock now (it may have been removed, or the newest failed backup's log is gone): nothing to unlock. r checks again."
            return false
        }
        guard pre.activeJobs.isEmpty else {
            w.message = "A backup Job is active (\(pre.activeJobs.joined(separator: ", "))): its restic may still hold the lock, and restic unlock removes only stale ones. Wait for it to end, then r."
            return false
        }
        guard w.cronJob != nil else {
            w.message = "The CronJob could not be read: the unlock Job is built from its template. r checks again."
            return false
        }
        w.unlockJob = w.cronJob.flatMap { try? RestoreToolkit.unlockJob(cronJob: $0, now: state.now, namespace: w.facts.target.namespace) }
        w.message = nil
        return true
    }

    /// `kubectl … create -f - -n NS`: how the wizard's Jobs are created, with the connection flags.
    static func createCommand(_ w: RestoreWizardState) -> String {
        KubectlCommand(arguments: w.facts.target.connectionArguments + ["create", "-f", "-", "-n", w.facts.target.namespace]).displayLine
    }

    /// `restic unlock` ended: the lock gone (the Done screen of the unlock path), or the holder named.
    static func unlocked(_ w: inout RestoreWizardState, _ state: inout AppState, _ unlock: RestoreToolkit.UnlockResult) -> [Effect] {
        var effects: [Effect] = []
        let result = unlock.result
        let job = unlock.job ?? "?"
        if result.outcome.succeeded {
            let said = result.log.split(whereSeparator: \.isNewline).last { !$0.hasPrefix("repository ") }.map(String.init) ?? "no output"
            w.lockHolder = nil
            w.message = "restic unlock ran in Job \(job): \(said)." + (w.kind == .unlock ? " b starts a backup Job to prove the repository is free." : "")
            if var pre = w.preflight {
                pre.lock = nil
                pre.lines = pre.lines.map { $0.title == "repository lock" ? RestorePreflight.Line("repository lock", .ok, "restic unlock (Job \(job)) ran just now (restic: \(said))") : $0 }
                w.preflight = pre
            }
            effects.append(journal(state, "restic unlock done in Job \(job): \(said)"))
            if w.kind == .unlock {
                w.flow = .unlock(.finished(unlockedBy: job))
                notify(&state, "restic unlock ran in Job \(job): \(said); b starts a backup to prove the repository is free")
            } else {
                w.preflightStep.unlockedBy = job
            }
        } else if let holder = unlock.holder {
            w.lockHolder = holder
            let summary = holder.summary(namespace: state.namespace)
            if holder.isGone, let cron = w.cronJob {
                w.removeAllJob = try? RestoreToolkit.unlockJob(cronJob: cron, removeAll: true, now: state.now, namespace: w.facts.target.namespace)
            }
            w.message = "restic unlock FAILED (Job \(job)): \(summary). " + (w.removeAllJob != nil
                ? "u offers restic unlock --remove-all (you type the namespace)."
                : "Wait for it to end, then r checks again.")
            effects.append(journal(state, "restic unlock failed (Job \(job)): \(result.outcome.message); \(summary)"))
        } else {
            w.message = "restic unlock FAILED (Job \(job)): \(result.outcome.message)"
            effects.append(journal(state, "restic unlock failed (Job \(job)): \(result.outcome.message)"))
        }
        return effects
    }
}
