import PaperKube

// MARK: - Catalogue

/// Every resource type the simulated API server can serve, with kubectl's printer columns.
public enum Catalogue {
    public static let pods = ServedResource(
        group: "", versions: ["v1"], kind: "Pod", plural: "pods", shortNames: ["po"], categories: ["all"],
        subresources: ["status", "log", "exec", "portforward", "attach", "eviction"],
        columns: [
            .name,
            TableColumn("Ready", description: "The aggregate readiness state of this pod for accepting traffic.") { obj, _ in
                let statuses = obj.value(at: "status.containerStatuses")?.arrayValue ?? []
                let total = obj.value(at: "spec.containers")?.arrayValue?.count ?? statuses.count
                let ready = statuses.filter { $0["ready"]?.boolValue == true }.count
                return .string("\(ready)/\(total)")
            },
            TableColumn("Status", description: "The aggregate status of the containers in this pod.") { obj, _ in
                .string(podStatusText(obj))
            },
            TableColumn("Restarts", type: "string") { obj, _ in
                let n = (obj.value(at: "status.containerStatuses")?.arrayValue ?? []).reduce(0) { $0 + ($1["restartCount"]?.intValue ?? 0) }
                return .string(String(n))
            },
            .age,
            .path("IP", "status.podIP", priority: 1, empty: "<none>"),
            .path("Node", "spec.nodeName", priority: 1, empty: "<none>"),
        ])

    public static let services = ServedResource(
        group: "", versions: ["v1"], kind: "Service", plural: "services", shortNames: ["svc"], categories: ["all"],
        columns: [
            .name, .path("Type", "spec.type"), .path("Cluster-IP", "spec.clusterIP"),
            TableColumn("External-IP") { _, _ in "<none>" },
            TableColumn("Port(s)") { obj, _ in
                let ports = (obj.value(at: "spec.ports")?.arrayValue ?? []).map { p in
                    "\(p["port"]?.intValue ?? 0)/\(p["protocol"]?.stringValue ?? "TCP")"
                }
                return .string(ports.joined(separator: ","))
            },
            .age,
        ])

    public static let pvcs = ServedResource(
        group: "", versions: ["v1"], kind: "PersistentVolumeClaim", plural: "persistentvolumeclaims", shortNames: ["pvc"],
        columns: [
            .name, .path("Status", "status.phase"), .path("Volume", "spec.volumeName"),
            .path("Capacity", "status.capacity.storage"),
            TableColumn("Access Modes") { obj, _ in
                let modes = (obj.value(at: "status.accessModes")?.arrayValue ?? []).compactMap(\.stringValue).map { m -> String in
                    switch m {
                    case "ReadWriteOnce": "RWO"
                    case "ReadOnlyMany": "ROX"
                    case "ReadWriteMany": "RWX"
                    default: m
                    }
                }
                return .string(modes.joined(separator: ","))
            },
            .path("StorageClass", "spec.storageClassName"), .age,
        ])

    public static let nodes = ServedResource(
        group: "", versions: ["v1"], kind: "Node", plural: "nodes", shortNames: ["no"], namespaced: false,
        subresources: ["status", "proxy"],
        columns: [
            .name, .conditionStatus("Status", type: "Ready"),
            TableColumn("Roles") { _, _ in "<none>" }, .age, .path("Version", "status.nodeInfo.kubeletVersion"),
        ])

    public static let namespaces = ServedResource(
        group: "", versions: ["v1"], kind: "Namespace", plural: "namespaces", shortNames: ["ns"], namespaced: false,
        columns: [.name, .path("Status", "status.phase"), .age])

    public static let events = ServedResource(
        group: "", versions: ["v1"], kind: "Event", plural: "events", shortNames: ["ev"], subresources: [],
        columns: [
            .ageOf("Last Seen", "lastTimestamp"), .path("Type", "type"), .path("Reason", "reason"),
            TableColumn("Object") { obj, _ in
                .string("\((obj.value(at: "involvedObject.kind")?.stringValue ?? "").lowercased())/\(obj.value(at: "involvedObject.name")?.stringValue ?? "")")
            },
            .path("Message", "message"),
        ])

    public static let secrets = ServedResource(
        group: "", versions: ["v1"], kind: "Secret", plural: "secrets", subresources: [],
        columns: [
            .name, .path("Type", "type"),
            TableColumn("Data", type: "string") { obj, _ in .string(String(obj["data"]?.objectValue?.count ?? 0)) }, .age,
        ])

    public static let configMaps = ServedResource(
        group: "", versions: ["v1"], kind: "ConfigMap", plural: "configmaps", shortNames: ["cm"], subresources: [],
        columns: [.name, TableColumn("Data") { obj, _ in .string(String(obj["data"]?.objectValue?.count ?? 0)) }, .age])

    public static let leases = ServedResource(
        group: "coordination.k8s.io", versions: ["v1"], kind: "Lease", plural: "leases", subresources: [],
        columns: [.name, .path("Holder", "spec.holderIdentity"), .age])

