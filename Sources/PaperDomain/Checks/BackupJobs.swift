import PaperKube

// MARK: - BackupJobs

/// Which Jobs are the restic CronJob's, which of those are backups, and the newest one's failure:
/// one definition for the File backups check and panel, the `b` refusal, the restore preflight
/// and the fetcher that reads the failed Job's log.
public enum BackupJobs {
    /// Every Job of the CronJob among `jobs`: owned by it, or carrying its configured Job labels.
    /// An empty label set matches nothing (not every Job of the namespace). paperctl's own restic
    /// Jobs (listings, restores, drills, unlocks) are included: they come from the same template.
    public static func ofCronJob(_ jobs: [Job], config: PaperConfig) -> [Job] {
        let name = config.fileBackup.cronJob
        let labels = config.fileBackup.jobLabels
        return jobs.filter { job in
            job.metadata.ownerReferences.contains { $0.kind == "CronJob" && $0.name == name }
                || (!labels.isEmpty && job.metadata.matches(labels))
        }
    }

    /// The backup runs among `jobs`: the CronJob's Jobs without paperctl's own restic Jobs.
    public static func backups(_ jobs: [Job], config: PaperConfig) -> [Job] {
        ofCronJob(jobs, config: config).filter { !ResticJob.isToolJob($0) }
    }

    /// The backup runs of the snapshot.
    public static func of(_ snapshot: Snapshot, config: PaperConfig) -> [Job] {
        backups(snapshot.jobs, config: config)
    }

    /// The newest backup run (by creation), when it failed.
    public static func newestIfFailed(_ jobs: [Job], config: PaperConfig) -> Job? {
        let newest = backups(jobs, config: config).max { ($0.metadata.creationTimestamp ?? 0) < ($1.metadata.creationTimestamp ?? 0) }
        return newest?.outcome == .failed ? newest : nil
    }

    /// The newest backup Job, when it failed, with its newest pod and the restic container (the
    /// first that is not a mesh sidecar): whose log says why.
    public static func newestFailed(_ snapshot: Snapshot, config: PaperConfig) -> (job: Job, pod: Pod, container: String)? {
        guard let newest = newestIfFailed(snapshot.jobs, config: config) else { return nil }
        guard let pod = newestPod(ofJob: newest.metadata.name, in: snapshot.pods),
              let container = pod.containerNames.first(where: { !config.app.sidecars.contains($0) }) else { return nil }
        return (newest, pod, container)
    }

    /// The newest pod of the Job named `name` among `pods` (by label or owner): whose log says how it went.
    public static func newestPod(ofJob name: String, in pods: [Pod]) -> Pod? {
        pods.filter { $0.belongs(toJob: name) }.max { ($0.startTime ?? $0.metadata.creationTimestamp ?? 0) < ($1.startTime ?? $1.metadata.creationTimestamp ?? 0) }
    }
}
