import Foundation
import PaperKube
import Synchronization

// MARK: - RestorePlanRunner

/// The one place that decides which step of a restore plan runs next, for every path (files side
/// by side or in place, the database, both): it takes the restore Lease, asks it before each step
/// (`permit`: a lost Lease is taken again first, or nothing more starts), runs the step through
/// the executor, stops at the first failed or unknown step with the way back, and gives the Lease
/// back at the end, whatever the end was. The CLI's sessions and the wizard both drive it; what
/// happens comes back as `Event` values, the end as a `Result`.
public struct RestorePlanRunner: Sendable {
    public var executor: RestoreExecutor
    /// Runs one step that creates nothing (the executor's `run`; tests pass a fake). A step that
    /// creates a Job or a Cluster is created and followed through the executor.
    public var runStep: @Sendable (RestoreStep, @escaping @Sendable (RestoreExecutor.Progress) -> Void) async -> RestoreExecutor.Outcome
    /// The way back if the plan stopped now: read by a signal handler while a step runs.
    public let currentRecovery: CurrentRecovery

    public init(executor: RestoreExecutor,
                runStep: (@Sendable (RestoreStep, @escaping @Sendable (RestoreExecutor.Progress) -> Void) async -> RestoreExecutor.Outcome)? = nil) {
        self.executor = executor
        self.runStep = runStep ?? { step, report in await executor.run(step, report: report) }
        self.currentRecovery = CurrentRecovery()
    }

    /// What happens while a plan runs, in order.
    public enum Event: Sendable, Equatable {
        case stepStarted(Int, RestoreStep)
        case progress(Int, RestoreExecutor.Progress)
        /// The Lease was lost and taken again, or its release failed: to be announced.
        case leaseNote(String)
        case stepEnded(Int, RestoreExecutor.Outcome)
    }

    /// How a plan ended.
    public enum Result: Sendable, Equatable {
        case finished
        /// Step `at` failed or its outcome is unknown; `recovery` is the way back.
        case stopped(at: Int, outcome: RestoreExecutor.Outcome, recovery: [String])
        /// Step `at` did not start: the Lease was lost and could not be taken again.
        case notStarted(at: Int, why: String, recovery: [String])
        /// The Lease was refused before the first step: nothing ran.
        case refused(String)
        /// Cancelled (the task was): no step after `before - 1` started.
        case cancelled(before: Int, recovery: [String])
        /// Step `at` could not be created and no step before it wrote: nothing was changed.
        case notCreated(at: Int, outcome: RestoreExecutor.Outcome)
        /// Step `at` (a Job, or a new Cluster) was created and is not waited for. `handOver`: why
        /// the Lease could not be left on for the Job, when it could not.
        case detached(at: Int, handOverFailure: String?)

        /// 0 finished or detached, 1 nothing started (or changed), 2 a step failed, 3 an unknown outcome (or cancelled mid-plan).
        public var exitCode: Int32 {
            switch self {
            case .finished, .detached: 0
            case .refused: 1
            case .notCreated(_, let outcome): if case .unknown = outcome { 3 } else { 1 }
            case .notStarted(let at, _, _): at == 0 ? 1 : 2
            case .stopped(_, let outcome, _): if case .unknown = outcome { 3 } else { 2 }
            case .cancelled(let before, _): before == 0 ? 1 : 3
            }
        }
    }

    /// Leaving the first Job (or new Cluster) running instead of waiting for it.
    public struct Detach: Sendable, Equatable {
        /// A Job left running keeps the Lease, named after it, for this long (nil: the Lease is released).
        public var handOverSeconds: Int?

        public init(handOverSeconds: Int?) { self.handOverSeconds = handOverSeconds }
    }

    /// Runs `steps` in order under the restore Lease taken for `what`.
    public func run(_ steps: [RestoreStep], what: String, detach: Detach? = nil, event: @escaping @Sendable (Event) -> Void) async -> Result {
        if let lease = executor.lease, let refusal = await lease.acquire(what: what) { return .refused(refusal) }
        let result = await runSteps(steps, detach: detach, event: event)
        currentRecovery.set([])
        // A Job left running keeps the Lease (handed over to it); anything else gives it back.
        if case .detached(let i, nil) = result, detach?.handOverSeconds != nil, case .job = steps[i].kind { return result }
        // Left while a Job it created runs (cancelled mid-step): the Job goes on in the cluster, so
        // the Lease stays on for it rather than letting a second restore start on the same volume.
        if Task.isCancelled, case .stopped(let i, _, _) = result, let job = steps[i].createdJob, let lease = executor.lease {
            let seconds = Int(executor.stepTimeout)
            if let failure = await Self.uncancelled({ await lease.handOver(toJob: job, seconds: seconds) }) {
                event(.leaseNote("the restore Lease is NOT held while Job \(job) runs (\(failure)): another restore could start meanwhile"))
            } else {
                event(.leaseNote("the restore Lease \(RestoreLease.name) stays on for Job \(job), which goes on running: it is free once the Job has ended, at the latest in \(UTCTime.humanDuration(Double(seconds)))"))
            }
            return result
        }
        if let lease = executor.lease, let failure = await Self.uncancelled({ await lease.release() }) { event(.leaseNote(failure)) }
        return result
    }

