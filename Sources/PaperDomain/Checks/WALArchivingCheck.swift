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
        if let point = facts.firstRecoverabilityPoint { evidence.append("first point of recoverability: \(ctx.when(point))") }
        guard cluster.backupConfiguration != .none, cluster.backupConfiguration != .volumeSnapshot else {
            return CheckResult(id: id, verdict: .critical, reason: "cluster \(name) has no WAL archive configured: point-in-time recovery is impossible", evidence: evidence,
                               hint: "configure the Barman Cloud plugin (spec.plugins) or spec.backup.barmanObjectStore", command: status)
        }
        guard let condition = cluster.conditions[type: "ContinuousArchiving"] else {
            return CheckResult(id: id, verdict: .unknown, reason: "cluster \(name) does not report ContinuousArchiving yet (starting up?)", evidence: evidence, command: status)
        }
        let since = condition.lastTransitionTime.map { " since \(ctx.when($0))" } ?? ""
        let message = condition.message ?? condition.reason ?? "no message"
        evidence.append("ContinuousArchiving=\(condition.status) (\(condition.reason ?? "-"))\(since): \(message)")
        if condition.isTrue {
            return CheckResult(id: id, verdict: .ok, reason: "WAL archiving working: \(message)", evidence: evidence, command: status)
        }
        if condition.isFalse {
            let cause = CNPGDiagnosis.diagnose(message, source: "Cluster \(name) condition ContinuousArchiving")
            if let cause { evidence.insert(contentsOf: ["cause: \(cause.kind) — \(cause.evidence)", "next step: \(cause.nextStep)"], at: 0) }
            return CheckResult(id: id, verdict: .critical, reason: "WAL archiving failing\(since): " + (cause.map { "\($0.kind): \(message)" } ?? message), evidence: evidence,
                               hint: cause?.nextStep ?? "failing archiving blocks backups and fills the WAL volume: check the object-store credentials and the instance log",
                               command: status, cause: cause)
        }
        return CheckResult(id: id, verdict: .unknown, reason: "ContinuousArchiving is \(condition.status): \(message)", evidence: evidence, command: status)
    }
}
