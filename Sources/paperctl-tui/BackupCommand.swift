import ArgumentParser
import Foundation
import PaperDomain
import PaperKube
import PaperRuntime

// MARK: - BackupCommand

/// `paperctl-tui backup files|db [--wait] [--timeout S]`: starts a manual backup without the
/// dashboard, for scripts and cron. Needs no terminal; the exit status is the outcome.
struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Start a manual backup: files (the restic CronJob) or db (a CloudNativePG Backup).",
        discussion: """
            files  runs exactly: kubectl create job --from=cronjob/<fileBackup.cronJob> manual-backup-<unix> -n <namespace>
                   It refuses (and creates nothing) while a Job of that CronJob is still pending or running.
            db     creates a Backup <database.cluster>-manual-<unix> with kubectl create -f - (JSON on stdin), using the
                   method the Cluster uses: plugin (barman-cloud.cloudnative-pg.io in spec.plugins) or barmanObjectStore.
                   It refuses while a Backup of the cluster is queued, pending, started, running or walArchivingFailing.

            The exact command is printed before it runs. With --wait the command follows the Job or Backup until it
            completes or fails; a failed restic Job is explained by its exit code.

            Exit status: 0 created (with --wait: succeeded), 1 nothing started (refused, forbidden by RBAC, cluster
            unreachable, object missing), 2 the backup failed, 3 outcome unknown (--timeout passed, status unreadable).
            No colours, no terminal needed, no secret printed.
            """
    )

    enum What: String, ExpressibleByArgument, CaseIterable {
        case files, db
    }

    @Argument(help: "What to back up: files or db.")
    var what: What

    @Flag(name: .long, help: "Wait until the backup completes or fails; the exit status follows the outcome.")
    var wait = false

    @Option(name: .long, help: "Seconds --wait waits before giving up with exit 3 (default: 1800).")
    var timeout: Double = 1800

    @OptionGroup var cluster: ClusterOptions

    @Option(name: .long, help: "Seconds before one kubectl call is killed (default: timeoutSeconds in the config, 10).")
    var kubectlTimeout: Double?

    func validate() throws { try ActionTimeouts.validate(timeout: timeout, kubectlTimeout: kubectlTimeout) }

    func run() async throws {
        let paperConfig: PaperConfig
        do {
            paperConfig = try ConfigLoader.load(explicitPath: cluster.config)
        } catch {
            Self.fail("config refused: \(error.description)")
            throw ExitCode(1)
        }
        let executable: String
        do {
            executable = try KubectlLocator(explicitPath: cluster.kubectl).locate()
        } catch {
            Self.fail(error.description)
            throw ExitCode(1)
        }
        let target = cluster.target(paperConfig)
        let runner = RecordingRunner.keepingCommandLog(KubectlRunner(executable: executable, timeout: kubectlTimeout ?? paperConfig.timeoutSeconds),
                                                       environment: ProcessInfo.processInfo.environment)
        let session = ManualBackupSession(config: paperConfig, target: target, runner: runner)
        let outcome = await session.run(what == .files ? .files : .db, wait: wait, timeout: timeout) { line in
            print(TerminalText.safe(Redactor.redact(line)))
            fflush(nil)
        }
        if outcome.exitCode == 0 {
            print(TerminalText.safe(Redactor.redact(outcome.message)))
        } else {
            Self.fail(outcome.message)
        }
        throw ExitCode(outcome.exitCode)
    }

    static func fail(_ message: String) {
        FileHandle.standardError.write(Data("paperctl-tui backup: \(TerminalText.safe(Redactor.redact(message)))\n".utf8))
    }
}
