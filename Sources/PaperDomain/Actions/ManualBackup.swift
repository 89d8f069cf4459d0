import Foundation
import PaperKube

// MARK: - ManualBackup

/// The manual backups of the runbook as pure functions: which kubectl commands run, what the
/// CNPG Backup looks like, and when a request must be refused. `paperctl-tui backup` and the
/// dashboard's `b`/`B` keys use the same rules; `ManualBackupSession` runs them.
public enum ManualBackup {
    /// What to back up.
    public enum Kind: String, Sendable, CaseIterable {
        /// The restic CronJob's Job (the Paperless media and data volume).
        case files
        /// A CloudNativePG Backup of the database cluster.
        case db
    }

    /// `--kubeconfig`/`--context` only: the namespace goes last as `-n NS`, the way an operator types it.
    static func connectionArguments(_ target: KubeTarget) -> [String] { target.connectionArguments }

    /// What an operator runs for a backup now: this tool's own `backup files|db`, which plans,
    /// refuses and waits exactly as `b`/`B` do. The checks' "back up now" hints are this command.
    public static func command(_ kind: Kind, target: KubeTarget) -> String {
        target.paperctl(["backup", kind.rawValue])
    }

    // MARK: Files

    /// `manual-backup-<unix>`.
    public static func fileBackupName(now: Double) -> String { "manual-backup-\(Int(now))" }

    /// `kubectl get cronjob <cronJob> -o json`: the CronJob and its `status.active`.
    public static func readCronJob(config: PaperConfig, target: KubeTarget) -> KubectlCommand {
        KubectlCommand(arguments: target.globalArguments + ["get", "cronjobs.batch", config.fileBackup.cronJob, "-o", "json"])
    }

    /// `kubectl get jobs -o json`: every Job of the namespace, to find the CronJob's active ones.
    public static func readJobs(target: KubeTarget) -> KubectlCommand {
        KubectlCommand(arguments: target.globalArguments + ["get", "jobs.batch", "-o", "json"])
    }

    /// The file backup to confirm, or why none may start: exactly
    /// `kubectl create job --from=cronjob/<cronJob> manual-backup-<unix> -n <ns>`, refused while a
    /// Job of the CronJob (owned by it, labelled like it, or listed active by it) is pending or running.
    public static func planFiles(jobs: [Job], cronJob: CronJob?, config: PaperConfig, target: KubeTarget, now: Double) -> ActionDecision {
        let active = activeFileBackups(jobs: jobs, cronJob: cronJob, config: config)
        if let reason = fileBackupRefusal(active: active, config: config) { return .refuse(reason) }
        let name = fileBackupName(now: now)
        return .plan(ActionPlan(kind: .fileBackup, title: "Start a restic file backup",
                                arguments: connectionArguments(target) + ["create", "job", "--from=cronjob/\(config.fileBackup.cronJob)", name, "-n", target.namespace],
                                objectName: name))
    }

    /// Jobs of the CronJob (owned by it, or carrying its Job labels) that are still pending or
    /// running, plus those the CronJob lists as active; sorted by name.
    public static func activeFileBackups(jobs: [Job], cronJob: CronJob?, config: PaperConfig) -> [String] {
        var active = Set<String>()
        for job in BackupJobs.ofCronJob(jobs, config: config) {
            // paperctl's read-only Jobs (snapshot listings, ls, drills) do not block a backup; its restores and unlocks do.
            if let purpose = job.metadata.labels["paperctl.io/purpose"], ["restic-snapshots", "restic-ls", "restic-drill"].contains(purpose) { continue }
            if job.outcome == .pending || job.outcome == .running { active.insert(job.metadata.name) }
        }
        // The CronJob controller's own list counts only while the Job still exists and is unfinished.
        let finished = Set(jobs.filter { $0.outcome == .succeeded || $0.outcome == .failed }.map(\.metadata.name))
        for listed in cronJob?.activeJobNames ?? [] where !finished.contains(listed) { active.insert(listed) }
        return active.sorted()
    }

    /// Why a file backup must not start now, or nil.
    public static func fileBackupRefusal(active: [String], config: PaperConfig) -> String? {
        guard let first = active.first else { return nil }
        let others = active.count > 1 ? " (and \(active.count - 1) more: \(active.dropFirst().joined(separator: ", ")))" : ""
        return "Job \(first) of CronJob \(config.fileBackup.cronJob) is still active\(others); not starting another backup"
    }

