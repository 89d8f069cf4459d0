import Foundation
import PaperDomain
import PaperKube

// MARK: - ActionContext

/// What the action keys need to know about the deployment, taken from the last snapshot.
public struct ActionContext: Sendable, Equatable {
    public var namespace: String
    /// `--kubeconfig`/`--context` exactly as every kubectl call gets them.
    public var globalArguments: [String]
    public var cronJob: String
    /// Jobs of the CronJob that are still pending or running.
    public var activeJobs: [String]
    public var cluster: String
    /// The cluster backs up through the Barman Cloud plugin (`spec.plugins`).
    public var clusterUsesPlugin: Bool
    /// Backups that block a new one: (name, phase).
    public var blockingBackups: [BlockingBackup]
    public var externalSecrets: [String]
    /// `status.refreshTime` of each ExternalSecret, to see a force-sync land.
    public var secretRefreshTimes: [String: Double] = [:]

    public struct BlockingBackup: Sendable, Equatable {
        public var name: String
        public var phase: String
        public init(name: String, phase: String) {
            self.name = name
            self.phase = phase
        }
    }

    public init(namespace: String, globalArguments: [String] = [], cronJob: String = "paperless-ngx-backup", activeJobs: [String] = [],
                cluster: String = "paperless-ngx-db", clusterUsesPlugin: Bool = false, blockingBackups: [BlockingBackup] = [], externalSecrets: [String] = []) {
        self.namespace = namespace
        self.globalArguments = globalArguments
        self.cronJob = cronJob
        self.activeJobs = activeJobs
        self.cluster = cluster
        self.clusterUsesPlugin = clusterUsesPlugin
        self.blockingBackups = blockingBackups
        self.externalSecrets = externalSecrets
    }

    /// Builds the context from a snapshot and the configuration.
    public static func from(_ snapshot: Snapshot, config: PaperConfig, globalArguments: [String]) -> ActionContext {
        let active = snapshot.jobs
            .filter { job in config.fileBackup.jobLabels.allSatisfy { job.metadata.labels[$0.key] == $0.value } }
            .filter { $0.outcome == .running || $0.outcome == .pending }
            .map(\.metadata.name)
        let cluster = snapshot.clusters.first { $0.metadata.name == config.database.cluster }
        let usesPlugin = cluster?.backupConfiguration.expectedMethod == "plugin"
        let blocking = snapshot.backups
            .filter { ($0.clusterName ?? config.database.cluster) == config.database.cluster }
            .filter { $0.phase.isInProgress || $0.phase == .pending || $0.phase == .walArchivingFailing }
            .map { BlockingBackup(name: $0.metadata.name, phase: "\($0.phase)") }
        var ctx = ActionContext(namespace: snapshot.target.namespace, globalArguments: globalArguments, cronJob: config.fileBackup.cronJob,
                                activeJobs: active, cluster: config.database.cluster, clusterUsesPlugin: usesPlugin, blockingBackups: blocking,
                                externalSecrets: snapshot.externalSecrets.map(\.metadata.name))
        for es in snapshot.externalSecrets { ctx.secretRefreshTimes[es.metadata.name] = es.refreshTime }
        return ctx
    }
}

// MARK: - ActionPlan

/// A runbook action as data: exactly what will run, shown before it runs.
public struct ActionPlan: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case fileBackup
        case databaseBackup
        case forceSync(secret: String)
    }

    public var kind: Kind
    public var title: String
    /// kubectl's arguments (without the executable).
    public var arguments: [String]
    /// Written to kubectl's standard input (`create -f -`).
    public var stdin: String?
    /// The Job, Backup or ExternalSecret the action creates or touches.
    public var objectName: String

    /// The command line exactly as it will run, for the dialog, the command log and the journal.
    public var commandLine: String {
        KubectlCommand(arguments: arguments).displayLine + (stdin == nil ? "" : " <<'EOF'\n\(stdin ?? "")\nEOF")
    }

    /// The command the runner executes.
    public var command: KubectlCommand {
        KubectlCommand(arguments: arguments, logPolicy: .action(title: title), stdin: stdin.map { Data($0.utf8) })
    }
}

