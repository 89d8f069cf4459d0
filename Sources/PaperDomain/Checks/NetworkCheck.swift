import PaperKube

// MARK: - NetworkCheck

/// `network`: the NetworkPolicies allow the paperless pod only DNS, 5432 and 6379, and the
/// restic backup pods only DNS and 443, as the runbook's egress tables say.
public struct NetworkCheck: HealthCheck {
    public let id = CheckID.network
    public init() {}

    public func evaluate(_ ctx: CheckContext) -> CheckResult {
        let snapshot = ctx.snapshot
        let config = ctx.config
        let command = ctx.kubectl("get", "networkpolicy")
        if let error = snapshot.whyUnreadable(.networkPolicy) { return ctx.unknown(id, "NetworkPolicies", error, command: command) }
        var f = Findings()
        // The labels of the pods to audit: real pods when present, else the selectors.
        let appDeployment = snapshot.deployments.first(where: { $0.metadata.name == config.app.deployment })
        var appLabels = ["app.kubernetes.io/name": config.app.deployment]
        if let selector = appDeployment?.selector, !selector.isEmpty {
            appLabels = snapshot.pods.first(where: { $0.metadata.matches(selector) })?.metadata.labels ?? selector
        }
        let backupLabels = snapshot.pods.first { pod in
            !config.fileBackup.jobLabels.isEmpty && pod.metadata.matches(config.fileBackup.jobLabels)
        }?.metadata.labels ?? config.fileBackup.jobLabels
        audit("paperless pod", labels: appLabels, expected: config.network.appEgress, anyDestinationAllowed: ["53/UDP", "53/TCP"], ctx: ctx, into: &f)
        audit("backup pods", labels: backupLabels, expected: config.network.backupEgress, anyDestinationAllowed: config.network.backupEgress, ctx: ctx, into: &f)
        return f.result(id, ok: "egress matches the runbook: paperless pod \(config.network.appEgress.joined(separator: ", ")); backup pods \(config.network.backupEgress.joined(separator: ", "))", command: command)
    }

    /// Compares the union of egress allowed to pods with `labels` against `expected`.
    func audit(_ who: String, labels: [String: String], expected: [String], anyDestinationAllowed: [String], ctx: CheckContext, into f: inout Findings) {
        let policies = ctx.snapshot.networkPolicies.filter { $0.restrictsEgress && $0.selects(labels) }
        guard !policies.isEmpty else {
            f.raise(.critical, "no NetworkPolicy restricts egress of the \(who): all egress is allowed",
                    hint: "re-apply the chart's NetworkPolicies; the runbook forbids any other egress", command: ctx.kubectl("get", "networkpolicy", "-o", "yaml"))
            return
        }
        f.note("\(who): egress limited by \(policies.map(\.metadata.name).sorted().joined(separator: ", "))")
        var allowed = Set<String>()
        for policy in policies {
            for rule in policy.egress {
                if rule.ports.isEmpty {
                    f.raise(.critical, "\(policy.metadata.name) allows the \(who) egress on every port\(rule.to.isEmpty ? " to anywhere" : "")",
                            hint: "restrict the rule to the runbook's ports", command: ctx.kubectl("get", "networkpolicy", policy.metadata.name, "-o", "yaml"))
                    continue
                }
                for port in rule.ports {
                    let label: String
                    if let number = port.port {
                        label = port.endPort.map { "\(number)-\($0)/\(port.proto)" } ?? "\(number)/\(port.proto)"
                    } else {
                        label = "\(port.namedPort ?? "any")/\(port.proto)"
                    }
                    allowed.insert(label)
                    let broad = rule.to.isEmpty || rule.to.contains { $0.ipBlockCIDR != nil }
                    if !expected.contains(label) {
                        f.raise(.critical, "\(policy.metadata.name) allows the \(who) egress on \(label), which the runbook does not list",
                                hint: "remove the rule: the runbook allows only \(expected.joined(separator: ", "))", command: ctx.kubectl("get", "networkpolicy", policy.metadata.name, "-o", "yaml"))
                    } else if broad && !anyDestinationAllowed.contains(label) {
                        f.raise(.warn, "\(policy.metadata.name) allows the \(who) \(label) to any address, not only the in-cluster service",
                                hint: "use a podSelector for the destination", command: ctx.kubectl("get", "networkpolicy", policy.metadata.name, "-o", "yaml"))
                    }
                }
            }
        }
        let missing = expected.filter { !allowed.contains($0) }
        if !missing.isEmpty {
            f.raise(.warn, "the \(who) may not reach \(missing.joined(separator: ", ")), which the runbook requires",
                    hint: "the app (or backup) will fail to connect; add the egress rule", command: ctx.kubectl("get", "networkpolicy", "-o", "yaml"))
        }
    }
}
