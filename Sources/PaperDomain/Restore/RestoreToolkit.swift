import Foundation
import PaperKube

// MARK: - RestoreToolkit

/// The reads and read-only restic Jobs a file restore needs before its plan: the preflight,
/// the snapshot list, a snapshot's tree, the unlock, the drill. The CLI runs them in order; the
/// wizard runs each as an effect. Every kubectl call goes through the executor's runner.
public struct RestoreToolkit: Sendable {
    public var executor: RestoreExecutor

    public init(executor: RestoreExecutor) { self.executor = executor }

    var runner: any CommandRunning { executor.runner }

    // MARK: Preflight

    public struct PreflightResult: Sendable, Equatable {
        public var preflight: RestorePreflight
        /// The CronJob as JSON: the Jobs are built from its template.
        public var cronJob: Data?

        public init(preflight: RestorePreflight, cronJob: Data?) {
            self.preflight = preflight
            self.cronJob = cronJob
        }
    }

    /// Asks RBAC, reads the CronJob and the newest failed backup's log, and judges.
    public func preflight(_ known: ActionFacts) async -> PreflightResult {
        var facts = known
        func output(_ read: RestorePreflight.Read) async -> CommandOutput? {
            guard let command = RestorePreflight.command(read, facts: facts) else { return nil }
            return try? await runner.run(command)
        }
        // The Jobs as they are now: a restore or backup that ended a moment ago is not "still active"
        // because the dashboard's last refresh saw it running. Unreadable: the refresh's Jobs stand.
        if let out = await output(.jobs), out.succeeded, let list = try? KubeJSON.decode(KubeList.self, from: out.stdout) {
            facts.jobs = BackupJobs.ofCronJob(list.items.compactMap { if case .job(let job) = $0 { job } else { nil } }, config: facts.config)
        }
        let canCreate = RestorePreflight.allowed(await output(.canCreateJobs))
        let canScale = RestorePreflight.allowed(await output(.canScale))
        let cron = await output(.cronJob).flatMap { $0.succeeded ? $0.stdout : nil }
        let log = await output(.lastFailedLog).map { String(decoding: $0.stdout, as: UTF8.self) }
        let preflight = RestorePreflight.evaluate(facts, canCreateJobs: canCreate, canScale: canScale, cronJobJSON: cron, lastFailedLog: log, now: executor.now())
        return PreflightResult(preflight: preflight, cronJob: cron)
    }

    // MARK: Listing

    public struct SnapshotListing: Sendable, Equatable {
        public var job: String
        public var snapshots: [ResticSnapshot]
        public var version: ResticVersion?
        /// Why the listing failed, in restic's words.
        public var failure: String?
        public var diagnosis: ResticDiagnosis?

        public init(job: String, snapshots: [ResticSnapshot], version: ResticVersion? = nil, failure: String? = nil, diagnosis: ResticDiagnosis? = nil) {
            self.job = job
            self.snapshots = snapshots
            self.version = version
            self.failure = failure
            self.diagnosis = diagnosis
        }
    }

    /// The snapshot listing Job, built once: what the wizard shows is the Job that runs.
    public static func snapshotsJob(cronJob: Data, now: Double, namespace: String) throws(ResticJob.BuildError) -> ResticJob {
        try ResticJob.build(cronJob: cronJob, purpose: .snapshots, script: ResticJob.snapshotsScript, now: now, namespace: namespace)
    }

    /// `restic snapshots --json` in a Job from the CronJob's template.
    public func listSnapshots(cronJob: Data, report: @escaping @Sendable (RestoreExecutor.Progress) -> Void = { _ in }) async -> SnapshotListing {
        do {
            return await listSnapshots(try Self.snapshotsJob(cronJob: cronJob, now: executor.now(), namespace: executor.target.namespace), report: report)
        } catch {
            return SnapshotListing(job: "", snapshots: [], failure: error.description)
        }
    }

