import Foundation
import PaperKube
import Yams

// MARK: - RecoveryCredentials

/// The Secret a recovery names in `bootstrap.recovery.secret`, so the recovered cluster's owner
/// keeps the live owner's password (without it CloudNativePG creates `<new>-app` with a fresh
/// random password and sets the owner's to it: the app's password then fails).
public struct RecoveryCredentials: Sendable, Equatable {
    public enum Source: Sendable, Equatable {
        /// The live cluster's `bootstrap.initdb.secret`: named as it is, nothing is created.
        case initdbSecret
        /// The username and password of the live `<cluster>-app` Secret, copied into a new
        /// `kubernetes.io/basic-auth` Secret when the step runs: read and written through kubectl,
        /// never shown, logged or journaled.
        case copy(from: String)
    }

    public var secretName: String
    public var source: Source
    /// The owner the recovery names: the Secret's `username` must be this.
    public var owner: String
    /// The live cluster, for the Secret's label.
    public var live: String

    public static let keys = ["username", "password"]
    public static let purpose = "db-restore-credentials"

    public init(secretName: String, source: Source, owner: String, live: String) {
        self.secretName = secretName
        self.source = source
        self.owner = owner
        self.live = live
    }

    /// One line for the plan: the Secret's name and keys, never its values.
    public var summary: String {
        switch source {
        case .initdbSecret:
            "the recovery names Secret \(secretName) in bootstrap.recovery.secret (the live cluster's bootstrap.initdb.secret; keys \(Self.keys.joined(separator: ", "))): owner \(owner) keeps its password"
        case .copy(let from):
            "the recovery names Secret \(secretName) in bootstrap.recovery.secret, a new kubernetes.io/basic-auth Secret with the keys \(Self.keys.joined(separator: ", ")) copied from Secret \(from) (values never shown): owner \(owner) keeps its password"
        }
    }

    /// The Secret the copy step creates, as the plan shows it: its keys named, the username (the
    /// owner, which the copy checks) and the password only as where it comes from.
    public func display(namespace: String) -> String {
        guard case .copy(let from) = source else { return "" }
        return Self.manifest(name: secretName, namespace: namespace, restoredFrom: live,
                             username: Data(owner.utf8).base64EncodedString(), password: "<copied from Secret \(from), key password>", pretty: true)
    }

    /// The Secret's JSON. `username`/`password`: the base64 values as the source Secret holds
    /// them (copied, never decoded), or placeholders for the plan.
    static func manifest(name: String, namespace: String, restoredFrom live: String, username: String, password: String, pretty: Bool = false) -> String {
        let object: [String: Any] = [
            "apiVersion": "v1",
            "kind": "Secret",
            "type": "kubernetes.io/basic-auth",
            "metadata": [
                "name": name,
                "namespace": namespace,
                "labels": [DatabaseRestore.managedByLabel: DatabaseRestore.managedBy, DatabaseRestore.purposeLabel: purpose, "paperctl.io/restored-from": live],
            ] as [String: Any],
            "data": ["username": username, "password": password],
        ]
        let options: JSONSerialization.WritingOptions = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: options) else { return "{}" }
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}

// MARK: - BackupRearm

/// The recovered cluster's own backups: the live backup configuration with a `serverName` of
/// the recovery lineage (`<cluster>-r1`, `-r2`, …: never the live one's, or CloudNativePG stops it
/// with "Expected empty archive"), a new ScheduledBackup with the live schedule (a
/// ScheduledBackup's `spec.cluster` is immutable since 1.28.4), and a first Backup now.
public struct BackupRearm: Sendable, Equatable {
    public var serverName: String
    /// The ObjectStore the plugin archives to (nil: in-tree `barmanObjectStore`).
    public var objectStore: String?
    public var scheduledBackupName: String?
    public var schedule: String?
    /// The ScheduledBackup as JSON (for `kubectl create -f -`) and YAML (what the operator reads or commits).
    public var scheduledBackupJSON: String?
    public var scheduledBackupYAML: String?
    /// The first Backup, created once the cluster is healthy.
    public var firstBackupName: String
    public var firstBackupJSON: String

