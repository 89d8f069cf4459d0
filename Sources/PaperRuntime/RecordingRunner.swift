import Foundation
import PaperDomain
import PaperKube
import PaperUI

// MARK: - RecordingRunner

/// Wraps the kubectl runner so every command run, followed ones included, is reported to the
/// command log, redacted, with its duration and exit status; actions carry their title.
public struct RecordingRunner: CommandRunning, CommandStreaming {
    let base: any CommandRunning & CommandStreaming
    let clock: @Sendable () -> Double
    let report: @Sendable (CommandRecord) -> Void

    public init(base: any CommandRunning & CommandStreaming, clock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 },
                report: @escaping @Sendable (CommandRecord) -> Void) {
        self.base = base
        self.clock = clock
        self.report = report
    }

    public func run(_ command: KubectlCommand) async throws(KubectlError) -> CommandOutput {
        let started = clock()
        let title: String? = switch command.logPolicy {
        case .backgroundRead: nil
        case .action(let t): t
        }
        let line = Redactor.redact(command.displayLine)
        do {
            let out = try await base.run(command)
            report(CommandRecord(startedAt: started, duration: out.duration, commandLine: line, exitStatus: out.exitStatus, isAction: title != nil, title: title))
            return out
        } catch {
            report(CommandRecord(startedAt: started, duration: clock() - started, commandLine: line + "  (\(error.code))", exitStatus: nil, isAction: title != nil, title: title))
            throw error
        }
    }

    /// Follows through the base runner; the command log gets a line when the stream starts and one when it ends.
    public func follow(_ command: KubectlCommand, deliver: @escaping @Sendable ([String]) -> Void) async -> FollowEnd {
        let started = clock()
        let line = Redactor.redact(command.displayLine)
        report(CommandRecord(startedAt: started, duration: 0, commandLine: line, exitStatus: nil, isAction: false, title: "following"))
        let end = await base.follow(command, deliver: deliver)
        let how = switch end {
        case .ended: "ended"
        case .cancelled: "closed"
        case .failed(let error): error.code
        }
        report(CommandRecord(startedAt: started, duration: clock() - started, commandLine: line, exitStatus: nil, isAction: false, title: "followed (\(how))"))
        return end
    }
}
