import PaperKube

// MARK: - WatchedVolumes

/// The PVCs whose usage matters: the app's data volume and the database volumes.
public struct WatchedVolumes: Sendable, Equatable {
    /// The data PVC name, or `nil` when it cannot be determined.
    public var data: String?
    /// Database PVCs (data and WAL), sorted.
    public var database: [String]

    public var all: [String] { (data.map { [$0] } ?? []) + database }

    /// Config names first; otherwise the app Deployment's PVC and the PVCs labelled with the cluster.
    public init(snapshot: Snapshot, config: PaperConfig) {
        if !config.storage.dataPVC.isEmpty {
            data = config.storage.dataPVC
        } else {
            data = snapshot.deployments.first { $0.metadata.name == config.app.deployment }?.claimNames.first
        }
        if !config.storage.databasePVCs.isEmpty {
            database = config.storage.databasePVCs
        } else {
            database = snapshot.persistentVolumeClaims
                .filter { $0.metadata.labels["cnpg.io/cluster"] == config.database.cluster }
                .map(\.metadata.name).sorted()
        }
    }

    /// Nodes running a pod that mounts one of the watched PVCs: where to ask for stats.
    public func nodes(in snapshot: Snapshot) -> [String] {
        let names = Set(all)
        var nodes: [String] = []
        for pod in snapshot.pods where pod.phase == .running {
            guard let node = pod.nodeName, !pod.claimNames.values.filter(names.contains).isEmpty, !nodes.contains(node) else { continue }
            nodes.append(node)
        }
        return nodes.sorted()
    }
}
