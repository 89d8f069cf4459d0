import Foundation
import PaperDomain
import PaperKube
@testable import PaperUI

/// Dashboard data with every verdict somewhere, shaped like the checks' real output.
enum Fixtures {
    static let now = 1_800_000_000.0
    /// A drill-record message as someone with ConfigMap write access could set it: a title
    /// change, an OSC 52 clipboard write, a C1 CSI clear-screen, ESC colours, a right-to-left
    /// override, and wide characters.
    static let hostile = "drill passed\u{1B}]0;pwned\u{07}\u{1B}]52;c;Y3VybCBldmlsLnNoIHwgc2g=\u{07}\u{9B}2J\u{1B}[31m 日本語の記録 \u{202E}fdp.exe\u{1B}[0m end"
    static let target = KubeTarget(context: "demo", namespace: "paperless-ngx")

    static func data(_ overrides: [CheckID: Verdict] = [:]) -> DashboardData {
        func r(_ id: CheckID, _ v: Verdict, _ reason: String, _ evidence: [String], hint: String? = nil, command: String? = nil, cause: CheckResult.Cause? = nil) -> CheckResult {
            CheckResult(id: id, verdict: overrides[id] ?? v, reason: reason, evidence: evidence, hint: hint, command: command, cause: cause)
        }
        let lock = CheckResult.Cause(kind: "repository locked",
                                     evidence: "Fatal: unable to create lock in backend: repository is already locked exclusively by PID 1 on paperless-ngx-backup-29932080-x7k2p by root (UID 0, GID 0)",
                                     nextStep: "make sure no backup Job is running, then remove the stale lock with `restic unlock` in a Job from the CronJob",
                                     source: "log of pod paperless-ngx-backup-29932080-x7k2p")
        return DashboardData(checks: [
            r(.pods, .ok, "3/3 pods ready, no restarts in the last 1h", ["3/3 long-running pods ready; paperless-ngx 1/1, paperless-ngx-redis 1/1"]),
            r(.database, .ok, "cluster paperless-ngx-db healthy, 1/1 instances ready", ["phase: Cluster in healthy state"]),
            r(.dbBackups, .warn, "last completed backup 27h ago", ["WARN: newest completed Backup is 27h old"], hint: "take a backup", command: "paperctl-tui backup db --context demo -n paperless-ngx"),
            r(.walArchiving, .ok, "WAL archiving working", ["ContinuousArchiving=True"]),
            r(.scheduledBackup, .ok, "paperless-ngx-db-daily active", []),
            r(.fileBackups, .critical, "missed the run due 2026-11-29T04:00:00Z by 15h; 2 failed Jobs since the last success: newest repository locked (restic exit 1)",
              ["CRIT: missed the run due 2026-11-29T04:00:00Z by 15h", "WARN: 2 failed Jobs since the last success: newest repository locked (restic exit 1)",
               "cause: repository locked — \(lock.evidence)", "next step: \(lock.nextStep)", "failed paperless-ngx-backup-29932080: fatal error (restic exit 1)"],
              hint: lock.nextStep,
              command: "kubectl logs pod/paperless-ngx-backup-29932080-x7k2p -c restic --tail=40 -n paperless-ngx", cause: lock),
            r(.secrets, .unknown, "ExternalSecrets unreadable: the server doesn't have a resource type \"externalsecrets\"", []),
            r(.storage, .warn, "paperless-ngx-data 85% used", ["WARN: paperless-ngx-data 85% used (8.3Gi of 9.8Gi)", "paperless-ngx-db-1 27% used (1.3Gi of 4.9Gi)"]),
            r(.logs, .critical, "17× Redis connection errors", ["CRIT: 17× Redis connection errors, newest 80s ago", "17× [redis] consumer: Cannot connect to redis://:***@paperless-ngx-redis:6379//"]),
            r(.network, .ok, "egress matches the runbook", []),
        ], takenAt: now - 3)
    }

    /// The data with typed objects for the actions: a CronJob, its Jobs, a Cluster, its Backups, ExternalSecrets.
    static func dataWithFacts(_ facts: ActionFacts = Fixtures.facts(), logSources: [LogSource] = Fixtures.logSources) -> DashboardData {
        var d = data()
        d.actions = facts
        d.logSources = logSources
        var secretRows = [PanelRow(text: "ExternalSecrets (f force-syncs the selected one):", role: .title, check: .secrets, verdict: nil)]
        for es in facts.externalSecrets {
            secretRows.append(PanelRow(text: "\(es.metadata.name) (Ready=True SecretSynced), refreshed 3m ago", role: .ok, check: .secrets, verdict: .ok,
                                       subject: .externalSecret(es.metadata.name)))
        }
        d.facts[.secrets] = secretRows
        return d
    }

    static let logSources = [LogSource(pod: "paperless-ngx-abc", container: "paperless-ngx"), LogSource(pod: "paperless-ngx-abc", container: "linkerd-proxy"),
                             LogSource(pod: "paperless-ngx-redis-xyz", container: "redis")]

