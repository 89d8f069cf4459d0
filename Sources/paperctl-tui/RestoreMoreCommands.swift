import ArgumentParser
import Foundation
import PaperDomain
import PaperKube

// MARK: - restore both

struct RestoreBothCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "both",
        abstract: "Restore the database to a point (a NEW cluster) and the files in place to the newest snapshot at or before it.",
        discussion: """
            The dashboard's "both" plan: a CNPG Backup of the live database and a restic backup of the live files first (skip the
            files' one only with --skip-safety-backup REASON), the backup CronJob suspended, the app scaled to 0, the files of the
            newest snapshot at or before the point restored in place, then the new cluster recovered to the point (checked with
            kubectl create --dry-run=server first) and waited for. The app stays at 0 until you point it at the new cluster: the
            cutover steps are printed; the tool never switches it and never touches the live cluster. --to as for `restore db`.
            It runs only with --confirm-namespace naming the namespace, and always waits.

            Exit status: 0 done, 1 nothing started (refused, outside the window, no file snapshot before the point, no
            confirmation), 2 a step failed (the recovery commands are printed), 3 outcome unknown (a timeout).
            """
    )

    @Option(name: .long, parsing: .unconditional, help: "latest, a time (RFC 3339, \"YYYY-MM-DD HH:MM ZONE\", -2h) or backup:NAME.")
    var to: String

    @Option(name: .long, help: "Name of the new cluster (default <cluster>-restore-<UTC yyyymmddhhmm>).")
    var name: String?

    @Flag(name: .long, help: "Print the preflight, the window and the plan; run nothing.")
    var plan = false

    @Flag(name: .long, help: "Accepted for symmetry with files and db: both always needs --confirm-namespace.")
    var yes = false

    @Option(name: .long, help: "The namespace, typed again: required (the live files are overwritten).")
    var confirmNamespace: String?

    @Option(name: .long, help: "Skip the files' fresh safety backup, for this reason (journaled); the database's always runs.")
    var skipSafetyBackup: String?

    @Flag(name: .long, help: "Accepted for symmetry: both always waits.")
    var wait = false

    @OptionGroup var options: RestoreOptions

    func validate() throws { try RestoreOutput.validate(skipSafetyBackup: skipSafetyBackup) }

    func run() async throws {
        let cmd = "restore both"
        guard let toolkit = options.setUp(cmd), let facts = await options.facts(cmd, toolkit) else { throw ExitCode(1) }
        let session = BothRestoreSession(toolkit: toolkit)
        let request = BothRestoreSession.Request(to: to, name: name, planOnly: plan, confirmNamespace: confirmNamespace, skipSafetyBackup: skipSafetyBackup)
        try await RestoreOutput.run(cmd, recovery: session.runner.currentRecovery) { await session.run(request, facts: facts, out: $0) }
    }
}

// MARK: - restore drill

struct RestoreDrillCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drill",
        abstract: "Prove restores work: files (the newest snapshot, --verify, into an emptyDir) or db (the newest point into a scratch cluster).",
        discussion: """
            files  restores the newest restic snapshot with --verify into an emptyDir in a Job, touching nothing; the File backups
                   check shows when the last drill passed.
            db     recovers the newest point into a scratch Cluster <cluster>-drill-<UTC yyyymmddhhmm> labelled
                   paperctl.io/purpose=db-drill, waits until healthy and reports the time it took (the RTO) and the recovered point;
                   --cleanup then deletes that cluster (only a cluster carrying that label).
            Exit status: 0 the drill passed, 1 nothing started (missing objects, forbidden), 2 the restore failed, 3 unknown. Run it from cron.
            """
    )

    enum What: String, ExpressibleByArgument { case files, db }

    @Argument(help: "What to drill: files (restic) or db (CloudNativePG point-in-time recovery).")
    var what: What

    @Flag(name: .long, help: "db: delete the scratch cluster afterwards (only a cluster this tool labelled).")
    var cleanup = false

    @OptionGroup var options: RestoreOptions

    func run() async throws {
        let name = what == .db ? "restore drill db" : "restore drill"
        guard let toolkit = options.setUp(name) else { throw ExitCode(1) }
        switch what {
        case .files: try await RestoreOutput.run(name) { await FileDrillSession(toolkit: toolkit).run(out: $0) }
        case .db: try await RestoreOutput.run(name) { [cleanup] in await DatabaseDrillSession(toolkit: toolkit).run(cleanup: cleanup, by: OperatorIdentity.current(), out: $0) }
        }
    }
}

// MARK: - restore unlock

struct RestoreUnlockCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unlock",
        abstract: "Remove stale restic locks: `restic unlock` in a Job from the restic CronJob's template.",
        discussion: """
            restic unlock removes only locks whose holder is gone. It refuses while a Job of the CronJob is active,
            because that Job may hold the lock. When the unlock fails on a lock, it says whether the holder's pod
            (restic names its hostname) still exists in the namespace. Once it does not, --remove-all runs
            `restic unlock --remove-all`, which removes live locks too: confirm it with --confirm-namespace.
            Exit status: 0 unlocked, 1 nothing started, 2 failed, 3 unknown.
            """
    )

    @Flag(name: .long, help: "Run it without asking.")
    var yes = false

    @Flag(name: .long, help: "restic unlock --remove-all: every lock, live ones too (needs --confirm-namespace; refused while the holder's pod runs).")
    var removeAll = false

    @Option(name: .long, help: "The namespace, typed again: required for --remove-all.")
    var confirmNamespace: String?

    @OptionGroup var options: RestoreOptions

    func run() async throws {
        let name = "restore unlock"
        guard let toolkit = options.setUp(name) else { throw ExitCode(1) }
        try await RestoreOutput.run(name) { [yes, removeAll, confirmNamespace] in
            await UnlockSession(toolkit: toolkit).run(yes: yes, removeAll: removeAll, confirmNamespace: confirmNamespace, out: $0)
        }
    }
}
