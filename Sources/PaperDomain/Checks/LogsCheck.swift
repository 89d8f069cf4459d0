import PaperKube

// MARK: - LogsCheck

/// `logs`: Celery/Redis/worker errors in the app container's log window (never the
/// `linkerd-proxy` sidecar's), grouped by signature, counted, newest first, credentials masked.
public struct LogsCheck: HealthCheck {
    public let id = CheckID.logs
    public init() {}

    public func evaluate(_ ctx: CheckContext) -> CheckResult {
        let config = ctx.config
        let window = config.thresholds.logWindowSeconds
        let command = ctx.kubectl("logs", "deploy/\(config.app.deployment)", "-c", config.app.container, "--since=\(KubectlCommand.goDuration(Int(window)))", "--timestamps")
        let lines: [LogLine]
        switch ctx.snapshot.logs {
        case .ok(let value): lines = value
        case .failed(let error):
            if let app = ctx.snapshot.deployments.first(where: { $0.metadata.name == config.app.deployment }), app.readyReplicas == 0 {
                return CheckResult(id: id, verdict: .unknown, reason: "no ready pod of \(config.app.deployment) to read logs from (\(error.description))",
                                   hint: "see the pods check", command: command)
            }
            return ctx.unknown(id, "the app log", error, command: command)
        case .skipped(let why): return CheckResult(id: id, verdict: .unknown, reason: "app log not read: \(why)", command: command)
        }
        let digest = LogDigest(lines: lines, now: ctx.now, window: window)
        guard !digest.groups.isEmpty else {
            return CheckResult(id: id, verdict: .ok, reason: "no Celery/Redis errors in \(digest.linesInWindow) log lines of the last \(UTCTime.humanDuration(window))", command: command)
        }
        // Errors about Redis are read in Redis's own log, not the app's.
        let redisCommand = ctx.kubectl("logs", "deploy/\(config.redis.deployment)", "--since=\(KubectlCommand.goDuration(Int(window)))", "--timestamps")
        var f = Findings()
        for group in digest.groups {
            let when = group.newest.map { ", newest \(ctx.age($0)) ago" } ?? ""
            f.raise(group.verdict, "\(group.count)× \(group.title)\(when)", hint: group.hint, command: Self.isAboutRedis(group.id) ? redisCommand : command)
            f.note("\(group.count)× [\(group.id)]\(group.newest.map { " \(UTCTime.rfc3339($0))" } ?? ""): \(group.example)")
            for variant in group.variants.dropFirst() { f.note("   also: \(variant)") }
        }
        return f.result(id, ok: "", command: command)
    }

    /// A log signature whose cause sits in Redis (the broker), not in the app.
    public static func isAboutRedis(_ signature: String) -> Bool {
        signature.contains("redis") || signature.contains("broker")
    }
}
