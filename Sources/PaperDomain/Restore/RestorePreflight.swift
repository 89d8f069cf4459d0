import Foundation
import PaperKube

// MARK: - RestorePreflight

/// The checklist before a file restore: each line a verdict and the reason, from the last
/// snapshot's typed objects plus three reads (`auth can-i` twice, the newest failed Job's log).
public struct RestorePreflight: Sendable, Equatable {
    public struct Line: Sendable, Equatable {
        public var title: String
        public var verdict: Verdict
        public var reason: String

        public init(_ title: String, _ verdict: Verdict, _ reason: String) {
            self.title = title
            self.verdict = verdict
            self.reason = Redactor.redact(reason)
        }
    }

    public var lines: [Line]
    /// restic's reason the newest backup failed, when it was a lock: the wizard offers `unlock`.
    public var lock: ResticDiagnosis?
    /// A backup Job of the CronJob is active: its holder may still be alive, so unlock must wait.
    public var activeJobs: [String]
    public var canCreateJobs: Bool
    public var canScale: Bool

    /// Nothing may run: a critical line other than the scale permission (which only in-place needs).
    public var blocksEverything: Bool { lines.contains { $0.verdict == .critical && !$0.title.hasPrefix("RBAC: scale") } }
    public var blocksInPlace: Bool { blocksEverything || !canScale }

    // MARK: Reads

    /// What the checklist reads beyond the snapshot.
    public enum Read: String, Sendable, Equatable, CaseIterable {
        case canCreateJobs, canScale, cronJob, lastFailedLog
        /// The Jobs now: whether a backup is active is read, not taken from the last refresh.
        case jobs
    }

    public static func command(_ read: Read, facts: ActionFacts) -> KubectlCommand? {
        let t = facts.target
        switch read {
        case .canCreateJobs:
            return KubectlCommand(arguments: t.connectionArguments + ["auth", "can-i", "create", "jobs.batch", "-n", t.namespace])
        case .canScale:
            return KubectlCommand(arguments: t.connectionArguments + ["auth", "can-i", "patch", "deployments.apps", "--subresource=scale", "-n", t.namespace])
        case .cronJob:
            return KubectlCommand(arguments: t.globalArguments + ["get", "cronjobs.batch", facts.config.fileBackup.cronJob, "-o", "json"])
        case .jobs:
            return KubectlCommand(arguments: t.globalArguments + ["get", "jobs.batch", "-o", "json"])
        case .lastFailedLog:
            guard let failed = newestJobIfFailed(facts) else { return nil }
            return KubectlCommand(arguments: t.globalArguments + ["logs", "-l", "job-name=\(failed.metadata.name)", "--tail=50", "--all-containers=true"])
        }
    }

    /// The newest Job of the CronJob, when it failed.
    public static func newestJobIfFailed(_ facts: ActionFacts) -> Job? {
        BackupJobs.newestIfFailed(facts.jobs, config: facts.config)
    }

