import PaperKube

// MARK: - PodsCheck

/// `pods`: long-running pods Ready, no image or crash loops, recent restarts, the app
/// container (never the mesh sidecar) ready, and the app and Redis Deployments at strength.
public struct PodsCheck: HealthCheck {
    public let id = CheckID.pods
    public init() {}

    static let fatalWaiting: Set<String> = [
        "CrashLoopBackOff", "ImagePullBackOff", "ErrImagePull", "CreateContainerConfigError",
        "CreateContainerError", "InvalidImageName", "RunContainerError",
    ]

    public func evaluate(_ ctx: CheckContext) -> CheckResult {
        let snapshot = ctx.snapshot
        let config = ctx.config
        let podsCommand = ctx.kubectl("get", "pods")
        if let error = snapshot.whyUnreadable(.pod) { return ctx.unknown(id, "pods", error, command: podsCommand) }
        var f = Findings()
        let window = config.thresholds.restartWindowMinutes * 60
        let appLogs = ctx.kubectl("logs", "deploy/\(config.app.deployment)", "-c", config.app.container, "--previous")

        // Deployments at strength.
        var appSelector: [String: String] = [:]
        var summary: [String] = []
        if let error = snapshot.whyUnreadable(.deployment) {
            f.raise(.unknown, "cannot read Deployments, so the app pods cannot be told apart: \(error.description)", hint: CheckContext.hint(for: error), command: ctx.kubectl("get", "deploy"))
        } else {
            for name in [config.app.deployment, config.redis.deployment] {
                guard let deployment = snapshot.deployments.first(where: { $0.metadata.name == name }) else {
                    f.raise(.critical, "Deployment \(name) not found", hint: "the app is not deployed here; check the namespace and ArgoCD", command: ctx.kubectl("get", "deploy"))
                    continue
                }
                if name == config.app.deployment { appSelector = deployment.selector }
                let desired = deployment.replicas ?? 1
                summary.append("\(name) \(deployment.readyReplicas)/\(desired)")
                if desired == 0 {
                    f.raise(.warn, "Deployment \(name) is scaled to 0", hint: "scale it back when the maintenance is over", command: ctx.kubectl("scale", "deploy/\(name)", "--replicas=1"))
                } else if deployment.readyReplicas == 0 {
                    f.raise(.critical, "Deployment \(name) has 0/\(desired) ready replicas", hint: "check the database and ExternalSecrets first (runbook: Pod stuck in Init/CrashLoop)", command: ctx.kubectl("get", "cluster,externalsecret"))
                } else if deployment.readyReplicas < desired {
                    f.raise(.warn, "Deployment \(name) has \(deployment.readyReplicas)/\(desired) ready replicas", command: podsCommand)
                }
            }
        }

        let longRunning = snapshot.pods.filter { pod in
            pod.metadata.deletionTimestamp == nil && pod.phase != .succeeded && !pod.isJobPod
        }
        var readyCount = 0
        for pod in longRunning.sorted(by: { $0.metadata.name < $1.metadata.name }) {
            let name = pod.metadata.name
            let isApp = !appSelector.isEmpty && pod.metadata.matches(appSelector)
            if pod.isReady { readyCount += 1 }
            var podHasFatal = false
            for status in pod.initContainerStatuses + pod.containerStatuses {
                if let reason = status.state.waitingReason, Self.fatalWaiting.contains(reason) {
                    podHasFatal = true
                    f.raise(.critical, "\(name)/\(status.name) is in \(reason) (\(status.restartCount) restarts)",
                            hint: reason.contains("Image") ? "the image cannot be pulled; check the image tag in values.yaml" : "read the previous container log; check the database and secrets",
                            command: isApp ? appLogs : ctx.kubectl("logs", name, "-c", status.name, "--previous"))
                }
                if status.restartCount > 0, case .terminated(let code, let reason, _, let finished?) = status.lastState, ctx.now - finished <= window {
                    let why = [reason, code.map { "exit \($0)" }].compactMap { $0 }.joined(separator: ", ")
                    f.raise(.warn, "\(name)/\(status.name) restarted \(ctx.age(finished)) ago (\(status.restartCount) restarts total\(why.isEmpty ? "" : "; last: \(why)"))",
                            hint: reason == "OOMKilled" ? "the container ran out of memory; raise its memory limit" : "read the previous container log",
                            command: isApp ? appLogs : ctx.kubectl("logs", name, "-c", status.name, "--previous"))
                }
            }
            if isApp {
                let sidecars = Set(config.app.sidecars)
                if let app = pod.container(config.app.container) {
                    if !app.ready && !podHasFatal {
                        let sidecarState = pod.containerStatuses.filter { sidecars.contains($0.name) }.map { "\($0.name) \($0.ready ? "ready" : "not ready")" }
                        f.raise(.critical, "app container \(config.app.container) in \(name) is not ready\(sidecarState.isEmpty ? "" : " (\(sidecarState.joined(separator: ", ")))")",
                                hint: "check the app log and the database", command: appLogs)
                    }
                } else if pod.phase == .running {
                    f.raise(.critical, "pod \(name) has no container named \(config.app.container)", hint: "set app.container in the config to the app container's name", command: podsCommand)
                }
            } else if !pod.isReady && !podHasFatal {
                f.raise(.warn, "pod \(name) is not ready (phase \(pod.phase))", command: ctx.kubectl("describe", "pod", name))
            }
        }
        if !appSelector.isEmpty, !longRunning.contains(where: { $0.metadata.matches(appSelector) }),
           let app = snapshot.deployments.first(where: { $0.metadata.name == config.app.deployment }), (app.replicas ?? 1) > 0 {
            f.raise(.critical, "no pod of \(config.app.deployment) exists", command: ctx.kubectl("describe", "deploy/\(config.app.deployment)"))
        }
        // Recent Warning events on these pods, as evidence only (probe failures, back-offs).
        let podNames = Set(longRunning.map(\.metadata.name))
        let warnings = snapshot.events
            .filter { $0.type == "Warning" && $0.involvedKind == "Pod" && podNames.contains($0.involvedName ?? "") && ctx.now - ($0.lastSeen ?? 0) <= window }
            .sorted { ($0.lastSeen ?? 0) > ($1.lastSeen ?? 0) }
        for event in warnings.prefix(5) {
            f.note("event \(event.reason ?? "Warning") ×\(event.count) on \(event.involvedName ?? "?") \(event.lastSeen.map { ctx.age($0) + " ago" } ?? ""): \(event.message ?? "")")
        }
        f.note("\(readyCount)/\(longRunning.count) long-running pods ready" + (summary.isEmpty ? "" : "; " + summary.joined(separator: ", ")))
        return f.result(id, ok: "\(readyCount)/\(longRunning.count) pods ready, no restarts in the last \(UTCTime.humanDuration(window))" + (summary.isEmpty ? "" : " (\(summary.joined(separator: ", ")))"), command: podsCommand)
    }
}
