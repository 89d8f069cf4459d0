import Foundation
import PaperKube

// MARK: - RestoreLease

/// Two operators at once: a restore (files, database or both) holds the `coordination.k8s.io/v1`
/// Lease `paperctl-restore` in the namespace while it runs. The Lease says who holds it (user,
/// host, process), what runs and which step, since when; a running restore renews it, and it
/// lapses `duration` seconds after its holder stops renewing (a killed session frees it).
/// Read-only work (drills, listings, unlock checks) never takes it.
public enum RestoreLease {
    public static let name = "paperctl-restore"
    /// Seconds a Lease stays valid without renewal; a running restore renews every third of it.
    public static let duration = 90
    public static let whatAnnotation = "paperctl.io/what"
    public static let stepAnnotation = "paperctl.io/step"

    /// This process: `user@host pid N`, so two sessions of one user on one host differ.
    public static let myIdentity = "\(OperatorIdentity.current()) pid \(ProcessInfo.processInfo.processIdentifier)"

    /// The restore Lease when someone holds it now.
    public static func active(in leases: [Lease], now: Double) -> Lease? {
        leases.first { $0.metadata.name == name && $0.isHeld(at: now) }
    }

    /// "ops@bastion pid 4242, since 5m: restore files in place (step 3: Scale down); lapses in 1m20s unless renewed".
    public static func describe(_ lease: Lease, now: Double) -> String {
        let who = lease.holderIdentity ?? "someone"
        let since = (lease.acquireTime ?? lease.renewTime).map { ", since \(UTCTime.humanDuration(now - $0)) ago" } ?? ""
        let what = lease.metadata.annotations[whatAnnotation].map { ": \($0)" } ?? ""
        let step = lease.metadata.annotations[stepAnnotation].map { " (\($0))" } ?? ""
        let lapse = lease.expiresAt.map { "; lapses in \(UTCTime.humanDuration(max(0, $0 - now))) unless renewed" } ?? ""
        return "\(who)\(since)\(what)\(step)\(lapse)"
    }

    /// RFC 3339 with exactly six fractional digits: the API server's MicroTime.
    public static func microTime(_ t: Double) -> String {
        let whole = t.rounded(.down)
        let micros = min(999_999, Int(((t - whole) * 1_000_000).rounded(.down)))
        let base = UTCTime.rfc3339(whole).dropLast()  // "…:SS"
        return "\(base).\(String(format: "%06d", micros))Z"
    }

    /// The Lease as `kubectl create|replace -f -` reads it.
    public static func json(holder: String, what: String, step: String?, acquired: Double, renewed: Double, namespace: String, resourceVersion: String?) -> Data {
        var metadata: [String: Any] = [
            "name": name, "namespace": namespace,
            "labels": [ResticJob.managedByLabel: ResticJob.managedBy],
            "annotations": [whatAnnotation: Redactor.redact(what)].merging(step.map { [stepAnnotation: Redactor.redact($0)] } ?? [:]) { a, _ in a },
        ]
        if let resourceVersion { metadata["resourceVersion"] = resourceVersion }
        let object: [String: Any] = [
            "apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": metadata,
            "spec": ["holderIdentity": holder, "leaseDurationSeconds": duration, "acquireTime": microTime(acquired), "renewTime": microTime(renewed)],
        ]
        return (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
    }
}

// MARK: - RestoreLeaseKeeper

/// Takes, renews and gives back the restore Lease through the kubectl runner. One per session.
public actor RestoreLeaseKeeper {
    let runner: any CommandRunning
    let target: KubeTarget
    let identity: String
    let clock: @Sendable () -> Double
    private(set) var holding = false
    private var what = ""
    private var step: String?
    private var acquired = 0.0
    private var lastRenewal = 0.0

    public init(runner: any CommandRunning, target: KubeTarget, identity: String = RestoreLease.myIdentity, clock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }) {
        self.runner = runner
        self.target = target
        self.identity = identity
        self.clock = clock
    }

