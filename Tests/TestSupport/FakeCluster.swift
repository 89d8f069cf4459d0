import Foundation
import PaperKube
import Synchronization

// MARK: - FakeCluster

/// A cluster answered from fixtures, enough for a whole restore path: RBAC says yes, the reads
/// return the objects given, every Job created completes at once with the log its purpose prints
/// (by the prefix of its name), every new CNPG cluster is healthy at once, the restore Lease is
/// free. It records every command (a `FakeRunner`), so two drivers of the same path can be
/// compared by what they sent.
public final class FakeCluster: Sendable {
    public struct Objects: Sendable {
        /// `kubectl get cronjobs.batch NAME -o json`.
        public var cronJob: Data
        /// `kubectl get jobs.batch -o json` (a List).
        public var jobs: String
        /// What `kubectl logs -l job-name=NAME` prints, by the prefix of the Job's name
        /// (`paperctl-restic-snapshots`, or the name of a backup Job).
        public var logs: [String: String]
        public var deployment: String
        public var claim: String
        /// The live CNPG cluster: its name and JSON; any other cluster read is a new one, healthy.
        public var liveCluster: String
        public var clusterJSON: Data
        /// `kubectl get backups.postgresql.cnpg.io -o json` (a List).
        public var backups: String

        public init(cronJob: Data, jobs: String, logs: [String: String], deployment: String, claim: String, liveCluster: String, clusterJSON: Data, backups: String) {
            self.cronJob = cronJob
            self.jobs = jobs
            self.logs = logs
            self.deployment = deployment
            self.claim = claim
            self.liveCluster = liveCluster
            self.clusterJSON = clusterJSON
            self.backups = backups
        }
    }

    /// A command that changes the cluster, as sent: its arguments and its body.
    public struct Write: Sendable, Equatable, CustomStringConvertible {
        public var arguments: [String]
        public var stdin: String?

        public var description: String { arguments.joined(separator: " ") + (stdin.map { " <<EOF\n\($0)EOF" } ?? "") }
    }

    public let runner: FakeRunner

    public init(_ objects: Objects) {
        let lease = Mutex<Data?>(nil)
        runner = FakeRunner { command throws(KubectlError) in Self.lease(lease, command) ?? Self.answer(objects, command) }
    }

