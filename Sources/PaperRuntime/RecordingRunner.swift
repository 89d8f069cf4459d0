import Foundation
import PaperDomain
import PaperKube
import PaperUI
import Synchronization

// MARK: - RecordingRunner

/// Wraps the kubectl runner so every command run, followed ones included, is reported to the
/// command log, redacted, with its duration and exit status; actions carry their title.
public struct RecordingRunner: CommandRunning, CommandStreaming {
    let base: any CommandRunning & CommandStreaming
    let clock: @Sendable () -> Double
    let report: @Sendable (CommandRecord) -> Void
    /// The base carries raw reads through the dashboard's proxy (no process runs).
    let viaProxy: Bool

    public init(base: any CommandRunning & CommandStreaming, clock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 },
                viaProxy: Bool = false, report: @escaping @Sendable (CommandRecord) -> Void) {
        self.base = base
        self.clock = clock
        self.viaProxy = viaProxy
        self.report = report
    }

    /// The object an action's kubectl names on its first line ("job.batch/NAME created",
    /// "externalsecret…/NAME annotated"), redacted; nil when the line names none.
    static func affected(_ stdout: Data) -> String? {
        let first = stdout.prefix(512).split(separator: UInt8(ascii: "\n")).first.map { String(decoding: $0, as: UTF8.self) } ?? ""
        guard let word = first.split(separator: " ").first, word.contains("/") else { return nil }
        return Redactor.redact(first.trimmingCharacters(in: .whitespaces))
    }

    /// Numbers the streams, so each one is one line of the command log.
    static let streams = Atomic<Int>(0)

    public func run(_ command: KubectlCommand) async throws(KubectlError) -> CommandOutput {
        let started = clock()
        let title: String? = switch command.logPolicy {
        case .backgroundRead: nil
        case .action(let t): t
        }
        let line = Redactor.redact(command.displayLine)
        do {
            let out = try await base.run(command)
            var record = CommandRecord(startedAt: started, duration: out.duration, commandLine: line, exitStatus: out.exitStatus, isAction: title != nil, title: title, viaProxy: viaProxy)
            if title != nil, out.succeeded { record.result = Self.affected(out.stdout) }
            report(record)
            return out
        } catch {
            report(CommandRecord(startedAt: started, duration: clock() - started, commandLine: line + "  (\(error.code))", exitStatus: nil, isAction: title != nil, title: title,
                                 viaProxy: viaProxy))
            throw error
        }
    }

    /// Follows through the base runner. The stream is one line of the command log, updated with
    /// the lines (watch events) it delivered at most once a second, and when it ends.
    public func follow(_ command: KubectlCommand, deliver: @escaping @Sendable ([String]) -> Void) async -> FollowEnd {
        let started = clock()
        let line = Redactor.redact(command.displayLine)
        let id = Self.streams.add(1, ordering: .relaxed).newValue
        let counter = StreamCounter()
        let clock = self.clock, report = self.report, viaProxy = self.viaProxy
        @Sendable func record(_ state: String, _ count: Int) -> CommandRecord {
            CommandRecord(startedAt: started, duration: clock() - started, commandLine: line, exitStatus: nil, isAction: false, title: state,
                          streamID: id, lines: count, viaProxy: viaProxy)
        }
        report(record("open", 0))
        let end = await base.follow(command) { lines in
            if let count = counter.add(lines.count, now: clock()) { report(record("open", count)) }
            deliver(lines)
        }
        let how = switch end {
        case .ended: "ended"
        case .cancelled: "closed"
        case .failed(let error): error.code
        }
        report(record(how, counter.total))
        return end
    }
}

/// Counts a stream's lines and says when the command log should hear of it (at most once a second).
final class StreamCounter: Sendable {
    private let state = Mutex<(total: Int, reportedAt: Double)>((0, 0))

    /// Adds `n`; returns the total when a report is due.
    func add(_ n: Int, now: Double) -> Int? {
        state.withLock { s in
            s.total += n
            guard now - s.reportedAt >= 1 else { return nil }
            s.reportedAt = now
            return s.total
        }
    }

    var total: Int { state.withLock { $0.total } }
}
