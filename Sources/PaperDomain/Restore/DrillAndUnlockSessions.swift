import Foundation
import PaperKube

// MARK: - FileDrillSession

/// `restore drill files`: the newest snapshot restored with `--verify` into an emptyDir (limited
/// to the data volume's size), touching nothing. Takes no Lease: it writes nothing of the app's.
public struct FileDrillSession: Sendable {
    public var toolkit: RestoreToolkit

    public init(toolkit: RestoreToolkit) { self.toolkit = toolkit }

    public func run(out: @escaping RestoreSessionOutput) async -> RestoreSessionEnd {
        let config = toolkit.executor.config
        let target = toolkit.executor.target
        let cronJob: Data
        do {
            cronJob = try await toolkit.readCronJob()
        } catch {
            out(.fail("cannot read CronJob \(config.fileBackup.cronJob): \(error.description)"))
            return .notStarted
        }
        out(.say("Restoring the newest snapshot into an emptyDir with --verify, in a Job from CronJob \(config.fileBackup.cronJob)…"))
        // The scratch space is limited to the data volume's size, so the drill cannot fill the node's disk.
        let claimName = config.storage.dataPVC.isEmpty ? "\(config.app.deployment)-data" : config.storage.dataPVC
        let claim = (try? await toolkit.runner.output(of: KubectlCommand(arguments: target.globalArguments + ["get", "persistentvolumeclaims", claimName, "-o", "json"])))
            .flatMap { try? KubeJSON.decode(PersistentVolumeClaim.self, from: $0) }
        let job: ResticJob
        do {
            job = try RestoreToolkit.drillJob(cronJob: cronJob, scratchLimit: (claim?.capacityBytes ?? claim?.requestedBytes).map { "\($0)" },
                                             now: toolkit.executor.now(), namespace: toolkit.executor.target.namespace)
        } catch {
            out(.fail(error.description))
            return .notStarted
        }
        out(.say("  runs exactly: \(toolkit.willRun(job))"))
        let result = await toolkit.drill(job) { _ in }
        out(.journal(result.summary))
        return .of(result.outcome, created: !result.job.isEmpty, said: result.summary, next: result.diagnosis.map { "; next step: \($0.nextStep)" } ?? "", out: out)
    }
}

// MARK: - DatabaseDrillSession

/// `restore drill db`: the newest point into a scratch cluster until healthy, the RTO and the
/// recovered point written to the drill record; `cleanup` deletes the scratch cluster (only one
/// this tool labelled).
public struct DatabaseDrillSession: Sendable {
    public var toolkit: RestoreToolkit

    public init(toolkit: RestoreToolkit) { self.toolkit = toolkit }

    public func run(cleanup: Bool, by: String?, out: @escaping RestoreSessionOutput) async -> RestoreSessionEnd {
        let timeline: DatabaseTimeline
        switch await toolkit.databaseTimelineWithoutFiles(config: toolkit.executor.config) {
        case .timeline(let t): timeline = t
        case .failed(let m):
            out(.fail(m))
            return .notStarted
        }
        let plan: DatabaseRestorePlan
        do {
            plan = try DatabaseRestore.plan(.latest, clusterJSON: timeline.clusterJSON, cluster: timeline.cluster, backups: timeline.backups,
                                            objectStores: timeline.objectStores, namespace: toolkit.executor.target.namespace, drill: true, now: toolkit.executor.now())
        } catch {
            out(.fail("refused: \(error.description)"))
            return .notStarted
        }
        // The server's dry run first, as the wizard asks before its y: nothing it would refuse is created.
        guard await DatabaseRestoreSession.dryRun(toolkit, plan.json, out: out) else { return .notStarted }
        out(.say("Recovering the newest point (\(UTCTime.rfc3339(plan.recoveredTo))) into scratch cluster \(plan.name)…"))
        out(.journal("database drill confirmed (CLI): create scratch cluster \(plan.name), recovering the newest point"))
        let result = await toolkit.databaseDrill(plan, by: by)
        let summary = result.summary
        out(.journal(summary))
        if let failure = result.recordFailure {
            out(.say("The drill record was not written (\(failure)): `check` will not show this drill."))
        } else if result.isRecorded {
            out(.say("Recorded in ConfigMap \(DrillRecord.configMapName): `paperctl-tui check` shows when the last drill passed."))
        }
        let delete = toolkit.deleteDrillClusterCommand(plan.name).displayLine
        if cleanup {
            // Only the cluster this drill created and labelled.
            out(.say("Running: \(delete)"))
            let deleted = await toolkit.deleteDrillCluster(plan.name)
            if !deleted.succeeded { out(.fail("cleanup: \(deleted.message)")) }
        } else {
            out(.say("The scratch cluster stays (its label: paperctl.io/purpose=db-drill); --cleanup deletes it: \(delete)"))
        }
        return .of(result.outcome, created: true, said: summary, out: out)
    }
}

