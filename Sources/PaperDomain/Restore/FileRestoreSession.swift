import Foundation
import PaperKube

// MARK: - FileRestoreSession

/// `restore files`: the preflight, the snapshot resolved (an id, a prefix of one, or latest), the
/// files a path selects counted (0 is refused), the plan, and the plan run by the one plan runner
/// under the restore Lease. Every kubectl call goes through the toolkit's runner.
public struct FileRestoreSession: Sendable {
    public struct Request: Sendable, Equatable {
        public var snapshot: String
        public var path: String?
        public var target: FileRestoreRequest.Target
        /// Print the preflight and the plan; run nothing.
        public var planOnly: Bool
        /// Side by side: run without asking.
        public var yes: Bool
        /// In place: the namespace typed again.
        public var confirmNamespace: String?
        public var skipSafetyBackup: String?
        /// Side by side: wait for the restore Job (in place always waits).
        public var wait: Bool
        /// Seconds the Lease stays on for a restore Job nobody waits for (the step timeout).
        public var handOverSeconds: Int

        public init(snapshot: String, path: String? = nil, target: FileRestoreRequest.Target, planOnly: Bool = false, yes: Bool = false,
                    confirmNamespace: String? = nil, skipSafetyBackup: String? = nil, wait: Bool = false, handOverSeconds: Int = 3600) {
            self.snapshot = snapshot
            self.path = path
            self.target = target
            self.planOnly = planOnly
            self.yes = yes
            self.confirmNamespace = confirmNamespace
            self.skipSafetyBackup = skipSafetyBackup
            self.wait = wait
            self.handOverSeconds = handOverSeconds
        }
    }

    public var toolkit: RestoreToolkit
    /// The runner of the plan: its current recovery is what a signal handler prints.
    public let runner: RestorePlanRunner

    public init(toolkit: RestoreToolkit) {
        self.toolkit = toolkit
        self.runner = toolkit.planRunner
    }

    var target: KubeTarget { toolkit.executor.target }
    var config: PaperConfig { toolkit.executor.config }

    /// The preflight, said; the CronJob when the restore may go on, else nil (refused, said).
    static func preflight(_ toolkit: RestoreToolkit, _ facts: ActionFacts, inPlace: Bool, out: RestoreSessionOutput) async -> Data? {
        let pre = await toolkit.preflight(facts)
        out(.say("Preflight:"))
        for line in pre.preflight.lines { out(.say("  \(line.verdict.label.padding(toLength: 7, withPad: " ", startingAt: 0)) \(line.title): \(line.reason)")) }
        if pre.preflight.blocksEverything || (inPlace && pre.preflight.blocksInPlace) {
            if let lock = pre.preflight.lock { out(.say("The repository is locked: \(lock.nextStep)")) }
            out(.fail("refused by the preflight; nothing was started"))
            return nil
        }
        return pre.cronJob
    }

    public func run(_ request: Request, facts: ActionFacts, out: @escaping RestoreSessionOutput) async -> RestoreSessionEnd {
        let inPlace = request.target == .inPlace
        guard let cronJob = await Self.preflight(toolkit, facts, inPlace: inPlace, out: out) else { return .notStarted }
        if request.planOnly { return plan(request, facts: facts, cronJob: cronJob, out: out) }

        // The confirmation, before anything is written.
        if inPlace {
            guard request.confirmNamespace == target.namespace else {
                out(.fail("an in-place restore overwrites the live files: confirm with --confirm-namespace \(target.namespace); nothing was started"))
                return .notStarted
            }
        } else if !request.yes {
            out(.fail("add --yes to run the side-by-side restore (or --plan to see it first); nothing was started"))
            return .notStarted
        }
        guard let (restorePlan, chosen) = await resolve(request, facts: facts, cronJob: cronJob, out: out) else { return .notStarted }
        out(.say("Plan:"))
        out(.say(restorePlan.text))
        out(.journal("restore files confirmed (CLI): snapshot \(chosen.journalName), \(restorePlan.request.scopeText), \(request.target.rawValue)"
            + (request.skipSafetyBackup.map { "; safety backup skipped: \($0)" } ?? "")))

        let steps = restorePlan.steps
        // Side by side without --wait: the restore Job is created and left running, the Lease left on for it.
        let detach = !request.wait && !inPlace ? RestorePlanRunner.Detach(handOverSeconds: request.handOverSeconds) : nil
        let result = await runner.run(steps, what: "restore files \(request.target.rawValue): snapshot \(chosen.shortID), \(restorePlan.request.scopeText) (CLI)",
                                      detach: detach, event: RestorePlanRunner.saying(steps, out))
        if let end = RestorePlanRunner.sayStop(result, steps, out) { return end }
        let aftercare = FileRestoreAftercare.lines(plan: restorePlan, facts: facts, cronJob: cronJob)
        if case .detached(let i, let handOverFailure) = result {
            out(.say("created; not waiting (use --wait). Files land in \(restorePlan.targetDirectory)"))
            out(.say(""))
            out(.say("Once the Job has finished:"))
            Self.sayWhatNext(aftercare, out)
            out(.journal("restore Job created, not waited for"))
            let jobName = if case .job(let job) = steps[i].kind { job.name } else { "" }
            if let failure = handOverFailure {
                out(.fail("the restore Lease is NOT held while Job \(jobName) runs (\(failure)): another restore could start meanwhile"))
            } else {
                out(.say("The restore Lease \(RestoreLease.name) stays on for Job \(jobName), not renewed: it is free once the Job has ended, at the latest in \(UTCTime.humanDuration(Double(request.handOverSeconds))) (--timeout)."))
            }
            return .done
        }
        out(.say("Restore finished: \(restorePlan.request.scopeText) of snapshot \(chosen.shortID) \(request.target.rawValue) in \(restorePlan.targetDirectory)"))
        out(.journal("restore files finished: \(restorePlan.targetDirectory)"))
        out(.say(""))
        Self.sayWhatNext(aftercare, out)
        let commands = aftercare.filter { $0.kind == .command }.map { "  `\($0.text)`" }
        if !commands.isEmpty { out(.journal("restore files: what next, commands printed:\n" + commands.joined(separator: "\n"))) }
        return .done
    }