    /// Runs a snapshot listing Job already built (`snapshotsJob`) and reads its list.
    public func listSnapshots(_ job: ResticJob, report: @escaping @Sendable (RestoreExecutor.Progress) -> Void = { _ in }) async -> SnapshotListing {
        let result = await executor.runJob(job, report: report)
        guard result.outcome.succeeded else {
            return SnapshotListing(job: job.name, snapshots: [], version: ResticOutput.version(in: result.log), failure: result.outcome.message, diagnosis: result.diagnosis)
        }
        do {
            return SnapshotListing(job: job.name, snapshots: try ResticOutput.snapshots(in: result.log), version: ResticOutput.version(in: result.log))
        } catch {
            return SnapshotListing(job: job.name, snapshots: [], version: ResticOutput.version(in: result.log), failure: "the listing printed no snapshot list: \(error.description)")
        }
    }

    public struct FileListing: Sendable, Equatable {
        public var job: String
        /// Paths relative to the snapshot's root, directories first level by level.
        public var nodes: [ResticNode]
        /// The sum of the file sizes: what restoring everything writes.
        public var totalBytes: Int
        public var failure: String?
        /// The same directory on the live volume, when the Job could list it.
        public var live: LiveListing?

        public init(job: String, nodes: [ResticNode], totalBytes: Int, failure: String? = nil, live: LiveListing? = nil) {
            self.job = job
            self.nodes = nodes
            self.totalBytes = totalBytes
            self.failure = failure
            self.live = live
        }

        /// The entries the snapshot has and the live volume lacks (empty when the live side is unknown).
        public var missingLive: [ResticNode] { live?.missing(nodes) ?? [] }
    }

    /// `restic ls --json <snapshot> <root>/<directory>` in a Job: the directory's direct entries,
    /// paths made relative to the snapshot's root ("" lists the root). The same Job lists the
    /// directory on the live volume (mounted read-only from the template) to compare.
    public func listFiles(cronJob: Data, snapshot: ResticSnapshot, directory: String = "", report: @escaping @Sendable (RestoreExecutor.Progress) -> Void = { _ in }) async -> FileListing {
        do {
            let job = try Self.filesJob(cronJob: cronJob, snapshot: snapshot, directory: directory, now: executor.now(), namespace: executor.target.namespace)
            return await listFiles(job, snapshot: snapshot, directory: directory, report: report)
        } catch {
            return FileListing(job: "", nodes: [], totalBytes: 0, failure: error.description)
        }
    }

    /// The `restic ls` Job of one directory of the snapshot (and of the live volume's), built once.
    public static func filesJob(cronJob: Data, snapshot: ResticSnapshot, directory: String, now: Double, namespace: String) throws(ResticJob.BuildError) -> ResticJob {
        let root = snapshot.root ?? ""
        let dir = directory.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        let absolute = dir.isEmpty ? root : "\(root)/\(dir)"
        let live = ResticJob.dataMountPath(cronJob: cronJob, claim: nil).map { dir.isEmpty ? $0 : "\($0)/\(dir)" }
        return try ResticJob.build(cronJob: cronJob, purpose: .files, script: ResticJob.filesScript(snapshot: snapshot.id, directory: absolute, liveDirectory: live),
                                   now: now, namespace: namespace)
    }

    /// Runs a listing Job already built (`filesJob` for `snapshot` and `directory`) and reads its entries.
    public func listFiles(_ job: ResticJob, snapshot: ResticSnapshot, directory: String, report: @escaping @Sendable (RestoreExecutor.Progress) -> Void = { _ in }) async -> FileListing {
        let root = snapshot.root ?? ""
        let dir = directory.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        let absolute = dir.isEmpty ? root : "\(root)/\(dir)"
        let result = await executor.runJob(job, report: report)
        guard result.outcome.succeeded else { return FileListing(job: job.name, nodes: [], totalBytes: 0, failure: result.outcome.message) }
        let nodes = ResticOutput.nodes(in: result.log).compactMap { node -> ResticNode? in
            guard node.path.hasPrefix(absolute + "/") else { return nil }  // the entries, not the directory itself
            var relative = node
            relative.path = String(node.path.dropFirst(root.count + 1))
            return relative
        }.sorted { ($0.isDirectory ? 0 : 1, $0.path) < ($1.isDirectory ? 0 : 1, $1.path) }
        return FileListing(job: job.name, nodes: nodes, totalBytes: nodes.filter { !$0.isDirectory }.reduce(0) { $0 + $1.size },
                           live: ResticOutput.liveListing(in: result.log))
    }

    public struct PathMatchResult: Sendable, Equatable {
        public var job: String
        public var match: PathMatch?
        public var failure: String?

