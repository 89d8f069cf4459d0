import PaperKube

// MARK: - Seed

/// The deployment of the runbook as it looks after running for a while: objects, their history
/// (about 10 days of database Backups, 7 days of restic Jobs) and recent logs, relative to now.
struct Seed {
    let options: SimOptions
    let store: ObjectStore
    let logs: PodLogs
    let now: Double

    var ns: String { options.namespace }
    static let node = "sim-node-1"
    static let appLabels: JSONValue = ["app.kubernetes.io/name": "paperless-ngx", "app.kubernetes.io/instance": "paperless-ngx"]
    static let redisLabels: JSONValue = ["app.kubernetes.io/name": "paperless-ngx-redis", "app.kubernetes.io/instance": "paperless-ngx"]
    static let backupLabels: JSONValue = ["app.kubernetes.io/name": "paperless-ngx-backup", "app.kubernetes.io/instance": "paperless-ngx"]
    static let resticRepository = "s3:nyc3.digitaloceanspaces.com/bc4-do-nyc3-prod-paperless-ngx-files"
    static let dbBucket = "s3://bc4-do-nyc3-prod-paperless-ngx-postgres-backups/"

    func t(_ offset: Double) -> String { UTCTime.rfc3339(now + offset) }

    func meta(_ name: String, labels: JSONValue? = nil, annotations: JSONValue? = nil, owner: JSONValue? = nil, namespaced: Bool = true) -> JSONValue {
        var m: JSONValue = ["name": .string(name)]
        if namespaced { m["namespace"] = .string(ns) }
        if let labels { m["labels"] = labels }
        if let annotations { m["annotations"] = annotations }
        if let owner { m["ownerReferences"] = [owner] }
        return m
    }

    static func ownerRef(_ obj: JSONValue, controller: Bool = true) -> JSONValue {
        ["apiVersion": obj["apiVersion"] ?? "", "kind": obj["kind"] ?? "", "name": obj.value(at: "metadata.name") ?? "",
         "uid": obj.value(at: "metadata.uid") ?? "", "controller": .bool(controller), "blockOwnerDeletion": true]
    }

    @discardableResult
    func create(_ kind: ServedResource, _ object: JSONValue, age: Double) -> JSONValue {
        (try? store.create(kind, namespace: ns, object: VendoredCRDs.defaulted(object, kind: kind), creationTime: now - age)) ?? object
    }

    // MARK: Everything

    func plant() {
        create(Catalogue.namespaces, ["metadata": ["name": .string(ns), "labels": ["kubernetes.io/metadata.name": .string(ns), "linkerd.io/inject": "enabled"]],
                                      "status": ["phase": "Active"]], age: 200 * 86_400)
        plantNode()
        plantSecrets()
        plantDatabase()
        plantApp()
        plantRedis()
        plantResticHistory()
        plantNetwork()
        if options.externalSecretsInstalled { plantExternalSecrets() }
        if let argo = options.argo { plantArgo(argo) }
        plantEvents()
        for real in options.realCases { plantReal(real) }
    }

    // MARK: Real objects

    /// A real case over the seed: its Cluster's status, annotations and size replace the seeded
    /// ones, its Backups are added; every timestamp moves so that its `observedAt` is now.
    func plantReal(_ real: RealCase) {
        let shift = now - (UTCTime.parse(real.observedAt) ?? now)
        if options.noBackupHistory {
            for backup in store.list(Catalogue.backups, namespace: ns).items {
                _ = try? store.delete(Catalogue.backups, namespace: ns, name: backup.value(at: "metadata.name")?.stringValue ?? "")
            }
        }
        for text in real.objects {
            guard let parsed = try? JSONValue(parsing: text) else { continue }
            let object = Self.shifted(parsed, by: shift)
            switch object["kind"]?.stringValue {
            case "Cluster":
                let name = object.value(at: "metadata.name")?.stringValue ?? "paperless-ngx-db"
                let dropHistory = options.noBackupHistory
                _ = try? store.update(Catalogue.clusters, namespace: ns, name: name, bumpGeneration: false) { c throws(APIError) in
                    // The pasted status over the seeded one: what the reporter did not paste stays as seeded.
                    for (key, value) in object["status"]?.objectValue ?? [:] { c.set(["status", key], to: value == .null ? nil : value) }
                    if dropHistory {
                        for key in ["lastSuccessfulBackup", "lastSuccessfulBackupByMethod", "firstRecoverabilityPoint", "firstRecoverabilityPointByMethod", "lastFailedBackup"] {
                            c.set(["status", key], to: nil)
                        }
                    }
                    for (key, value) in object.value(at: "metadata.annotations")?.objectValue ?? [:] { c.set(["metadata", "annotations", key], to: value) }
                    for key in ["instances", "storage"] { if let value = object.value(at: ["spec", key]) { c.set(["spec", key], to: value) } }
                    // Stored with its schema defaults, as the API server would.
                    c = VendoredCRDs.defaulted(c, kind: Catalogue.clusters)
                }
                if object.value(at: "status.timelineID") != nil, options.pluginBackups {
                    // The new primary's sidecar, as plugin-barman-cloud#842 describes it.
                    for i in 0..<5 {
                        logs.append(namespace: ns, pod: "paperless-ngx-db-1", container: "plugin-barman-cloud", time: now - Double(5 - i) * 2,
                                    "{\"level\":\"error\",\"ts\":\"\(UTCTime.rfc3339(now - Double(5 - i) * 2))\",\"msg\":\"\(RealObjects.expectedEmptyArchiveLine)\",\"logging_pod\":\"paperless-ngx-db-1\"}")
                    }
                }
            case "Backup":
                let created = object.value(at: "metadata.creationTimestamp")?.stringValue.flatMap(UTCTime.parse) ?? now
                create(Catalogue.backups, object, age: now - created)
            default:
                break
            }
        }
    }