    /// `kubectl create -f -` of the first Backup, with the session's connection flags.
    public func firstBackup(target: KubeTarget, cluster: String) -> ActionPlan {
        ActionPlan(kind: .databaseBackup, title: "Start the first CloudNativePG backup of \(cluster)",
                   arguments: target.connectionArguments + ["create", "-f", "-", "-n", target.namespace], stdin: firstBackupJSON, objectName: firstBackupName)
    }

    /// One line for the plan.
    public var summary: String {
        "backups re-armed: WAL and base backups under serverName \(serverName)" + (objectStore.map { " in ObjectStore \($0)" } ?? "")
            + (schedule.map { "; ScheduledBackup \(scheduledBackupName ?? "") with the live schedule \($0)" } ?? "; no live ScheduledBackup to copy: no schedule")
            + "; a first Backup \(firstBackupName) now"
    }
}

extension DatabaseRestore {
    /// The first `<base>-rN` not used, where `base` is the live serverName without its own
    /// `-rN` (a cluster restored before continues the lineage, not `-r1-r1`).
    public static func lineage(liveServer: String, used: Set<String>) -> String {
        var base = liveServer
        if let dash = base.range(of: "-r", options: .backwards), !base[dash.upperBound...].isEmpty, base[dash.upperBound...].allSatisfy(\.isNumber) {
            base = String(base[..<dash.lowerBound])
        }
        var n = 1
        while used.contains("\(base)-r\(n)") { n += 1 }
        return "\(base)-r\(n)"
    }

    /// The serverNames in use: every Cluster's (in-tree `barmanObjectStore.serverName` or the
    /// plugin's parameter, else its name), each Backup's `status.serverName`, and the keys of each
    /// ObjectStore's `status.serverRecoveryWindow`. Lists as `kubectl get … -o json` prints them.
    public static func usedServerNames(clusters: Data?, backups: Data?, objectStores: [BarmanObjectStore]) -> Set<String> {
        func items(_ data: Data?) -> [[String: Any]] {
            guard let data, let list = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else { return [] }
            return list["items"] as? [[String: Any]] ?? []
        }
        var used: Set<String> = []
        for cluster in items(clusters) {
            let name = (cluster["metadata"] as? [String: Any])?["name"] as? String ?? ""
            let spec = cluster["spec"] as? [String: Any] ?? [:]
            let store = (spec["backup"] as? [String: Any])?["barmanObjectStore"] as? [String: Any]
            let plugin = (spec["plugins"] as? [[String: Any]] ?? []).first { ($0["name"] as? String ?? "").contains("barman") }
            let server = ((plugin?["parameters"] as? [String: Any])?["serverName"] as? String) ?? (store?["serverName"] as? String)
            used.insert(server.flatMap { $0.isEmpty ? nil : $0 } ?? name)
        }
        for backup in items(backups) {
            if let server = (backup["status"] as? [String: Any])?["serverName"] as? String, !server.isEmpty { used.insert(server) }
        }
        for store in objectStores { used.formUnion(store.serverRecoveryWindow.keys) }
        return used
    }

    /// The live spec's backup configuration with `serverName` set to `server`: `spec.backup` (in-tree)
    /// or `spec.plugins` (the Barman Cloud plugin's parameters). nil when it has neither.
    static func rearmedSpec(liveSpec spec: [String: Any], server: String) -> (key: String, value: Any)? {
        if var plugins = spec["plugins"] as? [[String: Any]], let i = plugins.firstIndex(where: { ($0["name"] as? String ?? "").contains("barman") }) {
            var parameters = plugins[i]["parameters"] as? [String: Any] ?? [:]
            parameters["serverName"] = server
            plugins[i]["parameters"] = parameters
            return ("plugins", plugins)
        }
        if var backup = spec["backup"] as? [String: Any], var store = backup["barmanObjectStore"] as? [String: Any] {
            store["serverName"] = server
            backup["barmanObjectStore"] = store
            return ("backup", backup)
        }
        return nil
    }

