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
        let claims = snapshot.persistentVolumeClaims.map(\.metadata.name)
        if !config.storage.dataPVC.isEmpty {
            data = config.storage.dataPVC
        } else if let mounted = snapshot.deployments.first(where: { $0.metadata.name == config.app.deployment })?.claimNames.first {
            data = mounted
        } else {
            // The Deployment is missing or unreadable: fall back to the chart's naming.
            let deployment = config.app.deployment
            data = ["\(deployment)-data", deployment].first(where: claims.contains)
        }
        if !config.storage.databasePVCs.isEmpty {
            database = config.storage.databasePVCs
        } else {
            let cluster = config.database.cluster
            let labelled = snapshot.persistentVolumeClaims.filter { $0.metadata.labels["cnpg.io/cluster"] == cluster }.map(\.metadata.name)
            // CNPG names instance PVCs <cluster>-<n> and WAL PVCs <cluster>-<n>-wal.
            database = (labelled.isEmpty ? claims.filter { Self.isInstanceClaim($0, cluster: cluster) } : labelled).sorted()
        }
    }

    static func isInstanceClaim(_ name: String, cluster: String) -> Bool {
        guard name.hasPrefix(cluster + "-") else { return false }
        var rest = name.dropFirst(cluster.count + 1)
        if rest.hasSuffix("-wal") { rest = rest.dropLast(4) }
        return !rest.isEmpty && rest.allSatisfy(\.isNumber)
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
