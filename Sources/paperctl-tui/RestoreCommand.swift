import ArgumentParser
import Foundation
import PaperDomain
import PaperKube
import PaperRuntime

// MARK: - RestoreCommand

/// `paperctl-tui restore files|db|both|drill|unlock`: the guided restores without the dashboard.
/// Argument parsing and printing only: the sessions in PaperDomain do the work.
struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Restore files, the database or both to one point, prove that restores work, or remove a stale restic lock.",
        discussion: "Every subcommand shows its whole plan first; anything destructive asks for the namespace to be typed.",
        subcommands: [RestoreFilesCommand.self, RestoreDatabaseCommand.self, RestoreBothCommand.self, RestoreDrillCommand.self, RestoreUnlockCommand.self]
    )
}

/// Options every restore subcommand shares.
struct RestoreOptions: ParsableArguments {
    @OptionGroup var cluster: ClusterOptions

    @Option(name: .long, help: "Seconds one step (a Job, a scale) may take before its outcome is unknown (default: 3600).")
    var timeout: Double = 3600

    @Option(name: .long, help: "Seconds before one kubectl call is killed (default: timeoutSeconds in the config, 10).")
    var kubectlTimeout: Double?

    func validate() throws { try ActionTimeouts.validate(timeout: timeout, kubectlTimeout: kubectlTimeout) }

    /// A toolkit on the real kubectl, holding the restore Lease per session; nil after printing why not.
    func setUp(_ name: String) -> RestoreToolkit? {
        let config: PaperConfig
        do {
            config = try ConfigLoader.load(explicitPath: cluster.config)
        } catch {
            RestoreOutput.fail(name, "config refused: \(error.description)")
            return nil
        }
        let executable: String
        do {
            executable = try KubectlLocator(explicitPath: cluster.kubectl).locate()
        } catch {
            RestoreOutput.fail(name, error.description)
            return nil
        }
        let target = cluster.target(config)
        // Its action commands go to the command log beside the journal, as the dashboard's do.
        let runner = RecordingRunner.keepingCommandLog(KubectlRunner(executable: executable, timeout: kubectlTimeout ?? config.timeoutSeconds),
                                                       environment: ProcessInfo.processInfo.environment)
        var executor = RestoreExecutor(runner: runner, target: target, config: config, stepTimeout: timeout)
        executor.lease = RestoreLeaseKeeper(runner: runner, target: target)
        return RestoreToolkit(executor: executor)
    }

    /// The cluster's facts, as the dashboard sees them; nil after printing why not.
    func facts(_ name: String, _ toolkit: RestoreToolkit) async -> ActionFacts? {
        switch await RestoreTasks.facts(runner: toolkit.executor.runner, config: toolkit.executor.config, target: toolkit.executor.target) {
        case .success(let facts): return facts
        case .failure(let error):
            RestoreOutput.fail(name, "cannot read the cluster: \(error.message)")
            return nil
        }
    }
}

// MARK: - restore files

