import Foundation
import PaperDomain
import PaperKube
import PaperUI

// MARK: - Services

/// Every side effect the dashboard can ask for, injected: the real ones are wired in the
/// executable (`Services.live`), tests pass fakes. Nothing else in the app loop does I/O.
public struct Services: Sendable {
    /// Takes one snapshot and judges it.
    public var refresh: @Sendable () async -> Result<DashboardData, RefreshError>
    /// Runs a confirmed action through the kubectl runner.
    public var runAction: @Sendable (ActionPlan) async -> ActionOutcome
    /// Appends one entry to today's journal (redacted, flushed); nil when written, else why not.
    /// Called off the UI actor, one entry after another.
    public var appendJournal: @Sendable (String) -> String?
    /// Today's journal, for the `J` overlay.
    public var readJournal: @Sendable () -> [String]
    /// Writes the post-incident report of the newest incident to a new file beside the journal
    /// (the `J` view's `w`). Called off the UI actor.
    public var writeReport: @Sendable () -> ReportWriteOutcome
    /// Follows a log: calls `deliver` with batches of lines until the stream ends; returns why it ended.
    public var streamLogs: @Sendable (LogStreamRequest, @escaping @Sendable ([String]) -> Void) async -> String
    /// Runs a restore task (a listing Job, the unlock, the database), reporting progress.
    public var restore: @Sendable (RestoreTask, @escaping @Sendable (RestoreExecutor.Progress) -> Void) async -> RestoreTaskResult
    /// Runs a confirmed restore plan through the one plan runner, under the restore Lease taken
    /// for the text given; `event` is told what happens, the result is how it ended.
    public var runPlan: @Sendable ([RestoreStep], String, @escaping @Sendable (RestorePlanRunner.Event) -> Void) async -> RestorePlanRunner.Result
    /// Reads what the object view shows: the manifest (masked) and a Job's log tail.
    public var readObject: @Sendable (ObjectReadRequest) async -> ObjectReadResult
    /// Seconds since the epoch.
    public var clock: @Sendable () -> Double
    /// Waits (a log reconnect's delay); tests make it instant.
    public var sleep: @Sendable (Double) async -> Void

    public init(refresh: @escaping @Sendable () async -> Result<DashboardData, RefreshError>,
                runAction: @escaping @Sendable (ActionPlan) async -> ActionOutcome,
                appendJournal: @escaping @Sendable (String) -> String?,
                readJournal: @escaping @Sendable () -> [String],
                writeReport: @escaping @Sendable () -> ReportWriteOutcome = { .failed("reports are not wired") },
                streamLogs: @escaping @Sendable (LogStreamRequest, @escaping @Sendable ([String]) -> Void) async -> String,
                restore: @escaping @Sendable (RestoreTask, @escaping @Sendable (RestoreExecutor.Progress) -> Void) async -> RestoreTaskResult = { task, _ in
                    return .unlocked(RestoreToolkit.UnlockResult(job: nil, result: RestoreExecutor.JobResult(outcome: .failed("restores are not wired"), log: "")))
                },
                runPlan: @escaping @Sendable ([RestoreStep], String, @escaping @Sendable (RestorePlanRunner.Event) -> Void) async -> RestorePlanRunner.Result = { _, _, _ in
                    .refused("restores are not wired")
                },
                readObject: @escaping @Sendable (ObjectReadRequest) async -> ObjectReadResult = { request in
                    ObjectReadResult(manifest: .failed("reads are not wired"), log: request.log.map { _ in .failed("reads are not wired") })
                },
                clock: @escaping @Sendable () -> Double,
                sleep: @escaping @Sendable (Double) async -> Void = { try? await Task.sleep(for: .milliseconds(Int($0 * 1000))) }) {
        self.readObject = readObject
        self.refresh = refresh
        self.runAction = runAction
        self.appendJournal = appendJournal
        self.readJournal = readJournal
        self.writeReport = writeReport
        self.streamLogs = streamLogs
        self.restore = restore
        self.runPlan = runPlan
        self.clock = clock
        self.sleep = sleep
    }

    /// The real services: one recording kubectl runner for reads, actions and streams, the
    /// snapshot refresher, and today's journal file.
    public static func live(runner: RecordingRunner, refresher: DashboardRefresher, journal: JournalFile, version: String = "dev",
                            clock: @escaping @Sendable () -> Double) -> Services {
        // A large restore takes hours; past 6 h a step's outcome is called unknown (the Job goes on).
        var executor = RestoreExecutor(runner: runner, target: refresher.target, config: refresher.config, now: clock, stepTimeout: 6 * 3600)
        executor.lease = RestoreLeaseKeeper(runner: runner, target: refresher.target, clock: clock)
        let toolkit = RestoreToolkit(executor: executor)
        return Services(
            refresh: { await refresher.refresh() },
            runAction: { plan in await ActionExecution.run(plan, runner: runner) },
            appendJournal: { journal.append($0) },
            readJournal: { journal.read() },
            writeReport: { ReportFile.write(journal: journal, now: clock(), version: version) },
            streamLogs: { request, deliver in
                switch await runner.follow(KubectlCommand(arguments: request.arguments), deliver: deliver) {
                case .ended: "ended"
                case .cancelled: "closed"
                case .failed(let error): Redactor.redact(error.description)
                }
            },
            restore: { task, report in await RestoreTasks.run(task, toolkit: toolkit, report: report) },
            runPlan: { steps, what, event in await toolkit.planRunner.run(steps, what: what, event: event) },
            readObject: { request in await ObjectReads.run(request, runner: runner, discovery: refresher.discovery, target: refresher.target) },
            clock: clock)
    }
}