    /// The new cluster's ScheduledBackup: the live one's schedule, method and plugin, named after
    /// the new cluster (the live name's suffix kept: `…-daily`).
    static func scheduledBackup(live: CNPGScheduledBackup, liveCluster: String, newCluster: String, namespace: String) -> (name: String, json: String, yaml: String)? {
        guard let schedule = live.schedule else { return nil }
        let suffix = live.metadata.name.hasPrefix(liveCluster) ? String(live.metadata.name.dropFirst(liveCluster.count)) : "-\(live.metadata.name)"
        let name = newCluster + (suffix.isEmpty ? "-scheduled" : suffix)
        var spec: [String: Any] = ["schedule": schedule, "cluster": ["name": newCluster], "method": live.method, "backupOwnerReference": "self", "immediate": false, "suspend": false]
        if let plugin = live.pluginName { spec["pluginConfiguration"] = ["name": plugin] }
        let object: [String: Any] = [
            "apiVersion": "postgresql.cnpg.io/v1",
            "kind": "ScheduledBackup",
            "metadata": ["name": name, "namespace": namespace,
                         "labels": [managedByLabel: managedBy, purposeLabel: "db-restore", "paperctl.io/restored-from": liveCluster]] as [String: Any],
            "spec": spec,
        ]
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]) else { return nil }
        let json = String(decoding: data, as: UTF8.self) + "\n"
        let yaml = (try? Yams.dump(object: try? Yams.load(yaml: json), sortKeys: true)) ?? json
        return (name, json, yaml)
    }

    public static let managedByLabel = ResticJob.managedByLabel

    /// What the restore carries over from the live side: read with the timeline.
    public struct CarryOver: Sendable, Equatable {
        public var scheduledBackups: [CNPGScheduledBackup]
        public var usedServerNames: Set<String>

        public init(scheduledBackups: [CNPGScheduledBackup], usedServerNames: Set<String>) {
            self.scheduledBackups = scheduledBackups
            self.usedServerNames = usedServerNames
        }
    }

    /// The plan of a restore (not a drill) from the timeline: the credentials and the backups carried over.
    public static func plan(_ point: RestorePoint, timeline: DatabaseTimeline, namespace: String, name: String? = nil, now: Double) throws(Refusal) -> DatabaseRestorePlan {
        try plan(point, clusterJSON: timeline.clusterJSON, cluster: timeline.cluster, backups: timeline.backups, objectStores: timeline.objectStores,
                 namespace: namespace, name: name, now: now, carryOver: timeline.carryOver ?? CarryOver(scheduledBackups: [], usedServerNames: []))
    }
}

// MARK: - The steps

extension DatabaseRestorePlan {
    /// The steps of the database restore, in order: the credentials Secret (when copied), the new
    /// cluster, then its ScheduledBackup, its first Backup and the archiving check.
    public func steps(target: KubeTarget) -> [RestoreStep] {
        var steps: [RestoreStep] = []
        if let credentials, case .copy(let from) = credentials.source {
            // The command shown carries the placeholders; the step builds the real one when it runs.
            let shown = credentials.display(namespace: target.namespace)
            steps.append(RestoreStep(kind: .carryCredentials(credentials), title: "Copy the owner's username and password from Secret \(from) into the new Secret \(credentials.secretName) (values never shown)",
                                     command: KubectlCommand(arguments: target.connectionArguments + ["create", "-f", "-", "-n", target.namespace], stdin: Data(shown.utf8)),
                                     display: shown))
        }
        steps.append(DatabaseRestore.recoverStep(self, target: target))
        if let rearm {
            if let name = rearm.scheduledBackupName, let json = rearm.scheduledBackupJSON {
                steps.append(RestoreStep(kind: .scheduledBackup(name: name, cluster: self.name),
                                         title: "Create the ScheduledBackup \(name) of \(self.name) (schedule \(rearm.schedule ?? "?"))",
                                         command: KubectlCommand(arguments: target.connectionArguments + ["create", "-f", "-", "-n", target.namespace],
                                                                 logPolicy: .action(title: "Create ScheduledBackup \(name)"), stdin: Data(json.utf8)),
                                         display: rearm.scheduledBackupYAML))
            }
            let first = rearm.firstBackup(target: target, cluster: self.name)
            steps.append(RestoreStep(kind: .databaseBackup(first), title: "First Backup \(first.objectName) of \(self.name) under serverName \(rearm.serverName), and wait for it to complete",
                                     command: first.command, display: first.stdin))
            steps.append(RestoreStep(kind: .checkArchiving(cluster: self.name, serverName: rearm.serverName, objectStore: rearm.objectStore),
                                     title: "Check that \(self.name) archives WAL under serverName \(rearm.serverName) (ContinuousArchiving) and has a recovery window", command: nil))
        }
        return steps
    }
}