    // MARK: Database

    /// The Backup `method` (and plugin name) a Cluster's configuration calls for.
    public enum DatabaseMethod: Sendable, Equatable {
        case barmanObjectStore
        case plugin(name: String)
        case volumeSnapshot

        public var method: String {
            switch self {
            case .barmanObjectStore: "barmanObjectStore"
            case .plugin: "plugin"
            case .volumeSnapshot: "volumeSnapshot"
            }
        }
    }

    /// `spec.plugins` with the Barman Cloud plugin → `plugin`; `spec.backup.volumeSnapshot` →
    /// `volumeSnapshot`; `spec.backup.barmanObjectStore` → `barmanObjectStore`; nothing → nil.
    public static func databaseMethod(for cluster: CNPGCluster) -> DatabaseMethod? {
        switch cluster.backupConfiguration {
        case .plugin(let name, _, _): .plugin(name: name)
        case .barmanObjectStore: .barmanObjectStore
        case .volumeSnapshot: .volumeSnapshot
        case .none: nil
        }
    }

    /// `<cluster>-manual-<unix>`.
    public static func databaseBackupName(cluster: String, now: Double) -> String { "\(cluster)-manual-\(Int(now))" }

    /// `kubectl get clusters.postgresql.cnpg.io <cluster> -o json`.
    public static func readCluster(config: PaperConfig, target: KubeTarget) -> KubectlCommand {
        KubectlCommand(arguments: target.globalArguments + ["get", ResourceKind.cnpgCluster.qualifiedName, config.database.cluster, "-o", "json"])
    }

    /// `kubectl get backups.postgresql.cnpg.io -o json`.
    public static func readBackups(target: KubeTarget) -> KubectlCommand {
        KubectlCommand(arguments: target.globalArguments + ["get", ResourceKind.cnpgBackup.qualifiedName, "-o", "json"])
    }

    /// Backups of `cluster` that block a new one: queued (no status yet), pending, started,
    /// running, finalizing or walArchivingFailing. (name, phase), oldest first.
    public static func blockingBackups(_ backups: [CNPGBackup], cluster: String) -> [(name: String, phase: String)] {
        backups
            .filter { $0.clusterName == cluster }
            .filter { b in
                switch b.phase {
                case .none, .pending, .started, .running, .finalizing, .walArchivingFailing: true
                case .completed, .failed, .unknown: false
                }
            }
            .sorted { ($0.metadata.creationTimestamp ?? 0, $0.metadata.name) < ($1.metadata.creationTimestamp ?? 0, $1.metadata.name) }
            .map { (name: $0.metadata.name, phase: $0.phase == .none ? "queued (no status yet)" : "\($0.phase)") }
    }

    /// Why a database backup must not start now, or nil.
    public static func databaseBackupRefusal(backups: [CNPGBackup], cluster: String) -> String? {
        guard let first = blockingBackups(backups, cluster: cluster).first else { return nil }
        if first.phase == "walArchivingFailing" {
            return "Backup \(first.name) of cluster \(cluster) is walArchivingFailing: WAL archiving is broken, so a new Backup would fail the same way; fix archiving first"
        }
        return "Backup \(first.name) of cluster \(cluster) is \(first.phase); not starting another backup"
    }

    /// The Backup object as JSON (stable key order), for `kubectl create -f -`.
    public static func databaseBackupJSON(name: String, cluster: String, namespace: String, method: DatabaseMethod) -> String {
        let plugin: String
        if case .plugin(let pluginName) = method {
            plugin = ",\n    \"pluginConfiguration\": {\n      \"name\": \(quoted(pluginName))\n    }"
        } else {
            plugin = ""
        }
        return """
            {
              "apiVersion": "postgresql.cnpg.io/v1",
              "kind": "Backup",
              "metadata": {
                "name": \(quoted(name)),
                "namespace": \(quoted(namespace)),
                "labels": {
                  "app.kubernetes.io/managed-by": "paperctl-tui",
                  "cnpg.io/cluster": \(quoted(cluster))
                }
              },
              "spec": {
                "cluster": {
                  "name": \(quoted(cluster))
                },
                "method": \(quoted(method.method))\(plugin)
              }
            }

            """
    }