    static func facts(jobs: [String] = [], cluster: String = Objects.cluster(.barmanObjectStore), backups: [String] = [],
                      secrets: [String] = ["paperless-ngx-admin", "paperless-ngx-restic"], target: KubeTarget = Fixtures.target) -> ActionFacts {
        ActionFacts(config: PaperConfig(), target: target,
                    cronJob: Objects.decode(CronJob.self, Objects.cronJob),
                    jobs: jobs.compactMap { Objects.decode(Job.self, $0) },
                    cluster: Objects.decode(CNPGCluster.self, cluster),
                    backups: backups.compactMap { Objects.decode(CNPGBackup.self, $0) },
                    externalSecrets: secrets.compactMap { Objects.decode(ExternalSecret.self, Objects.externalSecret($0)) })
    }

    static func state(width: Int = 120, height: Int = 35, data: DashboardData? = Fixtures.data(), context: String = "demo") -> AppState {
        var s = AppState(width: width, height: height, context: context, namespace: "paperless-ngx", now: now)
        if let data { s.data = .loaded(data) }
        s.nextRefreshAt = now + 2
        s.themeCount = 5
        s.timeZone = TimeZone(secondsFromGMT: 0) ?? .current  // golden frames must not depend on the machine's zone
        return s
    }

    /// A state whose data carries typed facts (the action keys work).
    static func actionState(_ facts: ActionFacts = Fixtures.facts(), width: Int = 120, height: Int = 35) -> AppState {
        state(width: width, height: height, data: dataWithFacts(facts))
    }
}

/// Kubernetes objects as `kubectl get -o json` prints them, decoded by the real decoder.
enum Objects {
    enum BackupMethod { case barmanObjectStore, plugin, volumeSnapshot }

    static func decode<T: Decodable>(_ type: T.Type, _ json: String) -> T? {
        try? KubeJSON.decode(T.self, from: Data(json.utf8))
    }

    static let cronJob = #"{"apiVersion":"batch/v1","kind":"CronJob","metadata":{"name":"paperless-ngx-backup","namespace":"paperless-ngx"},"spec":{"schedule":"0 4 * * *"},"status":{}}"#

    static func job(_ name: String, status: String, uid: String = "uid-1", owned: Bool = true) -> String {
        let owner = owned ? #","ownerReferences":[{"apiVersion":"batch/v1","kind":"CronJob","name":"paperless-ngx-backup","uid":"u1"}]"# : ""
        return #"{"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"\#(name)","uid":"\#(uid)","labels":{"job-name":"\#(name)"}\#(owner)},"status":\#(status)}"#
    }

    static let running = #"{"active":1,"startTime":"2027-01-15T08:00:00Z"}"#
    static let complete = #"{"succeeded":1,"startTime":"2027-01-15T08:00:00Z","completionTime":"2027-01-15T08:01:30Z","conditions":[{"type":"Complete","status":"True"}]}"#
    static let failed = #"{"failed":1,"startTime":"2027-01-15T08:00:00Z","conditions":[{"type":"Failed","status":"True","reason":"BackoffLimitExceeded","message":"Job has reached the specified backoff limit"}]}"#

    static func cluster(_ method: BackupMethod) -> String {
        let spec = switch method {
        case .plugin: #""plugins":[{"name":"barman-cloud.cloudnative-pg.io","isWALArchiver":true,"parameters":{"barmanObjectName":"paperless-ngx-db-store"}}]"#
        case .barmanObjectStore: #""backup":{"barmanObjectStore":{"destinationPath":"s3://bucket/"}}"#
        case .volumeSnapshot: #""backup":{"volumeSnapshot":{"className":"csi-snapclass"}}"#
        }
        return #"{"apiVersion":"postgresql.cnpg.io/v1","kind":"Cluster","metadata":{"name":"paperless-ngx-db","namespace":"paperless-ngx"},"spec":{"instances":1,\#(spec)},"status":{"phase":"Cluster in healthy state"}}"#
    }

    static func backup(_ name: String, phase: String?, uid: String = "b-uid-1") -> String {
        let status = phase.map { #"{"phase":"\#($0)"}"# } ?? "{}"
        return #"{"apiVersion":"postgresql.cnpg.io/v1","kind":"Backup","metadata":{"name":"\#(name)","uid":"\#(uid)"},"spec":{"cluster":{"name":"paperless-ngx-db"},"method":"barmanObjectStore"},"status":\#(status)}"#
    }

    static func externalSecret(_ name: String, refreshTime: String = "2027-01-15T07:57:00Z") -> String {
        #"{"apiVersion":"external-secrets.io/v1","kind":"ExternalSecret","metadata":{"name":"\#(name)"},"spec":{"refreshInterval":"1h","secretStoreRef":{"name":"onepassword","kind":"ClusterSecretStore"}},"status":{"refreshTime":"\#(refreshTime)","conditions":[{"type":"Ready","status":"True","reason":"SecretSynced"}]}}"#
    }

    static func list(_ items: [String]) -> String { #"{"apiVersion":"v1","kind":"List","items":[\#(items.joined(separator: ","))]}"# }
}