        public init(job: String, match: PathMatch? = nil, failure: String? = nil) {
            self.job = job
            self.match = match
            self.failure = failure
        }
    }

    /// How many files `path` (relative to the snapshot's root) selects: `restic ls --json
    /// --recursive` of it in a Job, counted.
    public func matchPath(cronJob: Data, snapshot: ResticSnapshot, path: String, report: @escaping @Sendable (RestoreExecutor.Progress) -> Void = { _ in }) async -> PathMatchResult {
        do {
            return await matchPath(try Self.matchJob(cronJob: cronJob, snapshot: snapshot, path: path, now: executor.now(), namespace: executor.target.namespace),
                                   snapshot: snapshot, path: path, report: report)
        } catch {
            return PathMatchResult(job: "", failure: error.description)
        }
    }

    /// The `restic ls --recursive` Job that counts what `path` selects, built once.
    public static func matchJob(cronJob: Data, snapshot: ResticSnapshot, path: String, now: Double, namespace: String) throws(ResticJob.BuildError) -> ResticJob {
        let clean = path.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        return try ResticJob.build(cronJob: cronJob, purpose: .files, script: ResticJob.matchScript(snapshot: snapshot.id, path: "\(snapshot.root ?? "")/\(clean)"),
                                   now: now, namespace: namespace)
    }

    /// Runs a counting Job already built (`matchJob` for `snapshot` and `path`) and reads its count.
    public func matchPath(_ job: ResticJob, snapshot: ResticSnapshot, path: String, report: @escaping @Sendable (RestoreExecutor.Progress) -> Void = { _ in }) async -> PathMatchResult {
        let result = await executor.runJob(job, report: report)
        guard result.outcome.succeeded else { return PathMatchResult(job: job.name, failure: result.outcome.message) }
        return PathMatchResult(job: job.name, match: ResticOutput.pathMatch(in: result.log, root: snapshot.root ?? "", path: path.trimmingCharacters(in: CharacterSet(charactersIn: "/"))))
    }

    // MARK: Unlock and drill

    /// The unlock Job, built once: what the operator is shown is the Job that runs.
    /// `removeAll`: `restic unlock --remove-all`, which removes live locks too.
    public static func unlockJob(cronJob: Data, removeAll: Bool = false, now: Double, namespace: String) throws(ResticJob.BuildError) -> ResticJob {
        try ResticJob.build(cronJob: cronJob, purpose: .unlock, script: removeAll ? ResticJob.unlockAllScript : ResticJob.unlockScript, now: now, namespace: namespace)
    }

    /// `restic unlock` in a Job from the CronJob's template (removes stale locks only).
    public func unlock(cronJob: Data, removeAll: Bool = false, report: @escaping @Sendable (RestoreExecutor.Progress) -> Void = { _ in }) async -> UnlockResult {
        do {
            return await unlock(try Self.unlockJob(cronJob: cronJob, removeAll: removeAll, now: executor.now(), namespace: executor.target.namespace), report: report)
        } catch {
            return UnlockResult(job: nil, result: RestoreExecutor.JobResult(outcome: .failed(error.description), log: "", created: false))
        }
    }

    /// Runs an unlock Job already built; when it fails on a lock, says whether the holder's pod exists.
    public func unlock(_ job: ResticJob, report: @escaping @Sendable (RestoreExecutor.Progress) -> Void = { _ in }) async -> UnlockResult {
        let result = await executor.runJob(job, report: report)
        guard !result.outcome.succeeded, result.diagnosis?.cause == .locked else { return UnlockResult(job: job.name, result: result) }
        return UnlockResult(job: job.name, result: result, holder: await lockHolder(in: result.log))
    }

    /// The holder restic names in `log`, and whether its pod exists in the namespace (read now).
    public func lockHolder(in log: String) async -> ResticLockHolder? {
        guard let (pid, host) = ResticLockHolder.parse(log) else { return nil }
        do {
            let pods = try await executor.list(["get", "pods", "-o", "json"]).compactMap { if case .pod(let p) = $0 { p } else { nil } }
            return ResticLockHolder(pid: pid, host: host, pod: ResticLockHolder.pod(named: host, in: pods))
        } catch {
            return ResticLockHolder(pid: pid, host: host, pod: .unknown(Redactor.redact(error.description)))
        }
    }