    /// Every RFC 3339 timestamp in `value` moved by `shift` seconds.
    static func shifted(_ value: JSONValue, by shift: Double) -> JSONValue {
        switch value {
        case .string(let text) where text.count >= 20 && text.hasSuffix("Z") && text.contains("T"):
            return UTCTime.parse(text).map { .string(UTCTime.rfc3339($0 + shift)) } ?? value
        case .array(let items):
            return .array(items.map { shifted($0, by: shift) })
        case .object(let fields):
            return .object(fields.mapValues { shifted($0, by: shift) })
        default:
            return value
        }
    }

    func plantNode() {
        create(Catalogue.nodes, [
            "metadata": ["name": .string(Self.node), "labels": ["kubernetes.io/hostname": .string(Self.node), "kubernetes.io/os": "linux",
                                                                   "node.kubernetes.io/instance-type": "s-4vcpu-8gb", "topology.kubernetes.io/region": "nyc3"]],
            "spec": ["providerID": "digitalocean://412345678"],
            "status": [
                "capacity": ["cpu": "4", "memory": "8148160Ki", "pods": "110"],
                "allocatable": ["cpu": "3900m", "memory": "6694Mi", "pods": "110"],
                "conditions": [
                    ["type": "MemoryPressure", "status": "False", "reason": "KubeletHasSufficientMemory", "lastHeartbeatTime": .string(t(-20))],
                    ["type": "DiskPressure", "status": "False", "reason": "KubeletHasNoDiskPressure", "lastHeartbeatTime": .string(t(-20))],
                    ["type": "Ready", "status": "True", "reason": "KubeletReady", "message": "kubelet is posting ready status", "lastHeartbeatTime": .string(t(-20))],
                ],
                "addresses": [["type": "InternalIP", "address": "10.116.0.4"], ["type": "Hostname", "address": .string(Self.node)]],
                "nodeInfo": ["kubeletVersion": "v1.32.4", "osImage": "Debian GNU/Linux 12 (bookworm)", "containerRuntimeVersion": "containerd://1.7.27",
                             "architecture": "amd64", "operatingSystem": "linux", "kernelVersion": "6.1.0-31-amd64"],
            ],
        ], age: 180 * 86_400)
    }

    func secret(_ name: String, _ keys: [String: String], type: String = "Opaque", labels: JSONValue? = nil, age: Double = 90 * 86_400) {
        var data: [String: JSONValue] = [:]
        for (k, v) in keys { data[k] = .string(Base64.encode(Array(v.utf8))) }
        create(Catalogue.secrets, ["metadata": meta(name, labels: labels), "type": .string(type), "data": .object(data)], age: age)
    }

    func plantSecrets() {
        let pw = options.plantedPassword
        secret("paperless-ngx-admin", ["username": "admin", "password": pw])
        secret("paperless-ngx-secret-key", ["key": "django-insecure-\(pw)-0123456789abcdefghijklmnopqrstuvwxyz"])
        secret("paperless-ngx-redis", ["password": pw, "url": "redis://:\(pw)@paperless-ngx-redis:6379/0"])
        secret("paperless-ngx-restic", ["password": pw])
        secret("paperless-ngx-files-s3", ["AWS_ACCESS_KEY_ID": "DO00SIMULATEDKEYID00", "AWS_SECRET_ACCESS_KEY": pw])
        secret("paperless-ngx-db-s3", ["ACCESS_KEY_ID": "DO00SIMULATEDKEYID01", "ACCESS_SECRET_KEY": pw])
        secret("paperless-ngx-db-app", ["username": "paperless-ngx", "password": pw, "uri": "postgresql://paperless-ngx:\(pw)@paperless-ngx-db-rw.\(ns):5432/paperless-ngx"],
               type: "kubernetes.io/basic-auth", labels: ["cnpg.io/cluster": "paperless-ngx-db"])
    }

    // MARK: Storage

    func pvc(_ name: String, size: String, labels: JSONValue? = nil, age: Double) {
        create(Catalogue.pvcs, [
            "metadata": meta(name, labels: labels, annotations: ["pv.kubernetes.io/bind-completed": "yes", "volume.kubernetes.io/storage-provisioner": "dobs.csi.digitalocean.com"]),
            "spec": ["accessModes": ["ReadWriteOnce"], "resources": ["requests": ["storage": .string(size)]], "storageClassName": "do-block-storage",
                     "volumeMode": "Filesystem", "volumeName": .string("pvc-" + RandomName.uuid())],
            "status": ["phase": "Bound", "accessModes": ["ReadWriteOnce"], "capacity": ["storage": .string(size)]],
        ], age: age)
    }

    // MARK: Database

    var backupMethod: String { options.pluginBackups ? "plugin" : "barmanObjectStore" }

