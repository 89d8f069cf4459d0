import Foundation
import PaperDomain
import PaperKube
import PaperUI

// MARK: - CommandLogFile

/// The dashboard's action commands (not its background reads), one JSON line each, in
/// `YYYY-MM-DD.commands.jsonl` beside the day's journal, written as the journal is (0600,
/// append-only, no symlinks followed, redacted), so `paperctl-tui report` can give each command
/// its exit status and duration.
public struct CommandLogFile: Sendable {
    let file: JournalFile

    public init(journal: JournalFile) {
        file = JournalFile(path: journal.unavailable == nil ? LoggedCommand.path(forJournal: journal.path) : "", unavailable: journal.unavailable, heading: false)
    }

    public var path: String { file.path }

    /// Appends `record` when it is an action's command; nil when written or not an action, else why not.
    @discardableResult
    public func append(_ record: CommandRecord) -> String? {
        guard record.isAction, record.streamID == nil else { return nil }
        return file.append(LoggedCommand(startedAt: record.startedAt, durationSeconds: record.duration, command: record.commandLine,
                                         exitStatus: record.exitStatus, title: record.title, result: record.result).jsonLine())
    }
}

// MARK: - The CLI's command log

extension RecordingRunner {
    /// The restore and backup subcommands' runner: the action commands they run are kept in the
    /// command log file beside today's journal, as the dashboard keeps its own, so
    /// `paperctl-tui report` gives them their exit status and duration.
    public static func keepingCommandLog(_ base: any CommandRunning & CommandStreaming, environment: [String: String],
                                         clock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }) -> RecordingRunner {
        let file = CommandLogFile(journal: JournalFile(environment: environment, now: clock()))
        return RecordingRunner(base: base, clock: clock) { file.append($0) }
    }
}
