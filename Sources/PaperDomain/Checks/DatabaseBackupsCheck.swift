import PaperKube

// MARK: - DatabaseBackupsCheck

/// `db-backups`: is there a recent enough completed Backup, and is the pipeline moving?
///
/// - Freshness: the newest completed Backup must have finished after the ScheduledBackup's
///   last due run (six-field cron) once the grace window (default 2 h) has passed.
/// - Cross-check: the Cluster's `lastSuccessfulBackup` (or the plugin ObjectStore's
///   `lastSuccessfulBackupTime`) must agree with the newest completed Backup.
/// - Failed Backups after the last success are counted.
/// - A `walArchivingFailing` Backup, or one pending/without status for too long, blocks the queue.
/// - `LastBackupSucceeded=False` with reason `BackupStarted` means a backup is running.
public struct DatabaseBackupsCheck: HealthCheck {
    public let id = CheckID.dbBackups
    public init() {}

    public func evaluate(_ ctx: CheckContext) -> CheckResult {
        let snapshot = ctx.snapshot
        let config = ctx.config
        let listCommand = ctx.kubectl("get", "backup,scheduledbackup")
        if let error = snapshot.whyUnreadable([.cnpgCluster, .cnpgBackup]) {
            return ctx.unknown(id, "CNPG clusters/backups", error, command: listCommand)
        }
        guard let cluster = snapshot.clusters.first(where: { $0.metadata.name == config.database.cluster }) else {
            return CheckResult(id: id, verdict: .unknown, reason: "CNPG cluster \(config.database.cluster) not found, so its backups cannot be judged", command: ctx.kubectl("get", "cluster"))
        }
        let facts = BackupFacts(cluster: cluster, snapshot: snapshot, config: config)
        var f = Findings()
        let grace = config.thresholds.backupGraceMinutes * 60
        // CNPG starts no backup while one executes: with one stuck, "back up now" cannot work,
        // so every hint that would suggest it names the stuck one instead.
        let stuck = stuckBackup(ctx, facts)
        // Failures since the last success, and what the newest one says.
        let lastCompleted = facts.completed.last?.referenceTime ?? facts.statusLastSuccess.time
        let failedSince = facts.backups.filter { $0.phase == .failed && ($0.referenceTime ?? 0) > (lastCompleted ?? -Double.infinity) }
            .sorted { ($0.referenceTime ?? 0) > ($1.referenceTime ?? 0) }
        let secret = facts.credentialsSecret
        let failureCause = CNPGDiagnosis.naming(failedSince.first?.error.flatMap {
            CNPGDiagnosis.diagnose($0, source: "Backup \(failedSince[0].metadata.name) status.error", context: .live(timeline: cluster.timeline))
        }, secret: secret)
        // While WAL archiving fails, or the object store refuses, a backup taken now fails the same
        // way (and `B` refuses): what to run is the Secret with the credentials, not a backup.
        let archiving = cluster.conditions[type: "ContinuousArchiving"]
        let archivingCause = archiving?.isFalse == true
            ? CNPGDiagnosis.naming(CNPGDiagnosis.diagnose(archiving?.message ?? "", source: "Cluster \(cluster.metadata.name) condition ContinuousArchiving", context: .live(timeline: cluster.timeline)), secret: secret)
            : nil
        let storageBroken = archiving?.isFalse == true || failureCause.map(CNPGDiagnosis.isObjectStorage) == true
        let sameFailure: String? = storageBroken
            ? secret.map { ctx.kubectl("describe", "secret", $0) } ?? WALArchivingCheck.command(for: archivingCause ?? failureCause, ctx, cluster) ?? ctx.kubectl("describe", "cluster", cluster.metadata.name)
            : nil
        // A backup taken now fails the same way while the plugin is unreachable.
        let pluginDown: String? = failureCause?.kind.hasPrefix("Barman Cloud plugin") == true ? WALArchivingCheck.command(for: failureCause, ctx, cluster) : nil
        // Nor can a cluster that is down take one.
        let phase = cluster.phase ?? ""
        let down = (cluster.readyInstances ?? 0) == 0 && !phase.isEmpty && phase != CNPGCluster.healthyPhase || CNPGDiagnosis.needsHuman(phase: phase) || cluster.isHibernated
        let backupNow = stuck.map { ctx.kubectl("delete", "backup", $0.backup.metadata.name) } ?? pluginDown ?? sameFailure
            ?? (down ? ctx.kubectl("cnpg", "status", cluster.metadata.name) : facts.backupNowCommand(ctx))
        func nowHint(_ text: String) -> String {
            if down, stuck == nil {
                return "the cluster is down (phase \"\(phase)\"): no backup can run until it is up again (see the database check); then \(text.replacingOccurrences(of: "take a backup now", with: "take a backup"))"
            }
            if let stuck {
                return "no backup can start while \(stuck.backup.metadata.name) is \(stuck.backup.phase): delete it first (the command), then \(text.replacingOccurrences(of: "take a backup now", with: "take a backup"))"
            }
            if pluginDown != nil, let failureCause { return "a backup fails the same way until the plugin is back: \(failureCause.nextStep)" }
            if storageBroken {
                let why = archiving?.isFalse == true ? "WAL archiving fails" : "the object store refuses"
                let check = secret.map { "check the S3 credentials in Secret \($0) (and its ExternalSecret's sync) and the instance's log" } ?? (archivingCause ?? failureCause)?.nextStep ?? "check the object-store credentials and the instance's log"
                return "a backup fails the same way while \(why): \(check); then \(text.replacingOccurrences(of: "take a backup now", with: "take a backup"))"
            }
            return text
        }

        let newest = facts.completed.last
        let (statusTime, statusSource) = facts.statusLastSuccess
        if facts.usesPlugin, snapshot.whyUnreadable(.barmanObjectStore) == nil, facts.objectStore == nil {
            f.note("ObjectStore \(facts.objectStoreName ?? "(unnamed)") not found")
        } else if facts.usesPlugin, let error = snapshot.whyUnreadable(.barmanObjectStore) {
            // The plugin records the last success in the ObjectStore: without it nothing can be cross-checked.
            f.raise(.unknown, "cannot read the ObjectStore, so the plugin's record of the last backup cannot be cross-checked: \(error.description)",
                    hint: CheckContext.hint(for: error), command: ctx.kubectl("get", "objectstores.barmancloud.cnpg.io"))
        } else if facts.usesPlugin, facts.recoveryWindow == nil {
            f.note("No recovery window information found in ObjectStore '\(facts.objectStoreName ?? "?")' for server '\(cluster.backupServerName)'")
        }
        var lastSuccess = newest?.referenceTime
        if let newest, let time = newest.referenceTime {
            f.note("newest completed Backup: \(newest.metadata.name) at \(ctx.when(time))")
        } else if let statusTime {
            lastSuccess = statusTime
            f.note("no completed Backup object; \(statusSource) says \(ctx.when(statusTime))")
        }
        f.note("\(facts.completed.count) completed of \(facts.backups.count) Backups for \(cluster.metadata.name)")

        // Freshness against the schedule.
        let schedule = facts.scheduledBackup.flatMap { sb in sb.suspend ? nil : sb.schedule.flatMap { try? CronSchedule(parsing: $0, dialect: .cloudNativePG) } }
        var freshnessText = ""
        if let schedule, let sb = facts.scheduledBackup {
            if let next = schedule.next(after: ctx.now) { f.note("next scheduled run: \(ctx.when(next))") }
            if let due = schedule.previous(atOrBefore: ctx.now - grace), due >= (sb.metadata.creationTimestamp ?? -Double.infinity) {
                if let last = lastSuccess, last >= due {
                    freshnessText = "last completed backup \(ctx.age(last)) ago"
                } else {
                    let lastText = lastSuccess.map { "last completed backup \(ctx.age($0)) ago" } ?? "no completed backup at all"
                    f.raise(.critical, "missed the run due \(UTCTime.rfc3339(due)) by \(UTCTime.humanDuration(ctx.now - due)) (grace \(UTCTime.humanDuration(grace))); \(lastText)",
                            hint: nowHint("take a backup now, then find out why the scheduled one did not complete"), command: backupNow)
                }
            } else {
                freshnessText = lastSuccess.map { "last completed backup \(ctx.age($0)) ago" } ?? "no backup due yet"
            }
        } else {
            if let error = snapshot.whyUnreadable(.cnpgScheduledBackup) {
                f.raise(.unknown, "cannot read ScheduledBackups, so freshness is judged against 24 h instead of the schedule: \(error.description)",
                        hint: CheckContext.hint(for: error), command: ctx.kubectl("get", "scheduledbackup"))
            }
            let limit = 86_400 + grace
            if let last = lastSuccess {
                if ctx.now - last > limit {
                    f.raise(.critical, "last completed backup \(ctx.age(last)) ago and no active ScheduledBackup (limit \(UTCTime.humanDuration(limit)))", hint: nowHint("take a backup now and restore the ScheduledBackup"), command: backupNow)
                } else {
                    freshnessText = "last completed backup \(ctx.age(last)) ago (no active schedule)"
                }
            }
        }
        if lastSuccess == nil, !f.problems.contains(where: { $0.verdict == .critical }) {
            f.raise(.critical, "no completed Backup for cluster \(cluster.metadata.name)", hint: nowHint("take a first backup and check the object store credentials"), command: backupNow)
        }

        // Cross-check with what CNPG records.
        if let statusTime, let newestTime = newest?.referenceTime, abs(statusTime - newestTime) > 300 {
            f.raise(.warn, "\(statusSource) is \(UTCTime.rfc3339(statusTime)) but the newest completed Backup finished \(UTCTime.rfc3339(newestTime))",
                    hint: "the two sources disagree; trust the Backup objects and check the operator", command: ctx.kubectl("cnpg", "status", cluster.metadata.name))
        } else if let statusTime {
            f.note("\(statusSource): \(ctx.when(statusTime))")
        } else if newest != nil {
            f.note("\(statusSource) not set\(facts.usesPlugin ? "" : " (deprecated field; not set by plugins)")")
        }

        // Failures since the last success.
        if let latest = failedSince.first {
            f.cause = failureCause
            let command = WALArchivingCheck.command(for: f.cause, ctx, cluster, secret: secret) ?? ctx.kubectl("describe", "backup", latest.metadata.name)
            f.raise(.warn, "\(failedSince.count) failed Backup\(failedSince.count == 1 ? "" : "s") since the last success (newest \(latest.metadata.name): \(latest.error ?? "no error message"))",
                    hint: "read the failed Backup's error; usually object-store credentials or WAL archiving", command: command)
        }

        // Running vs failed, from the cluster condition.
        if let condition = cluster.conditions[type: "LastBackupSucceeded"], condition.isFalse {
            if condition.reason == "BackupStarted" {
                f.note("backup running (LastBackupSucceeded=False, reason BackupStarted: \(condition.message ?? "New Backup starting up"))")
            } else if failedSince.isEmpty {
                f.raise(.warn, "LastBackupSucceeded=False (\(condition.reason ?? "no reason")): \(condition.message ?? "no message")", command: ctx.kubectl("cnpg", "status", cluster.metadata.name))
            }
        }
        for backup in facts.backups where backup.phase.isInProgress {
            let since = backup.startedAt ?? backup.metadata.creationTimestamp
            f.note("backup \(backup.metadata.name) \(backup.phase)\(since.map { " since \(ctx.when($0))" } ?? "")")
        }

        // A stuck executing backup blocks everything after it.
        if let stuck {
            let b = stuck.backup
            let waiting = facts.backups.filter { $0.phase == .pending || $0.phase == .none }.count
            f.raise(.critical, "backup \(b.metadata.name) has been \(b.phase) for \(UTCTime.humanDuration(ctx.now - stuck.since)) (\(stuck.why)): CNPG starts no other backup while it executes"
                        + (waiting > 0 ? "; \(waiting) Backup\(waiting == 1 ? "" : "s") waiting behind it" : ""),
                    hint: "it is stuck (its instance pod was likely restarted or killed mid-backup, cloudnative-pg#7905): delete it so the next backup can start; deleting a Backup object does not delete what is already in the object store, and the tool never runs this for you",
                    command: ctx.kubectl("delete", "backup", b.metadata.name))
        }

        // A blocked queue.
        let blockAfter = config.thresholds.backupQueueBlockedMinutes * 60
        let blockers = stuck != nil ? [] : facts.backups.filter { backup in
            if backup.phase == .walArchivingFailing { return true }
            guard backup.phase == .pending || backup.phase == .none, let created = backup.metadata.creationTimestamp else { return false }
            return ctx.now - created > blockAfter
        }.sorted { ($0.metadata.creationTimestamp ?? 0) < ($1.metadata.creationTimestamp ?? 0) }
        if let first = blockers.first {
            let waiting = facts.backups.filter { $0.phase == .pending || $0.phase == .none }.count
            let age = first.metadata.creationTimestamp.map { ", \(ctx.age($0)) old" } ?? ""
            let queue = waiting > 0 ? "; \(waiting) Backup\(waiting == 1 ? "" : "s") waiting" : "; later backups will not start"
            f.raise(.critical, "backup queue blocked by \(first.metadata.name) (\(first.phase)\(age))\(queue)",
                    hint: "a walArchivingFailing or stuck Backup blocks every later one, even after archiving recovers: fix WAL archiving, then delete the blocking Backup",
                    command: ctx.kubectl("describe", "backup", first.metadata.name))
        }
        drillNotes(ctx, &f)
        let okReason = (freshnessText.isEmpty ? "backups fresh" : freshnessText) + ", \(failedSince.count) failed since, queue moving"
        return f.result(id, ok: okReason, command: listCommand)
    }

