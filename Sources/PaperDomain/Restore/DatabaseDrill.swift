import Foundation
import PaperKube

// MARK: - DrillRecord

/// What the database drills came to, kept in the namespace (ConfigMap `paperctl-drills`, key
/// `database`) so that every operator's dashboard and `check` can say when the last one passed,
/// after the scratch cluster itself is gone. The file drill needs no record: its Job is kept a week.
public struct DrillRecord: Sendable, Equatable, Codable {
    public struct Run: Sendable, Equatable, Codable {
        /// RFC 3339, UTC.
        public var finishedAt: String
        public var passed: Bool
        /// The scratch cluster.
        public var cluster: String
        /// From `kubectl create` to "Cluster in healthy state" (or to the failure).
        public var rtoSeconds: Int
        /// The point the scratch cluster recovered to (RFC 3339).
        public var recoveredTo: String?
        /// CloudNativePG's or the tool's words for the outcome (redacted).
        public var message: String
        /// `user@host` of whoever ran it.
        public var by: String?

        public init(finishedAt: Double, passed: Bool, cluster: String, rtoSeconds: Double, recoveredTo: Double?, message: String, by: String?) {
            self.finishedAt = UTCTime.rfc3339(finishedAt)
            self.passed = passed
            self.cluster = cluster
            self.rtoSeconds = Int(rtoSeconds.rounded())
            self.recoveredTo = recoveredTo.map(UTCTime.rfc3339)
            self.message = Redactor.redact(message)
            self.by = by
        }

        public var finished: Double? { UTCTime.parse(finishedAt) }
    }

    /// The newest drill, passed or not.
    public var last: Run?
    /// The newest drill that passed.
    public var lastPassed: Run?

    public init(last: Run? = nil, lastPassed: Run? = nil) {
        self.last = last
        self.lastPassed = lastPassed
    }

    public static let configMapName = "paperctl-drills"
    public static let key = "database"

    /// The record in the snapshot's ConfigMaps, if one was written and parses.
    public static func read(from configMaps: [ConfigMap]) -> DrillRecord? {
        guard let map = configMaps.first(where: { $0.metadata.name == configMapName }), let text = map.data[key] else { return nil }
        return try? JSONDecoder().decode(DrillRecord.self, from: Data(text.utf8))
    }

    /// What in the namespace proves that `run` happened, or nil. Anyone who may write ConfigMaps
    /// can write this record; the scratch cluster (labelled `paperctl.io/purpose=db-drill` and
    /// created before the drill finished) or the events about it come from the API server and
    /// CloudNativePG. They go when the cluster is deleted (`--cleanup`) and the events expire (an
    /// hour by default): the record then reads as unverified.
    public static func evidence(for run: Run, clusters: [CNPGCluster], events: [KubeEvent]) -> String? {
        let finished = run.finished ?? 0
        if let cluster = clusters.first(where: { $0.metadata.name == run.cluster }) {
            // A record naming the live cluster (or any cluster not made by a drill) proves nothing.
            guard cluster.metadata.labels[DatabaseRestore.purposeLabel] == "db-drill",
                  (cluster.metadata.creationTimestamp ?? .infinity) <= finished + 60 else { return nil }
            return "cluster \(run.cluster) is in the namespace"
        }
        if events.contains(where: { $0.involvedKind == "Cluster" && $0.involvedName == run.cluster }) {
            return "the events of cluster \(run.cluster) are in the namespace"
        }
        return nil
    }

    /// This record with `run` added.
    public func adding(_ run: Run) -> DrillRecord {
        DrillRecord(last: run, lastPassed: run.passed ? run : lastPassed)
    }

    /// The ConfigMap that holds the record, as `kubectl create|replace -f -` reads it.
    public func configMapJSON(namespace: String) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let text = (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        let object: [String: Any] = [
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": ["name": Self.configMapName, "namespace": namespace,
                         "labels": [ResticJob.managedByLabel: ResticJob.managedBy, ResticJob.purposeLabel: "drill-record"]],
            "data": [Self.key: text],
        ]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}

// MARK: - DatabaseDrillResult

/// A database drill: the newest point into a scratch cluster, timed until healthy.
public struct DatabaseDrillResult: Sendable, Equatable {
    public var cluster: String
    public var outcome: RestoreExecutor.Outcome
    public var rtoSeconds: Double
    public var recoveredTo: Double
    /// Why the result could not be written to the drill record (the drill itself stands).
    public var recordFailure: String?

    public init(cluster: String, outcome: RestoreExecutor.Outcome, rtoSeconds: Double, recoveredTo: Double, recordFailure: String? = nil) {
        self.cluster = cluster
        self.outcome = outcome
        self.rtoSeconds = rtoSeconds
        self.recoveredTo = recoveredTo
        self.recordFailure = recordFailure
    }

    /// Passed or failed (an unknown outcome is not recorded), and the record was written.
    public var isRecorded: Bool {
        if case .unknown = outcome { return false }
        return recordFailure == nil
    }

