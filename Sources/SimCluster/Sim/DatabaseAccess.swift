import PaperKube

// MARK: - The database as the app and CloudNativePG see it

/// What decides whether the app reaches its database, and what CloudNativePG does to a cluster
/// beside bootstrapping it: the owner's password (reset by a recovery without
/// `bootstrap.recovery.secret`), declarative hibernation, and the empty-archive check of a
/// cluster whose `serverName` already has backups.
extension Controllers {
    static let hibernationAnnotation = "cnpg.io/hibernation"
    static let hibernationCondition = "cnpg.io/hibernation"

    /// A Secret's value (`data` decoded, or `stringData`), nil when the Secret or key is missing.
    func secretValue(_ name: String, key: String) -> String? {
        guard let secret = store.get(Catalogue.secrets, namespace: ns, name: name) else { return nil }
        if let encoded = secret.value(at: "data")?[key]?.stringValue, let bytes = Base64.decode(encoded) {
            return String(decoding: bytes, as: UTF8.self)
        }
        return secret.value(at: "stringData")?[key]?.stringValue
    }

    /// The owner's password in cluster `name`: as its instance manager set it, else (a cluster
    /// seeded with initdb) the password of its `<name>-app` Secret.
    func ownerPassword(of name: String) -> String? {
        if let set = state.withLock({ $0.ownerPasswords[name] }) { return set }
        return secretValue("\(name)-app", key: "password")
    }

    /// CloudNativePG's credentials for a recovered cluster once its primary runs
    /// (`reconcileAppUserSecret`, `reconcileUser`): with `bootstrap.recovery.secret` the owner's
    /// password is that Secret's; without it the operator creates `<name>-app` (basic-auth,
    /// username the owner, a fresh random password) and the owner's password becomes that one.
    func reconcileRecoveredCredentials(_ cluster: JSONValue, now: Double) {
        let name = Self.name(cluster)
        guard let recovery = cluster.value(at: "spec.bootstrap.recovery") else { return }
        let owner = recovery["owner"]?.stringValue ?? "app"
        let database = recovery["database"]?.stringValue ?? "app"
        if let secret = recovery.value(at: "secret.name")?.stringValue {
            if let password = secretValue(secret, key: "password") { state.withLock { $0.ownerPasswords[name] = password } }
            return
        }
        let password = RandomName.suffix(24)
        state.withLock { $0.ownerPasswords[name] = password }
        _ = try? store.delete(Catalogue.secrets, namespace: ns, name: "\(name)-app")
        let data: [String: JSONValue] = [
            "username": .string(Base64.encode(Array(owner.utf8))),
            "password": .string(Base64.encode(Array(password.utf8))),
            "dbname": .string(Base64.encode(Array(database.utf8))),
            "host": .string(Base64.encode(Array("\(name)-rw".utf8))),
            "uri": .string(Base64.encode(Array("postgresql://\(owner):\(password)@\(name)-rw.\(ns):5432/\(database)".utf8))),
        ]
        let secret: JSONValue = [
            "apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/basic-auth",
            "metadata": ["name": .string("\(name)-app"), "labels": ["cnpg.io/cluster": .string(name), "cnpg.io/reload": "true"],
                         "ownerReferences": [Seed.ownerRef(cluster)]],
            "data": .object(data),
        ]
        _ = try? store.create(Catalogue.secrets, namespace: ns, object: secret)
    }

