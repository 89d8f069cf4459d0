import PaperKube

// MARK: - CNPGDiagnosis

/// Why a CloudNativePG backup, WAL archiving or recovery failed, from the message CNPG, the
/// Barman Cloud plugin or barman-cloud wrote into `status.error`, a condition or a Job's log.
///
/// The one classifier: the first screen's checks and the restore wizard (its window's warning
/// and a failed recovery's "what to change") all read messages through it.
public enum CNPGDiagnosis {
    /// Where the message comes from, which changes what some messages mean.
    public enum Context: Sendable, Equatable {
        /// The live cluster, on this timeline (above 1 after a failover), when known.
        case live(timeline: Int?)
        /// A new cluster recovering from the live one's archive.
        case recovery
    }

    /// The cause for `message`, or nil when the message names none this tool knows.
    public static func diagnose(_ message: String, source: String, context: Context = .live(timeline: nil)) -> CheckResult.Cause? {
        let text = stripped(message)
        let m = text.lowercased()
        func cause(_ kind: String, _ next: String) -> CheckResult.Cause { CheckResult.Cause(kind: kind, evidence: text, nextStep: next, source: source) }
        if m.contains("requested plugin is not available") || m.contains("unknown plugin being required") {
            return cause("Barman Cloud plugin not available",
                         "the operator cannot reach the plugin: check the barman-cloud Deployment in cnpg-system (rollout status, its pod's log), then restart the operator (kubectl rollout restart deployment -n cnpg-system cnpg-controller-manager) so it registers the plugin again; a backup taken before that fails the same way")
        }
        if m.contains("expected empty archive") || m.contains("wal archive check failed") {
            switch context {
            case .recovery:
                return cause("archive already in use",
                             "the new cluster archives into the live cluster's place (same store and serverName): remove its spec.backup/plugins, or give it a serverName of its own")
            case .live(let timeline?) where timeline > 1:
                return cause("empty-archive check after a failover",
                             "the cluster is on timeline \(timeline), so it has failed over; the Barman Cloud plugin's own empty-archive check then rejects the earlier timelines' WAL of this same cluster (plugin-barman-cloud#842, fixed by passing --timeline in #843): this is not a second cluster. Upgrade the plugin to a release with that fix; WAL piles up on the volume until archiving works again")
            case .live:
                return cause("archive already in use",
                             "another cluster already archives to this serverName: give this cluster a serverName of its own (spec.backup…serverName or the plugin's parameters.serverName); never point two clusters at one archive")
            }
        }
        if m.contains("recovery ended before") {
            return cause("target after the archive's end", "the target is after the last archived WAL: pick a time inside the recoverability window")
        }
        if m.contains("no target backup found") {
            return cause("no base backup at the source", context == .recovery
                ? "the source does not point where the live cluster archives (store and serverName), or no base backup completed before the target: check externalClusters and pick a point inside the window"
                : "the recovery source's destinationPath or serverName does not match where the live cluster archives")
        }
        if ["accessdenied", "access denied", "invalidaccesskeyid", "signaturedoesnotmatch", "403", "expiredtoken", "credentials"].contains(where: m.contains) {
            return cause("object storage refused the credentials",
                         "check the S3 credentials Secret the backup configuration references (and its ExternalSecret's sync), then take a backup by hand")
        }
        if m.contains("nosuchbucket") || m.contains("bucket does not exist") || m.contains("no such bucket") {
            return cause("bucket missing", "check destinationPath's bucket name and region, or create the bucket")
        }
        if ["i/o timeout", "timeout", "timed out", "connection refused", "no such host", "could not resolve", "network is unreachable", "connection reset"].contains(where: m.contains) {
            return cause("object storage unreachable", unreachableNextStep)
        }
        if m.contains("no space left") || m.contains("disk full") {
            return cause("volume full", "grow the database's WAL or data volume; failing archiving keeps WAL files until it recovers")
        }
        if m.contains("barman-cloud") || m.contains("barman cloud"), let code = exitStatus(in: m) {
            // barman-cloud's documented exit statuses (barman-cloud-wal-archive, -backup, -check-wal-archive).
            switch code {
            case 1:
                var next = "barman-cloud ran and the archive or backup itself failed: its own ERROR line is in the instance's log (with the plugin, the plugin-barman-cloud sidecar's); read it before changing anything"
                if case .live(let timeline?) = context, timeline > 1 {
                    next += ". On timeline \(timeline), after a failover, the usual line is the plugin's own empty-archive check (\"Expected empty archive\", plugin-barman-cloud#842), not a second cluster: upgrade the plugin to a release with the fix (#843)"
                }
                return cause("barman-cloud operation failed (exit 1)", next)
            case 2:
                return cause("object storage unreachable (exit 2)", unreachableNextStep)
            case 3:
                return cause("barman-cloud rejected its input (exit 3)",
                             "the command barman-cloud was given is invalid: check the backup configuration (destinationPath, endpointURL, serverName, compression and encryption options) in spec.backup.barmanObjectStore or the ObjectStore")
            default:
                return cause("unexpected barman-cloud failure (exit \(code))",
                             "an exception inside barman-cloud, most often refused or missing credentials: check the S3 credentials Secret the backup configuration references, then the instance's log for the exception")
            }
        }
        return nil
    }