    /// The executing Backup that is stuck: running far longer than backups usually take (ten
    /// times the median of the completed ones, at least an hour; six hours when none completed),
    /// or past the next scheduled run after it started.
    func stuckBackup(_ ctx: CheckContext, _ facts: BackupFacts) -> (backup: CNPGBackup, since: Double, why: String)? {
        let durations = facts.completed.compactMap { b in b.startedAt.flatMap { start in b.stoppedAt.map { $0 - start } } }.filter { $0 >= 0 }.sorted()
        let usual = durations.isEmpty ? nil : durations[durations.count / 2]
        let limit = usual.map { max(10 * $0, 3600) } ?? 6 * 3600
        let schedule = facts.scheduledBackup.flatMap { sb in sb.suspend ? nil : sb.schedule.flatMap { try? CronSchedule(parsing: $0, dialect: .cloudNativePG) } }
        let executing = facts.backups.filter(\.phase.isInProgress).compactMap { b -> (CNPGBackup, Double)? in
            (b.startedAt ?? b.metadata.creationTimestamp).map { (b, $0) }
        }.sorted { $0.1 < $1.1 }
        for (backup, since) in executing {
            let elapsed = ctx.now - since
            if elapsed > limit {
                return (backup, since, usual.map { "backups usually take \(UTCTime.humanDuration($0))" } ?? "no backup has completed to compare with")
            }
            if let next = schedule?.next(after: since), next + ctx.config.thresholds.backupGraceMinutes * 60 < ctx.now, elapsed > 3600 {
                return (backup, since, "past the next scheduled run, \(UTCTime.rfc3339(next))")
            }
        }
        return nil
    }

