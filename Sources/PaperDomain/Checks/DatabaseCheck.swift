import PaperKube

// MARK: - DatabaseCheck

/// `database`: the CNPG Cluster is in its healthy phase with every instance ready, one instance
/// says it is the primary, and nothing fences or hibernates it.
public struct DatabaseCheck: HealthCheck {
    public let id = CheckID.database
    public init() {}

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
        let source = "Cluster \(name) status.phase"
        f.note("phase: \(phase.isEmpty ? "(none)" : phase)\(cluster.phaseReason.map { " (\($0))" } ?? "")")
        f.note("instances ready: \(ready)/\(desired), primary: \(primaryText(cluster))")

        // Hibernation and fencing: deliberate, and each has its way back.
        let hibernated = cluster.isHibernated
        if hibernated {
            let back = ctx.kubectl("cnpg", "hibernate", "off", name)
            f.cause = CheckResult.Cause(kind: "hibernated", evidence: "\(CNPGCluster.hibernationAnnotation): on", nextStep: "wake it when the maintenance is over: \(back)", source: "Cluster \(name) metadata.annotations")
            f.raise(.critical, "cluster \(name) is hibernated (\(CNPGCluster.hibernationAnnotation): on): no instance runs, the app has no database", hint: f.cause?.nextStep, command: back)
        }
        if let fencing = cluster.fencing, !hibernated {
            let annotation = "\(CNPGCluster.fencedInstancesAnnotation): \(cluster.metadata.annotations[CNPGCluster.fencedInstancesAnnotation] ?? "")"
            let evidenceSource = "Cluster \(name) metadata.annotations"
            switch fencing {
            case .all:
                let back = ctx.kubectl("cnpg", "fencing", "off", name, "*")
                f.cause = CheckResult.Cause(kind: "every instance fenced", evidence: annotation, nextStep: "PostgreSQL is stopped on every instance; lift the fence once the investigation is done: \(back)", source: evidenceSource)
                f.raise(.critical, "every instance of \(name) is fenced (\(annotation)): PostgreSQL is stopped, the app has no database", hint: f.cause?.nextStep, command: back)
            case .instances(let names):
                let back = ctx.kubectl(["cnpg", "fencing", "off", name] + names)
                let primaryFenced = names.contains { $0 == cluster.currentPrimary || cluster.reportedPrimaries.contains($0) } || names.count >= desired
                f.cause = CheckResult.Cause(kind: primaryFenced ? "primary fenced" : "instance fenced", evidence: annotation,
                                            nextStep: "PostgreSQL is stopped on \(names.joined(separator: ", ")); lift the fence once the investigation is done: \(back)", source: evidenceSource)
                f.raise(primaryFenced ? .critical : .warn, "\(names.joined(separator: ", ")) fenced (\(annotation))" + (primaryFenced ? ": the primary is stopped, the app has no database" : ""),
                        hint: f.cause?.nextStep, command: back)
            case .invalid(let text):
                f.raise(.warn, "\(CNPGCluster.fencedInstancesAnnotation) is not a JSON list (\(text)): CNPG cannot read it", command: ctx.kubectl("get", "cluster", name, "-o", "yaml"))
            }
        }

        // The phase; the constant ones that wait for a person are critical, with what to do.
        if phase.isEmpty {
            f.raise(.unknown, "cluster \(name) reports no phase yet", command: status)
        } else if phase != CNPGCluster.healthyPhase {
            let severe = CNPGDiagnosis.needsHuman(phase: phase)
            let phaseCause = severe ? CNPGDiagnosis.phase(phase, reason: cluster.phaseReason, source: source) : nil
            if f.cause == nil { f.cause = phaseCause }
            f.raise(severe ? .critical : .warn, "cluster \(name) phase is \"\(phase)\"" + (severe ? ": CNPG waits for a person" : ""),
                    hint: phaseCause?.nextStep ?? "read the cluster status and operator events", command: phaseCommand(ctx, cluster, phase) ?? status)
        }

        // The primary: the instance that says so, checked against what the operator records.
        primaryProblems(ctx, cluster, &f, status: status)

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

    /// `paperless-ngx-db-1`, or what the instances and the operator disagree on.
    func primaryText(_ cluster: CNPGCluster) -> String {
        let current = cluster.currentPrimary ?? "-"
        guard !cluster.instancesReportedState.isEmpty else { return current }
        let claimed = cluster.reportedPrimaries
        switch claimed.count {
        case 0: return "none (no instance reports isPrimary; currentPrimary \(current), targetPrimary \(cluster.targetPrimary ?? "-"))"
        case 1 where claimed[0] == current && (cluster.targetPrimary ?? current) == current: return current
        default: return claimed.joined(separator: ", ") + " (currentPrimary \(current), targetPrimary \(cluster.targetPrimary ?? "-"))"
        }
    }

    func primaryProblems(_ ctx: CheckContext, _ cluster: CNPGCluster, _ f: inout Findings, status: String) {
        let name = cluster.metadata.name
        let fencedOrAsleep = cluster.isHibernated || cluster.fencing == .all
        if cluster.targetPrimary == CNPGCluster.pendingFailover {
            f.raise(cluster.reportedPrimaries.isEmpty ? .critical : .warn,
                    "failover pending (targetPrimary: pending): CNPG is choosing a new primary" + (cluster.reportedPrimaries.isEmpty ? "; no instance is primary now" : ""),
                    hint: "a failover normally ends within seconds; if it lasts, read the operator log for why no replica can be promoted", command: status)
            return
        }
        guard !cluster.instancesReportedState.isEmpty, !fencedOrAsleep else { return }
        let claimed = cluster.reportedPrimaries
        if claimed.isEmpty {
            f.raise(.critical, "no primary: no instance of \(name) reports isPrimary (currentPrimary names \(cluster.currentPrimary ?? "none"), which is not running as primary); the app cannot write",
                    hint: "the phase and its reason say why CNPG does not promote another instance", command: status)
        } else if claimed.count > 1 {
            f.raise(.critical, "\(claimed.count) instances report isPrimary (\(claimed.joined(separator: ", "))): more than one primary", command: status)
        } else if let current = cluster.currentPrimary, claimed[0] != current {
            f.raise(.warn, "\(claimed[0]) reports isPrimary but currentPrimary is \(current)", command: status)
        } else if let target = cluster.targetPrimary, target != claimed[0] {
            f.note("switchover in progress: \(claimed[0]) → \(target)")
        }
    }

    /// The command that starts the way out of a phase that waits for a person.
    func phaseCommand(_ ctx: CheckContext, _ cluster: CNPGCluster, _ phase: String) -> String? {
        let lower = phase.lowercased()
        if lower.contains("not enough disk space") {
            let wal = cluster.walStorageSize != nil
            guard let size = (wal ? cluster.walStorageSize : cluster.storageSize), let bigger = Quantity.doubled(size) else {
                return ctx.kubectl("get", "pvc", "-l", "cnpg.io/cluster=\(cluster.metadata.name)")
            }
            let field = wal ? "walStorage" : "storage"
            return ctx.kubectl("patch", "cluster", cluster.metadata.name, "--type=merge", "-p", "{\"spec\":{\"\(field)\":{\"size\":\"\(bigger)\"}}}")
        }
        if lower.contains("unknown plugin") || lower.contains("interacting with plugins") {
            return ctx.kubectl(in: "cnpg-system", "rollout", "status", "deployment/barman-cloud")
        }
        if lower.contains("invalid cluster definition") || lower.contains("image catalog") {
            return ctx.kubectl("describe", "cluster", cluster.metadata.name)
        }
        return nil
    }
}