// MARK: - UnlockSession

/// `restore unlock`: `restic unlock` (or `--remove-all`, behind the typed namespace) in a Job from
/// the CronJob's template, refused while a backup Job may hold the lock; when it fails on a lock,
/// whether the holder's pod still exists.
public struct UnlockSession: Sendable {
    public var toolkit: RestoreToolkit

    public init(toolkit: RestoreToolkit) { self.toolkit = toolkit }

    public func run(yes: Bool, removeAll: Bool, confirmNamespace: String?, out: @escaping RestoreSessionOutput) async -> RestoreSessionEnd {
        let config = toolkit.executor.config
        let target = toolkit.executor.target
        let cronJob: Data
        let jobs: [Job]
        do {
            cronJob = try await toolkit.readCronJob()
            let list = try KubeJSON.decode(KubeList.self, from: try await toolkit.runner.output(of: ManualBackup.readJobs(target: target)))
            jobs = list.items.compactMap { if case .job(let j) = $0 { j } else { nil } }
        } catch {
            out(.fail("cannot read CronJob \(config.fileBackup.cronJob) and its Jobs: \(error)"))
            return .notStarted
        }
        let cron = try? KubeJSON.decode(CronJob.self, from: cronJob)
        let active = ManualBackup.activeFileBackups(jobs: jobs, cronJob: cron, config: config)
        if let reason = ManualBackup.fileBackupRefusal(active: active, config: config) {
            out(.fail("\(reason): its restic may still hold the lock; wait for it to end"))
            return .notStarted
        }
        let now = toolkit.executor.now()
        let job: ResticJob
        do {
            job = try RestoreToolkit.unlockJob(cronJob: cronJob, removeAll: removeAll, now: now, namespace: target.namespace)
        } catch {
            out(.fail(error.description))
            return .notStarted
        }
        let create = toolkit.executor.createCommand(job).displayLine
        if removeAll {
            out(.say("This will run exactly: \(toolkit.willRun(job))"))
            guard confirmNamespace == target.namespace else {
                out(.fail("--remove-all removes live locks too: confirm with --confirm-namespace \(target.namespace); nothing was started"))
                return .notStarted
            }
            out(.journal("restic unlock --remove-all confirmed (namespace typed): `\(create)` Job \(job.name): \(job.script)"))
        } else if !yes {
            out(.fail("add --yes to run `restic unlock` in a Job from CronJob \(config.fileBackup.cronJob); nothing was started"))
            return .notStarted
        }
        let unlock = await toolkit.unlock(job) { _ in }
        let result = unlock.result
        let holder = unlock.holder.map { $0.summary(namespace: target.namespace) }
        out(.journal("restic unlock\(removeAll ? " --remove-all" : "") (Job \(job.name)): \(result.outcome.succeeded ? "done" : "FAILED"): \(result.outcome.message)" + (holder.map { "; \($0)" } ?? "")))
        let said = result.log.split(whereSeparator: \.isNewline).last.map(String.init) ?? ""
        var next = ""
        if let h = unlock.holder {
            next = "\n\(h.summary(namespace: target.namespace))" + (h.isGone && !removeAll
                ? "\nthe holder is gone: \((["paperctl-tui", "restore", "unlock", "--remove-all", "--confirm-namespace", target.namespace] + target.connectionArguments + ["-n", target.namespace]).map(KubectlCommand.shellQuoted).joined(separator: " ")) removes the lock (live ones too)"
                : "")
        }
        return .of(result.outcome, created: result.created, said: "\(result.outcome.message): \(said)", next: next, out: out)
    }
}