    /// Why an app pod of `deployment` cannot use its database, as the lines it prints while it
    /// crash-loops; nil when the cluster its `PAPERLESS_DBHOST` names (`X-rw` → X) is healthy and
    /// the password it reads is that cluster's owner password.
    func appDatabaseFailure(_ deployment: JSONValue, now: Double) -> [String]? {
        let containers = deployment.value(at: "spec.template.spec.containers")?.arrayValue ?? []
        guard let app = containers.first(where: { $0["name"]?.stringValue == "paperless-ngx" }) else { return nil }
        var env: [String: String] = [:]
        for item in app["env"]?.arrayValue ?? [] {
            guard let key = item["name"]?.stringValue else { continue }
            if let value = item["value"]?.stringValue {
                env[key] = value
            } else if let ref = item.value(at: "valueFrom.secretKeyRef"), let secret = ref["name"]?.stringValue, let k = ref["key"]?.stringValue {
                env[key] = secretValue(secret, key: k)
            }
        }
        guard let host = env["PAPERLESS_DBHOST"] else { return nil }
        let user = env["PAPERLESS_DBUSER"] ?? "paperless"
        let clusterName = host.split(separator: ".").first.map(String.init).map { $0.hasSuffix("-rw") ? String($0.dropLast(3)) : $0 } ?? host
        let cluster = store.get(Catalogue.clusters, namespace: ns, name: clusterName)
        let healthy = cluster?.value(at: "status.phase")?.stringValue == "Cluster in healthy state"
            && cluster?.value(at: "metadata.annotations")?[Self.hibernationAnnotation]?.stringValue != "on"
        guard healthy else { return LogText.dbUnreachableLines(now, host: host) }
        guard let password = env["PAPERLESS_DBPASS"], password == ownerPassword(of: clusterName) else {
            return LogText.authFailureLines(now, host: host, user: user)
        }
        return nil
    }

    /// The app pods that crash-loop on their database print their lines again at each restart.
    func appFailureLines(pod: String) -> [String]? { state.withLock { $0.appFailures[pod] } }

    /// Declarative hibernation: `cnpg.io/hibernation=on` deletes the instance pods (the PVCs are
    /// kept) and sets the `cnpg.io/hibernation` condition; removing it (or `off`) starts the
    /// primary again.
    func reconcileHibernation(_ now: Double) {
        for cluster in store.list(Catalogue.clusters, namespace: ns).items {
            let name = Self.name(cluster)
            let on = cluster.value(at: "metadata.annotations")?[Self.hibernationAnnotation]?.stringValue == "on"
            let hibernated = (cluster.value(at: "status.conditions")?.arrayValue ?? []).contains {
                $0["type"]?.stringValue == Self.hibernationCondition && $0["status"]?.stringValue == "True"
            }
            if on, !hibernated {
                for pod in store.list(Catalogue.pods, namespace: ns).items
                where pod.labels["cnpg.io/cluster"] == name && pod.labels["cnpg.io/jobRole"] == nil && Self.name(pod).hasPrefix("\(name)-") && !Self.name(pod).contains("full-recovery") {
                    _ = try? store.delete(Catalogue.pods, namespace: ns, name: Self.name(pod))
                }
                setClusterCondition(name, type: Self.hibernationCondition, status: "True", reason: "Hibernated", message: "Cluster has been hibernated", now: now) { c in
                    c.set("status.readyInstances", to: 0)
                    c.set("status.instancesStatus", to: nil)
                }
            } else if !on, hibernated {
                startPrimary(cluster, now: now)
                let instances = cluster.value(at: "spec.instances")?.intValue ?? 1
                _ = try? store.update(Catalogue.clusters, namespace: ns, name: name, bumpGeneration: false) { c throws(APIError) in
                    var conditions = c.value(at: "status.conditions")?.arrayValue ?? []
                    conditions.removeAll { $0["type"]?.stringValue == Self.hibernationCondition }
                    c.set("status.conditions", to: .array(conditions))
                    c.set("status.readyInstances", to: .int(instances))
                    c.set("status.instancesStatus", to: ["healthy": [.string("\(name)-1")]])
                }
            }
        }
    }