    func plantDatabase() {
        let clusterName = "paperless-ngx-db"
        var spec: JSONValue = [
            "instances": 1, "imageName": "ghcr.io/cloudnative-pg/postgresql:16.6",
            "primaryUpdateStrategy": "unsupervised",
            "storage": ["size": "5Gi", "storageClass": "do-block-storage"],
            "bootstrap": ["initdb": ["database": "paperless-ngx", "owner": "paperless-ngx"]],
            "postgresql": ["parameters": ["archive_timeout": "5min", "max_connections": "100"]],
        ]
        if options.pluginBackups {
            spec["plugins"] = [["name": "barman-cloud.cloudnative-pg.io", "isWALArchiver": true,
                                "parameters": ["barmanObjectName": "paperless-ngx-db-store"]]]
        } else {
            spec["backup"] = [
                "retentionPolicy": "28d",
                "barmanObjectStore": [
                    "destinationPath": .string(Self.dbBucket), "endpointURL": "https://nyc3.digitaloceanspaces.com",
                    "s3Credentials": ["accessKeyId": ["name": "paperless-ngx-db-s3", "key": "ACCESS_KEY_ID"],
                                      "secretAccessKey": ["name": "paperless-ngx-db-s3", "key": "ACCESS_SECRET_KEY"]],
                    "wal": ["compression": "gzip", "maxParallel": 2], "data": ["compression": "gzip"],
                ],
            ]
        }
        let cluster = create(Catalogue.clusters, ["apiVersion": "postgresql.cnpg.io/v1", "kind": "Cluster", "metadata": meta(clusterName), "spec": spec,
                                                  "status": ["phase": "Setting up primary"]], age: 150 * 86_400)
        pvc("paperless-ngx-db-1", size: "5Gi", labels: ["cnpg.io/cluster": .string(clusterName), "cnpg.io/instanceName": "paperless-ngx-db-1", "cnpg.io/pvcRole": "PG_DATA"], age: 150 * 86_400)
        for (suffix, selector) in [("rw", "primary"), ("ro", "replica"), ("r", "any")] {
            create(Catalogue.services, [
                "metadata": meta("\(clusterName)-\(suffix)", labels: ["cnpg.io/cluster": .string(clusterName)], owner: Self.ownerRef(cluster)),
                "spec": ["type": "ClusterIP", "clusterIP": .string("10.43.12.\(suffix.count + 6)"), "ports": [["name": "postgres", "port": 5432, "protocol": "TCP", "targetPort": 5432]],
                         "selector": selector == "any" ? ["cnpg.io/cluster": .string(clusterName)] : ["cnpg.io/cluster": .string(clusterName), "cnpg.io/instanceRole": .string(selector)]],
            ], age: 150 * 86_400)
        }
        // The instance pod.
        var containers: [JSONValue] = [["name": "postgres", "image": "ghcr.io/cloudnative-pg/postgresql:16.6",
                                        "ports": [["containerPort": 5432, "name": "postgresql", "protocol": "TCP"]],
                                        "volumeMounts": [["mountPath": "/var/lib/postgresql/data", "name": "pgdata"]]]]
        if options.pluginBackups {
            containers.append(["name": "plugin-barman-cloud", "image": "ghcr.io/cloudnative-pg/plugin-barman-cloud-sidecar:v0.6.0"])
        }
        let dbReady = !options.dbNotReady
        let pod = podObject(name: "paperless-ngx-db-1",
                            labels: ["cnpg.io/cluster": .string(clusterName), "cnpg.io/instanceName": "paperless-ngx-db-1", "cnpg.io/instanceRole": "primary",
                                     "cnpg.io/podRole": "instance", "role": "primary"],
                            annotations: ["linkerd.io/inject": "disabled"],
                            owner: Self.ownerRef(cluster), containers: containers,
                            volumes: [["name": "pgdata", "persistentVolumeClaim": ["claimName": "paperless-ngx-db-1"]]],
                            ready: dbReady, ip: "10.42.0.21")
        create(Catalogue.pods, pod, age: 20 * 86_400)
        for i in 0..<60 {
            let at = now - Double(60 - i) * 60
            logs.append(namespace: ns, pod: "paperless-ngx-db-1", container: "postgres", time: at,
                        options.walArchivingBroken && i % 3 == 0 ? LogText.walFailureLine(at) : LogText.postgresLine(at, i))
        }
        plantBackups(cluster: cluster)
    }

