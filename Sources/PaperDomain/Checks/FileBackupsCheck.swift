import Foundation
import PaperKube

// MARK: - FileBackupsCheck

/// `file-backups`: the restic CronJob's last successful Job against its schedule, failed Jobs
/// since then with restic's exit code explained, suspension, and never having succeeded.
public struct FileBackupsCheck: HealthCheck {
    public let id = CheckID.fileBackups
    public init() {}

    public func evaluate(_ ctx: CheckContext) -> CheckResult {
        let snapshot = ctx.snapshot
        let config = ctx.config
        let cronJobName = config.fileBackup.cronJob
        let selector = config.fileBackup.jobLabels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
        let jobsCommand = selector.isEmpty ? ctx.kubectl("get", "jobs") : ctx.kubectl("get", "jobs", "-l", selector)
        let logsCommand = selector.isEmpty ? ctx.kubectl("logs", "job/\(cronJobName)") : ctx.kubectl("logs", "-l", selector, "--tail=100")
        let triggerCommand = ManualBackup.command(.files, target: snapshot.target)
        if let error = snapshot.whyUnreadable([.cronJob, .job]) { return ctx.unknown(id, "CronJobs/Jobs", error, command: jobsCommand) }
        guard let cronJob = snapshot.cronJobs.first(where: { $0.metadata.name == cronJobName }) else {
            return CheckResult(id: id, verdict: .critical, reason: "CronJob \(cronJobName) not found: no file backups are taken",
                               hint: "check fileBackup.enabled in the Helm values", command: ctx.kubectl("get", "cronjob"))
        }
        var f = Findings()
        // paperctl's own restic Jobs (listings, restores, drills) carry the template's labels but are not backups.
        let jobs = BackupJobs.of(snapshot, config: config)
        let succeeded = jobs.filter { $0.outcome == .succeeded }.sorted { ($0.completionTime ?? 0) < ($1.completionTime ?? 0) }
        let lastSuccess = [succeeded.last?.completionTime, cronJob.lastSuccessfulTime].compactMap { $0 }.max()
        f.note("\(jobs.count) Jobs of \(cronJobName): \(succeeded.count) succeeded, \(jobs.filter { $0.outcome == .failed }.count) failed, \(jobs.filter { $0.outcome == .running }.count) running")
        if let lastSuccess { f.note("last success: \(ctx.when(lastSuccess))") }

        if cronJob.suspend {
            f.raise(.critical, "CronJob \(cronJobName) is suspended", hint: "resume it once the maintenance is over",
                    command: ctx.kubectl("patch", "cronjob", cronJobName, "-p", "{\"spec\":{\"suspend\":false}}"))
        }
        let grace = config.thresholds.backupGraceMinutes * 60
        var cron: CronSchedule?
        if let text = cronJob.schedule {
            do {
                cron = try CronSchedule(parsing: text, dialect: .kubernetes, timeZone: cronJob.timeZone)
            } catch {
                f.raise(.critical, "schedule of \(cronJobName) is invalid: \(error.reason)", command: ctx.kubectl("get", "cronjob", cronJobName, "-o", "yaml"))
            }
        }
        let zone = cron?.timeZone.map { " \($0.identifier)" } ?? ""
        if let cron, let next = cron.next(after: ctx.now) { f.note("schedule \"\(cronJob.schedule ?? "")\"\(zone), next run \(ctx.when(next))") }
        if lastSuccess == nil {
            f.raise(.critical, "\(cronJobName) has never succeeded (\(jobs.count) Jobs seen)", hint: "run a backup by hand and read its log", command: triggerCommand)
        } else if let cron, let lastSuccess, !cronJob.suspend,
                  let due = cron.previous(atOrBefore: ctx.now - grace), due >= (cronJob.metadata.creationTimestamp ?? -Double.infinity), lastSuccess < due {
            f.raise(.critical, "missed the run due \(UTCTime.rfc3339(due)) by \(UTCTime.humanDuration(ctx.now - due)) (grace \(UTCTime.humanDuration(grace))); last success \(ctx.age(lastSuccess)) ago",
                    hint: "trigger a backup now, then read why the scheduled one failed", command: triggerCommand)
        }

        // Failed Jobs since the last success, with restic's exit code.
        let failedSince = jobs.filter { $0.outcome == .failed && ($0.finishedAt ?? $0.startTime ?? $0.metadata.creationTimestamp ?? 0) > (lastSuccess ?? -Double.infinity) }
            .sorted { ($0.finishedAt ?? $0.startTime ?? 0) > ($1.finishedAt ?? $1.startTime ?? 0) }
        if !failedSince.isEmpty {
            var codes: [Int] = []
            for job in failedSince {
                let code = ResticExitCode.of(job, pods: snapshot.pods, sidecars: config.app.sidecars)
                if let code { codes.append(code) }
                let when = (job.finishedAt ?? job.startTime).map { " at \(ctx.when($0))" } ?? ""
                f.note("failed \(job.metadata.name)\(when): \(code.map(ResticExitCode.meaning) ?? "exit code unknown (pod gone)")")
            }
            let newestCode = ResticExitCode.of(failedSince[0], pods: snapshot.pods, sidecars: config.app.sidecars)
            var detail = newestCode.map { ": newest \(ResticExitCode.meaning($0))" } ?? ""
            // restic's own words beat its exit code: up to 0.16 a lock or a wrong password is exit 1.
            var diagnosis: ResticDiagnosis?
            var source = "exit code"
            var logCommand = logsCommand
            if let failed = snapshot.failedBackupLog, failed.job == failedSince[0].metadata.name {
                logCommand = ctx.kubectl("logs", "pod/\(failed.pod)", "-c", failed.container, "--tail=40")
                switch failed.log {
                case .success(let log):
                    diagnosis = ResticDiagnosis.diagnose(log: log, exitCode: newestCode)
                    source = "log of pod \(failed.pod)"
                    if diagnosis?.cause == .other, diagnosis?.evidence.hasPrefix("exit ") == true || diagnosis?.evidence == "no exit code" { diagnosis = nil }
                case .failure(let error):
                    f.note("cannot read the log of \(failed.pod): \(error.description)")
                }
            }
            if diagnosis == nil, let code = newestCode, [3, 10, 11, 12, 130, 137].contains(code) { diagnosis = ResticDiagnosis.diagnose(log: "", exitCode: code) }
            // A lock that a `restic unlock` Job removed after the newest failure: say when and by
            // which Job, and that a backup proves it, until a newer backup result supersedes it.
            if let d = diagnosis, d.cause == .locked, let removal = Self.lockRemoval(after: failedSince[0], in: BackupJobs.ofCronJob(snapshot.jobs, config: config)) {
                let at = removal.completionTime ?? removal.finishedAt ?? 0
                f.cause = CheckResult.Cause(kind: Self.lockRemovedKind, evidence: "restic unlock Job \(removal.metadata.name) removed it at \(ctx.when(at))",
                                            nextStep: "b starts a backup Job to prove the repository is free (the failed Jobs count until a backup succeeds)",
                                            source: "Job \(removal.metadata.name) (\(ResticJob.Purpose.unlock.rawValue)), after \(failedSince[0].metadata.name) failed on the lock")
                f.causeCommand = triggerCommand
                f.raise(.warn, "\(failedSince.count) failed Job\(failedSince.count == 1 ? "" : "s") since the last success: newest \(d.cause.rawValue), lock removed \(ctx.age(at)) ago by \(removal.metadata.name)",
                        hint: f.cause?.nextStep, command: triggerCommand)
                diagnosis = nil
            } else if let d = diagnosis {
                f.cause = CheckResult.Cause(kind: d.cause.rawValue, evidence: d.evidence, nextStep: d.nextStep, source: source)
                // What to run follows the cause: a new backup Job fails the same way on a lock or a wrong password.
                switch d.cause {
                case .locked: f.causeCommand = ctx.paperctl("restore", "unlock")
                case .wrongPassword: f.causeCommand = Self.resticExternalSecret(snapshot, config).map { ctx.kubectl("describe", "externalsecret", $0) } ?? logCommand
                default: f.causeCommand = logCommand
                }
                detail = ": newest \(d.cause.rawValue)" + (newestCode.map { " (restic exit \($0))" } ?? "")
            }
            if f.cause?.kind != Self.lockRemovedKind {
                f.raise(.warn, "\(failedSince.count) failed Job\(failedSince.count == 1 ? "" : "s") since the last success\(detail)",
                        hint: diagnosis?.nextStep ?? newestCode.map(ResticExitCode.hint) ?? "read the job log", command: logCommand)
            }
        }
        let drills = BackupJobs.ofCronJob(snapshot.jobs, config: config)
            .filter { $0.metadata.labels[ResticJob.purposeLabel] == ResticJob.Purpose.drill.rawValue && $0.outcome == .succeeded }
        if let drill = drills.max(by: { ($0.completionTime ?? 0) < ($1.completionTime ?? 0) }), let passed = drill.completionTime {
            f.note("last restore drill passed \(ctx.age(passed)) ago (\(drill.metadata.name))")
        } else {
            f.note("no restore drill on record: `paperctl-tui restore drill files` proves the newest snapshot restores")
        }
        for job in jobs where job.outcome == .running {
            f.note("running: \(job.metadata.name)\(job.startTime.map { " since \(ctx.when($0))" } ?? "")")
        }
        let okReason = "last restic backup \(lastSuccess.map { ctx.age($0) } ?? "?") ago, \(failedSince.count) failed since" + (cron.flatMap { $0.next(after: ctx.now) }.map { ", next \(ctx.when($0))" } ?? "")
        return f.result(id, ok: okReason, command: jobsCommand)
    }