    /// The primary instance pod `<cluster>-1`, running and Ready.
    func startPrimary(_ cluster: JSONValue, now: Double) {
        let name = Self.name(cluster)
        var pod = JobFactory.pod(for: cluster, node: Seed.node, now: now)
        pod.set("metadata.name", to: .string("\(name)-1"))
        pod.set("metadata.labels", to: ["cnpg.io/cluster": .string(name), "cnpg.io/instanceName": .string("\(name)-1"), "cnpg.io/instanceRole": "primary", "role": "primary"])
        pod.set("spec", to: ["containers": [["name": "postgres", "image": cluster.value(at: "spec.imageName") ?? "ghcr.io/cloudnative-pg/postgresql:16.6"]],
                             "nodeName": .string(Seed.node), "volumes": [["name": "pgdata", "persistentVolumeClaim": ["claimName": .string("\(name)-1")]]]])
        pod.set("status.containerStatuses", to: [["name": "postgres", "ready": false, "restartCount": 0, "state": ["waiting": ["reason": "ContainerCreating"]]]])
        JobFactory.markRunning(&pod, at: now, ready: true)
        _ = try? store.create(Catalogue.pods, namespace: ns, object: pod)
    }

    /// The `serverName` a Cluster's archive check finds backups under: another cluster archives
    /// to the same place, a completed Backup was written there, or the ObjectStore has a recovery
    /// window for it. nil: the archive is empty (or the cluster archives nowhere).
    func usedArchive(of cluster: JSONValue) -> Recovery.Archive? {
        let own = Recovery.archive(of: cluster)
        guard !own.location.isEmpty else { return nil }
        let name = Self.name(cluster)
        let clusters = store.list(Catalogue.clusters, namespace: ns).items
        if clusters.contains(where: { Self.name($0) != name && Recovery.archive(of: $0) == own }) { return own }
        let archivesByCluster = Dictionary(clusters.map { (Self.name($0), Recovery.archive(of: $0)) }, uniquingKeysWith: { a, _ in a })
        for backup in store.list(Catalogue.backups, namespace: ns).items where backup.value(at: "status.phase")?.stringValue == "completed" {
            let owner = backup.value(at: "spec.cluster.name")?.stringValue ?? ""
            guard owner != name, backup.value(at: "status.serverName")?.stringValue == own.server else { continue }
            // The Backup's cluster is gone or archives elsewhere now: judge by where it was written.
            if archivesByCluster[owner]?.location ?? own.location == own.location { return own }
        }
        if own.location.hasPrefix("objectstore/") {
            let storeName = String(own.location.dropFirst("objectstore/".count))
            if store.get(Catalogue.objectStores, namespace: ns, name: storeName)?.value(at: "status.serverRecoveryWindow")?[own.server] != nil { return own }
        }
        return nil
    }

    /// barman-cloud's words when the archive of a new cluster is not empty.
    static func expectedEmptyArchive(_ server: String) -> String {
        "unexpected failure invoking barman-cloud-wal-archive: WAL archive check failed for server \(server): Expected empty archive"
    }
}

// MARK: - The app's lines when its database refuses it

extension LogText {
    /// Paperless's start-up when the cluster behind `host` runs no primary (missing, not yet
    /// healthy, or hibernated).
    static func dbUnreachableLines(_ t: Double, host: String) -> [String] {
        [
            "Paperless-ngx docker container starting...",
            "Waiting for PostgreSQL to start...",
            "django.db.utils.OperationalError: connection to server at \"\(host)\" (10.43.12.7), port 5432 failed: Connection refused",
            "\tIs the server running on that host and accepting TCP/IP connections?",
            "[\(pythonTime(t))] [ERROR] [paperless.db] Failed to connect to database after 60 attempts, giving up",
        ]
    }

    /// Paperless's start-up when PostgreSQL refuses the password (as psycopg prints the server's FATAL).
    static func authFailureLines(_ t: Double, host: String, user: String) -> [String] {
        [
            "Paperless-ngx docker container starting...",
            "Waiting for PostgreSQL to start...",
            "django.db.utils.OperationalError: connection to server at \"\(host)\" (10.43.12.7), port 5432 failed: FATAL:  password authentication failed for user \"\(user)\"",
            "[\(pythonTime(t))] [ERROR] [paperless.db] Cannot connect to the database: password authentication failed for user \"\(user)\"",
        ]
    }
}