struct RestoreFilesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "files",
        abstract: "Restore the data volume's files from a restic snapshot, in Jobs built from the restic CronJob's template.",
        discussion: """
            Every restic command runs in a Job made from the paperless-ngx-backup CronJob's jobTemplate: the same image,
            the env from the same Secrets, the same labels (so the backup NetworkPolicy applies) and the same volume. No
            credential is ever printed.

            --side (the default) restores into restore-<UTC timestamp>/ beside the live files; the app keeps running.
            --in-place takes a fresh file backup first (skip it only with --skip-safety-backup REASON), scales the app to 0,
            restores <snapshot>:<path> over the live files, scales the app back and checks it. It runs only with
            --confirm-namespace naming the namespace. Files added after the snapshot stay.

            --plan prints the preflight and the plan (every command and the Job JSON) and runs nothing.

            Exit status: 0 done (without --wait: the restore Job was created), 1 nothing started (refused by the preflight,
            no confirmation, snapshot not found, forbidden), 2 a step failed (the recovery commands are printed), 3 outcome
            unknown (a timeout).
            """
    )

    @Option(name: .long, help: "The snapshot: an id (or its prefix) or latest.")
    var snapshot: String

    @Option(name: .long, help: "Restore only this path inside the snapshot (e.g. media/documents/originals).")
    var path: String?

    @Flag(name: .long, help: "Restore beside the live files, into restore-<timestamp>/ (the default).")
    var side = false

    @Flag(name: .long, help: "Restore over the live files (the app is scaled to 0 and back).")
    var inPlace = false

    @Flag(name: .long, help: "Print the preflight and the plan; run nothing.")
    var plan = false

    @Flag(name: .long, help: "Run a side-by-side restore without asking.")
    var yes = false

    @Option(name: .long, help: "The namespace, typed again: required for --in-place.")
    var confirmNamespace: String?

    @Option(name: .long, help: "In place: skip the fresh safety backup, for this reason (journaled).")
    var skipSafetyBackup: String?

    @Flag(name: .long, help: "Wait until the restore finished (in place always waits).")
    var wait = false

    @OptionGroup var options: RestoreOptions

    func validate() throws {
        if snapshot.trimmingCharacters(in: .whitespaces).isEmpty {
            throw ValidationError("--snapshot is empty: give a snapshot id (or a prefix of one) or latest; an empty id would match every snapshot")
        }
        if side && inPlace { throw ValidationError("--side and --in-place exclude each other") }
        try RestoreOutput.validate(skipSafetyBackup: skipSafetyBackup)
        if skipSafetyBackup != nil && !inPlace { throw ValidationError("--skip-safety-backup only applies to --in-place") }
    }

    func run() async throws {
        let name = "restore files"
        guard let toolkit = options.setUp(name), let facts = await options.facts(name, toolkit) else { throw ExitCode(1) }
        let session = FileRestoreSession(toolkit: toolkit)
        let request = FileRestoreSession.Request(snapshot: snapshot, path: path, target: inPlace ? .inPlace : .sideBySide, planOnly: plan, yes: yes,
                                                 confirmNamespace: confirmNamespace, skipSafetyBackup: skipSafetyBackup, wait: wait, handOverSeconds: Int(options.timeout))
        try await RestoreOutput.run(name, recovery: session.runner.currentRecovery) { await session.run(request, facts: facts, out: $0) }
    }
}

// MARK: - restore db

struct RestoreDatabaseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db",
        abstract: "Point-in-time recovery of the database into a NEW CloudNativePG cluster; the live cluster is never touched.",
        discussion: """
            --to latest | TIME | backup:NAME. TIME is RFC 3339 (2026-11-29T14:00:00Z, …+01:00), "YYYY-MM-DD HH:MM ZONE" with an
            explicit zone (UTC, +01:00, Europe/Berlin), or relative (-2h, -90m, -1d). A time outside the recoverability window is
            refused, with the window named. The manifest copies the live cluster's instances, image, storage, resources and
            PostgreSQL parameters, reads the live cluster's archive (externalClusters, same store and serverName) and archives
            nowhere itself. It is checked with kubectl create --dry-run=server first.

            Exit status: 0 created (with --wait: healthy), 1 nothing created (refused, outside the window, dry run rejected,
            no --yes), 2 the recovery failed (CNPG's message and what to change are printed), 3 unknown (timeout).
            """
    )

    @Option(name: .long, parsing: .unconditional, help: "latest, a time (RFC 3339, \"YYYY-MM-DD HH:MM ZONE\", -2h) or backup:NAME.")
    var to: String

    @Option(name: .long, help: "Name of the new cluster (default <cluster>-restore-<UTC yyyymmddhhmm>).")
    var name: String?

    @Flag(name: .long, help: "Print the window and the manifest; create nothing.")
    var plan = false

    @Flag(name: .long, help: "Create the new cluster without asking.")
    var yes = false

    @Flag(name: .long, help: "Wait until the new cluster is healthy or its recovery failed.")
    var wait = false

    @OptionGroup var options: RestoreOptions

    func run() async throws {
        let cmd = "restore db"
        guard let toolkit = options.setUp(cmd) else { throw ExitCode(1) }
        let session = DatabaseRestoreSession(toolkit: toolkit)
        let request = DatabaseRestoreSession.Request(to: to, name: name, planOnly: plan, yes: yes, wait: wait)
        try await RestoreOutput.run(cmd, recovery: session.runner.currentRecovery) { await session.run(request, out: $0) }
    }
}
