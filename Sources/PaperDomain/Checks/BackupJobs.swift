import PaperKube

// MARK: - BackupJobs

/// The restic CronJob's backup Jobs, and the newest one's failure, for the check and the fetcher.
public enum BackupJobs {
    /// Jobs of the CronJob (owned by it or carrying its Job labels), paperctl's own restic Jobs
    /// (listings, restores, drills, unlocks) left out: they are not backups.
    public static func of(_ snapshot: Snapshot, config: PaperConfig) -> [Job] {
        let name = config.fileBackup.cronJob
        return snapshot.jobs.filter { job in
            (job.metadata.ownerReferences.contains { $0.kind == "CronJob" && $0.name == name }
                || (!config.fileBackup.jobLabels.isEmpty && job.metadata.matches(config.fileBackup.jobLabels)))
                && !ResticJob.isToolJob(job)
        }
    }

    /// The newest backup Job, when it failed, with its newest pod and the restic container (the
    /// first that is not a mesh sidecar): whose log says why.
    public static func newestFailed(_ snapshot: Snapshot, config: PaperConfig) -> (job: Job, pod: Pod, container: String)? {
        guard let newest = of(snapshot, config: config).max(by: { ($0.metadata.creationTimestamp ?? 0) < ($1.metadata.creationTimestamp ?? 0) }),
              newest.outcome == .failed else { return nil }
        guard let pod = newestPod(ofJob: newest.metadata.name, in: snapshot.pods),
              let container = pod.containerNames.first(where: { !config.app.sidecars.contains($0) }) else { return nil }
        return (newest, pod, container)
    }

    /// The newest pod of the Job named `name` among `pods` (by label or owner): whose log says how it went.
    public static func newestPod(ofJob name: String, in pods: [Pod]) -> Pod? {
        pods.filter { pod in
            pod.metadata.labels["job-name"] == name || pod.metadata.labels["batch.kubernetes.io/job-name"] == name
                || pod.metadata.ownerReferences.contains { $0.kind == "Job" && $0.name == name }
        }.max { ($0.startTime ?? $0.metadata.creationTimestamp ?? 0) < ($1.startTime ?? $1.metadata.creationTimestamp ?? 0) }
    }
}
