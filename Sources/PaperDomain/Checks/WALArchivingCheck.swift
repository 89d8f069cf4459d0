import PaperKube

// MARK: - WALArchivingCheck

/// `wal-archiving`: the CNPG `ContinuousArchiving` condition (set for in-tree and plugin
/// archiving alike) and its message.
public struct WALArchivingCheck: HealthCheck {
    public let id = CheckID.walArchiving
    public init() {}

    public func evaluate(_ ctx: CheckContext) -> CheckResult {
        let name = ctx.config.database.cluster
        let status = ctx.kubectl("cnpg", "status", name)
        if let error = ctx.snapshot.whyUnreadable(.cnpgCluster) { return ctx.unknown(id, "CNPG clusters", error, command: status) }
        guard let cluster = ctx.snapshot.clusters.first(where: { $0.metadata.name == name }) else {
            return CheckResult(id: id, verdict: .unknown, reason: "CNPG cluster \(name) not found", command: ctx.kubectl("get", "cluster"))
        }
        let facts = BackupFacts(cluster: cluster, snapshot: ctx.snapshot, config: ctx.config)
        var evidence: [String] = []
        switch cluster.backupConfiguration {
        case .none: evidence.append("mode: none (no spec.backup.barmanObjectStore, no spec.plugins)")
        case .barmanObjectStore(let path): evidence.append("mode: in-tree barmanObjectStore\(path.map { " → \($0)" } ?? "")")
        case .volumeSnapshot: evidence.append("mode: volumeSnapshot only")
        case .plugin(let plugin, let store, _): evidence.append("mode: plugin \(plugin), ObjectStore \(store ?? "?")")
        }
        let point = facts.firstRecoverabilityPoint
        let noPoint = "first point of recoverability: none — no point of recoverability: no base backup has reached the archive"
        if let point { evidence.append("first point of recoverability: \(ctx.when(point))") }
        guard cluster.backupConfiguration != .none, cluster.backupConfiguration != .volumeSnapshot else {
            return CheckResult(id: id, verdict: .critical, reason: "cluster \(name) has no WAL archive configured: point-in-time recovery is impossible", evidence: evidence,
                               hint: "configure the Barman Cloud plugin (spec.plugins) or spec.backup.barmanObjectStore", command: status)
        }
        guard let condition = cluster.conditions[type: "ContinuousArchiving"] else {
            // Archiving reports after its first attempt: past the grace, a missing condition is a failure.
            let grace = ctx.config.thresholds.backupGraceMinutes * 60
            guard let created = cluster.metadata.creationTimestamp, ctx.now - created > grace else {
                return CheckResult(id: id, verdict: .unknown, reason: "cluster \(name) does not report ContinuousArchiving yet (starting up?)", evidence: evidence, command: status)
            }
            if point == nil { evidence.append(noPoint) }
            let phase = cluster.phase ?? "no phase"
            let down = (cluster.readyInstances ?? 0) == 0 || CNPGDiagnosis.needsHuman(phase: phase)
            evidence.append("phase: \(phase), \(cluster.readyInstances ?? 0)/\(cluster.instances ?? 1) instances ready")
            let why = down ? ": the cluster is down (phase \"\(phase)\"), and a cluster that cannot start cannot archive" : ""
            return CheckResult(id: id, verdict: .critical,
                               reason: "WAL archiving has never reported on cluster \(name) (no ContinuousArchiving condition \(ctx.age(created)) after it was created, grace \(UTCTime.humanDuration(grace)))\(why)" + (point == nil ? "; no point of recoverability" : ""),
                               evidence: evidence,
                               hint: down ? "bring the cluster up first (see the database check); archiving starts with it" : "read the primary's log for the archive_command and the plugin's sidecar; check the backup configuration",
                               command: status)
        }
        let since = condition.lastTransitionTime.map { " since \(ctx.when($0))" } ?? ""
        let message = condition.message ?? condition.reason ?? "no message"
        evidence.append("ContinuousArchiving=\(condition.status) (\(condition.reason ?? "-"))\(since): \(message)")
        if condition.isTrue {
            return CheckResult(id: id, verdict: .ok, reason: "WAL archiving working: \(message)", evidence: evidence, command: status)
        }
        if condition.isFalse {
            if point == nil { evidence.append(noPoint) }
            if let timeline = cluster.timeline { evidence.append("timeline: \(timeline)\(timeline > 1 ? " (the cluster has failed over or switched over)" : "")") }
            let cause = CNPGDiagnosis.naming(CNPGDiagnosis.diagnose(message, source: "Cluster \(name) condition ContinuousArchiving", context: .live(timeline: cluster.timeline)),
                                             secret: facts.credentialsSecret)
            if let cause { evidence.insert(contentsOf: ["cause: \(cause.kind) — \(cause.evidence)", "next step: \(cause.nextStep)"], at: 0) }
            let shown = cause.map { "\($0.kind): \($0.evidence)" } ?? message
            return CheckResult(id: id, verdict: .critical, reason: "WAL archiving failing\(since): " + shown + (point == nil ? "; no point of recoverability" : ""), evidence: evidence,
                               hint: cause?.nextStep ?? "failing archiving blocks backups and fills the WAL volume: check the object-store credentials and the instance log",
                               command: Self.command(for: cause, ctx, cluster, secret: facts.credentialsSecret) ?? status, cause: cause)
        }
        return CheckResult(id: id, verdict: .unknown, reason: "ContinuousArchiving is \(condition.status): \(message)", evidence: evidence, command: status)
    }

    /// The command that goes with a cause: the plugin's Deployment, or the log that holds barman-cloud's own line.
    /// With `secret`, a cause about the credentials names that Secret.
    static func command(for cause: CheckResult.Cause?, _ ctx: CheckContext, _ cluster: CNPGCluster, secret: String? = nil) -> String? {
        guard let cause else { return nil }
        if cause.kind.hasPrefix("Barman Cloud plugin") { return ctx.kubectl(in: "cnpg-system", "rollout", "status", "deployment/barman-cloud") }
        if let secret, cause.kind.hasPrefix("object storage refused") || cause.kind.hasPrefix("unexpected barman-cloud failure") {
            return ctx.kubectl("describe", "secret", secret)
        }
        if cause.kind.hasPrefix("barman-cloud operation failed"), let primary = cluster.reportedPrimaries.first ?? cluster.currentPrimary {
            let container = { if case .plugin = cluster.backupConfiguration { return "plugin-barman-cloud" } else { return "postgres" } }()
            return ctx.kubectl("logs", primary, "-c", container, "--tail=100")
        }
        return nil
    }
}