    /// The cause's kind once a `restic unlock` Job removed the lock the newest backup failed on.
    public static let lockRemovedKind = "lock removed"

    /// The newest `restic unlock` Job (plain or `--remove-all`) that succeeded after `failed` ended.
    static func lockRemoval(after failed: Job, in jobs: [Job]) -> Job? {
        let failedAt = failed.finishedAt ?? failed.startTime ?? failed.metadata.creationTimestamp ?? 0
        return jobs.filter { $0.metadata.labels[ResticJob.purposeLabel] == ResticJob.Purpose.unlock.rawValue && $0.outcome == .succeeded }
            .filter { ($0.completionTime ?? $0.finishedAt ?? 0) > failedAt }
            .max { ($0.completionTime ?? 0) < ($1.completionTime ?? 0) }
    }

    /// The ExternalSecret that writes the restic password: the one of the namespace (or of the
    /// config's list) whose name says restic.
    public static func resticExternalSecret(_ snapshot: Snapshot, _ config: PaperConfig) -> String? {
        resticExternalSecret(names: snapshot.externalSecrets.map(\.metadata.name), config)
    }

    /// The same, from the ExternalSecrets' names.
    public static func resticExternalSecret(names: [String], _ config: PaperConfig) -> String? {
        names.sorted().first { $0.contains("restic") } ?? config.externalSecrets.first { $0.contains("restic") }
    }
}