// MARK: - ObjectReads

/// The object view's reads, through the one kubectl runner: the manifest as JSON (masked and
/// shown as YAML), and a Job pod's log tail, from the refresh's cache of finished pods' logs
/// when it has it (the same read fills it).
public enum ObjectReads {
    public static func run(_ request: ObjectReadRequest, runner: any CommandRunning, discovery: DiscoveryCache, target: KubeTarget) async -> ObjectReadResult {
        let manifest: ObjectViewState.Part
        do throws(KubectlError) {
            manifest = .loaded(ObjectYAML.shown(json: try await runner.output(of: KubectlCommand(arguments: request.manifest))))
        } catch {
            manifest = .failed(Redactor.redact(error.description))
        }
        guard let tail = request.log else { return ObjectReadResult(manifest: manifest) }
        if tail.finished, let cached = await discovery.finishedLog(pod: tail.cacheKey, target: target) {
            return ObjectReadResult(manifest: manifest, log: .loaded(Redactor.redact(cached)))
        }
        do throws(KubectlError) {
            let data = try await runner.output(of: KubectlCommand.podLogTail(pod: tail.pod, container: tail.container, tailLines: tail.tailLines, target: target))
            let text = String(decoding: data, as: UTF8.self)
            if tail.finished { await discovery.setFinishedLog(text, pod: tail.cacheKey, target: target) }
            return ObjectReadResult(manifest: manifest, log: .loaded(Redactor.redact(text)))
        } catch {
            return ObjectReadResult(manifest: manifest, log: .failed(Redactor.redact(error.description)))
        }
    }
}

// MARK: - RestoreTasks

/// What each restore task does, through the toolkit (and so through the one kubectl runner).
public enum RestoreTasks {
    public static func run(_ task: RestoreTask, toolkit: RestoreToolkit, report: @escaping @Sendable (RestoreExecutor.Progress) -> Void) async -> RestoreTaskResult {
        switch task {
        case .preflight(let facts): .preflight(await toolkit.preflight(facts))
        case .listSnapshots(let job): .snapshots(await toolkit.listSnapshots(job, report: report))
        case .listFiles(let job, let snapshot, let directory): .files(await toolkit.listFiles(job, snapshot: snapshot, directory: directory, report: report))
        case .matchPath(let job, let snapshot, let path): .matched(await toolkit.matchPath(job, snapshot: snapshot, path: path, report: report))
        case .drill(let job): .drilled(await toolkit.drill(job, report: report))
        case .dbTimeline(let facts): .timeline(await toolkit.databaseTimeline(facts))
        case .dbDrillTimeline(let facts): .timeline(await toolkit.databaseTimeline(facts, listFiles: false))
        case .dbDrill(let plan): .dbDrilled(await toolkit.databaseDrill(plan, by: OperatorIdentity.current(), report: report))
        case .dbDrillCleanup(let name): .cleaned(await toolkit.deleteDrillCluster(name, report: report))
        case .dbDryRun(let json): .dryRun(await toolkit.dryRun(json))
        case .unlock(let job): .unlocked(await toolkit.unlock(job, report: report))
        case .runPlan(let steps, let what):
            // Run through `Services.runPlan` (its events are not progress lines); here only for completeness.
            .plan(await toolkit.planRunner.run(steps, what: what) { event in
                if case .progress(_, let progress) = event { report(progress) }
            })
        }
    }
}

extension RestoreTasks {
    /// The cluster as the dashboard sees it, for a restore started from the command line: the
    /// facts the plans are made from, or why the cluster cannot be read.
    public static func facts(runner: any CommandRunning, config: PaperConfig, target: KubeTarget) async -> Result<ActionFacts, RefreshError> {
        let fetcher = SnapshotFetcher(runner: runner, config: config, target: target, discovery: DiscoveryCache(directory: DiscoveryCache.defaultDirectory()),
                                      clock: { Date().timeIntervalSince1970 })
        let snapshot = await fetcher.fetch()
        if let error = DashboardRefresher.fatalError(in: snapshot) { return .failure(error) }
        return .success(ActionFacts.from(snapshot, config: config))
    }
}

// MARK: - ActionExecution

/// Runs a confirmed plan and turns kubectl's answer into one redacted line.
public enum ActionExecution {
    public static func run(_ plan: ActionPlan, runner: any CommandRunning) async -> ActionOutcome {
        do {
            let out = try await runner.run(plan.command)
            let text = out.succeeded ? String(decoding: out.stdout, as: UTF8.self) : out.stderr
            let line = text.split(separator: "\n").first.map(String.init) ?? (out.succeeded ? "done" : "exit \(out.exitStatus)")
            return ActionOutcome(plan: plan, succeeded: out.succeeded, message: Redactor.redact(line))
        } catch {
            if case .timeout = error {
                return ActionOutcome(plan: plan, succeeded: false, message: "\(Redactor.redact(error.description)); it may have happened: check \(plan.objectName) before retrying", unknown: true)
            }
            return ActionOutcome(plan: plan, succeeded: false, message: Redactor.redact(error.description))
        }
    }
}