// MARK: - Running them

extension RestoreExecutor {
    /// Copies the live owner's `username` and `password` (base64, as stored: never decoded, the
    /// username aside) into a new `kubernetes.io/basic-auth` Secret, the JSON piped to
    /// `kubectl create -f -`. Nothing of the values reaches a report, a log or the journal.
    func carryCredentials(_ credentials: RecoveryCredentials, report: @escaping @Sendable (Progress) -> Void) async -> Outcome {
        guard case .copy(let from) = credentials.source else { return .done("the recovery uses the live cluster's bootstrap.initdb.secret \(credentials.secretName)") }
        let data: Data
        do {
            data = try await runner.output(of: KubectlCommand(arguments: target.globalArguments + ["get", "secrets", from, "-o", "json"]))
        } catch {
            return .failed("cannot read Secret \(from): \(Redactor.redact(error.description)); nothing was created")
        }
        guard let secret = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any], let values = secret["data"] as? [String: Any],
              let username = values["username"] as? String, let password = values["password"] as? String, !password.isEmpty else {
            return .failed("Secret \(from) has no username and password: nothing was created")
        }
        let user = Data(base64Encoded: username).map { String(decoding: $0, as: UTF8.self) }
        guard user == credentials.owner else {
            return .failed("Secret \(from) names user \(user ?? "?"), but the recovery's owner is \(credentials.owner): CloudNativePG needs the username to be the owner; nothing was created")
        }
        // The username as shown in the plan (the owner, just checked), the password as stored.
        let json = RecoveryCredentials.manifest(name: credentials.secretName, namespace: target.namespace, restoredFrom: credentials.live,
                                                username: Data(credentials.owner.utf8).base64EncodedString(), password: password)
        let create = KubectlCommand(arguments: target.connectionArguments + ["create", "-f", "-", "-n", target.namespace],
                                    logPolicy: .action(title: "Create Secret \(credentials.secretName) (the owner's credentials, copied)"), stdin: Data(json.utf8))
        if let failure = await execute(create, report: report) { return failure }
        return .done("Secret \(credentials.secretName) created with the username and password of \(from) (keys \(RecoveryCredentials.keys.joined(separator: ", ")))")
    }

    /// Follows the new cluster's WAL archiving: ContinuousArchiving True and a recovery window
    /// (the Cluster's `firstRecoverabilityPoint`, or the ObjectStore's window under `serverName`).
    func checkArchiving(cluster name: String, serverName: String, objectStore: String?, report: @escaping @Sendable (Progress) -> Void) async -> Outcome {
        await poll("WAL archiving of \(name)", report: report) { () async throws(KubectlError) -> Outcome? in
            let cluster = try await read(["get", ResourceKind.cnpgCluster.qualifiedName, name, "-o", "json"], as: CNPGCluster.self)
            let archiving = cluster.conditions[type: "ContinuousArchiving"]
            if archiving?.status == "False" {
                let message = Redactor.redact(archiving?.message ?? "no message")
                let cause = CNPGDiagnosis.diagnose(message, source: "Cluster \(name) condition ContinuousArchiving", context: .live(timeline: cluster.timeline))
                return .failed("\(name): ContinuousArchiving is False: \(message)" + (cause.map { "; what to change: \($0.nextStep)" } ?? ""))
            }
            guard archiving?.status == "True" else {
                report(Progress("\(name): no ContinuousArchiving condition yet"))
                return nil
            }
            let start: Double?
            if let objectStore {
                let store = try await read(["get", ResourceKind.barmanObjectStore.qualifiedName, objectStore, "-o", "json"], as: BarmanObjectStore.self)
                start = store.serverRecoveryWindow[serverName]?.firstRecoverabilityPoint
            } else {
                start = cluster.firstRecoverabilityPoint
            }
            guard let start else {
                report(Progress("\(name): archiving, no recovery window yet"))
                return nil
            }
            return .done("\(name): ContinuousArchiving True; recoverable from \(UTCTime.rfc3339(start)) under serverName \(serverName)")
        }
    }
}

