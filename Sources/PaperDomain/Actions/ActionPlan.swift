import Foundation
import PaperKube

// MARK: - ActionPlan

/// A runbook action as data: exactly what will run, shown before it runs.
///
/// Planned by the pure functions in `ManualBackup` and `ForceSync`, the same ones for the
/// dashboard's keys and for the CLI, so the command an operator confirms in the TUI is the
/// command `paperctl-tui backup` would run for the same cluster.
public struct ActionPlan: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case fileBackup
        case databaseBackup
        case forceSync(secret: String)
    }

    public var kind: Kind
    public var title: String
    /// The command the runner executes (argument array, stdin, log policy with `title`).
    public var command: KubectlCommand
    /// The Job, Backup or ExternalSecret the action creates or touches.
    public var objectName: String

    public init(kind: Kind, title: String, arguments: [String], stdin: String? = nil, objectName: String) {
        self.kind = kind
        self.title = title
        self.command = KubectlCommand(arguments: arguments, logPolicy: .action(title: title), stdin: stdin.map { Data($0.utf8) })
        self.objectName = objectName
    }

    /// kubectl's arguments (without the executable).
    public var arguments: [String] { command.arguments }

    /// What is written to kubectl's standard input (`create -f -`), as text.
    public var stdin: String? { command.stdin.map { String(decoding: $0, as: UTF8.self) } }

    /// The command line exactly as it will run, with stdin as a here-document: for the dialog,
    /// the CLI's "Running:" line, the command log and the journal.
    public var commandLine: String {
        guard let stdin else { return command.displayLine }
        return command.displayLine + " <<'EOF'\n" + stdin + (stdin.hasSuffix("\n") ? "" : "\n") + "EOF"
    }
}

// MARK: - ActionDecision

/// What an action request comes to: a plan to confirm, or the reason nothing may run.
public enum ActionDecision: Sendable, Equatable {
    case plan(ActionPlan)
    case refuse(String)

    public var plan: ActionPlan? {
        if case .plan(let p) = self { p } else { nil }
    }
}

// MARK: - ForceSync

/// `kubectl annotate externalsecret NAME force-sync=<unix> --overwrite`, at most once per
/// `interval` per secret: 1Password's quotas are account-wide.
public enum ForceSync {
    public static let interval: Double = 300

    public static func plan(secret: String, lastSync: Double?, target: KubeTarget, now: Double) -> ActionDecision {
        if let last = lastSync, now - last < interval {
            return .refuse("\(secret) was force-synced \(UTCTime.humanDuration(now - last)) ago; wait \(UTCTime.humanDuration(interval - (now - last))) (1Password quotas are account-wide).")
        }
        return .plan(ActionPlan(kind: .forceSync(secret: secret), title: "Force-sync ExternalSecret \(secret) from 1Password",
                                arguments: target.connectionArguments + ["annotate", "externalsecret", secret, "force-sync=\(Int(now))", "--overwrite", "-n", target.namespace],
                                objectName: secret))
    }
}
