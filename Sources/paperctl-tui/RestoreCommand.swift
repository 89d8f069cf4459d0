import ArgumentParser
import Foundation
import PaperDomain
import PaperKube
import PaperRuntime
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

// MARK: - RestoreCommand

/// `paperctl-tui restore files|db|drill|unlock`: the guided restores without the dashboard.
struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Restore files or the database, prove that restores work, or remove a stale restic lock.",
        discussion: "Every subcommand shows its whole plan first; anything destructive asks for the namespace to be typed.",
        subcommands: [RestoreFilesCommand.self, RestoreDatabaseCommand.self, RestoreDrillCommand.self, RestoreUnlockCommand.self]
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

    /// The config, the target and a toolkit on the real kubectl; nil after printing why not.
    func setUp(_ name: String) -> (PaperConfig, KubeTarget, RestoreToolkit, KubectlRunner)? {
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
        let runner = KubectlRunner(executable: executable, timeout: kubectlTimeout ?? config.timeoutSeconds)
        var executor = RestoreExecutor(runner: runner, target: target, config: config, stepTimeout: timeout)
        executor.lease = RestoreLeaseKeeper(runner: runner, target: target)
        return (config, target, RestoreToolkit(executor: executor), runner)
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
        if let reason = skipSafetyBackup, reason.trimmingCharacters(in: .whitespaces).count < 5 {
            throw ValidationError("--skip-safety-backup needs a reason of a few words (it goes into the journal)")
        }
        if skipSafetyBackup != nil && !inPlace { throw ValidationError("--skip-safety-backup only applies to --in-place") }
    }

    func run() async throws {
        let name = "restore files"
        guard let (config, target, toolkit, runner) = options.setUp(name) else { throw ExitCode(1) }
        let journal = JournalFile(environment: ProcessInfo.processInfo.environment, now: Date().timeIntervalSince1970)
        let say = RestoreOutput.say
        // What the cluster looks like, as the dashboard sees it.
        let fetcher = SnapshotFetcher(runner: runner, config: config, target: target, discovery: DiscoveryCache(directory: DiscoveryCache.defaultDirectory()),
                                      clock: { Date().timeIntervalSince1970 })
        let clusterSnapshot = await fetcher.fetch()
        if let error = DashboardRefresher.fatalError(in: clusterSnapshot) {
            RestoreOutput.fail(name, "cannot read the cluster: \(error.message)")
            throw ExitCode(1)
        }
        let facts = ActionFacts.from(clusterSnapshot, config: config)
        let pre = await toolkit.preflight(facts)
        say("Preflight:")
        for line in pre.preflight.lines { say("  \(line.verdict.label.padding(toLength: 7, withPad: " ", startingAt: 0)) \(line.title): \(line.reason)") }
        if pre.preflight.blocksEverything || (inPlace && pre.preflight.blocksInPlace) {
            if let lock = pre.preflight.lock { say("The repository is locked: \(lock.nextStep)") }
            RestoreOutput.fail(name, "refused by the preflight; nothing was started")
            throw ExitCode(1)
        }
        guard let cronJob = pre.cronJob else { throw ExitCode(1) }
        let targetMode: FileRestoreRequest.Target = inPlace ? .inPlace : .sideBySide

        if plan {
            // Nothing runs, so the snapshot is not listed: its root is taken to be the volume's mount path.
            let mount = ResticJob.dataMountPath(cronJob: cronJob, claim: facts.dataVolume?.claim.metadata.name) ?? "/data"
            let placeholder = ResticSnapshot(id: snapshot, shortID: snapshot, time: 0, paths: [mount])
            do {
                let p = try FileRestore.plan(FileRestoreRequest(snapshot: placeholder, path: path, target: targetMode, skipSafetyBackup: skipSafetyBackup),
                                             facts: facts, cronJob: cronJob, neededBytes: nil, now: Date().timeIntervalSince1970)
                say("Plan (nothing was run; the snapshot is resolved and listed when it runs"
                    + (path == nil ? "):" : ", and the files --path matches are counted then: 0 files stops it before anything is written):"))
                say(p.text)
                throw ExitCode(0)
            } catch let refusal as FileRestore.Refusal {
                RestoreOutput.fail(name, refusal.description)
                throw ExitCode(1)
            }
        }

        // The confirmation, before anything is written.
        if inPlace {
            guard confirmNamespace == target.namespace else {
                RestoreOutput.fail(name, "an in-place restore overwrites the live files: confirm with --confirm-namespace \(target.namespace); nothing was started")
                throw ExitCode(1)
            }
        } else if !yes {
            RestoreOutput.fail(name, "add --yes to run the side-by-side restore (or --plan to see it first); nothing was started")
            throw ExitCode(1)
        }

        say("Listing the snapshots in a Job from CronJob \(config.fileBackup.cronJob)…")
        let listing = await toolkit.listSnapshots(cronJob: cronJob)
        if let failure = listing.failure {
            RestoreOutput.fail(name, "the snapshot listing failed: \(failure)" + (listing.diagnosis.map { "; next step: \($0.nextStep)" } ?? ""))
            throw ExitCode(1)
        }
        let matches = snapshot == "latest" ? Array(listing.snapshots.prefix(1)) : listing.snapshots.filter { $0.id.hasPrefix(snapshot) || $0.shortID == snapshot }
        guard matches.count < 2 else {
            RestoreOutput.fail(name, "snapshot \(snapshot) is ambiguous: \(matches.map(\.shortID).joined(separator: ", ")); give more of the id; nothing was started")
            throw ExitCode(1)
        }
        guard let chosen = matches.first else {
            RestoreOutput.fail(name, "no snapshot \(snapshot) among the \(listing.snapshots.count) in the repository; nothing was started")
            throw ExitCode(1)
        }
        let request = FileRestoreRequest(snapshot: chosen, path: path, target: targetMode, skipSafetyBackup: skipSafetyBackup, resticVersion: listing.version)
        // What the path selects in the snapshot: shown in the plan, and 0 files is refused.
        var match: PathMatch?
        if let scope = request.path {
            say("Counting the files /\(scope) matches in snapshot \(chosen.shortID) (restic ls --recursive in a Job)…")
            let counted = await toolkit.matchPath(cronJob: cronJob, snapshot: chosen, path: scope)
            guard let found = counted.match else {
                RestoreOutput.fail(name, "could not count the files /\(scope) matches in snapshot \(chosen.shortID): \(counted.failure ?? "no answer"); nothing was started")
                throw ExitCode(1)
            }
            match = found
        }
        let restorePlan: FileRestorePlan
        do {
            restorePlan = try FileRestore.plan(request, facts: facts, cronJob: cronJob, neededBytes: path == nil ? chosen.totalBytes : nil, now: Date().timeIntervalSince1970,
                                               match: match)
        } catch {
            RestoreOutput.fail(name, "refused: \(error.description); nothing was started")
            throw ExitCode(1)
        }
        say("Plan:")
        say(restorePlan.text)
        RestoreOutput.record(journal, "- \(UTCTime.rfc3339(Date().timeIntervalSince1970)) restore files confirmed (CLI): snapshot \(chosen.shortID), \(request.scopeText), \(targetMode.rawValue)"
            + (skipSafetyBackup.map { "; safety backup skipped: \($0)" } ?? ""))

        let executor = toolkit.executor
        // Ctrl-C, SIGTERM or SIGHUP while a step runs: say how to get back, then stop.
        let current = Mutex<[String]>([])
        let watcher = Task {
            let sig = await ProcessSignals.waitForTermination()
            guard !Task.isCancelled else { return }
            let recovery = current.withLock { $0 }
            RestoreOutput.fail(name, "stopped by signal \(sig) while a step ran; the step may go on in the cluster")
            if !recovery.isEmpty {
                say("To get back:")
                for command in recovery { say("  \(command)") }
            }
            RestoreOutput.record(journal, "- \(UTCTime.rfc3339(Date().timeIntervalSince1970)) restore files stopped by signal \(sig); to get back: \(recovery.joined(separator: "; "))")
            Glibc.exit(130)
        }
        defer { watcher.cancel() }
        // Two operators at once: the restore holds the Lease while it runs; a second one is refused.
        if let refusal = await executor.lease?.acquire(what: "restore files \(targetMode.rawValue): snapshot \(chosen.shortID), \(request.scopeText) (CLI)") {
            RestoreOutput.fail(name, "\(refusal); nothing was started")
            throw ExitCode(1)
        }
        do {
            for (i, step) in restorePlan.steps.enumerated() {
                current.withLock { $0 = restorePlan.recovery(upTo: i) }
                // No writing step starts on a lost Lease: it is taken again first, or the plan stops.
                switch await executor.lease?.permit(step: "step \(i + 1)/\(restorePlan.steps.count): \(step.title)") ?? .granted {
                case .refused(let why):
                    RestoreOutput.fail(name, "step \(i + 1) (\(step.title)) not started: \(why)")
                    RestoreOutput.record(journal, "- \(UTCTime.rfc3339(Date().timeIntervalSince1970)) restore step \(i + 1) not started: \(why)")
                    let recovery = restorePlan.recovery(upTo: i - 1)
                    if !recovery.isEmpty {
                        say("The plan stopped. To get back:")
                        for command in recovery { say("  \(command)") }
                    }
                    throw ExitCode(i == 0 ? 1 : 2)
                case .retaken(let note):
                    RestoreOutput.fail(name, note)
                    RestoreOutput.record(journal, "- \(UTCTime.rfc3339(Date().timeIntervalSince1970)) \(note)")
                case .granted:
                    break
                }
                say("Step \(i + 1)/\(restorePlan.steps.count): \(step.title)")
                RestoreOutput.record(journal, "- \(UTCTime.rfc3339(Date().timeIntervalSince1970)) restore step \(i + 1) started: \(step.title)" + (step.command.map { "\n  `\($0.displayLine)`" } ?? ""))
                if !wait && !inPlace, case .job = step.kind, let command = step.command {
                    // Side by side without --wait: create the Job and leave.
                    if let failure = await executor.execute(command, report: { _ in }) {
                        RestoreOutput.fail(name, failure.message)
                        if case .unknown = failure { throw ExitCode(3) }
                        throw ExitCode(1)
                    }
                    say("created; not waiting (use --wait). Files land in \(restorePlan.targetDirectory)")
                    say("")
                    say("Once the Job has finished:")
                    RestoreOutput.sayWhatNext(FileRestoreAftercare.lines(plan: restorePlan, facts: facts, cronJob: cronJob))
                    RestoreOutput.record(journal, "- \(UTCTime.rfc3339(Date().timeIntervalSince1970)) restore Job created, not waited for")
                    // Nobody renews the Lease after this process ends: it is left on for the Job instead,
                    // naming it, for the step timeout; another restore takes it over once the Job has ended.
                    let jobName = if case .job(let job) = step.kind { job.name } else { "" }
                    if let failure = await executor.lease?.handOver(toJob: jobName, seconds: Int(options.timeout)) {
                        RestoreOutput.fail(name, "the restore Lease is NOT held while Job \(jobName) runs (\(failure)): another restore could start meanwhile")
                    } else {
                        say("The restore Lease \(RestoreLease.name) stays on for Job \(jobName), not renewed: it is free once the Job has ended, at the latest in \(UTCTime.humanDuration(options.timeout)) (--timeout).")
                    }
                    throw ExitCode(0)
                }
                let lastLine = LastLine()
                let outcome = await executor.run(step) { progress in
                    if progress.leaseLost {
                        RestoreOutput.fail(name, progress.text)
                        RestoreOutput.record(journal, "- \(UTCTime.rfc3339(Date().timeIntervalSince1970)) \(progress.text)")
                    } else if lastLine.changed(progress.text) {
                        say("  \(progress.text)")
                    }
                }
                RestoreOutput.record(journal, "- \(UTCTime.rfc3339(Date().timeIntervalSince1970)) restore step \(i + 1) \(outcome.succeeded ? "done" : "FAILED"): \(outcome.message)")
                switch outcome {
                case .done(let message):
                    say("  done: \(message)")
                case .failed(let message), .unknown(let message):
                    RestoreOutput.fail(name, "step \(i + 1) (\(step.title)) \(outcome.succeeded ? "" : "failed"): \(message)")
                    let recovery = restorePlan.recovery(upTo: i)
                    if !recovery.isEmpty {
                        say("The plan stopped. To get back:")
                        for command in recovery { say("  \(command)") }
                    }
                    if case .unknown = outcome { throw ExitCode(3) }
                    throw ExitCode(2)
                }
            }
            say("Restore finished: \(request.scopeText) of snapshot \(chosen.shortID) \(targetMode.rawValue) in \(restorePlan.targetDirectory)")
            RestoreOutput.record(journal, "- \(UTCTime.rfc3339(Date().timeIntervalSince1970)) restore files finished: \(restorePlan.targetDirectory)")
            say("")
            let aftercare = FileRestoreAftercare.lines(plan: restorePlan, facts: facts, cronJob: cronJob)
            RestoreOutput.sayWhatNext(aftercare)
            let commands = aftercare.filter { $0.kind == .command }.map { "  `\($0.text)`" }
            if !commands.isEmpty {
                RestoreOutput.record(journal, "- \(UTCTime.rfc3339(Date().timeIntervalSince1970)) restore files: what next, commands printed:\n" + commands.joined(separator: "\n"))
            }
            throw ExitCode(0)
        } catch {
            if let failure = await executor.lease?.release() { RestoreOutput.fail(name, failure) }
            throw error
        }
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
        guard let (config, target, toolkit, runner) = options.setUp(cmd) else { throw ExitCode(1) }
        let say = RestoreOutput.say
        let journal = JournalFile(environment: ProcessInfo.processInfo.environment, now: Date().timeIntervalSince1970)
        let now = Date().timeIntervalSince1970
        let point: RestorePoint
        do {
            point = try RestorePoint.parse(to, now: now)
        } catch {
            RestoreOutput.fail(cmd, "--to: \(error.description)")
            throw ExitCode(1)
        }
        let clusterJSON: Data
        let cluster: CNPGCluster
        let backups: [CNPGBackup]
        var stores: [BarmanObjectStore] = []
        do {
            clusterJSON = try await runner.output(of: ManualBackup.readCluster(config: config, target: target))
            cluster = try KubeJSON.decode(CNPGCluster.self, from: clusterJSON)
            backups = try KubeJSON.decode(KubeList.self, from: try await runner.output(of: ManualBackup.readBackups(target: target))).items.compactMap { if case .cnpgBackup(let b) = $0 { b } else { nil } }
            if case .plugin = cluster.backupConfiguration {
                let list = try await runner.output(of: KubectlCommand(arguments: target.globalArguments + ["get", ResourceKind.barmanObjectStore.qualifiedName, "-o", "json"]))
                stores = try KubeJSON.decode(KubeList.self, from: list).items.compactMap { if case .barmanObjectStore(let s) = $0 { s } else { nil } }
            }
        } catch {
            RestoreOutput.fail(cmd, "cannot read cluster \(config.database.cluster), its Backups or its ObjectStore: \(error)")
            throw ExitCode(1)
        }
        let restorePlan: DatabaseRestorePlan
        do {
            restorePlan = try DatabaseRestore.plan(point, clusterJSON: clusterJSON, cluster: cluster, backups: backups, objectStores: stores,
                                                   namespace: target.namespace, name: name, now: now)
        } catch {
            RestoreOutput.fail(cmd, "refused: \(error.description)")
            throw ExitCode(1)
        }
        say("Recoverability window: \(restorePlan.window.text) (\(restorePlan.window.source))")
        // A time typed in a zone is shown back in it, UTC beside it; UTC alone with the local time where TZ is set.
        let recoversTo = RestorePoint.echo(to, at: restorePlan.recoveredTo) ?? UTCTime.withLocal(restorePlan.recoveredTo)
        say("Recovers to: \(recoversTo) (the database: exact, inside the window)" + (restorePlan.target.map { "; target \($0)" } ?? "; all archived WAL"))
        for note in restorePlan.notes { say("note: \(note)") }
        say("New cluster \(restorePlan.name) (the live cluster \(cluster.metadata.name) is not touched):")
        say(restorePlan.yaml)
        if plan { throw ExitCode(0) }
        let stdin = Data(restorePlan.json.utf8)
        let dryRun = KubectlCommand(arguments: target.connectionArguments + ["create", "--dry-run=server", "-f", "-", "-n", target.namespace], stdin: stdin)
        do {
            let out = try await runner.run(dryRun)
            guard out.succeeded else {
                RestoreOutput.fail(cmd, "the API server rejected the manifest (kubectl create --dry-run=server): \(out.stderr.trimmingCharacters(in: .whitespacesAndNewlines)); nothing was created")
                throw ExitCode(1)
            }
            say("kubectl create --dry-run=server: accepted")
        } catch let error as KubectlError {
            RestoreOutput.fail(cmd, "the dry run could not run: \(error.description); nothing was created")
            throw ExitCode(1)
        }
        guard yes else {
            RestoreOutput.fail(cmd, "add --yes to create \(restorePlan.name) (or --plan to see it only); nothing was created")
            throw ExitCode(1)
        }
        let create = KubectlCommand(arguments: target.connectionArguments + ["create", "-f", "-", "-n", target.namespace],
                                    logPolicy: .action(title: "Create recovery cluster \(restorePlan.name)"), stdin: stdin)
        if let refusal = await toolkit.executor.lease?.acquire(what: "restore db into new cluster \(restorePlan.name), to \(restorePlan.target ?? "latest") (CLI)") {
            RestoreOutput.fail(cmd, "\(refusal); nothing was created")
            throw ExitCode(1)
        }
        do {
            say("Running: \(create.displayLine) <<'EOF' (the manifest above) EOF")
            RestoreOutput.record(journal, "- \(UTCTime.rfc3339(Date().timeIntervalSince1970)) restore db confirmed (CLI): new cluster \(restorePlan.name) to \(restorePlan.target ?? "latest")")
            if let failure = await toolkit.executor.execute(create, report: { _ in }) {
                RestoreOutput.fail(cmd, failure.message)
                if case .unknown = failure { throw ExitCode(3) }
                throw ExitCode(1)
            }
            guard wait else {
                say("created; not waiting (use --wait). Follow it: \(KubectlCommand(arguments: target.connectionArguments + ["get", "cluster", restorePlan.name, "-n", target.namespace, "-w"]).displayLine)")
                throw ExitCode(0)
            }
            let started = Date().timeIntervalSince1970
            let last = LastLine()
            let outcome = await toolkit.executor.waitForCluster(restorePlan.name) { p in
                if p.leaseLost {
                    RestoreOutput.fail(cmd, p.text)
                    RestoreOutput.record(journal, "- \(UTCTime.rfc3339(Date().timeIntervalSince1970)) \(p.text)")
                } else if last.changed(p.text) {
                    say("  \(p.text)")
                }
            }
            RestoreOutput.record(journal, "- \(UTCTime.rfc3339(Date().timeIntervalSince1970)) restore db: \(outcome.message)")
            switch outcome {
            case .done(let message):
                say("\(message) in \(UTCTime.humanDuration(Date().timeIntervalSince1970 - started)) (the RTO); recovered to \(UTCTime.rfc3339(restorePlan.recoveredTo))")
                let argo = (try? await runner.output(of: KubectlCommand(arguments: target.globalArguments + ["get", "deployments.apps", config.app.deployment, "-o", "json"])))
                    .map { String(decoding: $0, as: UTF8.self).contains("argocd.argoproj.io") } ?? false
                say("Cutover (the tool does none of it):")
                let cutover = DatabaseRestore.cutover(newName: restorePlan.name, live: cluster.metadata.name, target: target,
                                                      argoManaged: argo, deployment: config.app.deployment).enumerated().map { "  \($0.offset + 1). \($0.element)" }
                for step in cutover { say(step) }
                RestoreOutput.record(journal, "- \(UTCTime.rfc3339(Date().timeIntervalSince1970)) restore db: cutover, yours to run:\n" + cutover.joined(separator: "\n"))
                throw ExitCode(0)
            case .failed(let message):
                RestoreOutput.fail(cmd, "the recovery of \(restorePlan.name) failed: \(message)")
                throw ExitCode(2)
            case .unknown(let message):
                RestoreOutput.fail(cmd, message)
                throw ExitCode(3)
            }
        } catch {
            if let failure = await toolkit.executor.lease?.release() { RestoreOutput.fail(cmd, failure) }
            throw error
        }
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
        if what == .db { try await drillDatabase() }
        let name = "restore drill"
        guard let (config, target, toolkit, runner) = options.setUp(name) else { throw ExitCode(1) }
        let read = KubectlCommand(arguments: target.globalArguments + ["get", "cronjobs.batch", config.fileBackup.cronJob, "-o", "json"])
        let cronJob: Data
        do {
            cronJob = try await runner.output(of: read)
        } catch {
            RestoreOutput.fail(name, "cannot read CronJob \(config.fileBackup.cronJob): \(error.description)")
            throw ExitCode(1)
        }
        RestoreOutput.say("Restoring the newest snapshot into an emptyDir with --verify, in a Job from CronJob \(config.fileBackup.cronJob)…")
        // The scratch space is limited to the data volume's size, so the drill cannot fill the node's disk.
        let claim = (try? await runner.output(of: KubectlCommand(arguments: target.globalArguments + ["get", "persistentvolumeclaims", config.storage.dataPVC.isEmpty ? "\(config.app.deployment)-data" : config.storage.dataPVC, "-o", "json"])))
            .flatMap { try? KubeJSON.decode(PersistentVolumeClaim.self, from: $0) }
        let result = await toolkit.drill(cronJob: cronJob, scratchLimit: (claim?.capacityBytes ?? claim?.requestedBytes).map { "\($0)" }) { _ in }
        let journal = JournalFile(environment: ProcessInfo.processInfo.environment, now: Date().timeIntervalSince1970)
        RestoreOutput.record(journal, "- \(UTCTime.rfc3339(Date().timeIntervalSince1970)) \(result.summary)")
        throw RestoreOutput.exit(name, result.outcome, created: !result.job.isEmpty, said: result.summary,
                                 next: result.diagnosis.map { "; next step: \($0.nextStep)" } ?? "")
    }

    /// The newest point into a scratch cluster, until healthy: the RTO and the recovered point.
    func drillDatabase() async throws {
        let name = "restore drill db"
        guard let (config, target, toolkit, _) = options.setUp(name) else { throw ExitCode(1) }
        let journal = JournalFile(environment: ProcessInfo.processInfo.environment, now: Date().timeIntervalSince1970)
        let timeline: DatabaseTimeline
        switch await toolkit.databaseTimelineWithoutFiles(config: config) {
        case .timeline(let t): timeline = t
        case .failed(let m):
            RestoreOutput.fail(name, m)
            throw ExitCode(1)
        }
        let plan: DatabaseRestorePlan
        do {
            plan = try DatabaseRestore.plan(.latest, clusterJSON: timeline.clusterJSON, cluster: timeline.cluster, backups: timeline.backups,
                                            objectStores: timeline.objectStores, namespace: target.namespace, drill: true, now: Date().timeIntervalSince1970)
        } catch {
            RestoreOutput.fail(name, "refused: \(error.description)")
            throw ExitCode(1)
        }
        RestoreOutput.say("Recovering the newest point (\(UTCTime.rfc3339(plan.recoveredTo))) into scratch cluster \(plan.name)…")
        let result = await toolkit.databaseDrill(plan, by: OperatorIdentity.current())
        let summary = result.summary
        RestoreOutput.record(journal, "- \(UTCTime.rfc3339(Date().timeIntervalSince1970)) \(summary)")
        if let failure = result.recordFailure {
            RestoreOutput.say("The drill record was not written (\(failure)): `check` will not show this drill.")
        } else if result.isRecorded {
            RestoreOutput.say("Recorded in ConfigMap \(DrillRecord.configMapName): `paperctl-tui check` shows when the last drill passed.")
        }
        if cleanup {
            // Only the cluster this drill created and labelled.
            RestoreOutput.say("Running: \(toolkit.deleteDrillClusterCommand(plan.name).displayLine)")
            let deleted = await toolkit.deleteDrillCluster(plan.name)
            if !deleted.succeeded { RestoreOutput.fail(name, "cleanup: \(deleted.message)") }
        } else {
            RestoreOutput.say("The scratch cluster stays (its label: paperctl.io/purpose=db-drill); --cleanup deletes it: \(toolkit.deleteDrillClusterCommand(plan.name).displayLine)")
        }
        let outcome = result.outcome
        throw RestoreOutput.exit(name, outcome, created: true, said: summary)
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
        guard let (config, target, toolkit, runner) = options.setUp(name) else { throw ExitCode(1) }
        let cronJob: Data
        let jobs: [Job]
        do {
            cronJob = try await runner.output(of: KubectlCommand(arguments: target.globalArguments + ["get", "cronjobs.batch", config.fileBackup.cronJob, "-o", "json"]))
            let list = try KubeJSON.decode(KubeList.self, from: try await runner.output(of: ManualBackup.readJobs(target: target)))
            jobs = list.items.compactMap { if case .job(let j) = $0 { j } else { nil } }
        } catch {
            RestoreOutput.fail(name, "cannot read CronJob \(config.fileBackup.cronJob) and its Jobs: \(error)")
            throw ExitCode(1)
        }
        let cron = try? KubeJSON.decode(CronJob.self, from: cronJob)
        let active = ManualBackup.activeFileBackups(jobs: jobs, cronJob: cron, config: config)
        if let reason = ManualBackup.fileBackupRefusal(active: active, config: config) {
            RestoreOutput.fail(name, "\(reason): its restic may still hold the lock; wait for it to end")
            throw ExitCode(1)
        }
        let now = Date().timeIntervalSince1970
        let job: ResticJob
        do {
            job = try RestoreToolkit.unlockJob(cronJob: cronJob, removeAll: removeAll, now: now, namespace: target.namespace)
        } catch {
            RestoreOutput.fail(name, error.description)
            throw ExitCode(1)
        }
        let create = KubectlCommand(arguments: target.connectionArguments + ["create", "-f", "-", "-n", target.namespace]).displayLine
        let journal = JournalFile(environment: ProcessInfo.processInfo.environment, now: now)
        if removeAll {
            RestoreOutput.say("This will run exactly: \(create)   (Job \(job.name): \(job.script), from CronJob \(config.fileBackup.cronJob)'s template)")
            guard confirmNamespace == target.namespace else {
                RestoreOutput.fail(name, "--remove-all removes live locks too: confirm with --confirm-namespace \(target.namespace); nothing was started")
                throw ExitCode(1)
            }
            RestoreOutput.record(journal, "- \(UTCTime.rfc3339(now)) restic unlock --remove-all confirmed (namespace typed): `\(create)` Job \(job.name): \(job.script)")
        } else if !yes {
            RestoreOutput.fail(name, "add --yes to run `restic unlock` in a Job from CronJob \(config.fileBackup.cronJob); nothing was started")
            throw ExitCode(1)
        }
        let unlock = await toolkit.unlock(job) { _ in }
        let result = unlock.result
        let holder = unlock.holder.map { $0.summary(namespace: target.namespace) }
        RestoreOutput.record(journal, "- \(UTCTime.rfc3339(Date().timeIntervalSince1970)) restic unlock\(removeAll ? " --remove-all" : "") (Job \(job.name)): \(result.outcome.succeeded ? "done" : "FAILED"): \(result.outcome.message)" + (holder.map { "; \($0)" } ?? ""))
        let said = result.log.split(whereSeparator: \.isNewline).last.map(String.init) ?? ""
        var next = ""
        if let h = unlock.holder {
            next = "\n\(h.summary(namespace: target.namespace))" + (h.isGone && !removeAll
                ? "\nthe holder is gone: \((["paperctl-tui", "restore", "unlock", "--remove-all", "--confirm-namespace", target.namespace] + target.connectionArguments + ["-n", target.namespace]).map(KubectlCommand.shellQuoted).joined(separator: " ")) removes the lock (live ones too)"
                : "")
        }
        throw RestoreOutput.exit(name, result.outcome, created: result.created, said: "\(result.outcome.message): \(said)", next: next)
    }
}