    /// An unlock Job's end, and the lock's holder when it failed on a lock.
    public struct UnlockResult: Sendable, Equatable {
        /// The Job's name (nil: none was built).
        public var job: String?
        public var result: RestoreExecutor.JobResult
        public var holder: ResticLockHolder?

        public init(job: String?, result: RestoreExecutor.JobResult, holder: ResticLockHolder? = nil) {
            self.job = job
            self.result = result
            self.holder = holder
        }
    }

    public struct DrillResult: Sendable, Equatable {
        public var job: String
        public var outcome: RestoreExecutor.Outcome
        public var files: Int?
        public var bytes: Int?
        public var seconds: Double
        public var diagnosis: ResticDiagnosis?

        public init(job: String, outcome: RestoreExecutor.Outcome, files: Int? = nil, bytes: Int? = nil, seconds: Double, diagnosis: ResticDiagnosis? = nil) {
            self.job = job
            self.outcome = outcome
            self.files = files
            self.bytes = bytes
            self.seconds = seconds
            self.diagnosis = diagnosis
        }

        public var summary: String {
            switch outcome {
            case .done: "restore drill passed: the newest snapshot restored and verified, \(files.map(String.init) ?? "?") files, \(bytes.map { FileRestore.bytes(Int64($0)) } ?? "? bytes") in \(UTCTime.humanDuration(seconds)) (Job \(job))"
            case .failed(let m): "restore drill FAILED after \(UTCTime.humanDuration(seconds)): \(m)"
            case .unknown(let m): "restore drill outcome unknown: \(m)"
            }
        }
    }

    static let drillScratch = "/paperctl-drill"

    /// The newest snapshot restored with `--verify` into an emptyDir: proves it restores, touches nothing.
    public func drill(cronJob: Data, scratchLimit: String? = nil, report: @escaping @Sendable (RestoreExecutor.Progress) -> Void = { _ in }) async -> DrillResult {
        do {
            return await drill(try Self.drillJob(cronJob: cronJob, scratchLimit: scratchLimit, now: executor.now(), namespace: executor.target.namespace), report: report)
        } catch {
            return DrillResult(job: "", outcome: .failed(error.description), seconds: 0)
        }
    }

    /// The drill Job (an emptyDir of at most `scratchLimit`, restore `--verify` into it), built once.
    public static func drillJob(cronJob: Data, scratchLimit: String?, now: Double, namespace: String) throws(ResticJob.BuildError) -> ResticJob {
        try ResticJob.build(cronJob: cronJob, purpose: .drill, script: ResticJob.drillScript(scratch: drillScratch), now: now,
                            namespace: namespace, scratch: drillScratch, scratchLimit: scratchLimit)
    }

    /// Runs a drill Job already built (`drillJob`), timed from its creation.
    public func drill(_ job: ResticJob, report: @escaping @Sendable (RestoreExecutor.Progress) -> Void = { _ in }) async -> DrillResult {
        let started = executor.now()
        let result = await executor.runJob(job, report: report)
        let seconds = executor.now() - started
        var files: Int?
        var bytes: Int?
        if let line = result.log.split(whereSeparator: \.isNewline).last(where: { $0.hasPrefix("paperctl-drill:") }) {
            for word in line.split(separator: " ") {
                if word.hasPrefix("files=") { files = Int(word.dropFirst(6)) }
                if word.hasPrefix("bytes=") { bytes = Int(word.dropFirst(6)) }
            }
        }
        var outcome = result.outcome
        if outcome.succeeded, (files ?? 0) == 0 { outcome = .failed("the drill restored no file") }
        return DrillResult(job: result.created ? job.name : "", outcome: outcome, files: files, bytes: bytes, seconds: seconds, diagnosis: result.diagnosis)
    }

    /// "kubectl … create -f - -n NS   (Job NAME: SCRIPT, from CronJob CRON's template)": the exact
    /// command and the Job it creates, said before it runs (the Job is the one that then runs).
    public func willRun(_ job: ResticJob) -> String {
        "\(executor.createCommand(job).displayLine)   (Job \(job.name): \(job.script), from CronJob \(executor.config.fileBackup.cronJob)'s template)"
    }
}