    /// The Lease's last write must reach the server even when the plan was cancelled: a cancelled
    /// task kills the kubectl it starts, so the write runs in a task of its own.
    static func uncancelled<T: Sendable>(_ work: @escaping @Sendable () async -> T) async -> T {
        await Task { await work() }.value
    }

    private func runSteps(_ steps: [RestoreStep], detach: Detach?, event: @escaping @Sendable (Event) -> Void) async -> Result {
        for (i, step) in steps.enumerated() {
            if Task.isCancelled { return .cancelled(before: i, recovery: steps.recovery(upTo: i - 1)) }
            currentRecovery.set(steps.recovery(upTo: i))
            switch await permit(i, step, of: steps.count) {
            case .refused(let why): return .notStarted(at: i, why: why, recovery: steps.recovery(upTo: i - 1))
            case .retaken(let note): event(.leaseNote(note))
            case .granted: break
            }
            event(.stepStarted(i, step))
            let report: @Sendable (RestoreExecutor.Progress) -> Void = { event(.progress(i, $0)) }
            let outcome: RestoreExecutor.Outcome
            if step.creates {
                // Created first: a create refused before anything was written started nothing.
                if let failure = await executor.create(step, report: report) {
                    if !steps.prefix(i).contains(where: \.writes) { return .notCreated(at: i, outcome: failure) }
                    return stop(i, steps, failure, event)
                }
                if let detach, step.detachable {
                    guard let seconds = detach.handOverSeconds, case .job(let job) = step.kind else { return .detached(at: i, handOverFailure: nil) }
                    return .detached(at: i, handOverFailure: await executor.lease?.handOver(toJob: job.name, seconds: seconds))
                }
                outcome = await executor.follow(step, report: report)
            } else {
                outcome = await runStep(step, report)
            }
            event(.stepEnded(i, outcome))
            if !outcome.succeeded { return .stopped(at: i, outcome: outcome, recovery: steps.recovery(upTo: i)) }
        }
        return .finished
    }

    private func stop(_ i: Int, _ steps: [RestoreStep], _ outcome: RestoreExecutor.Outcome, _ event: @Sendable (Event) -> Void) -> Result {
        event(.stepEnded(i, outcome))
        return .stopped(at: i, outcome: outcome, recovery: steps.recovery(upTo: i))
    }

    /// Whether step `index` may start: the Lease renewed naming the step (taken again when lost).
    /// `count`: the plan's length, when known ("step 2/8: …"; else "step 2: …").
    public func permit(_ index: Int, _ step: RestoreStep, of count: Int?) async -> RestoreLeaseKeeper.Permission {
        await executor.lease?.permit(step: "step \(index + 1)\(count.map { "/\($0)" } ?? ""): \(step.title)") ?? .granted
    }
}

// MARK: - CurrentRecovery

/// The way back of the step that runs now, for a signal handler to print.
public final class CurrentRecovery: Sendable {
    private let commands = Mutex<[String]>([])

    public init() {}

    public var value: [String] { commands.withLock { $0 } }

    func set(_ value: [String]) { commands.withLock { $0 = value } }
}

// MARK: - Steps

extension RestoreStep {
    /// A step that creates a Job or a Cluster, then waits for it.
    var creates: Bool {
        switch kind {
        case .safetyBackup, .job, .recoverCluster: true
        default: false
        }
    }

    /// The Job the step creates (a safety backup or a restic Job), which goes on if the plan is left.
    var createdJob: String? {
        switch kind {
        case .safetyBackup(let job), .job(let job): job.name
        default: nil
        }
    }

    /// A created object `Detach` may leave running: the restore Job, the new Cluster.
    var detachable: Bool {
        switch kind {
        case .job, .recoverCluster: true
        default: false
        }
    }
}

extension Array where Element == RestoreStep {
    /// What to run to get back if the plan stops while step `index` runs: the latest step's
    /// commands first, each step's in its own order.
    public func recovery(upTo index: Int) -> [String] {
        prefix(Swift.max(0, index + 1)).reversed().flatMap(\.recovery).uniqued()
    }
}
