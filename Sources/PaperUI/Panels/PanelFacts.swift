import PaperDomain
import PaperKube

// MARK: - PanelFacts

/// Object rows that complement the checks: the recent database Backups and the recent restic Jobs,
/// each with its outcome, age, duration and (for restic) what the exit code means.
public enum PanelFacts {
    public static func rows(from snapshot: Snapshot, config: PaperConfig, now: Double) -> [PanelID: [PanelRow]] {
        var out: [PanelID: [PanelRow]] = [:]
        // Who else writes the app's replicas and the CronJob's suspend: the managing Argo CD
        // Application(s), or "unknown" when they could not be read. Nothing when none manages it.
        let gitops = GitOps.detect(snapshot, config: config)
        switch gitops {
        case .none: break
        case .managed, .unknown:
            let role: Role = if case .unknown = gitops { .unknown } else { .text }
            out[.pods] = gitops.lines.map { PanelRow(text: $0, role: role, check: .pods, verdict: nil) }
        }
        let backups = snapshot.backups
            .filter { $0.clusterName == nil || $0.clusterName == config.database.cluster }
            .sorted { ($0.metadata.creationTimestamp ?? 0) > ($1.metadata.creationTimestamp ?? 0) }
            .prefix(8)
        if !backups.isEmpty {
            var rows = [PanelRow(text: "Recent Backups (newest first):", role: .title, check: .dbBackups, verdict: nil)]
            for b in backups {
                let verdict = ObjectVerdict.of(b)
                let age = (b.metadata.creationTimestamp).map { UTCTime.humanDuration(now - $0) + " ago" } ?? "age unknown"
                var text = "\(b.metadata.name)  \(b.phase)  \(age)"
                if let s = b.startedAt, let e = b.stoppedAt { text += "  took \(UTCTime.humanDuration(e - s))" }
                if let error = b.error, verdict == .critical { text += "  " + Redactor.redact(error) }
                rows.append(PanelRow(text: text, role: verdict.map(PanelRows.role(for:)) ?? .text, check: .dbBackups, verdict: verdict, subject: .backup(b.metadata.name)))
            }
            out[.database] = rows
        }
        let jobs = BackupJobs.of(snapshot, config: config)
            .sorted { ($0.metadata.creationTimestamp ?? 0) > ($1.metadata.creationTimestamp ?? 0) }
            .prefix(8)
        if !jobs.isEmpty {
            var rows = [PanelRow(text: "Recent restic Jobs (newest first):", role: .title, check: .fileBackups, verdict: nil)]
            for job in jobs {
                let outcome = job.outcome
                let verdict = ObjectVerdict.of(job)
                let age = job.metadata.creationTimestamp.map { UTCTime.humanDuration(now - $0) + " ago" } ?? ""
                var text = "\(job.metadata.name)  \(outcome.rawValue)  \(age)"
                if let s = job.startTime { text += "  took \(UTCTime.humanDuration((job.finishedAt ?? now) - s))" }
                // Who started it: a tool that labels its Jobs, kubectl by hand, or the schedule.
                if let tool = job.metadata.labels[ResticJob.managedByLabel] {
                    text += "  by \(tool)"
                } else if job.metadata.annotations["cronjob.kubernetes.io/instantiate"] == "manual" {
                    text += "  by hand (kubectl)"
                }
                if outcome == .failed, let code = ResticExitCode.of(job, pods: snapshot.pods, sidecars: config.app.sidecars) {
                    text += "  exit \(code): \(ResticExitCode.meaning(code))"
                }
                rows.append(PanelRow(text: text, role: verdict.map(PanelRows.role(for:)) ?? .text, check: .fileBackups, verdict: verdict, subject: .job(job.metadata.name)))
            }
            out[.fileBackups] = rows
        }
        let secrets = snapshot.externalSecrets.sorted { $0.metadata.name < $1.metadata.name }
        if !secrets.isEmpty {
            var rows = [PanelRow(text: "ExternalSecrets (f force-syncs the selected one):", role: .title, check: .secrets, verdict: nil)]
            for es in secrets {
                let ready = es.conditions[type: "Ready"]
                let verdict = ObjectVerdict.of(es)
                let refreshed = es.refreshTime.map { "refreshed \(UTCTime.humanDuration(now - $0)) ago" } ?? "never refreshed"
                // "NAME (…)" rather than "NAME: …": a name ending in -key followed by a colon reads as a credential to the redactor.
                let text = "\(es.metadata.name) (Ready=\(ready?.status ?? "-") \(ready?.reason ?? "-")), \(refreshed)"
                rows.append(PanelRow(text: text, role: verdict.map(PanelRows.role(for:)) ?? .text, check: .secrets, verdict: verdict,
                                     subject: .externalSecret(es.metadata.name)))
            }
            out[.secrets] = rows
        }
        return out
    }
}
