import PaperKube

// MARK: - BackupFacts

/// The CNPG objects the three database-backup checks share, looked up once.
struct BackupFacts {
    var cluster: CNPGCluster
    /// Backups of this cluster.
    var backups: [CNPGBackup]
    /// Completed backups, oldest first by completion time.
    var completed: [CNPGBackup]
    /// All ScheduledBackups for the cluster (or the configured one).
    var scheduledBackups: [CNPGScheduledBackup]
    /// The ScheduledBackup that is judged: the configured one, else the first not suspended.
    var scheduledBackup: CNPGScheduledBackup?
    /// The plugin's ObjectStore, when the cluster uses the Barman Cloud plugin.
    var objectStore: BarmanObjectStore?
    var objectStoreName: String?

    init(cluster: CNPGCluster, snapshot: Snapshot, config: PaperConfig) {
        self.cluster = cluster
        let name = cluster.metadata.name
        backups = snapshot.backups.filter { $0.clusterName == name }
        completed = backups.filter { $0.phase == .completed }.sorted { ($0.referenceTime ?? 0) < ($1.referenceTime ?? 0) }
        if !config.database.scheduledBackup.isEmpty {
            scheduledBackups = snapshot.scheduledBackups.filter { $0.metadata.name == config.database.scheduledBackup }
        } else {
            scheduledBackups = snapshot.scheduledBackups.filter { $0.clusterName == name }.sorted { $0.metadata.name < $1.metadata.name }
        }
        scheduledBackup = scheduledBackups.first { !$0.suspend } ?? scheduledBackups.first
        if case .plugin(_, let store, _) = cluster.backupConfiguration {
            let storeName = config.database.objectStore.isEmpty ? store : config.database.objectStore
            objectStoreName = storeName
            objectStore = snapshot.objectStores.first { $0.metadata.name == storeName }
        }
    }

    var usesPlugin: Bool {
        if case .plugin = cluster.backupConfiguration { return true }
        return false
    }

    /// The Secret with the object store's credentials: the ObjectStore's with the plugin, else the Cluster's.
    var credentialsSecret: String? { usesPlugin ? objectStore?.credentialsSecret : cluster.credentialsSecret }

    /// The recovery window for this cluster's server in the plugin's ObjectStore.
    var recoveryWindow: RecoveryWindow? { objectStore?.serverRecoveryWindow[cluster.backupServerName] }

    /// Where CNPG itself records the last success: the ObjectStore with the plugin, else the Cluster.
    var statusLastSuccess: (time: Double?, source: String) {
        if usesPlugin { return (recoveryWindow?.lastSuccessfulBackupTime, "ObjectStore \(objectStoreName ?? "?") lastSuccessfulBackupTime") }
        return (cluster.lastSuccessfulBackup, "Cluster status.lastSuccessfulBackup")
    }

    var firstRecoverabilityPoint: Double? {
        usesPlugin ? recoveryWindow?.firstRecoverabilityPoint : cluster.firstRecoverabilityPoint
    }

    /// `paperctl-tui backup db`: the planner `B` uses picks the method the cluster's configuration
    /// calls for (barmanObjectStore or the plugin) and needs no kubectl plugin.
    func backupNowCommand(_ ctx: CheckContext) -> String {
        ManualBackup.command(.db, target: ctx.snapshot.target)
    }
}

extension CheckContext {
    /// `2026-11-29T03:00:00Z (5h ago)`.
    func when(_ time: Double) -> String {
        let stamp = UTCTime.rfc3339(time)
        return time <= now ? "\(stamp) (\(age(time)) ago)" : "\(stamp) (in \(UTCTime.humanDuration(time - now)))"
    }
}