    /// `kubectl auth can-i` prints `yes` (exit 0) or `no` (exit 1).
    public static func allowed(_ output: CommandOutput?) -> Bool? {
        guard let output else { return nil }
        let text = String(decoding: output.stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if text.hasPrefix("yes") { return true }
        if text.hasPrefix("no") { return false }
        return nil
    }

    // MARK: Evaluate

    /// The checklist. `canCreateJobs`/`canScale` nil: the question could not be asked.
    public static func evaluate(_ facts: ActionFacts, canCreateJobs: Bool?, canScale: Bool?, cronJobJSON: Data?, lastFailedLog: String?, now: Double) -> RestorePreflight {
        var lines: [Line] = []
        let config = facts.config
        // The restic secret and the CronJob.
        let secretName = config.externalSecrets.first { $0.contains("restic") } ?? "\(config.app.deployment)-restic"
        if let es = facts.externalSecrets.first(where: { $0.metadata.name == secretName }) {
            let ready = es.conditions[type: "Ready"]
            let refreshed = es.refreshTime.map { "refreshed \(UTCTime.humanDuration(now - $0)) ago" } ?? "never refreshed"
            lines.append(Line("restic secret \(secretName)", ready?.status == "True" ? .ok : .critical,
                              ready?.status == "True" ? "synced, \(refreshed)" : "not synced (\(ready?.reason ?? "no Ready condition")): restic would not find its password"))
        } else {
            lines.append(Line("restic secret \(secretName)", .warn, "ExternalSecret not found; the Job still gets whatever Secret the CronJob names"))
        }
        if facts.cronJob == nil || cronJobJSON == nil {
            lines.append(Line("CronJob \(config.fileBackup.cronJob)", .critical, "not found: the restore Jobs are built from its template"))
        } else {
            lines.append(Line("CronJob \(config.fileBackup.cronJob)", .ok, "found; its template gives the image, the env and the volume"))
        }
        // The data volume.
        if let volume = facts.dataVolume {
            let bound = volume.claim.phase == "Bound"
            var reason = bound ? "Bound" : "phase \(volume.claim.phase ?? "unknown")"
            if let stats = volume.stats, let used = stats.usedBytes, let capacity = stats.capacityBytes, capacity > 0 {
                reason += ", \(Int((Double(used) / Double(capacity) * 100).rounded()))% used (\(FileRestore.bytes(used)) of \(FileRestore.bytes(capacity)))"
            } else {
                reason += ", usage not reported"
            }
            lines.append(Line("data volume \(volume.claim.metadata.name)", bound ? .ok : .critical, reason))
        } else {
            lines.append(Line("data volume", .critical, "the PVC the app mounts was not found"))
        }
        // No backup running.
        let active = ManualBackup.activeFileBackups(jobs: facts.jobs, cronJob: facts.cronJob, config: config)
        lines.append(active.isEmpty ? Line("backup Jobs", .ok, "none pending or running")
                                    : Line("backup Jobs", .critical, "\(active.joined(separator: ", ")) still active: wait for it to finish"))
        // The lock, from restic's own words in the newest failed Job's log.
        var lock: ResticDiagnosis?
        let unlocked = facts.jobs.filter { $0.metadata.labels[ResticJob.purposeLabel] == ResticJob.Purpose.unlock.rawValue && $0.outcome == .succeeded }
            .max { ($0.metadata.creationTimestamp ?? 0) < ($1.metadata.creationTimestamp ?? 0) }
        if let failed = newestJobIfFailed(facts), let unlock = unlocked, (unlock.metadata.creationTimestamp ?? 0) >= (failed.metadata.creationTimestamp ?? 0) {
            lines.append(Line("repository lock", .ok, "the newest backup \(failed.metadata.name) failed, but restic unlock ran after it (Job \(unlock.metadata.name) succeeded)"))
        } else if let failed = newestJobIfFailed(facts) {
            let pods = facts.jobPods.filter { $0.belongs(toJob: failed.metadata.name) }
            let code = ResticExitCode.of(failed, pods: pods, sidecars: config.app.sidecars)
            let diagnosis = ResticDiagnosis.diagnose(log: lastFailedLog ?? "", exitCode: code)
            if diagnosis.cause == .locked {
                lock = diagnosis
                lines.append(Line("repository lock", .critical, "the newest backup \(failed.metadata.name) failed: \(diagnosis.evidence)"))
            } else {
                lines.append(Line("repository lock", .warn, "the newest backup \(failed.metadata.name) failed, not for a lock: \(diagnosis.summary)"))
            }
        } else {
            lines.append(Line("repository lock", .ok, "the newest backup did not fail on a lock"))
        }
        // RBAC.
        lines.append(Line("RBAC: create Jobs", canCreateJobs == true ? .ok : (canCreateJobs == false ? .critical : .unknown),
                          canCreateJobs == true ? "allowed" : (canCreateJobs == false ? "kubectl auth can-i create jobs says no: nothing can run" : "could not ask (kubectl auth can-i failed)")))
        lines.append(Line("RBAC: scale \(config.app.deployment)", canScale == true ? .ok : (canScale == false ? .critical : .unknown),
                          canScale == true ? "allowed" : (canScale == false ? "kubectl auth can-i patch deployments/scale says no: only a side-by-side restore is possible" : "could not ask")))
        return RestorePreflight(lines: lines, lock: lock, activeJobs: active, canCreateJobs: canCreateJobs ?? false, canScale: canScale ?? false)
    }
}