extension RestoreToolkit {
    /// What the credentials copy needs that RBAC does not allow (`auth can-i get secrets`,
    /// `create secrets`): empty when allowed, or when nothing is copied.
    public func credentialsPreflight(_ credentials: RecoveryCredentials?) async -> [String] {
        guard let credentials, case .copy(let from) = credentials.source else { return [] }
        let target = executor.target
        var missing: [String] = []
        for (verb, what) in [("get", "read Secret \(from)"), ("create", "create Secret \(credentials.secretName)")] {
            let command = KubectlCommand(arguments: target.connectionArguments + ["auth", "can-i", verb, "secrets", "-n", target.namespace])
            let answer = RestorePreflight.allowed(try? await executor.runner.run(command))
            if answer != true {
                missing.append("\(verb) secrets (to \(what)): " + (answer == false ? "kubectl auth can-i \(verb) secrets says no" : "could not ask kubectl auth can-i"))
            }
        }
        return missing
    }
}

extension RestoreToolkit {
    /// The live ScheduledBackups and every serverName in use (Clusters, Backups, ObjectStore
    /// windows); nil when they cannot be read (the restore then carries no backups over).
    func carryOver(backupsJSON: Data, objectStores: [BarmanObjectStore]) async -> DatabaseRestore.CarryOver? {
        let target = executor.target
        guard let clusters = try? await executor.runner.output(of: KubectlCommand(arguments: target.globalArguments + ["get", ResourceKind.cnpgCluster.qualifiedName, "-o", "json"])),
              let scheduled = try? await executor.runner.output(of: KubectlCommand(arguments: target.globalArguments + ["get", ResourceKind.cnpgScheduledBackup.qualifiedName, "-o", "json"])),
              let list = try? KubeJSON.decode(KubeList.self, from: scheduled) else { return nil }
        let scheduledBackups = list.items.compactMap { if case .cnpgScheduledBackup(let s) = $0 { s } else { nil } }
        return DatabaseRestore.CarryOver(scheduledBackups: scheduledBackups,
                                         usedServerNames: DatabaseRestore.usedServerNames(clusters: clusters, backups: backupsJSON, objectStores: objectStores))
    }
}

extension RestoreToolkit {
    /// The wizard's database restore: the RBAC the credentials need checked, then `steps` in
    /// order (the credentials Secret, the new cluster followed until healthy, its backups
    /// re-armed), stopping at the first that does not succeed. The outcome names what was done.
    public func restoreDatabase(_ steps: [RestoreStep], report: @escaping @Sendable (RestoreExecutor.Progress) -> Void) async -> RestoreExecutor.Outcome {
        for step in steps {
            guard case .carryCredentials(let credentials) = step.kind else { continue }
            let missing = await credentialsPreflight(credentials)
            if !missing.isEmpty { return .failed("RBAC: the owner's credentials cannot be carried over: missing \(missing.joined(separator: "; ")); nothing was created") }
        }
        var done: [String] = []
        for step in steps {
            report(RestoreExecutor.Progress(step.title))
            let outcome: RestoreExecutor.Outcome
            if step.creates {
                if let failure = await executor.create(step, report: report) {
                    outcome = failure
                } else {
                    outcome = await executor.follow(step, report: report)
                }
            } else {
                outcome = await executor.run(step, report: report)
            }
            guard case .done(let message) = outcome else {
                let before = done.isEmpty ? "" : " (done before: \(done.joined(separator: "; ")))"
                switch outcome {
                case .failed(let m): return .failed(m + before)
                default: return .unknown(outcome.message + before)
                }
            }
            done.append(message)
        }
        return .done(done.joined(separator: "; "))
    }
}
