import Foundation
import PaperKube

// MARK: - BothRestoreSession

/// `restore both`: the database to a point (a new cluster) and the files, in place, to the newest
/// snapshot at or before it: the wizard's "both" plan (`BothRestore.plan`), from the same
/// timeline read, run by the one plan runner under the restore Lease. It always waits; the app
/// stays at 0 until the operator points it at the new cluster.
public struct BothRestoreSession: Sendable {
    public struct Request: Sendable, Equatable {
        public var to: String
        public var name: String?
        public var planOnly: Bool
        /// The namespace typed again: required (the live files are overwritten).
        public var confirmNamespace: String?
        /// Why the files' safety backup is skipped (the database's always runs).
        public var skipSafetyBackup: String?

        public init(to: String, name: String? = nil, planOnly: Bool = false, confirmNamespace: String? = nil, skipSafetyBackup: String? = nil) {
            self.to = to
            self.name = name
            self.planOnly = planOnly
            self.confirmNamespace = confirmNamespace
            self.skipSafetyBackup = skipSafetyBackup
        }
    }

    public var toolkit: RestoreToolkit
    public let runner: RestorePlanRunner

    public init(toolkit: RestoreToolkit) {
        self.toolkit = toolkit
        self.runner = toolkit.planRunner
    }

    var target: KubeTarget { toolkit.executor.target }

    /// The plan as the wizard makes it; nil after saying why not.
    func plan(_ request: Request, facts: ActionFacts, out: RestoreSessionOutput) async -> BothRestore.Plan? {
        guard let cronJob = await FileRestoreSession.preflight(toolkit, facts, inPlace: true, out: out) else { return nil }
        let point: RestorePoint
        do {
            point = try RestorePoint.parse(request.to, now: toolkit.executor.now())
        } catch {
            out(.fail("--to: \(error.description)"))
            return nil
        }
        out(.say("Reading the recoverability window; listing the file snapshots in a Job from CronJob \(toolkit.executor.config.fileBackup.cronJob)…"))
        let listing: ResticJob
        do {
            listing = try RestoreToolkit.snapshotsJob(cronJob: cronJob, now: toolkit.executor.now(), namespace: target.namespace)
        } catch {
            out(.fail("the snapshot listing Job cannot be built: \(error.description); nothing was started"))
            return nil
        }
        out(.say("  runs exactly: \(toolkit.willRun(listing))"))
        let timeline: DatabaseTimeline
        switch await toolkit.databaseTimeline(facts, listing: listing) {
        case .timeline(let t): timeline = t
        case .failed(let m):
            out(.fail(m))
            return nil
        }
        do {
            let both = try BothRestore.plan(point, timeline: timeline, facts: facts, cronJob: timeline.cronJob ?? cronJob, resticVersion: timeline.resticVersion,
                                            now: toolkit.executor.now(), name: request.name, skipSafetyBackup: request.skipSafetyBackup)
            DatabaseRestoreSession.sayPoint(both.database, to: request.to, notes: false, out: out)
            return both
        } catch {
            out(.fail("refused: \(error.description)" + (timeline.snapshotsFailure.map { " (file snapshots: \($0))" } ?? "")))
            return nil
        }
    }

    public func run(_ request: Request, facts: ActionFacts, out: @escaping RestoreSessionOutput) async -> RestoreSessionEnd {
        guard let both = await plan(request, facts: facts, out: out) else { return .notStarted }
        let steps = both.steps.steps
        out(.say(request.planOnly ? "Plan (nothing was run):" : "Plan:"))
        out(.say(both.steps.text))
        if request.planOnly { return .done }
        guard request.confirmNamespace == target.namespace else {
            out(.fail("restoring both overwrites the live files and stops the app until the cutover: confirm with --confirm-namespace \(target.namespace); nothing was started"))
            return .notStarted
        }
        let missing = await toolkit.credentialsPreflight(both.database.credentials)
        if !missing.isEmpty {
            out(.fail("RBAC: the owner's credentials cannot be carried over: missing \(missing.joined(separator: "; ")); nothing was started"))
            return .notStarted
        }
        out(.journal("restore both confirmed (CLI, namespace typed): new cluster \(both.database.name) to \(both.database.target ?? "latest"), \(both.database.journalPoint), files from snapshot \(both.snapshot.journalName) in place"
            + (request.skipSafetyBackup.map { "; files' safety backup skipped: \($0)" } ?? "")))
        let result = await runner.run(steps, what: "restore database and files in place: new cluster \(both.database.name), snapshot \(both.snapshot.shortID) (CLI)",
                                      event: RestorePlanRunner.saying(steps, out))
        if let end = RestorePlanRunner.sayStop(result, steps, out) { return end }
        out(.say("Restore finished: the files of snapshot \(both.snapshot.shortID) in place, the database in the new cluster \(both.database.name) (healthy); recovered to \(UTCTime.rfc3339(both.database.recoveredTo))"))
        out(.journal("restore both finished: new cluster \(both.database.name), files of snapshot \(both.snapshot.shortID) in place"))
        if let last = steps.last, case .guidance(let guidance) = last.kind {
            let lines = guidance.enumerated().map { "  \($0.offset + 1). \($0.element)" }
            out(.say("Cutover (the tool does none of it; the app stays at 0 until then):"))
            for line in lines { out(.say(line)) }
            out(.journal("restore both: cutover, yours to run:\n" + lines.joined(separator: "\n")))
        }
        return .done
    }
}