    /// The restore Lease as the API server keeps it: created, replaced, read back, deleted.
    static func lease(_ stored: borrowing Mutex<Data?>, _ command: KubectlCommand) -> CommandOutput? {
        let a = command.arguments
        if a.contains("leases.coordination.k8s.io") {
            if a.contains("delete") {
                stored.withLock { $0 = nil }
                return .ok("lease deleted\n")
            }
            guard let body = stored.withLock({ $0 }), var lease = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] else {
                return .failure("Error from server (NotFound): leases.coordination.k8s.io \"paperctl-restore\" not found")
            }
            var meta = lease["metadata"] as? [String: Any] ?? [:]
            meta["resourceVersion"] = "1"
            lease["metadata"] = meta
            return .ok((try? JSONSerialization.data(withJSONObject: lease)) ?? Data())
        }
        guard let body = command.stdin, kind(of: String(decoding: body, as: UTF8.self)) == "Lease" else { return nil }
        stored.withLock { $0 = body }
        return .ok("lease written\n")
    }

    static let emptyList = #"{"apiVersion":"v1","kind":"List","items":[]}"#
    static let writeVerbs: Set<String> = ["create", "replace", "apply", "patch", "scale", "delete", "annotate", "label"]

    /// Every command that writes (a server dry run included), in order, without the restore
    /// Lease's own (who holds it and for what differ by design between the CLI and the wizard).
    public var writes: [Write] {
        runner.commands.compactMap { command in
            let a = command.arguments
            guard !a.contains("auth"), a.contains(where: Self.writeVerbs.contains), !a.contains("leases.coordination.k8s.io") else { return nil }
            let body = command.stdin.map { String(decoding: $0, as: UTF8.self) }
            if let body, Self.kind(of: body) == "Lease" { return nil }
            return Write(arguments: a, stdin: body)
        }
    }

    static func kind(of json: String) -> String? {
        ((try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [String: Any])?["kind"] as? String
    }

    /// The word after `resource` in `arguments` when it names one object (not a flag).
    static func name(after resource: String, in arguments: [String]) -> String? {
        guard let i = arguments.firstIndex(of: resource), i + 1 < arguments.count, !arguments[i + 1].hasPrefix("-") else { return nil }
        return arguments[i + 1]
    }

    static func answer(_ o: Objects, _ command: KubectlCommand) -> CommandOutput {
        let a = command.arguments
        func notFound(_ what: String) -> CommandOutput { .failure("Error from server (NotFound): \(what) not found") }
        if a.contains("auth") { return .ok("yes\n") }
        if a.contains(where: writeVerbs.contains) { return .ok("done\n") }
        if a.contains("logs") {
            guard let selector = a.first(where: { $0.hasPrefix("job-name=") }) else { return .ok("") }  // the app's own log: no error line
            let job = String(selector.dropFirst("job-name=".count))
            return .ok(o.logs.first { job.hasPrefix($0.key) }?.value ?? "")
        }
        guard a.contains("get") else { return .failure("unexpected command: \(a)") }
        if a.contains("cronjobs.batch") { return .ok(o.cronJob) }
        if a.contains("jobs.batch") {
            guard let name = name(after: "jobs.batch", in: a) else { return .ok(o.jobs) }
            // A full-recovery Job of a new cluster is never looked at twice: it is healthy at once.
            return .ok(#"{"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"\#(name)"},"status":{"succeeded":1,"conditions":[{"type":"Complete","status":"True"}]}}"#)
        }
        if a.contains("pods") { return .ok(emptyList) }
        if a.contains("deployments.apps") { return .ok(o.deployment) }
        if a.contains("persistentvolumeclaims") { return .ok(o.claim) }
        if a.contains("configmaps") { return notFound("configmaps") }
        if a.contains("secrets") {
            // The live owner's Secret, as CNPG writes it (`app` / a password the test never looks at).
            guard let name = name(after: "secrets", in: a), name == "\(o.liveCluster)-app" else { return notFound("secrets") }
            return .ok(#"{"apiVersion":"v1","kind":"Secret","type":"kubernetes.io/basic-auth","metadata":{"name":"\#(name)"},"data":{"username":"YXBw","password":"ZmFrZS1wYXNzd29yZA=="}}"#)
        }
        if a.contains(ResourceKind.cnpgScheduledBackup.qualifiedName) { return .ok(emptyList) }
        let clusters = ResourceKind.cnpgCluster.qualifiedName
        if a.contains(clusters) {
            guard let name = name(after: clusters, in: a) else {
                return .ok(#"{"apiVersion":"v1","kind":"List","items":[\#(String(decoding: o.clusterJSON, as: UTF8.self))]}"#)
            }
            if a.contains(where: { $0.hasPrefix("jsonpath=") }) { return .ok("db-drill") }
            if name == o.liveCluster { return .ok(o.clusterJSON) }
            // A new cluster is healthy at once and archives at once.
            return .ok(#"{"apiVersion":"postgresql.cnpg.io/v1","kind":"Cluster","metadata":{"name":"\#(name)"},"status":{"phase":"Cluster in healthy state","#
                       + #""firstRecoverabilityPoint":"2027-01-06T03:01:40Z","conditions":[{"type":"ContinuousArchiving","status":"True"}]}}"#)
        }
        let backups = ResourceKind.cnpgBackup.qualifiedName
        if a.contains(backups) {
            // A Backup created now (a safety backup) has completed at once.
            guard let name = name(after: backups, in: a) else { return .ok(o.backups) }
            return .ok(#"{"apiVersion":"postgresql.cnpg.io/v1","kind":"Backup","metadata":{"name":"\#(name)"},"spec":{"cluster":{"name":"\#(o.liveCluster)"}},"status":{"phase":"completed"}}"#)
        }
        if a.contains(ResourceKind.barmanObjectStore.qualifiedName) { return .ok(emptyList) }
        return .failure("unexpected command: \(a)")
    }
}
