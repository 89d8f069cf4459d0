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
    /// A Lease left on for a Job nobody waits for (`restore files` without `--wait`) names the Job:
    /// once that Job has ended (or is gone) the Lease is free, whatever its expiry says.
    public static let jobAnnotation = "paperctl.io/job"
    /// Seconds added to another holder's lapse before the Lease counts as free. Its `renewTime`
    /// is the holder's clock and "now" is ours; kubectl gives no server time (no Date header), so
    /// clocks up to this far apart cannot make a live Lease look lapsed.
    public static let skewMargin = 30.0
    /// Seconds before a renewal that failed with an error (timeout, unreachable, 5xx) is tried again.
    public static let retryAfterError = 5.0

    /// This process: `user@host pid N`, so two sessions of one user on one host differ.
    public static let myIdentity = "\(OperatorIdentity.current()) pid \(ProcessInfo.processInfo.processIdentifier)"

    /// The restore Lease when someone holds it now.
    public static func active(in leases: [Lease], now: Double) -> Lease? {
        leases.first { $0.metadata.name == name && $0.isHeld(at: now, margin: skewMargin) }
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
    public static func json(holder: String, what: String, step: String?, acquired: Double, renewed: Double, namespace: String, resourceVersion: String?,
                            durationSeconds: Int = duration, job: String? = nil) -> Data {
        var annotations = [whatAnnotation: Redactor.redact(what)]
        if let step { annotations[stepAnnotation] = Redactor.redact(step) }
        if let job { annotations[jobAnnotation] = job }
        var metadata: [String: Any] = [
            "name": name, "namespace": namespace,
            "labels": [ResticJob.managedByLabel: ResticJob.managedBy],
            "annotations": annotations,
        ]
        if let resourceVersion { metadata["resourceVersion"] = resourceVersion }
        let object: [String: Any] = [
            "apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": metadata,
            "spec": ["holderIdentity": holder, "leaseDurationSeconds": durationSeconds, "acquireTime": microTime(acquired), "renewTime": microTime(renewed)],
        ]
        return (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
    }
}

// MARK: - RestoreLeaseKeeper

/// Takes, renews and gives back the restore Lease through the kubectl runner. One per session.
///
/// Only two answers mean the Lease is lost: it is gone (NotFound), or it names another holder.
/// Any other error (a timeout, an unreachable server, a 5xx, a conflicting renewal that reads
/// back as still ours) keeps it held and tries again after `retryAfterError` seconds. A loss is
/// said once (`renewIfDue` returns the announcement); after it no writing step starts until the
/// Lease is taken again (`permit`).
public actor RestoreLeaseKeeper {
    let runner: any CommandRunning
    let target: KubeTarget
    let identity: String
    let clock: @Sendable () -> Double
    /// This session took the Lease and has not given it back (it may have been lost since).
    private(set) var holding = false
    /// Why it was lost (deleted, or another holder), until it is taken again.
    private(set) var lost: String?
    /// The last error of a renewal that is being retried.
    private(set) var lastError: String?
    private var what = ""
    private var step: String?
    private var acquired = 0.0
    /// When the Lease was last written (or read back) as ours.
    private var lastRenewal = 0.0
    private var nextRenewal = 0.0

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
        if let current, current.lease.isHeld(at: now, margin: RestoreLease.skewMargin), current.lease.holderIdentity != identity, !(await coveredJobEnded(current.lease)) {
            return "another restore holds Lease \(RestoreLease.name): \(RestoreLease.describe(current.lease, now: now))"
        }
        self.what = what
        self.step = nil
        let body = RestoreLease.json(holder: identity, what: what, step: nil, acquired: now, renewed: now, namespace: target.namespace, resourceVersion: current?.resourceVersion)
        // Create when absent, else replace at the version just read: a rival write in between is a
        // conflict, and the loser is refused, not silently overwritten.
        let verb = current == nil ? "create" : "replace"
        if let failure = await write(verb, body) {
            if Self.isConflict(failure) {
                if case .success(let again?) = await read(), again.lease.isHeld(at: clock()) {
                    return "another restore took Lease \(RestoreLease.name) just now: \(RestoreLease.describe(again.lease, now: clock()))"
                }
                return "Lease \(RestoreLease.name) changed while it was taken; try again"
            }
            return "cannot take Lease \(RestoreLease.name): \(failure)"
        }
        holding = true
        lost = nil
        lastError = nil
        acquired = now
        lastRenewal = now
        nextRenewal = now + Double(RestoreLease.duration) / 3
        return nil
    }

    /// Renews the Lease when a third of its duration has passed (sooner after an error), or now
    /// with a new `step`. Returns the announcement when this renewal found the Lease lost.
    @discardableResult
    public func renewIfDue(step newStep: String? = nil) async -> String? {
        guard holding, lost == nil else { return nil }
        let now = clock()
        if let newStep { step = newStep } else if now < nextRenewal { return nil }
        let current: (lease: Lease, resourceVersion: String?)
        switch await read() {
        case .failure(let error): return retry(now, "cannot read it: \(Redactor.redact(error.description))")
        case .success(nil): return lose("it was deleted")
        case .success(let found?): current = found
        }
        guard current.lease.holderIdentity == identity else {
            return lose("\(RestoreLease.describe(current.lease, now: now)) holds it now")
        }
        let body = RestoreLease.json(holder: identity, what: what, step: step, acquired: acquired, renewed: now, namespace: target.namespace, resourceVersion: current.resourceVersion)
        if let failure = await write("replace", body) {
            if Self.isNotFound(failure) { return lose("it was deleted") }
            if Self.isConflict(failure) {
                // Written by someone in between: lost only if it now names another holder or is gone.
                switch await read() {
                case .success(nil): return lose("it was deleted")
                case .success(let again?) where again.lease.holderIdentity != identity:
                    return lose("\(RestoreLease.describe(again.lease, now: clock())) holds it now")
                default: return retry(now, "the renewal conflicted: \(failure)")
                }
            }
            return retry(now, failure)
        }
        lastRenewal = now
        lastError = nil
        nextRenewal = now + Double(RestoreLease.duration) / 3
        return nil
    }

    /// Whether a writing step may start now. The Lease is renewed naming `step`; when it was lost
    /// it is taken again first. Refused (nothing is to start) when it cannot be taken again, or
    /// when renewals have failed for so long that it may have lapsed on the server.
    public func permit(step newStep: String) async -> Permission {
        guard holding else { return .granted }  // no restore took it: nothing to guard
        var retaken: String?
        if let reason = lost {
            if let refusal = await acquire(what: what) {
                return .refused("the restore Lease \(RestoreLease.name) was lost (\(reason)) and cannot be taken again: \(refusal)")
            }
            retaken = "the restore Lease \(RestoreLease.name) was lost (\(reason)) and is taken again"
        }
        if let announcement = await renewIfDue(step: newStep) {
            return .refused(announcement)
        }
        let now = clock()
        if let lastError, now - lastRenewal >= Double(RestoreLease.duration) - RestoreLease.skewMargin {
            return .refused("the restore Lease \(RestoreLease.name) was last renewed \(UTCTime.humanDuration(now - lastRenewal)) ago and cannot be renewed (\(lastError)): it may have lapsed")
        }
        return retaken.map(Permission.retaken) ?? .granted
    }

    public enum Permission: Sendable, Equatable {
        case granted
        /// Granted, after the Lease was taken again: the words say so.
        case retaken(String)
        /// Not granted: why. Nothing may start.
        case refused(String)
    }

    /// Leaves the Lease on for a Job nobody waits for: it names the Job and lasts `seconds`, so
    /// no other restore starts while the Job may still write. Another session takes it over as
    /// soon as the Job has ended (or after `seconds`). Returns nil, or why it could not.
    public func handOver(toJob job: String, seconds: Int) async -> String? {
        guard holding, lost == nil else { return lost.map { "the restore Lease \(RestoreLease.name) was lost: \($0)" } }
        guard case .success(let current?) = await read(), current.lease.holderIdentity == identity else {
            return "the restore Lease \(RestoreLease.name) is no longer ours"
        }
        let now = clock()
        let body = RestoreLease.json(holder: identity, what: what, step: "Job \(job) runs; not waited for", acquired: acquired, renewed: now,
                                     namespace: target.namespace, resourceVersion: current.resourceVersion, durationSeconds: seconds, job: job)
        if let failure = await write("replace", body) { return failure }
        holding = false
        return nil
    }

    /// Gives the Lease back (deletes it) whenever it still names this session: read again and
    /// compared, also after a loss or errors. Returns nil, or why it could not (it then lapses).
    @discardableResult
    public func release() async -> String? {
        guard holding || lost != nil else { return nil }
        holding = false
        lost = nil
        var why = ""
        for _ in 0..<3 {
            switch await read() {
            case .success(nil): return nil
            case .success(let current?):
                guard current.lease.holderIdentity == identity else { return nil }
                guard let failure = await write("delete", nil) else { return nil }
                why = failure
            case .failure(let error):
                why = Redactor.redact(error.description)
            }
        }
        return "the restore Lease \(RestoreLease.name) could not be given back (\(why)); it lapses \(RestoreLease.duration) s after its last renewal"
    }

    public var isHolding: Bool { holding && lost == nil }

    // MARK: Errors

    private func retry(_ now: Double, _ error: String) -> String? {
        lastError = error
        nextRenewal = now + RestoreLease.retryAfterError
        return nil
    }

    private func lose(_ reason: String) -> String {
        lost = reason
        return "the restore Lease \(RestoreLease.name) was LOST: \(reason); no further writing step starts until it is taken again"
    }

    static func isConflict(_ failure: String) -> Bool {
        failure.contains("AlreadyExists") || failure.contains("already exists") || failure.contains("Conflict") || failure.contains("the object has been modified")
    }

    static func isNotFound(_ failure: String) -> Bool {
        failure.contains("NotFound") || failure.contains("not found")
    }

    /// A Lease left on for a Job (`jobAnnotation`) whose Job has ended or is gone is free.
    private func coveredJobEnded(_ lease: Lease) async -> Bool {
        guard let job = lease.metadata.annotations[RestoreLease.jobAnnotation], !job.isEmpty else { return false }
        do {
            let data = try await runner.output(of: KubectlCommand(arguments: target.globalArguments + ["get", "jobs.batch", job, "-o", "json"]))
            guard let found = try? KubeJSON.decode(Job.self, from: data) else { return false }
            if case .inProgress = ManualBackup.progress(of: found) { return false }
            return true
        } catch {
            if case .notFound = error { return true }
            return false
        }
    }

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