// MARK: - ActionPlanner

/// Decides what an action key would run, or why it must not run. Pure.
public enum ActionPlanner {
    public enum Decision: Sendable, Equatable {
        case confirm(ActionPlan)
        case refuse(String)
    }

    public static let forceSyncInterval: Double = 300

    /// `-n NS` unless the global arguments already carry `--namespace`.
    static func namespaceArguments(_ c: ActionContext) -> [String] {
        c.globalArguments.contains("--namespace") || c.globalArguments.contains("-n") ? [] : ["-n", c.namespace]
    }

    public static func fileBackup(_ c: ActionContext, now: Double) -> Decision {
        if let running = c.activeJobs.first {
            return .refuse("Job \(running) of \(c.cronJob) is still running; not starting another. Watch it in the File backups panel.")
        }
        let name = "manual-backup-\(Int(now))"
        return .confirm(ActionPlan(kind: .fileBackup, title: "Start a restic file backup now",
                                   arguments: c.globalArguments + ["create", "job", "--from=cronjob/\(c.cronJob)", name] + namespaceArguments(c),
                                   stdin: nil, objectName: name))
    }

    public static func databaseBackup(_ c: ActionContext, now: Double) -> Decision {
        if let blocking = c.blockingBackups.first {
            return .refuse("Backup \(blocking.name) is \(blocking.phase); a new Backup would queue behind it. Resolve it first.")
        }
        let name = "\(c.cluster)-manual-\(Int(now))"
        let plugin = c.clusterUsesPlugin ? ",\n    \"pluginConfiguration\": { \"name\": \"barman-cloud.cloudnative-pg.io\" }" : ""
        let json = """
            {
              "apiVersion": "postgresql.cnpg.io/v1",
              "kind": "Backup",
              "metadata": { "name": "\(name)", "namespace": "\(c.namespace)" },
              "spec": {
                "cluster": { "name": "\(c.cluster)" },
                "method": "\(c.clusterUsesPlugin ? "plugin" : "barmanObjectStore")"\(plugin)
              }
            }
            """
        return .confirm(ActionPlan(kind: .databaseBackup, title: "Start a CNPG database backup of \(c.cluster) now",
                                   arguments: c.globalArguments + ["create", "-f", "-"] + namespaceArguments(c), stdin: json, objectName: name))
    }

    public static func forceSync(_ c: ActionContext, secret: String, lastSync: Double?, now: Double) -> Decision {
        if let last = lastSync, now - last < forceSyncInterval {
            return .refuse("\(secret) was force-synced \(UTCTime.humanDuration(now - last)) ago; wait \(UTCTime.humanDuration(forceSyncInterval - (now - last))) (1Password quotas are account-wide).")
        }
        return .confirm(ActionPlan(kind: .forceSync(secret: secret), title: "Force-sync ExternalSecret \(secret) from 1Password",
                                   arguments: c.globalArguments + ["annotate", "externalsecret", secret, "force-sync=\(Int(now))", "--overwrite"] + namespaceArguments(c),
                                   stdin: nil, objectName: secret))
    }
}

// MARK: - CommandRecord

/// One kubectl run, for the command log overlay.
public struct CommandRecord: Sendable, Equatable {
    public var startedAt: Double
    public var duration: Double
    public var commandLine: String
    public var exitStatus: Int32?
    public var isAction: Bool
    public var title: String?

    public init(startedAt: Double, duration: Double, commandLine: String, exitStatus: Int32?, isAction: Bool, title: String? = nil) {
        self.startedAt = startedAt
        self.duration = duration
        self.commandLine = commandLine
        self.exitStatus = exitStatus
        self.isAction = isAction
        self.title = title
    }
}

/// What came back from running an action.
public struct ActionOutcome: Sendable, Equatable {
    public var plan: ActionPlan
    public var succeeded: Bool
    /// kubectl's one-line answer or error, redacted.
    public var message: String

    public init(plan: ActionPlan, succeeded: Bool, message: String) {
        self.plan = plan
        self.succeeded = succeeded
        self.message = message
    }
}