    /// `--plan`: nothing runs, so the snapshot is not listed: its root is taken to be the volume's mount path.
    func plan(_ request: Request, facts: ActionFacts, cronJob: Data, out: RestoreSessionOutput) -> RestoreSessionEnd {
        let mount = ResticJob.dataMountPath(cronJob: cronJob, claim: facts.dataVolume?.claim.metadata.name) ?? "/data"
        let placeholder = ResticSnapshot(id: request.snapshot, shortID: request.snapshot, time: 0, paths: [mount])
        do {
            let p = try FileRestore.plan(FileRestoreRequest(snapshot: placeholder, path: request.path, target: request.target, skipSafetyBackup: request.skipSafetyBackup),
                                         facts: facts, cronJob: cronJob, neededBytes: nil, now: toolkit.executor.now())
            out(.say("Plan (nothing was run; the snapshot is resolved and listed when it runs"
                + (request.path == nil ? "):" : ", and the files --path matches are counted then: 0 files stops it before anything is written):")))
            out(.say(p.text))
            return .done
        } catch {
            out(.fail(error.description))
            return .notStarted
        }
    }

    /// The snapshot listed and chosen, the path's files counted, the plan made; nil after saying why not.
    func resolve(_ request: Request, facts: ActionFacts, cronJob: Data, out: RestoreSessionOutput) async -> (FileRestorePlan, ResticSnapshot)? {
        out(.say("Listing the snapshots in a Job from CronJob \(config.fileBackup.cronJob)…"))
        let listing: RestoreToolkit.SnapshotListing
        do {
            let job = try RestoreToolkit.snapshotsJob(cronJob: cronJob, now: toolkit.executor.now(), namespace: toolkit.executor.target.namespace)
            out(.say("  runs exactly: \(toolkit.willRun(job))"))
            listing = await toolkit.listSnapshots(job)
        } catch {
            listing = RestoreToolkit.SnapshotListing(job: "", snapshots: [], failure: error.description)
        }
        if let failure = listing.failure {
            out(.fail("the snapshot listing failed: \(failure)" + (listing.diagnosis.map { "; next step: \($0.nextStep)" } ?? "")))
            return nil
        }
        let wanted = request.snapshot
        let matches = wanted == "latest" ? Array(listing.snapshots.prefix(1)) : listing.snapshots.filter { $0.id.hasPrefix(wanted) || $0.shortID == wanted }
        guard matches.count < 2 else {
            out(.fail("snapshot \(wanted) is ambiguous: \(matches.map(\.shortID).joined(separator: ", ")); give more of the id; nothing was started"))
            return nil
        }
        guard let chosen = matches.first else {
            out(.fail("no snapshot \(wanted) among the \(listing.snapshots.count) in the repository; nothing was started"))
            return nil
        }
        let fileRequest = FileRestoreRequest(snapshot: chosen, path: request.path, target: request.target, skipSafetyBackup: request.skipSafetyBackup, resticVersion: listing.version)
        // What the path selects in the snapshot: shown in the plan, and 0 files is refused.
        var match: PathMatch?
        if let scope = fileRequest.path {
            out(.say("Counting the files /\(scope) matches in snapshot \(chosen.shortID) (restic ls --recursive in a Job)…"))
            let counted: RestoreToolkit.PathMatchResult
            do {
                let job = try RestoreToolkit.matchJob(cronJob: cronJob, snapshot: chosen, path: scope, now: toolkit.executor.now(), namespace: toolkit.executor.target.namespace)
                out(.say("  runs exactly: \(toolkit.willRun(job))"))
                counted = await toolkit.matchPath(job, snapshot: chosen, path: scope)
            } catch {
                counted = RestoreToolkit.PathMatchResult(job: "", failure: error.description)
            }
            guard let found = counted.match else {
                out(.fail("could not count the files /\(scope) matches in snapshot \(chosen.shortID): \(counted.failure ?? "no answer"); nothing was started"))
                return nil
            }
            match = found
        }
        do {
            let plan = try FileRestore.plan(fileRequest, facts: facts, cronJob: cronJob, neededBytes: request.path == nil ? chosen.totalBytes : nil,
                                            now: toolkit.executor.now(), match: match)
            return (plan, chosen)
        } catch {
            out(.fail("refused: \(error.description); nothing was started"))
            return nil
        }
    }

    /// The "what next" block after a file restore, its commands indented to copy.
    static func sayWhatNext(_ aftercare: [FileRestoreAftercare.Line], _ out: RestoreSessionOutput) {
        for line in aftercare { out(.say(line.kind == .command ? "     \(line.text)" : line.text)) }
    }
}
