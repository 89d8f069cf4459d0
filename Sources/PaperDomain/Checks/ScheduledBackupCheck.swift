import Foundation
import PaperKube

// MARK: - ScheduledBackupCheck

/// `scheduled-backup`: a ScheduledBackup exists, is not suspended, parses, fires, and uses the
/// method the cluster is configured for (a leftover `barmanObjectStore` after a plugin
/// migration fails with "cluster has no backup section").
public struct ScheduledBackupCheck: HealthCheck {
    public let id = CheckID.scheduledBackup
    public init() {}

    public func evaluate(_ ctx: CheckContext) -> CheckResult {
        let config = ctx.config
        let listCommand = ctx.kubectl("get", "scheduledbackup")
        if let error = ctx.snapshot.whyUnreadable([.cnpgCluster, .cnpgScheduledBackup]) { return ctx.unknown(id, "CNPG clusters/scheduled backups", error, command: listCommand) }
        guard let cluster = ctx.snapshot.clusters.first(where: { $0.metadata.name == config.database.cluster }) else {
            return CheckResult(id: id, verdict: .unknown, reason: "CNPG cluster \(config.database.cluster) not found", command: ctx.kubectl("get", "cluster"))
        }
        let facts = BackupFacts(cluster: cluster, snapshot: ctx.snapshot, config: config)
        guard let sb = facts.scheduledBackup else {
            let which = config.database.scheduledBackup.isEmpty ? "for cluster \(cluster.metadata.name)" : "named \(config.database.scheduledBackup)"
            return CheckResult(id: id, verdict: .critical, reason: "no ScheduledBackup \(which): no automatic database backups", hint: "restore the ScheduledBackup from the Helm chart (backup.enabled)", command: listCommand)
        }
        var f = Findings()
        let name = sb.metadata.name
        f.note("\(name): schedule \"\(sb.schedule ?? "")\", method \(sb.method)\(sb.pluginName.map { " (\($0))" } ?? ""), suspend \(sb.suspend)")
        if sb.suspend {
            f.raise(.critical, "ScheduledBackup \(name) is suspended", hint: "resume it once the maintenance is over", command: ctx.kubectl("patch", "scheduledbackup", name, "--type=merge", "-p", "{\"spec\":{\"suspend\":false}}"))
        }
        var cron: CronSchedule?
        if let text = sb.schedule {
            do {
                let parsed = try CronSchedule(parsing: text, dialect: .cloudNativePG)
                cron = parsed
                if parsed.fieldsGiven == 5 {
                    // Copied from a CronJob: CNPG reads the first field as seconds.
                    let intended = "0 " + text.trimmingCharacters(in: .whitespaces)
                    let runs = parsed.next(after: ctx.now).flatMap { first in parsed.next(after: first).map { $0 - first } }
                    let every = runs.map { " (it fires every \(UTCTime.humanDuration($0)))" } ?? ""
                    f.raise(.warn, "schedule \"\(text)\" of \(name) has 5 fields: CloudNativePG reads the first as seconds\(every); for the CronJob meaning write \"\(intended)\"",
                            hint: "ScheduledBackup schedules have six fields, seconds first (the runbook's daily 03:00 UTC is \"0 0 3 * * *\")",
                            command: ctx.kubectl("patch", "scheduledbackup", name, "--type=merge", "-p", "{\"spec\":{\"schedule\":\"\(intended)\"}}"))
                }
            } catch {
                f.raise(.critical, "schedule of \(name) is invalid: \(error.reason)", command: ctx.kubectl("get", "scheduledbackup", name, "-o", "yaml"))
            }
        } else {
            f.raise(.critical, "ScheduledBackup \(name) has no schedule", command: ctx.kubectl("get", "scheduledbackup", name, "-o", "yaml"))
        }
        if let expected = cluster.backupConfiguration.expectedMethod {
            if sb.method != expected && !(expected == "barmanObjectStore" && sb.method == "volumeSnapshot") {
                f.raise(.critical, "ScheduledBackup method is \(sb.method) but the cluster is configured for \(expected): every run will fail",
                        hint: "set spec.method (and pluginConfiguration) to match the cluster", command: ctx.kubectl("get", "scheduledbackup", name, "-o", "yaml"))
            } else if case .plugin(let plugin, _, _) = cluster.backupConfiguration, let used = sb.pluginName, used != plugin {
                f.raise(.warn, "ScheduledBackup uses plugin \(used) but the cluster archives through \(plugin)", command: ctx.kubectl("get", "scheduledbackup", name, "-o", "yaml"))
            }
        } else {
            f.raise(.critical, "cluster \(cluster.metadata.name) has no backup configuration, so \(name) cannot back it up", command: ctx.kubectl("get", "cluster", cluster.metadata.name, "-o", "yaml"))
        }
        if let cron, !sb.suspend {
            let grace = config.thresholds.backupGraceMinutes * 60
            if let next = cron.next(after: ctx.now) { f.note("next run: \(ctx.when(next))") }
            if let last = sb.lastScheduleTime { f.note("last scheduled: \(ctx.when(last))") }
            if let due = cron.previous(atOrBefore: ctx.now - grace), due >= (sb.metadata.creationTimestamp ?? -Double.infinity),
               (sb.lastScheduleTime ?? -Double.infinity) < due {
                let last = sb.lastScheduleTime.map { "last scheduled \(ctx.age($0)) ago" } ?? "never scheduled"
                f.raise(.warn, "\(name) did not fire for the run due \(UTCTime.rfc3339(due)) (\(last)); it may be stuck on an existing Backup name",
                        hint: "check the operator log for 'already exists' and delete the conflicting Backup", command: ctx.kubectl("describe", "scheduledbackup", name))
            }
        }
        let next = cron.flatMap { $0.next(after: ctx.now) }.map { ", next \(ctx.when($0))" } ?? ""
        return f.result(id, ok: "\(name) active, \"\(sb.schedule ?? "")\" via \(sb.method)\(next)", command: listCommand)
    }
}
