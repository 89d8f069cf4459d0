import PaperKube

// MARK: - DatabaseCheck

/// `database`: the CNPG Cluster is in its healthy phase with every instance ready.
public struct DatabaseCheck: HealthCheck {
    public let id = CheckID.database
    public init() {}

    /// Phases that need an operator, not patience.
    static let criticalPhrases = ["unrecoverable", "waiting for user action", "cannot proceed", "unable to create", "fenced"]

    public func evaluate(_ ctx: CheckContext) -> CheckResult {
        let name = ctx.config.database.cluster
        let status = ctx.kubectl("cnpg", "status", name)
        if let error = ctx.snapshot.whyUnreadable(.cnpgCluster) { return ctx.unknown(id, "CNPG clusters", error, command: ctx.kubectl("get", "cluster")) }
        guard let cluster = ctx.snapshot.clusters.first(where: { $0.metadata.name == name }) else {
            return CheckResult(id: id, verdict: .critical, reason: "CNPG cluster \(name) not found", evidence: ["clusters present: \(ctx.snapshot.clusters.map(\.metadata.name).joined(separator: ", "))"],
                               hint: "the database cluster is missing; check ArgoCD and the database.cluster config", command: ctx.kubectl("get", "cluster"))
        }
        var f = Findings()
        let desired = cluster.instances ?? cluster.statusInstances ?? 1
        let ready = cluster.readyInstances ?? 0
        let phase = cluster.phase ?? ""
        f.note("phase: \(phase.isEmpty ? "(none)" : phase)\(cluster.phaseReason.map { " (\($0))" } ?? "")")
        f.note("instances ready: \(ready)/\(desired), primary: \(cluster.currentPrimary ?? "-")")
        if phase.isEmpty {
            f.raise(.unknown, "cluster \(name) reports no phase yet", command: status)
        } else if phase != CNPGCluster.healthyPhase {
            let lower = phase.lowercased()
            let severe = Self.criticalPhrases.contains { lower.contains($0) }
            f.raise(severe ? .critical : .warn, "cluster \(name) phase is \"\(phase)\"", hint: "read the cluster status and operator events", command: status)
        }
        if ready == 0 {
            f.raise(.critical, "0/\(desired) database instances ready", hint: "the app cannot reach its database; check the instance pod", command: status)
        } else if ready < desired {
            f.raise(.warn, "\(ready)/\(desired) database instances ready", command: status)
        }
        if let readyCondition = cluster.conditions[type: "Ready"], readyCondition.isFalse, phase == CNPGCluster.healthyPhase {
            f.raise(.warn, "Ready condition is False: \(readyCondition.message ?? readyCondition.reason ?? "no message")", command: status)
        }
        return f.result(id, ok: "cluster \(name) healthy, \(ready)/\(desired) instances ready", command: status)
    }
}
