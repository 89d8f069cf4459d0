import PaperDomain
@testable import PaperUI

/// Dashboard data with every verdict somewhere, shaped like the checks' real output.
enum Fixtures {
    static let now = 1_800_000_000.0

    static func data(_ overrides: [CheckID: Verdict] = [:]) -> DashboardData {
        func r(_ id: CheckID, _ v: Verdict, _ reason: String, _ evidence: [String], hint: String? = nil, command: String? = nil) -> CheckResult {
            CheckResult(id: id, verdict: overrides[id] ?? v, reason: reason, evidence: evidence, hint: hint, command: command)
        }
        return DashboardData(checks: [
            r(.pods, .ok, "3/3 pods ready, no restarts in the last 1h", ["3/3 long-running pods ready; paperless-ngx 1/1, paperless-ngx-redis 1/1"]),
            r(.database, .ok, "cluster paperless-ngx-db healthy, 1/1 instances ready", ["phase: Cluster in healthy state"]),
            r(.dbBackups, .warn, "last completed backup 27h ago", ["WARN: newest completed Backup is 27h old"], hint: "take a backup", command: "kubectl cnpg backup paperless-ngx-db -n paperless-ngx"),
            r(.walArchiving, .ok, "WAL archiving working", ["ContinuousArchiving=True"]),
            r(.scheduledBackup, .ok, "paperless-ngx-db-daily active", []),
            r(.fileBackups, .critical, "2 failed Jobs since the last success: repository lock failed (exit 11)",
              ["CRIT: missed the run due 2026-11-29T04:00:00Z by 15h", "failed paperless-ngx-backup-29932080: repository lock failed (exit 11)"],
              hint: "trigger a backup now, then read why the scheduled one failed",
              command: "kubectl create job --from=cronjob/paperless-ngx-backup manual-backup-$(date +%s) -n paperless-ngx"),
            r(.secrets, .unknown, "ExternalSecrets unreadable: the server doesn't have a resource type \"externalsecrets\"", []),
            r(.storage, .warn, "paperless-ngx-data 85% used", ["WARN: paperless-ngx-data 85% used (8.3Gi of 9.8Gi)", "paperless-ngx-db-1 27% used (1.3Gi of 4.9Gi)"]),
            r(.logs, .critical, "17× Redis connection errors", ["CRIT: 17× Redis connection errors, newest 80s ago", "17× [redis] consumer: Cannot connect to redis://:***@paperless-ngx-redis:6379//"]),
            r(.network, .ok, "egress matches the runbook", []),
        ], takenAt: now - 3)
    }

    static func state(width: Int = 120, height: Int = 35, data: DashboardData? = Fixtures.data(), context: String = "demo") -> AppState {
        var s = AppState(width: width, height: height, context: context, namespace: "paperless-ngx", now: now)
        if let data { s.data = .loaded(data) }
        s.nextRefreshAt = now + 2
        s.themeCount = 5
        return s
    }
}