    func plantBackups(cluster: JSONValue) {
        let schedule = (try? CronSchedule(parsing: "0 0 3 * * *", dialect: .cloudNativePG))
        var sbSpec: JSONValue = ["schedule": "0 0 3 * * *", "backupOwnerReference": "self", "cluster": ["name": "paperless-ngx-db"],
                                 "method": .string(backupMethod), "immediate": false, "suspend": false]
        if options.pluginBackups { sbSpec["pluginConfiguration"] = ["name": "barman-cloud.cloudnative-pg.io"] }
        let lastFire = schedule?.previous(atOrBefore: now) ?? now - 3600
        let nextFire = schedule?.next(after: now) ?? now + 3600
        let sb = create(Catalogue.scheduledBackups, [
            "apiVersion": "postgresql.cnpg.io/v1", "kind": "ScheduledBackup", "metadata": meta("paperless-ngx-db-daily"), "spec": sbSpec,
            "status": ["lastCheckTime": .string(t(-30)), "lastScheduleTime": .string(UTCTime.rfc3339(lastFire)), "nextScheduleTime": .string(UTCTime.rfc3339(nextFire))],
        ], age: 150 * 86_400)

        var lastSuccess: Double?
        var firstPoint: Double?
        var lastFailed: Double?
        var lastFailure = "can't execute backup: exit status 4"
        // With the plugin gone, each scheduled Backup since fails before it starts (no startedAt).
        let pluginGoneAt = options.pluginUnavailable
            ? options.realCases.compactMap { real in real.pluginGoneAt.map { $0 + now - (UTCTime.parse(real.observedAt) ?? now) } }.min()
            : nil
        for day in stride(from: 9, through: 0, by: -1) {
            let fire = lastFire - Double(day) * 86_400
            let failing = options.dbBackups == .failing && day < 3
            let stamp = Self.compactStamp(fire)
            let started = fire + 2
            let stopped = started + 95 + Double(day * 7 % 40)
            var status: JSONValue = ["method": .string(backupMethod), "online": true, "startedAt": .string(UTCTime.rfc3339(started)),
                                     "serverName": "paperless-ngx-db", "destinationPath": .string(Self.dbBucket),
                                     "instanceID": ["podName": "paperless-ngx-db-1"]]
            if let pluginGoneAt, fire >= pluginGoneAt {
                let error = "\(RealCase.pluginNotAvailablePrefix): barman-cloud.cloudnative-pg.io"
                status = ["phase": "failed", "error": .string(error)]
                lastFailed = fire
                lastFailure = error
            } else if failing {
                if day == 0 && options.walArchivingBroken {
                    status["phase"] = "walArchivingFailing"
                    status["error"] = "WAL archiving is failing: unexpected failure invoking barman-cloud-wal-archive: exit status 1"
                } else {
                    status["phase"] = "failed"
                    status["stoppedAt"] = .string(UTCTime.rfc3339(started + 12))
                    status["error"] = "can't execute backup: exit status 4: ERROR: Barman cloud backup exception: An error occurred (InvalidAccessKeyId) when calling the CreateMultipartUpload operation: Unknown"
                    lastFailed = started + 12
                }
            } else {
                status["phase"] = "completed"
                status["stoppedAt"] = .string(UTCTime.rfc3339(stopped))
                status["backupId"] = .string(Self.backupID(started))
                status["backupName"] = .string("backup-\(Self.backupID(started))")
                status["beginWal"] = .string("00000001000000000000\(Self.hex2(0x30 + (9 - day) * 4))")
                status["endWal"] = .string("00000001000000000000\(Self.hex2(0x30 + (9 - day) * 4 + 1))")
                status["beginLSN"] = .string("0/\(Self.hex2(0x30 + (9 - day) * 4))000028")
                status["endLSN"] = .string("0/\(Self.hex2(0x30 + (9 - day) * 4 + 1))000100")
                lastSuccess = stopped
                if firstPoint == nil { firstPoint = stopped }
            }
            var spec: JSONValue = ["cluster": ["name": "paperless-ngx-db"], "method": .string(backupMethod)]
            if options.pluginBackups { spec["pluginConfiguration"] = ["name": "barman-cloud.cloudnative-pg.io"] }
            create(Catalogue.backups, [
                "apiVersion": "postgresql.cnpg.io/v1", "kind": "Backup",
                "metadata": meta("paperless-ngx-db-daily-\(stamp)", labels: ["cnpg.io/cluster": "paperless-ngx-db", "cnpg.io/scheduled-backup": "paperless-ngx-db-daily"],
                                 owner: Self.ownerRef(sb)),
                "spec": spec, "status": status,
            ], age: now - fire)
        }
        // Cluster status as the operator reports it.
        var conditions: [JSONValue] = [
            options.dbNotReady
                ? ["type": "Ready", "status": "False", "reason": "ClusterIsNotReady", "message": "Cluster Is Not Ready", "lastTransitionTime": .string(t(-1800))]
                : ["type": "Ready", "status": "True", "reason": "ClusterIsReady", "message": "Cluster is Ready", "lastTransitionTime": .string(t(-20 * 86_400))],
            options.walArchivingBroken
                ? ["type": "ContinuousArchiving", "status": "False", "reason": "ContinuousArchivingFailing",
                   "message": "unexpected failure invoking barman-cloud-wal-archive: exit status 1", "lastTransitionTime": .string(t(-3 * 86_400 + 3600))]
                : ["type": "ContinuousArchiving", "status": "True", "reason": "ContinuousArchivingSuccess", "message": "Continuous archiving is working",
                   "lastTransitionTime": .string(t(-20 * 86_400))],
        ]
        if options.dbBackups == .failing || (lastFailed ?? -.infinity) > (lastSuccess ?? -.infinity) {
            conditions.append(["type": "LastBackupSucceeded", "status": "False", "reason": "LastBackupFailed",
                               "message": .string(lastFailure), "lastTransitionTime": .string(UTCTime.rfc3339(lastFailed ?? now - 86_400))])
        } else {
            conditions.append(["type": "LastBackupSucceeded", "status": "True", "reason": "LastBackupSucceeded", "message": "Backup was successful",
                               "lastTransitionTime": .string(UTCTime.rfc3339(lastSuccess ?? now))])
        }
        var status: JSONValue = [
            "instances": 1, "readyInstances": .int(options.dbNotReady ? 0 : 1),
            "phase": .string(options.dbNotReady ? "Waiting for the instances to become active" : "Cluster in healthy state"),
            "currentPrimary": "paperless-ngx-db-1", "targetPrimary": "paperless-ngx-db-1", "latestGeneratedNode": 1,
            "instancesStatus": options.dbNotReady ? ["failed": ["paperless-ngx-db-1"]] : ["healthy": ["paperless-ngx-db-1"]],
            "conditions": .array(conditions), "writeService": "paperless-ngx-db-rw", "readService": "paperless-ngx-db-r",
            "certificates": ["expirations": ["paperless-ngx-db-ca": .string(t(60 * 86_400))]],
        ]
        if options.pluginBackups {
            status["pluginStatus"] = [["name": "barman-cloud.cloudnative-pg.io", "version": "0.6.0",
                                       "capabilities": ["TYPE_RECONCILER_HOOKS", "TYPE_LIFECYCLE_SERVICE"], "walCapabilities": ["TYPE_ARCHIVE_WAL", "TYPE_RESTORE_WAL"],
                                       "backupCapabilities": ["TYPE_BACKUP"]]]
            var window: JSONValue = ["firstRecoverabilityPoint": .string(UTCTime.rfc3339(firstPoint ?? now)),
                                     "lastSuccessfulBackupTime": .string(UTCTime.rfc3339(lastSuccess ?? now))]
            if let lastFailed { window["lastFailedBackupTime"] = .string(UTCTime.rfc3339(lastFailed)) }
            create(Catalogue.objectStores, [
                "apiVersion": "barmancloud.cnpg.io/v1", "kind": "ObjectStore", "metadata": meta("paperless-ngx-db-store"),
                "spec": ["retentionPolicy": "28d",
                         "configuration": ["destinationPath": .string(Self.dbBucket), "endpointURL": "https://nyc3.digitaloceanspaces.com",
                                           "s3Credentials": ["accessKeyId": ["name": "paperless-ngx-db-s3", "key": "ACCESS_KEY_ID"],
                                                             "secretAccessKey": ["name": "paperless-ngx-db-s3", "key": "ACCESS_SECRET_KEY"]],
                                           "wal": ["compression": "gzip"]]],
                "status": ["serverRecoveryWindow": ["paperless-ngx-db": window]],
            ], age: 150 * 86_400)
        } else {
            if let lastSuccess { status["lastSuccessfulBackup"] = .string(UTCTime.rfc3339(lastSuccess)) }
            if let firstPoint { status["firstRecoverabilityPoint"] = .string(UTCTime.rfc3339(firstPoint)) }
            if let lastFailed { status["lastFailedBackup"] = .string(UTCTime.rfc3339(lastFailed)) }
            status["lastSuccessfulBackupByMethod"] = lastSuccess.map { ["barmanObjectStore": .string(UTCTime.rfc3339($0))] } ?? [:]
            status["firstRecoverabilityPointByMethod"] = firstPoint.map { ["barmanObjectStore": .string(UTCTime.rfc3339($0))] } ?? [:]
        }
        _ = try? store.update(Catalogue.clusters, namespace: ns, name: "paperless-ngx-db", bumpGeneration: false) { c throws(APIError) in c["status"] = status }
    }