    /// The database backup to confirm, or why none may start: `kubectl create -f - -n <ns>` with
    /// the Backup JSON on standard input, in the method the Cluster uses (`plugin` with the plugin
    /// named in `spec.plugins`, `volumeSnapshot`, or `barmanObjectStore`); refused while a Backup
    /// of the cluster is queued, pending, started, running, finalizing or walArchivingFailing.
    public static func planDatabase(cluster: CNPGCluster?, backups: [CNPGBackup], config: PaperConfig, target: KubeTarget, now: Double) -> ActionDecision {
        let clusterName = config.database.cluster
        guard let cluster else {
            return .refuse("Cluster \(clusterName) was not found in namespace \(target.namespace); nothing to back up")
        }
        guard let method = databaseMethod(for: cluster) else {
            return .refuse("Cluster \(clusterName) has no backup configuration (neither spec.backup nor a Barman Cloud plugin); a Backup would fail")
        }
        if let reason = databaseBackupRefusal(backups: backups, cluster: clusterName) { return .refuse(reason) }
        let name = databaseBackupName(cluster: clusterName, now: now)
        let json = databaseBackupJSON(name: name, cluster: clusterName, namespace: target.namespace, method: method)
        return .plan(ActionPlan(kind: .databaseBackup, title: "Start a CloudNativePG database backup of \(clusterName)",
                                arguments: connectionArguments(target) + ["create", "-f", "-", "-n", target.namespace], stdin: json, objectName: name))
    }

    /// A JSON string literal (Foundation's encoder does the escaping).
    static func quoted(_ text: String) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        guard let data = try? encoder.encode(text) else { return "\"\"" }
        return String(decoding: data, as: UTF8.self)
    }

    // MARK: Waiting

    /// `kubectl get job <name> -o json`.
    public static func readJob(name: String, target: KubeTarget) -> KubectlCommand {
        KubectlCommand(arguments: target.globalArguments + ["get", "jobs.batch", name, "-o", "json"])
    }

    /// `kubectl get pods -l job-name=<name> -o json`: the Job's pods, for the restic exit code.
    public static func readJobPods(name: String, target: KubeTarget) -> KubectlCommand {
        KubectlCommand(arguments: target.globalArguments + ["get", "pods", "-l", "job-name=\(name)", "-o", "json"])
    }

    /// `kubectl get backups.postgresql.cnpg.io <name> -o json`.
    public static func readBackup(name: String, target: KubeTarget) -> KubectlCommand {
        KubectlCommand(arguments: target.globalArguments + ["get", ResourceKind.cnpgBackup.qualifiedName, name, "-o", "json"])
    }

    /// Where a created backup stands while waiting.
    public enum Progress: Sendable, Equatable {
        case inProgress(String)
        case succeeded
        case failed(String)
    }

    /// A Job: Complete → succeeded, Failed → failed (with its condition's reason), else in progress.
    public static func progress(of job: Job) -> Progress {
        switch job.outcome {
        case .succeeded: return .succeeded
        case .failed:
            let condition = job.conditions[type: "Failed"]
            return .failed([condition?.reason, condition?.message].compactMap { $0 }.joined(separator: ": "))
        case .running: return .inProgress("running")
        case .pending: return .inProgress("pending")
        }
    }

    /// A Backup: completed → succeeded, failed → failed (with `status.error`), else in progress.
    public static func progress(of backup: CNPGBackup) -> Progress {
        switch backup.phase {
        case .completed: .succeeded
        case .failed: .failed(backup.error ?? "failed")
        case .walArchivingFailing: .inProgress("walArchivingFailing: \(backup.error ?? "WAL archiving is failing")")
        default: .inProgress(backup.phase == .none ? "queued" : "\(backup.phase)")
        }
    }

    /// The restic exit code of the Job's failed container and its meaning, e.g.
    /// `restic exit 11: repository lock failed: already locked (exit 11)`, or nil.
    public static func resticFailure(pods: [Pod]) -> String? {
        for pod in pods.sorted(by: { ($0.startTime ?? 0) > ($1.startTime ?? 0) }) {
            for status in pod.containerStatuses {
                if case .terminated(let code?, _, _, _) = status.state, code != 0 {
                    return "container \(status.name) exited \(code): \(ResticExitCode.meaning(code)); \(ResticExitCode.hint(code))"
                }
            }
        }
        return nil
    }
}