// MARK: - Output

enum RestoreOutput {
    /// Prints lines redacted, with control characters escaped (a plan's newlines kept).
    static let say: @Sendable (String) -> Void = { line in
        print(TerminalText.safe(Redactor.redact(line), newlines: true))
        fflush(nil)
    }

    /// The "what next" block after a file restore, its commands indented to copy.
    static func sayWhatNext(_ aftercare: [FileRestoreAftercare.Line]) {
        for line in aftercare { say(line.kind == .command ? "     \(line.text)" : line.text) }
    }

    /// Appends to the journal; a failed write is said on stderr, as it happens.
    static func record(_ journal: JournalFile, _ text: String) {
        guard let reason = journal.append(text) else { return }
        FileHandle.standardError.write(Data("paperctl-tui: incident journal NOT written: \(TerminalText.safe(reason))\n".utf8))
    }

    /// Prints how a Job-backed command ended and gives its exit status: 0 done, 1 nothing was
    /// created, 2 it failed, 3 unknown.
    static func exit(_ command: String, _ outcome: RestoreExecutor.Outcome, created: Bool, said: String, next: String = "") -> ExitCode {
        switch outcome {
        case .done:
            RestoreOutput.say(said)
            return ExitCode(0)
        case .failed(let message):
            fail(command, (created ? said : message) + next)
            return ExitCode(created ? 2 : 1)
        case .unknown(let message):
            fail(command, message)
            return ExitCode(3)
        }
    }

    static func fail(_ command: String, _ message: String) {
        FileHandle.standardError.write(Data("paperctl-tui \(command): \(TerminalText.safe(Redactor.redact(message), newlines: true))\n".utf8))
    }
}

/// Prints a progress line only when it changed.
final class LastLine: Sendable {
    private let last = Mutex("")

    func changed(_ text: String) -> Bool {
        last.withLock { last in
            guard text != last else { return false }
            last = text
            return true
        }
    }
}