    /// Takes the Lease for `what`; nil when taken, else why not (who holds it, doing what).
    public func acquire(what: String) async -> String? {
        let now = clock()
        let current: (lease: Lease, resourceVersion: String?)?
        switch await read() {
        case .failure(let error): return "cannot read Lease \(RestoreLease.name): \(Redactor.redact(error.description))"
        case .success(let found): current = found
        }
        if let current, current.lease.isHeld(at: now), current.lease.holderIdentity != identity {
            return "another restore holds Lease \(RestoreLease.name): \(RestoreLease.describe(current.lease, now: now))"
        }
        self.what = what
        self.step = nil
        let body = RestoreLease.json(holder: identity, what: what, step: nil, acquired: now, renewed: now, namespace: target.namespace, resourceVersion: current?.resourceVersion)
        // Create when absent, else replace at the version just read: a rival write in between is a
        // conflict, and the loser is refused, not silently overwritten.
        let verb = current == nil ? "create" : "replace"
        if let failure = await write(verb, body) {
            if failure.contains("AlreadyExists") || failure.contains("already exists") || failure.contains("Conflict") || failure.contains("the object has been modified") {
                if case .success(let again?) = await read(), again.lease.isHeld(at: clock()) {
                    return "another restore took Lease \(RestoreLease.name) just now: \(RestoreLease.describe(again.lease, now: clock()))"
                }
                return "Lease \(RestoreLease.name) changed while it was taken; try again"
            }
            return "cannot take Lease \(RestoreLease.name): \(failure)"
        }
        holding = true
        acquired = now
        lastRenewal = now
        return nil
    }

    /// Renews the Lease when a third of its duration has passed, or now with a new `step`.
    public func renewIfDue(step newStep: String? = nil) async {
        guard holding else { return }
        let now = clock()
        if let newStep { step = newStep } else if now - lastRenewal < Double(RestoreLease.duration) / 3 { return }
        guard case .success(let current?) = await read(), current.lease.holderIdentity == identity else {
            holding = false  // lost (deleted or taken after it lapsed): renewing would steal it back
            return
        }
        let body = RestoreLease.json(holder: identity, what: what, step: step, acquired: acquired, renewed: now, namespace: target.namespace, resourceVersion: current.resourceVersion)
        if await write("replace", body) == nil { lastRenewal = now }
    }

    /// Gives the Lease back (deletes it) if this session still holds it.
    public func release() async {
        guard holding else { return }
        holding = false
        guard case .success(let current?) = await read(), current.lease.holderIdentity == identity else { return }
        _ = await write("delete", nil)
    }

    public var isHolding: Bool { holding }

    // MARK: kubectl

    func read() async -> Result<(lease: Lease, resourceVersion: String?)?, KubectlError> {
        do {
            let data = try await runner.output(of: KubectlCommand(arguments: target.globalArguments + ["get", "leases.coordination.k8s.io", RestoreLease.name, "-o", "json"]))
            guard let lease = try? KubeJSON.decode(Lease.self, from: data) else { return .failure(.unparseableOutput(detail: "Lease \(RestoreLease.name)")) }
            let raw = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
            let version = (raw?["metadata"] as? [String: Any])?["resourceVersion"] as? String
            return .success((lease, version))
        } catch {
            if case .notFound = error { return .success(nil) }
            return .failure(error)
        }
    }

    /// Runs `kubectl create|replace -f -` (or `delete lease`); nil on success, else stderr's words.
    func write(_ verb: String, _ body: Data?) async -> String? {
        let args = verb == "delete"
            ? target.connectionArguments + ["delete", "leases.coordination.k8s.io", RestoreLease.name, "-n", target.namespace, "--ignore-not-found"]
            : target.connectionArguments + [verb, "-f", "-", "-n", target.namespace]
        let title = verb == "delete" ? "Release the restore Lease" : (verb == "create" ? "Take the restore Lease" : "Renew the restore Lease")
        do {
            let out = try await runner.run(KubectlCommand(arguments: args, logPolicy: .action(title: title), stdin: body))
            return out.succeeded ? nil : Redactor.redact(out.stderr.trimmingCharacters(in: .whitespacesAndNewlines))
        } catch {
            return Redactor.redact(error.description)
        }
    }
}
