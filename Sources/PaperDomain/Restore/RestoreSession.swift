import Foundation
import PaperKube

// MARK: - RestoreSessionLine

/// What a restore session tells the operator, in order: a line for stdout, a line for stderr
/// (something to notice: a refusal, a failure, a lost Lease), or an entry for the incident
/// journal (the text after its timestamp). The CLI prints them; its texts live here.
public enum RestoreSessionLine: Sendable, Equatable {
    case say(String)
    case fail(String)
    case journal(String)
}

public typealias RestoreSessionOutput = @Sendable (RestoreSessionLine) -> Void

// MARK: - RestoreSessionEnd

/// How a restore session ended; the exit status is the contract for scripts and cron.
public enum RestoreSessionEnd: Sendable, Equatable {
    /// Done (or created and not waited for, or only planned).
    case done
    /// Nothing was started: refused, not confirmed, not found, forbidden.
    case notStarted
    /// A step failed (the way back was said).
    case failed
    /// The outcome is not known (a timeout).
    case unknown

    public var exitCode: Int32 {
        switch self {
        case .done: 0
        case .notStarted: 1
        case .failed: 2
        case .unknown: 3
        }
    }

    init(exitCode: Int32) {
        switch exitCode {
        case 0: self = .done
        case 1: self = .notStarted
        case 2: self = .failed
        default: self = .unknown
        }
    }

    /// How a Job-backed run ended, said: done, failed (1 when nothing was created), unknown.
    static func of(_ outcome: RestoreExecutor.Outcome, created: Bool, said: String, next: String = "", out: RestoreSessionOutput) -> RestoreSessionEnd {
        switch outcome {
        case .done:
            out(.say(said))
            return .done
        case .failed(let message):
            out(.fail((created ? said : message) + next))
            return created ? .failed : .notStarted
        case .unknown(let message):
            out(.fail(message))
            return .unknown
        }
    }
}

// MARK: - Shared steps of the sessions

extension RestoreToolkit {
    /// The restic CronJob as JSON, read now.
    func readCronJob() async throws(KubectlError) -> Data {
        try await runner.output(of: ManualBackup.readCronJob(config: executor.config, target: executor.target))
    }

    /// The Ctrl-C line of a plan's runner: the way back of the step that runs now.
    public var planRunner: RestorePlanRunner { RestorePlanRunner(executor: executor) }
}

extension RestorePlanRunner {
    /// Says the runner's events as the CLI always has: "Step i/n: title" and its journal entry,
    /// progress lines when they change, a lost or retaken Lease on stderr and in the journal,
    /// "done: …" or the failure.
    static func saying(_ steps: [RestoreStep], _ out: @escaping RestoreSessionOutput) -> @Sendable (Event) -> Void {
        let last = ChangedLine()
        return { event in
            switch event {
            case .stepStarted(let i, let step):
                out(.say("Step \(i + 1)/\(steps.count): \(step.title)"))
                out(.journal("restore step \(i + 1) started: \(step.title)" + (step.command.map { "\n  `\($0.displayLine)`" } ?? "")))
            case .progress(_, let p):
                if p.leaseLost {
                    out(.fail(p.text))
                    out(.journal(p.text))
                } else if last.changed(p.text) {
                    out(.say("  \(p.text)"))
                }
            case .leaseNote(let note):
                out(.fail(note))
                out(.journal(note))
            case .stepEnded(let i, let outcome):
                out(.journal("restore step \(i + 1) \(outcome.succeeded ? "done" : "FAILED"): \(outcome.message)"))
                if case .done(let message) = outcome {
                    out(.say("  done: \(message)"))
                } else {
                    out(.fail("step \(i + 1) (\(steps[i].title)) failed: \(outcome.message)"))
                }
            }
        }
    }

    /// Says how a plan that did not finish ended (a refusal, a step not started, the way back)
    /// and gives the session's end; nil when it finished or was left running.
    static func sayStop(_ result: Result, _ steps: [RestoreStep], _ out: RestoreSessionOutput) -> RestoreSessionEnd? {
        var recovery: [String] = []
        switch result {
        case .finished, .detached:
            return nil
        case .refused(let why):
            out(.fail("\(why); nothing was started"))
        case .notCreated(_, let outcome):
            out(.fail(outcome.message))
        case .notStarted(let i, let why, let back):
            out(.fail("step \(i + 1) (\(steps[i].title)) not started: \(why)"))
            out(.journal("restore step \(i + 1) not started: \(why)"))
            recovery = back
        case .stopped(_, _, let back), .cancelled(_, let back):
            recovery = back
        }
        if !recovery.isEmpty {
            out(.say("The plan stopped. To get back:"))
            for command in recovery { out(.say("  \(command)")) }
        }
        return RestoreSessionEnd(exitCode: result.exitCode)
    }
}