    /// Causes that sit in the object store or its credentials: a backup taken now fails the same way.
    public static func isObjectStorage(_ cause: CheckResult.Cause) -> Bool {
        ["object storage", "bucket missing", "barman-cloud operation failed", "unexpected barman-cloud failure"].contains { cause.kind.hasPrefix($0) }
    }

    /// The cause with the credentials Secret named in its next step, when the tool knows it.
    public static func naming(_ cause: CheckResult.Cause?, secret: String?) -> CheckResult.Cause? {
        guard var cause, let secret, isObjectStorage(cause), !cause.nextStep.contains(secret) else { return cause }
        let generic = "the S3 credentials Secret the backup configuration references"
        if cause.nextStep.contains(generic) {
            cause.nextStep = cause.nextStep.replacingOccurrences(of: generic, with: "the S3 credentials Secret \(secret)")
        } else {
            cause.nextStep += "; the object store's credentials are in Secret \(secret)"
        }
        return cause
    }

    static let unreachableNextStep = "check the database pods' egress NetworkPolicy to the object store (443) and the endpointURL; then watch ContinuousArchiving recover"

    /// The message without the gRPC wrapping the plugin adds (`rpc error: code = Unknown desc = `).
    public static func stripped(_ message: String) -> String {
        var text = message.trimmingSpaces
        while text.hasPrefix("rpc error: code = "), let range = text.range(of: " desc = ") {
            text = String(text[range.upperBound...]).trimmingSpaces
        }
        return text
    }

    /// `exit status N` in a lower-cased message.
    static func exitStatus(in m: String) -> Int? {
        guard let range = m.range(of: "exit status ") else { return nil }
        return Int(m[range.upperBound...].prefix { $0.isNumber })
    }

    // MARK: Phases

    /// CloudNativePG's phases that wait for a person (`api/v1/cluster_types.go`, and the literal
    /// "Not enough disk space" of the cluster controller): lower-cased fragments.
    static let humanPhases = ["not enough disk space", "invalid cluster definition", "incomplete or invalid image catalog", "unknown plugin", "error while interacting with plugins",
                              "unrecoverable", "waiting for user action", "cannot proceed", "unable to create", "missing architecture binary", "fenced"]

    /// True when the phase needs an operator, not patience.
    public static func needsHuman(phase: String) -> Bool {
        let lower = phase.lowercased()
        return humanPhases.contains { lower.contains($0) }
    }

    /// What a phase that needs a person means, and what to do; nil for the others.
    static func phase(_ phase: String, reason: String?, source: String) -> CheckResult.Cause? {
        let lower = phase.lowercased()
        let evidence = phase + (reason.map { ": \($0)" } ?? "")
        func cause(_ kind: String, _ next: String) -> CheckResult.Cause { CheckResult.Cause(kind: kind, evidence: evidence, nextStep: next, source: source) }
        if lower.contains("not enough disk space") {
            return cause("volume full",
                         "PostgreSQL stopped because a volume has no room left for WAL; CNPG waits for a person and does not fail over from this phase. Grow the volume in the Cluster spec (storage, or walStorage when set) — in git when Argo CD manages it — and CNPG expands the PVCs when the StorageClass allows it")
        }
        if lower.contains("invalid cluster definition") {
            return cause("invalid Cluster spec", "CNPG will not reconcile this spec: the phase reason names the field; fix the Cluster manifest (in git when Argo CD manages it)")
        }
        if lower.contains("image catalog") {
            return cause("invalid image catalog", "the ImageCatalog or ClusterImageCatalog the cluster references has no usable image for its major version: fix the catalog or spec.imageCatalogRef")
        }
        if lower.contains("unknown plugin") || lower.contains("interacting with plugins") {
            return diagnose("requested plugin is not available", source: source).map { CheckResult.Cause(kind: $0.kind, evidence: evidence, nextStep: $0.nextStep, source: source) }
        }
        if lower.contains("unrecoverable") || lower.contains("waiting for user action") {
            return cause("CNPG waits for a person", "read the phase reason and the operator's events for this cluster; CNPG does nothing further on its own")
        }
        return nil
    }
}