    public var summary: String {
        switch outcome {
        case .done: "database drill passed: \(cluster) healthy in \(UTCTime.humanDuration(rtoSeconds)) (the RTO), recovered to \(UTCTime.rfc3339(recoveredTo))"
        case .failed(let m): "database drill FAILED after \(UTCTime.humanDuration(rtoSeconds)): \(m)"
        case .unknown(let m): "database drill outcome unknown after \(UTCTime.humanDuration(rtoSeconds)): \(m)"
        }
    }
}

// MARK: - The drill's steps

extension RestoreToolkit {
    /// Creates the scratch cluster of `plan` (a drill plan), follows it until healthy or failed,
    /// and writes the outcome to the drill record.
    public func databaseDrill(_ plan: DatabaseRestorePlan, by: String?, report: @escaping @Sendable (RestoreExecutor.Progress) -> Void = { _ in }) async -> DatabaseDrillResult {
        let started = executor.now()
        let outcome = await createCluster(plan.json, name: plan.name, report: report)
        let finished = executor.now()
        var result = DatabaseDrillResult(cluster: plan.name, outcome: outcome, rtoSeconds: finished - started, recoveredTo: plan.recoveredTo)
        // An unknown outcome is not a drill result: nothing is recorded.
        if case .unknown = outcome { return result }
        let run = DrillRecord.Run(finishedAt: finished, passed: outcome.succeeded, cluster: plan.name, rtoSeconds: finished - started,
                                  recoveredTo: outcome.succeeded ? plan.recoveredTo : nil, message: outcome.message, by: by)
        result.recordFailure = await recordDrill(run)
        return result
    }

    /// Adds `run` to the ConfigMap `paperctl-drills` (created on first use, replaced after).
    /// Returns why it could not, or nil.
    public func recordDrill(_ run: DrillRecord.Run) async -> String? {
        let t = executor.target
        var current = DrillRecord()
        do {
            let data = try await runner.output(of: KubectlCommand(arguments: t.globalArguments + ["get", "configmaps", DrillRecord.configMapName, "-o", "json"]))
            // A record that does not parse is replaced by this run's.
            if let map = try? KubeJSON.decode(ConfigMap.self, from: data), let record = DrillRecord.read(from: [map]) { current = record }
        } catch {
            if case .notFound = error {} else { return "cannot read ConfigMap \(DrillRecord.configMapName): \(Redactor.redact(error.description))" }
        }
        let json = Data(current.adding(run).configMapJSON(namespace: t.namespace).utf8)
        for verb in ["create", "replace"] {
            let command = KubectlCommand(arguments: t.connectionArguments + [verb, "-f", "-", "-n", t.namespace],
                                         logPolicy: .action(title: "Record the drill in ConfigMap \(DrillRecord.configMapName)"), stdin: json)
            do {
                let out = try await runner.run(command)
                if out.succeeded { return nil }
                if verb == "create", out.stderr.contains("AlreadyExists") || out.stderr.contains("already exists") { continue }
                let error = KubectlErrorClassifier.classify(stderr: out.stderr, exitStatus: out.exitStatus)
                return "cannot write ConfigMap \(DrillRecord.configMapName): \(Redactor.redact(error.description))"
            } catch {
                return "cannot write ConfigMap \(DrillRecord.configMapName): \(Redactor.redact(error.description))"
            }
        }
        return nil
    }

    /// The command that deletes a drill's scratch cluster.
    public func deleteDrillClusterCommand(_ name: String) -> KubectlCommand {
        DatabaseDrill.deleteCommand(name, target: executor.target)
    }

    /// Deletes a drill's scratch cluster, only if it carries the drill's label (never the live
    /// cluster, never a restore the operator keeps).
    public func deleteDrillCluster(_ name: String, report: @escaping @Sendable (RestoreExecutor.Progress) -> Void = { _ in }) async -> RestoreExecutor.Outcome {
        let t = executor.target
        let label: String
        do {
            label = String(decoding: try await runner.output(of: KubectlCommand(arguments: t.globalArguments + [
                "get", ResourceKind.cnpgCluster.qualifiedName, name, "-o", "jsonpath={.metadata.labels.paperctl\\.io/purpose}",
            ])), as: UTF8.self)
        } catch {
            if case .notFound = error { return .done("\(name) is already gone") }
            return .failed("cannot read \(name): \(Redactor.redact(error.description))")
        }
        guard label == "db-drill" else { return .failed("\(name) is not labelled paperctl.io/purpose=db-drill: not deleted") }
        if let failure = await executor.execute(deleteDrillClusterCommand(name), report: report) { return failure }
        return .done("scratch cluster \(name) deleted")
    }
}

// MARK: - DatabaseDrill

public enum DatabaseDrill {
    /// `kubectl delete clusters.postgresql.cnpg.io <name>`: the scratch cluster, after its label was checked.
    public static func deleteCommand(_ name: String, target: KubeTarget) -> KubectlCommand {
        KubectlCommand(arguments: target.connectionArguments + ["delete", ResourceKind.cnpgCluster.qualifiedName, name, "-n", target.namespace],
                       logPolicy: .action(title: "Delete scratch cluster \(name)"))
    }
}

// MARK: - Who

/// `user@host`, for the drill record and the restore Lease.
public enum OperatorIdentity {
    public static func current(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        let user = environment["USER"] ?? environment["LOGNAME"] ?? "unknown"
        let host = ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? "unknown-host"
        return "\(user)@\(host)"
    }
}