    static func compactStamp(_ t: Double) -> String {
        let c = UTCTime.civil(t)
        func p(_ v: Int, _ w: Int = 2) -> String { let s = String(v); return String(repeating: "0", count: max(0, w - s.count)) + s }
        return "\(p(c.year, 4))\(p(c.month))\(p(c.day))\(p(c.hour))\(p(c.minute))\(p(c.second))"
    }

    static func backupID(_ t: Double) -> String {
        let s = compactStamp(t)
        return "\(s.prefix(8))T\(s.dropFirst(8))"
    }

    static func hex2(_ v: Int) -> String {
        let h = String(v, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 2 - h.count)) + h
    }

    // MARK: Pods

    func podObject(name: String, labels: JSONValue, annotations: JSONValue, owner: JSONValue?, containers: [JSONValue], initContainers: [JSONValue] = [],
                   volumes: [JSONValue], ready: Bool, ip: String, waitingReason: String? = nil, restarts: Int = 0) -> JSONValue {
        var statuses: [JSONValue] = []
        for c in containers {
            let cname = c["name"]?.stringValue ?? ""
            let isApp = cname != "linkerd-proxy"
            var st: JSONValue = ["name": .string(cname), "image": c["image"] ?? "", "imageID": .string("\(c["image"]?.stringValue ?? "")@sha256:0f3b"),
                                 "containerID": .string("containerd://" + LogText.format6(cname.count * 7919) + "a1b2c3d4"), "started": true]
            if let waitingReason, isApp {
                st["ready"] = false
                st["started"] = false
                st["restartCount"] = .int(restarts)
                st["state"] = ["waiting": ["reason": .string(waitingReason), "message": .string("back-off 5m0s restarting failed container=\(cname) pod=\(name)")]]
                st["lastState"] = ["terminated": ["exitCode": 1, "reason": "Error", "startedAt": .string(t(-330)), "finishedAt": .string(t(-300))]]
            } else {
                st["ready"] = .bool(isApp ? ready : true)
                st["restartCount"] = .int(isApp ? restarts : 0)
                st["state"] = ["running": ["startedAt": .string(t(-3 * 86_400))]]
            }
            statuses.append(st)
        }
        var meta = self.meta(name, labels: labels, annotations: annotations, owner: owner)
        meta["generateName"] = nil
        let allReady = ready && waitingReason == nil
        return [
            "metadata": meta,
            "spec": ["containers": .array(containers), "initContainers": .array(initContainers), "volumes": .array(volumes), "nodeName": .string(Self.node),
                     "restartPolicy": "Always", "serviceAccountName": "default", "dnsPolicy": "ClusterFirst"],
            "status": [
                "phase": "Running", "podIP": .string(ip), "hostIP": "10.116.0.4", "qosClass": "Burstable", "startTime": .string(t(-3 * 86_400)),
                "conditions": [["type": "Initialized", "status": "True"], ["type": "Ready", "status": .string(allReady ? "True" : "False")],
                               ["type": "ContainersReady", "status": .string(allReady ? "True" : "False")], ["type": "PodScheduled", "status": "True"]],
                "containerStatuses": .array(statuses),
            ],
        ]
    }

    static let linkerdProxy: JSONValue = ["name": "linkerd-proxy", "image": "cr.l5d.io/linkerd/proxy:edge-25.4.1",
                                          "ports": [["containerPort": 4143, "name": "linkerd-proxy"], ["containerPort": 4191, "name": "linkerd-admin"]]]
    static let linkerdInit: JSONValue = ["name": "linkerd-init", "image": "cr.l5d.io/linkerd/proxy-init:v2.4.1", "args": ["--incoming-proxy-port", "4143"]]

    var appContainer: JSONValue {
        func env(_ name: String, value: String) -> JSONValue { ["name": .string(name), "value": .string(value)] }
        func envSecret(_ name: String, _ secret: String, _ key: String) -> JSONValue {
            ["name": .string(name), "valueFrom": ["secretKeyRef": ["name": .string(secret), "key": .string(key)]]]
        }
        return [
            "name": "paperless-ngx", "image": "ghcr.io/paperless-ngx/paperless-ngx:2.20.3",
            "ports": [["containerPort": 8000, "name": "http", "protocol": "TCP"]],
            "env": [
                env("PAPERLESS_DBHOST", value: "paperless-ngx-db-rw"), env("PAPERLESS_DBNAME", value: "paperless-ngx"),
                env("PAPERLESS_DBUSER", value: "paperless-ngx"), envSecret("PAPERLESS_DBPASS", "paperless-ngx-db-app", "password"),
                envSecret("PAPERLESS_REDIS", "paperless-ngx-redis", "url"), envSecret("PAPERLESS_SECRET_KEY", "paperless-ngx-secret-key", "key"),
                envSecret("PAPERLESS_ADMIN_USER", "paperless-ngx-admin", "username"), envSecret("PAPERLESS_ADMIN_PASSWORD", "paperless-ngx-admin", "password"),
                env("PAPERLESS_URL", value: "https://paperless-ngx.marlin-tet.ts.net"), env("PAPERLESS_DATA_DIR", value: "/usr/src/paperless/data"),
                env("PAPERLESS_MEDIA_ROOT", value: "/usr/src/paperless/data/media"),
            ],
            "volumeMounts": [["mountPath": "/usr/src/paperless/data", "name": "data"]],
            "readinessProbe": ["httpGet": ["path": "/", "port": 8000], "periodSeconds": 10],
            "resources": ["requests": ["cpu": "250m", "memory": "1Gi"], "limits": ["memory": "2Gi"]],
        ]
    }

    /// A Deployment with its ReplicaSet and Service; the pods come from the deployment controller.
    func deployment(_ name: String, labels: JSONValue, container: JSONValue, port: Int, volumes: [JSONValue], age: Double) -> (JSONValue, JSONValue) {
        let hash = name == "paperless-ngx" ? "7d9f8c6b5d" : "5c8b7f9d44"
        var podLabels = labels
        podLabels["pod-template-hash"] = .string(hash)
        let template: JSONValue = [
            "metadata": ["labels": labels, "annotations": ["linkerd.io/inject": "enabled"]],
            "spec": ["containers": [container], "volumes": .array(volumes)],
        ]
        let deploy = create(Catalogue.deployments, [
            "metadata": meta(name, labels: labels, annotations: ["deployment.kubernetes.io/revision": "14"]),
            "spec": ["replicas": 1, "selector": ["matchLabels": labels], "strategy": ["type": "Recreate"], "template": template, "revisionHistoryLimit": 3],
            "status": ["replicas": 1, "readyReplicas": 1, "availableReplicas": 1, "updatedReplicas": 1, "observedGeneration": 1],
        ], age: age)
        var rsTemplate = template
        rsTemplate.set("metadata.labels", to: podLabels)
        let rs = create(Catalogue.replicaSets, [
            "metadata": meta("\(name)-\(hash)", labels: podLabels, annotations: ["deployment.kubernetes.io/revision": "14"], owner: Self.ownerRef(deploy)),
            "spec": ["replicas": 1, "selector": ["matchLabels": podLabels], "template": rsTemplate],
            "status": ["replicas": 1, "readyReplicas": 1, "availableReplicas": 1, "fullyLabeledReplicas": 1, "observedGeneration": 1],
        ], age: 3 * 86_400)
        create(Catalogue.services, [
            "metadata": meta(name, labels: labels),
            "spec": ["type": "ClusterIP", "clusterIP": .string(name == "paperless-ngx" ? "10.43.40.10" : "10.43.40.11"),
                     "ports": [["name": "http", "port": .int(port), "protocol": "TCP", "targetPort": .int(port)]], "selector": labels],
        ], age: age)
        return (deploy, rs)
    }

    func plantApp() {
        pvc("paperless-ngx-data", size: "10Gi", labels: Self.appLabels, age: 150 * 86_400)
        let volumes: [JSONValue] = [["name": "data", "persistentVolumeClaim": ["claimName": "paperless-ngx-data"]]]
        let (_, rs) = deployment("paperless-ngx", labels: Self.appLabels, container: appContainer, port: 8000, volumes: volumes, age: 150 * 86_400)
        let podName = "paperless-ngx-7d9f8c6b5d-x2x4q"
        var labels = Self.appLabels
        labels["pod-template-hash"] = "7d9f8c6b5d"
        labels["linkerd.io/control-plane-ns"] = "linkerd"
        let pod = podObject(name: podName, labels: labels, annotations: ["linkerd.io/inject": "enabled", "linkerd.io/proxy-version": "edge-25.4.1"],
                            owner: Self.ownerRef(rs), containers: [Self.linkerdProxy, appContainer], initContainers: [Self.linkerdInit],
                            volumes: volumes, ready: !options.appCrashloop, ip: "10.42.0.15",
                            waitingReason: options.appCrashloop ? "CrashLoopBackOff" : nil, restarts: options.appCrashloop ? 14 : 0)
        create(Catalogue.pods, pod, age: 3 * 86_400)
        if options.appCrashloop {
            _ = try? store.update(Catalogue.deployments, namespace: ns, name: "paperless-ngx", bumpGeneration: false) { d throws(APIError) in
                d.set("status.readyReplicas", to: 0)
                d.set("status.availableReplicas", to: 0)
                d.set("status.unavailableReplicas", to: 1)
            }
        }
        // Two hours of history.
        let start = now - 7200
        for (i, line) in LogText.appStartup(start).enumerated() {
            logs.append(namespace: ns, pod: podName, container: "paperless-ngx", time: start + Double(i) * 0.2, line)
        }
        var n = 0
        for step in stride(from: start + 10, to: now, by: 45) {
            if options.appCrashloop {
                for line in LogText.crashLines(step) { logs.append(namespace: ns, pod: podName, container: "paperless-ngx", time: step, line) }
            } else if options.redisErrors && step > now - 3000 && n % 2 == 0 {
                for line in LogText.redisErrorLines(step, password: options.plantedPassword, n / 2) {
                    logs.append(namespace: ns, pod: podName, container: "paperless-ngx", time: step, line)
                }
            } else {
                logs.append(namespace: ns, pod: podName, container: "paperless-ngx", time: step, LogText.appLine(step, n))
            }
            if n % 3 == 0 {
                logs.append(namespace: ns, pod: podName, container: "linkerd-proxy", time: step, LogText.proxyLine(step, n, redisDown: options.redisErrors))
            }
            n += 1
        }
    }

    func plantRedis() {
        let container: JSONValue = ["name": "redis", "image": "redis:7-alpine", "args": ["--requirepass", "$(REDIS_PASSWORD)", "--save", ""],
                                    "env": [["name": "REDIS_PASSWORD", "valueFrom": ["secretKeyRef": ["name": "paperless-ngx-redis", "key": "password"]]]],
                                    "ports": [["containerPort": 6379, "name": "redis"]]]
        let (_, rs) = deployment("paperless-ngx-redis", labels: Self.redisLabels, container: container, port: 6379, volumes: [], age: 150 * 86_400)
        var labels = Self.redisLabels
        labels["pod-template-hash"] = "5c8b7f9d44"
        let podName = "paperless-ngx-redis-5c8b7f9d44-q7z9m"
        let pod = podObject(name: podName, labels: labels, annotations: ["linkerd.io/inject": "enabled"], owner: Self.ownerRef(rs),
                            containers: [Self.linkerdProxy, container], initContainers: [Self.linkerdInit], volumes: [], ready: true, ip: "10.42.0.16",
                            restarts: options.redisErrors ? 3 : 0)
        create(Catalogue.pods, pod, age: 3 * 86_400)
        let startups = options.redisErrors ? [now - 2900, now - 1700, now - 600] : [now - 3 * 86_400]
        for s in startups {
            for line in LogText.redisStartup(s) { logs.append(namespace: ns, pod: podName, container: "redis", time: s, line) }
        }
    }

    // MARK: restic

    var cronJobSpec: JSONValue {
        [
            "schedule": "0 4 * * *", "concurrencyPolicy": "Forbid", "suspend": false, "successfulJobsHistoryLimit": 7, "failedJobsHistoryLimit": 3,
            "jobTemplate": [
                "metadata": ["labels": Self.backupLabels],
                "spec": [
                    "backoffLimit": 0, "activeDeadlineSeconds": 3600,
                    "template": [
                        "metadata": ["labels": Self.backupLabels, "annotations": ["linkerd.io/inject": "disabled"]],
                        "spec": [
                            "restartPolicy": "Never",
                            "containers": [[
                                "name": "restic", "image": "restic/restic:0.17.3", "command": ["/bin/sh", "-c"],
                                "args": ["restic backup /data --host paperless-ngx --tag paperless-ngx && restic forget --keep-daily 7 --keep-weekly 4 --keep-monthly 6 --prune"],
                                "env": [
                                    ["name": "RESTIC_REPOSITORY", "value": .string(Self.resticRepository)],
                                    ["name": "RESTIC_PASSWORD", "valueFrom": ["secretKeyRef": ["name": "paperless-ngx-restic", "key": "password"]]],
                                    ["name": "AWS_ACCESS_KEY_ID", "valueFrom": ["secretKeyRef": ["name": "paperless-ngx-files-s3", "key": "AWS_ACCESS_KEY_ID"]]],
                                    ["name": "AWS_SECRET_ACCESS_KEY", "valueFrom": ["secretKeyRef": ["name": "paperless-ngx-files-s3", "key": "AWS_SECRET_ACCESS_KEY"]]],
                                ],
                                "volumeMounts": [["mountPath": "/data", "name": "data", "readOnly": true]],
                                "resources": ["requests": ["memory": "256Mi"], "limits": ["memory": "1Gi"]],
                            ]],
                            "volumes": [["name": "data", "persistentVolumeClaim": ["claimName": "paperless-ngx-data", "readOnly": true]]],
                        ],
                    ],
                ],
            ],
        ]
    }

    func plantResticHistory() {
        let schedule = try? CronSchedule(parsing: "0 4 * * *", dialect: .kubernetes)
        let lastFire = schedule?.previous(atOrBefore: now) ?? now - 3600
        let cron = create(Catalogue.cronJobs, ["metadata": meta("paperless-ngx-backup", labels: Self.backupLabels), "spec": cronJobSpec], age: 150 * 86_400)
        var lastSuccess: Double?
        for day in stride(from: 6, through: 0, by: -1) {
            let fire = lastFire - Double(day) * 86_400
            // A stale lock stopped the newest run only; the other failures fail the last two.
            let outcome: SimOptions.ResticOutcome = day < (options.restic == .staleLock ? 1 : 2) ? options.restic : .success
            let duration = outcome == .success ? 31.0 + Double(day * 13 % 20) : 4
            JobFactory.plantFinishedJob(seed: self, cronJob: cron, name: "paperless-ngx-backup-\(Int(fire / 60))", start: fire + 1, duration: duration, outcome: outcome)
            if outcome == .success { lastSuccess = fire + 1 + duration }
        }
        _ = try? store.update(Catalogue.cronJobs, namespace: ns, name: "paperless-ngx-backup", bumpGeneration: false) { c throws(APIError) in
            c.set("status.lastScheduleTime", to: .string(UTCTime.rfc3339(lastFire)))
            if let lastSuccess { c.set("status.lastSuccessfulTime", to: .string(UTCTime.rfc3339(lastSuccess))) }
        }
    }

    // MARK: Network

    func plantNetwork() {
        let dns: JSONValue = ["to": [["namespaceSelector": ["matchLabels": ["kubernetes.io/metadata.name": "kube-system"]],
                                      "podSelector": ["matchLabels": ["k8s-app": "kube-dns"]]]],
                              "ports": [["protocol": "UDP", "port": 53], ["protocol": "TCP", "port": 53]]]
        create(Catalogue.networkPolicies, ["metadata": meta("default-deny-all"), "spec": ["podSelector": [:], "policyTypes": ["Ingress", "Egress"]]], age: 150 * 86_400)
        create(Catalogue.networkPolicies, ["metadata": meta("paperless-ngx-egress"), "spec": [
            "podSelector": ["matchLabels": ["app.kubernetes.io/name": "paperless-ngx"]], "policyTypes": ["Egress"],
            "egress": [dns,
                       ["to": [["podSelector": ["matchLabels": ["cnpg.io/cluster": "paperless-ngx-db"]]]], "ports": [["protocol": "TCP", "port": 5432]]],
                       ["to": [["podSelector": ["matchLabels": ["app.kubernetes.io/name": "paperless-ngx-redis"]]]], "ports": [["protocol": "TCP", "port": 6379]]]],
        ]], age: 150 * 86_400)
        create(Catalogue.networkPolicies, ["metadata": meta("paperless-ngx-backup-egress"), "spec": [
            "podSelector": ["matchLabels": ["app.kubernetes.io/name": "paperless-ngx-backup"]], "policyTypes": ["Egress"],
            "egress": [dns, ["ports": [["protocol": "TCP", "port": 443]]]],
        ]], age: 150 * 86_400)
        create(Catalogue.networkPolicies, ["metadata": meta("paperless-ngx-ingress"), "spec": [
            "podSelector": ["matchLabels": ["app.kubernetes.io/name": "paperless-ngx"]], "policyTypes": ["Ingress"],
            "ingress": [["from": [["namespaceSelector": ["matchLabels": ["kubernetes.io/metadata.name": "tailscale"]]]], "ports": [["protocol": "TCP", "port": 8000]]]],
        ]], age: 150 * 86_400)
        create(Catalogue.ingresses, [
            "metadata": meta("paperless-ngx", labels: Self.appLabels),
            "spec": ["ingressClassName": "tailscale", "defaultBackend": ["service": ["name": "paperless-ngx", "port": ["number": 8000]]],
                     "tls": [["hosts": ["paperless-ngx"]]]],
            "status": ["loadBalancer": ["ingress": [["hostname": "paperless-ngx.marlin-tet.ts.net", "ports": [["port": 443, "protocol": "TCP"]]]]]],
        ], age: 150 * 86_400)
    }

    // MARK: External Secrets

    func plantExternalSecrets() {
        create(Catalogue.clusterSecretStores, [
            "apiVersion": "external-secrets.io/v1", "kind": "ClusterSecretStore", "metadata": ["name": "onepassword"],
            "spec": ["provider": ["onepasswordSDK": ["vault": "kubernetes", "auth": ["serviceAccountSecretRef": ["name": "onepassword-sa-token", "key": "token", "namespace": "external-secrets"]]]]],
            "status": ["capabilities": "ReadOnly", "conditions": [["type": "Ready", "status": "True", "reason": "Valid", "message": "store validated", "lastTransitionTime": .string(t(-30 * 86_400))]]],
        ], age: 150 * 86_400)
        let items: [(String, [(String, String)])] = [
            ("paperless-ngx-admin", [("username", "username"), ("password", "password")]),
            ("paperless-ngx-secret-key", [("key", "key")]),
            ("paperless-ngx-redis", [("password", "password")]),
            ("paperless-ngx-restic", [("password", "password")]),
        ]
        for (i, (name, fields)) in items.enumerated() {
            let failing = options.secretSyncFailing && name == "paperless-ngx-admin"
            let refreshed = failing ? now - 2 * 86_400 - 4000 : now - Double(300 + i * 611)
            let ready: JSONValue = failing
                ? ["type": "Ready", "status": "False", "reason": "SecretSyncedError", "message": "could not get secret data from provider",
                   "lastTransitionTime": .string(UTCTime.rfc3339(refreshed + 3600))]
                : ["type": "Ready", "status": "True", "reason": "SecretSynced", "message": "secret synced", "lastTransitionTime": .string(t(-30 * 86_400))]
            create(Catalogue.externalSecrets, [
                "apiVersion": "external-secrets.io/v1", "kind": "ExternalSecret", "metadata": meta(name, labels: Self.appLabels),
                "spec": ["refreshInterval": "1h", "secretStoreRef": ["kind": "ClusterSecretStore", "name": "onepassword"],
                         "target": ["name": .string(name), "creationPolicy": "Owner", "deletionPolicy": "Retain"],
                         "data": .array(fields.map { secretKey, property in
                             ["secretKey": .string(secretKey), "remoteRef": ["key": .string(name), "property": .string(property)]]
                         })],
                "status": ["refreshTime": .string(UTCTime.rfc3339(refreshed)), "syncedResourceVersion": .string("1-\(LogText.format6(name.count * 104_729))\(LogText.format6(i))"),
                           "binding": ["name": .string(name)], "conditions": [ready]],
            ], age: 120 * 86_400)
        }
    }

    // MARK: Events

    func event(_ type: String, reason: String, kind: String, name: String, message: String, age: Double, count: Int = 1) {
        create(Catalogue.events, [
            "metadata": meta("\(name).\(LogText.format6(Int(now - age) &* 31 &+ reason.count))"),
            "involvedObject": ["kind": .string(kind), "name": .string(name), "namespace": .string(ns)],
            "type": .string(type), "reason": .string(reason), "message": .string(message), "count": .int(count),
            "firstTimestamp": .string(t(-age - 600)), "lastTimestamp": .string(t(-age)), "source": ["component": "sim"],
            "reportingComponent": "", "reportingInstance": "",
        ], age: age)
    }

    func plantEvents() {
        event("Normal", reason: "Completed", kind: "Job", name: "paperless-ngx-backup-\(Int(((try? CronSchedule(parsing: "0 4 * * *", dialect: .kubernetes))?.previous(atOrBefore: now) ?? now) / 60))",
              message: "Job completed", age: 3000)
        if options.appCrashloop {
            event("Warning", reason: "BackOff", kind: "Pod", name: "paperless-ngx-7d9f8c6b5d-x2x4q", message: "Back-off restarting failed container paperless-ngx in pod paperless-ngx-7d9f8c6b5d-x2x4q_\(ns)", age: 40, count: 57)
            event("Warning", reason: "Unhealthy", kind: "Pod", name: "paperless-ngx-db-1", message: "Readiness probe failed: HTTP probe failed with statuscode: 500", age: 20, count: 180)
        }
        if options.secretSyncFailing {
            event("Warning", reason: "UpdateFailed", kind: "ExternalSecret", name: "paperless-ngx-admin",
                  message: "error processing spec.data[0] (key: paperless-ngx-admin), err: item \"paperless-ngx-admin\" not found in vault \"kubernetes\"", age: 120, count: 48)
        }
        if options.restic != .success {
            event("Warning", reason: "BackoffLimitExceeded", kind: "Job", name: "paperless-ngx-backup-\(Int(((try? CronSchedule(parsing: "0 4 * * *", dialect: .kubernetes))?.previous(atOrBefore: now) ?? now) / 60))",
                  message: "Job has reached the specified backoff limit", age: 2900)
        }
        if options.dbBackups == .failing {
            event("Warning", reason: "BackupFailed", kind: "Backup", name: "paperless-ngx-db-daily", message: "Backup failed: can't execute backup: exit status 4", age: 3500)
        }
        if options.dataUsage > 0.9 {
            event("Warning", reason: "VolumeUsageHigh", kind: "PersistentVolumeClaim", name: "paperless-ngx-data", message: "Volume paperless-ngx-data is 94% full", age: 600)
        }
    }
}

// MARK: - Base64

enum Base64 {
    static let table = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        var out = [UInt8]()
        var i = 0
        while i < bytes.count {
            let b0 = bytes[i], b1 = i + 1 < bytes.count ? bytes[i + 1] : 0, b2 = i + 2 < bytes.count ? bytes[i + 2] : 0
            out.append(table[Int(b0 >> 2)])
            out.append(table[Int((b0 & 3) << 4 | b1 >> 4)])
            out.append(i + 1 < bytes.count ? table[Int((b1 & 15) << 2 | b2 >> 6)] : UInt8(ascii: "="))
            out.append(i + 2 < bytes.count ? table[Int(b2 & 63)] : UInt8(ascii: "="))
            i += 3
        }
        return String(decoding: out, as: UTF8.self)
    }
}