    public static let deployments = ServedResource(
        group: "apps", versions: ["v1"], kind: "Deployment", plural: "deployments", shortNames: ["deploy"], categories: ["all"],
        subresources: ["status", "scale"],
        columns: [
            .name,
            TableColumn("Ready") { obj, _ in
                .string("\(obj.value(at: "status.readyReplicas")?.intValue ?? 0)/\(obj.value(at: "spec.replicas")?.intValue ?? 0)")
            },
            TableColumn("Up-to-date") { obj, _ in .string(String(obj.value(at: "status.updatedReplicas")?.intValue ?? 0)) },
            TableColumn("Available") { obj, _ in .string(String(obj.value(at: "status.availableReplicas")?.intValue ?? 0)) },
            .age,
        ])

    public static let replicaSets = ServedResource(
        group: "apps", versions: ["v1"], kind: "ReplicaSet", plural: "replicasets", shortNames: ["rs"], categories: ["all"],
        subresources: ["status", "scale"],
        columns: [
            .name,
            TableColumn("Desired") { obj, _ in .string(String(obj.value(at: "spec.replicas")?.intValue ?? 0)) },
            TableColumn("Current") { obj, _ in .string(String(obj.value(at: "status.replicas")?.intValue ?? 0)) },
            TableColumn("Ready") { obj, _ in .string(String(obj.value(at: "status.readyReplicas")?.intValue ?? 0)) },
            .age,
        ])

    public static let jobs = ServedResource(
        group: "batch", versions: ["v1"], kind: "Job", plural: "jobs", categories: ["all"],
        columns: [
            .name,
            TableColumn("Status") { obj, _ in .string(jobStatusText(obj)) },
            TableColumn("Completions") { obj, _ in
                .string("\(obj.value(at: "status.succeeded")?.intValue ?? 0)/\(obj.value(at: "spec.completions")?.intValue ?? 1)")
            },
            TableColumn("Duration") { obj, now in
                guard let s = obj.value(at: "status.startTime")?.stringValue, let start = UTCTime.parse(s) else { return "" }
                let end = obj.value(at: "status.completionTime")?.stringValue.flatMap(UTCTime.parse) ?? now
                return .string(UTCTime.humanDuration(end - start))
            },
            .age,
        ])

    public static let cronJobs = ServedResource(
        group: "batch", versions: ["v1"], kind: "CronJob", plural: "cronjobs", shortNames: ["cj"], categories: ["all"],
        columns: [
            .name, .path("Schedule", "spec.schedule"),
            TableColumn("Timezone") { obj, _ in obj.value(at: "spec.timeZone") ?? "<none>" },
            TableColumn("Suspend") { obj, _ in .string(obj.value(at: "spec.suspend")?.boolValue == true ? "True" : "False") },
            TableColumn("Active") { obj, _ in .string(String(obj.value(at: "status.active")?.arrayValue?.count ?? 0)) },
            .ageOf("Last Schedule", "status.lastScheduleTime"), .age,
        ])

    public static let networkPolicies = ServedResource(
        group: "networking.k8s.io", versions: ["v1"], kind: "NetworkPolicy", plural: "networkpolicies", shortNames: ["netpol"],
        subresources: [],
        columns: [
            .name,
            TableColumn("Pod-Selector") { obj, _ in
                let labels = obj.value(at: "spec.podSelector.matchLabels")?.objectValue ?? [:]
                return .string(labels.keys.sorted().map { "\($0)=\(labels[$0]?.stringValue ?? "")" }.joined(separator: ","))
            },
            .age,
        ])

    public static let ingresses = ServedResource(
        group: "networking.k8s.io", versions: ["v1"], kind: "Ingress", plural: "ingresses", shortNames: ["ing"],
        columns: [
            .name, .path("Class", "spec.ingressClassName", empty: "<none>"),
            TableColumn("Hosts") { obj, _ in
                .string((obj.value(at: "spec.tls")?.arrayValue ?? []).flatMap { $0["hosts"]?.arrayValue ?? [] }.compactMap(\.stringValue).joined(separator: ","))
            },
            TableColumn("Address") { obj, _ in obj.value(at: "status.loadBalancer.ingress.0.hostname") ?? "" },
            TableColumn("Ports") { _, _ in "80, 443" }, .age,
        ])

    // MARK: CloudNativePG

    public static let clusters = ServedResource(
        group: "postgresql.cnpg.io", versions: ["v1"], kind: "Cluster", plural: "clusters", categories: ["cnpg"],
        subresources: ["status", "scale"],
        columns: [
            .name, .age, .path("Instances", "status.instances", type: "integer"), .path("Ready", "status.readyInstances", type: "integer"),
            .path("Status", "status.phase"), .path("Primary", "status.currentPrimary"),
        ])