    /// When the last database drill passed, from the drill record (ConfigMap `paperctl-drills`).
    func drillNotes(_ ctx: CheckContext, _ f: inout Findings) {
        if let error = ctx.snapshot.whyUnreadable(.configMap) {
            f.note("the drill record (ConfigMap \(DrillRecord.configMapName)) cannot be read: \(error.description)")
            return
        }
        guard let record = DrillRecord.read(from: ctx.snapshot.configMaps), let last = record.last, let finished = last.finished else {
            f.note("no database drill on record: `paperctl-tui restore drill db` proves the newest point recovers, and times it")
            return
        }
        // The record is anyone's to write: a run counts only with its evidence in the namespace.
        let verified = { (run: DrillRecord.Run) in DrillRecord.evidence(for: run, clusters: ctx.snapshot.clusters, events: ctx.snapshot.events) != nil }
        let unverified = { (run: DrillRecord.Run) in "recorded by \(run.by ?? "someone"), unverified: neither cluster \(run.cluster) nor its events are in the namespace" }
        let passed = record.lastPassed.flatMap { run in
            run.finished.map { "last passed \(ctx.age($0)) ago (RTO \(UTCTime.humanDuration(Double(run.rtoSeconds))))" + (verified(run) ? "" : ", \(unverified(run))") }
        }
        if last.passed, !verified(last) {
            f.note("a database drill that passed \(ctx.age(finished)) ago is \(unverified(last)) (ConfigMap \(DrillRecord.configMapName) alone proves nothing): "
                + "`paperctl-tui restore drill db` proves the newest point recovers")
        } else if last.passed {
            f.note("last database drill passed \(ctx.age(finished)) ago: \(last.cluster) healthy in \(UTCTime.humanDuration(Double(last.rtoSeconds))) (the RTO)"
                + (last.recoveredTo.map { ", recovered to \($0)" } ?? "") + (last.by.map { ", by \($0)" } ?? ""))
        } else {
            f.raise(.warn, "the last database drill FAILED \(ctx.age(finished)) ago (\(last.cluster)): \(last.message)" + (passed.map { "; \($0)" } ?? "; none has passed"),
                    hint: "a restore would likely fail the same way: read the scratch cluster's events and log, fix, then run `paperctl-tui restore drill db` again",
                    command: ctx.kubectl("describe", "cluster", last.cluster))
        }
    }
}
