import PaperKube

// MARK: - Recovery

/// How CloudNativePG's `bootstrap.recovery` of a new Cluster would go against the live cluster's
/// archive, by CNPG's rules: the source must point where the live cluster archives (store and
/// `serverName`), the target must be inside the recoverability window, and the new cluster must
/// not archive into the live cluster's place.
enum Recovery {
    /// nil: the recovery succeeds. Else the line CNPG (or PostgreSQL) logs when it fails.
    static func failure(of new: JSONValue, live: JSONValue?, backups: [JSONValue], objectStores: [JSONValue], now: Double) -> String? {
        guard let recovery = new.value(at: "spec.bootstrap.recovery") else { return nil }
        guard let live else { return "no target backup found: the source cluster's archive is empty" }
        let liveStore = archive(of: live)
        // The source.
        if let backupName = recovery.value(at: "backup.name")?.stringValue {
            return backups.contains { $0.value(at: "metadata.name")?.stringValue == backupName && $0.value(at: "status.phase")?.stringValue == "completed" }
                ? nil : "no target backup found: Backup \(backupName) does not exist or is not completed"
        }
        let sourceName = recovery["source"]?.stringValue ?? ""
        guard let source = (new.value(at: "spec.externalClusters")?.arrayValue ?? []).first(where: { $0["name"]?.stringValue == sourceName }) else {
            return "no target backup found: externalClusters has no entry named \"\(sourceName)\""
        }
        let sourceStore = archive(ofExternal: source, defaultServer: sourceName)
        guard sourceStore.location == liveStore.location, sourceStore.server == liveStore.server else {
            return "no target backup found: no backup of server \"\(sourceStore.server)\" in \(sourceStore.location)"
        }
        // The target.
        let target = recovery["recoveryTarget"]
        let start = firstPoint(live: live, objectStores: objectStores)
        if let id = target?["backupID"]?.stringValue {
            guard backups.contains(where: { $0.value(at: "status.backupId")?.stringValue == id && $0.value(at: "status.phase")?.stringValue == "completed" }) else {
                return "no target backup found: no backup with id \(id)"
            }
        }
        if let text = target?["targetTime"]?.stringValue {
            guard let t = UTCTime.parse(text) else { return "invalid recoveryTarget.targetTime \"\(text)\"" }
            if let start, t < start { return "no target backup found: no backup completed before \(text)" }
            if t > now { return "FATAL:  recovery ended before configured recovery target was reached" }
        }
        // The new cluster must not archive where the live one does.
        let own = archive(of: new)
        if !own.location.isEmpty, own.location == liveStore.location, own.server == liveStore.server {
            return "ERROR: WAL archive check failed for server \(own.server): Expected empty archive"
        }
        return nil
    }

    struct Archive: Equatable {
        var location: String
        var server: String
    }

    /// Where a Cluster archives: its in-tree store's path, or its plugin's ObjectStore; the serverName
    /// defaults to the cluster's name.
    static func archive(of cluster: JSONValue) -> Archive {
        let name = cluster.value(at: "metadata.name")?.stringValue ?? ""
        if let plugin = (cluster.value(at: "spec.plugins")?.arrayValue ?? []).first(where: { $0["name"]?.stringValue == "barman-cloud.cloudnative-pg.io" }) {
            return Archive(location: "objectstore/\(plugin.value(at: "parameters.barmanObjectName")?.stringValue ?? "")",
                           server: nonEmpty(plugin.value(at: "parameters.serverName")?.stringValue) ?? name)
        }
        if let store = cluster.value(at: "spec.backup.barmanObjectStore") {
            return Archive(location: store["destinationPath"]?.stringValue ?? "", server: nonEmpty(store["serverName"]?.stringValue) ?? name)
        }
        return Archive(location: "", server: name)
    }

    static func archive(ofExternal source: JSONValue, defaultServer: String) -> Archive {
        if let plugin = source["plugin"] {
            return Archive(location: "objectstore/\(plugin.value(at: "parameters.barmanObjectName")?.stringValue ?? "")",
                           server: nonEmpty(plugin.value(at: "parameters.serverName")?.stringValue) ?? defaultServer)
        }
        let store = source["barmanObjectStore"]
        return Archive(location: store?["destinationPath"]?.stringValue ?? "", server: nonEmpty(store?["serverName"]?.stringValue) ?? defaultServer)
    }

    static func firstPoint(live: JSONValue, objectStores: [JSONValue]) -> Double? {
        if let plugin = (live.value(at: "spec.plugins")?.arrayValue ?? []).first(where: { $0["name"]?.stringValue == "barman-cloud.cloudnative-pg.io" }) {
            let storeName = plugin.value(at: "parameters.barmanObjectName")?.stringValue
            let server = nonEmpty(plugin.value(at: "parameters.serverName")?.stringValue) ?? (live.value(at: "metadata.name")?.stringValue ?? "")
            let store = objectStores.first { $0.value(at: "metadata.name")?.stringValue == storeName }
            return store?.value(at: "status.serverRecoveryWindow")?[server]?["firstRecoverabilityPoint"]?.stringValue.flatMap(UTCTime.parse)
        }
        return live.value(at: "status.firstRecoverabilityPoint")?.stringValue.flatMap(UTCTime.parse)
    }

    static func nonEmpty(_ s: String?) -> String? { s.flatMap { $0.isEmpty ? nil : $0 } }

    /// The full-recovery Job's log lines for a recovery that ends with `failure` (nil: success).
    static func log(cluster: String, failure: String?, target: String) -> [String] {
        var lines = [
            #"{"level":"info","msg":"Starting cluster recovery","logging_pod":"\#(cluster)-1-full-recovery"}"#,
            #"{"level":"info","msg":"Recovering from external cluster","sourceName":"origin"}"#,
        ]
        if let failure {
            lines.append(#"{"level":"error","msg":"Error while restoring a backup","error":"\#(failure)"}"#)
        } else {
            lines.append(#"{"level":"info","msg":"Target backup found","target":"\#(target)"}"#)
            lines.append(#"{"level":"info","msg":"restore command execution completed"}"#)
        }
        return lines
    }
}