    public static let backups = ServedResource(
        group: "postgresql.cnpg.io", versions: ["v1"], kind: "Backup", plural: "backups", categories: ["cnpg"],
        columns: [
            .name, .age, .path("Cluster", "spec.cluster.name"), .path("Method", "spec.method"),
            .path("Phase", "status.phase"), .path("Error", "status.error"),
        ])

    public static let scheduledBackups = ServedResource(
        group: "postgresql.cnpg.io", versions: ["v1"], kind: "ScheduledBackup", plural: "scheduledbackups", categories: ["cnpg"],
        columns: [.name, .age, .path("Cluster", "spec.cluster.name"), .ageOf("Last Backup", "status.lastScheduleTime")])

    public static let objectStores = ServedResource(
        group: "barmancloud.cnpg.io", versions: ["v1"], kind: "ObjectStore", plural: "objectstores",
        columns: [.name, .age])

    // MARK: External Secrets

    static func esColumns(lastSync: Bool) -> [TableColumn] {
        var cols: [TableColumn] = [
            .name, .path("StoreType", "spec.secretStoreRef.kind"), .path("Store", "spec.secretStoreRef.name"),
            .path("Refresh Interval", "spec.refreshInterval"),
            .conditionStatus("Status", type: "Ready", field: "reason"), .conditionStatus("Ready", type: "Ready"),
        ]
        if lastSync { cols.append(.ageOf("Last Sync", "status.refreshTime")) }
        return cols
    }

    public static let externalSecrets = ServedResource(
        group: "external-secrets.io", versions: ["v1", "v1beta1"], kind: "ExternalSecret", plural: "externalsecrets",
        shortNames: ["es"], categories: ["external-secrets"], columns: esColumns(lastSync: true))

    public static let secretStores = ServedResource(
        group: "external-secrets.io", versions: ["v1", "v1beta1"], kind: "SecretStore", plural: "secretstores",
        shortNames: ["ss"], categories: ["external-secrets"],
        columns: [.name, .age, .conditionStatus("Status", type: "Ready", field: "reason"), .path("Capabilities", "status.capabilities"), .conditionStatus("Ready", type: "Ready")])

    public static let clusterSecretStores = ServedResource(
        group: "external-secrets.io", versions: ["v1", "v1beta1"], kind: "ClusterSecretStore", plural: "clustersecretstores",
        shortNames: ["css"], namespaced: false, categories: ["external-secrets"],
        columns: [.name, .age, .conditionStatus("Status", type: "Ready", field: "reason"), .path("Capabilities", "status.capabilities"), .conditionStatus("Ready", type: "Ready")])

    // MARK: Argo CD

    public static let applications = ServedResource(
        group: "argoproj.io", versions: ["v1alpha1"], kind: "Application", plural: "applications", shortNames: ["app", "apps"],
        categories: [], subresources: [],
        columns: [
            .name, .path("Sync Status", "status.sync.status"), .path("Health Status", "status.health.status"),
            .path("Revision", "status.sync.revision", priority: 10), .path("Project", "spec.project", priority: 10),
        ])

    public static let applicationSets = ServedResource(
        group: "argoproj.io", versions: ["v1alpha1"], kind: "ApplicationSet", plural: "applicationsets", shortNames: ["appset", "appsets"],
        subresources: ["status"], columns: [.name, .age])

    public static let appProjects = ServedResource(
        group: "argoproj.io", versions: ["v1alpha1"], kind: "AppProject", plural: "appprojects", shortNames: ["appproj", "appprojs"],
        subresources: [], columns: [.name, .age])

    /// The full catalogue, in discovery order.
    public static let all: [ServedResource] = [
        pods, services, pvcs, nodes, namespaces, events, secrets, configMaps,
        deployments, replicaSets, jobs, cronJobs, networkPolicies, ingresses, leases,
        clusters, backups, scheduledBackups, objectStores,
        externalSecrets, secretStores, clusterSecretStores,
        applications, applicationSets, appProjects,
    ]

    // MARK: Status texts

    /// The STATUS column kubectl shows for a pod: a waiting/terminated reason beats the phase.
    public static func podStatusText(_ pod: JSONValue) -> String {
        if pod.value(at: "metadata.deletionTimestamp") != nil { return "Terminating" }
        for cs in pod.value(at: "status.containerStatuses")?.arrayValue ?? [] {
            if let reason = cs.value(at: "state.waiting.reason")?.stringValue, !reason.isEmpty {
                return reason
            }
            if let reason = cs.value(at: "state.terminated.reason")?.stringValue {
                return reason
            }
        }
        return pod.value(at: "status.phase")?.stringValue ?? "Unknown"
    }

    public static func jobStatusText(_ job: JSONValue) -> String {
        for c in job.value(at: "status.conditions")?.arrayValue ?? [] where c["status"]?.stringValue == "True" {
            if c["type"]?.stringValue == "Complete" { return "Complete" }
            if c["type"]?.stringValue == "Failed" { return "Failed" }
        }
        return (job.value(at: "status.active")?.intValue ?? 0) > 0 ? "Running" : "Pending"
    }
}
