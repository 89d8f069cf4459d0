import Foundation
import PaperKube

// MARK: - LoggedCommand

/// One action command of the dashboard's command log, kept beside the day's journal
/// (`YYYY-MM-DD.commands.jsonl`, one JSON object a line) so the report can give each command
/// its exit status and duration. Background reads are not kept: they are not incident facts.
public struct LoggedCommand: Sendable, Equatable, Codable {
    /// RFC 3339 with nanoseconds, UTC.
    public var startedAt: String
    public var durationSeconds: Double
    /// The command line as the command log shows it (redacted; stdin not included).
    public var command: String
    /// nil: no exit status (timed out, could not start).
    public var exitStatus: Int32?
    /// The action's title.
    public var title: String?
    /// What kubectl said it did ("job.batch/NAME created"), redacted.
    public var result: String?

    enum CodingKeys: String, CodingKey {
        case startedAt = "started_at", durationSeconds = "duration_seconds", command, exitStatus = "exit_status", title, result
    }

    public init(startedAt: Double, durationSeconds: Double, command: String, exitStatus: Int32?, title: String?, result: String?) {
        self.startedAt = UTCTime.rfc3339Nano(startedAt)
        self.durationSeconds = (durationSeconds * 1000).rounded() / 1000
        self.command = Redactor.redact(command)
        self.exitStatus = exitStatus
        self.title = title.map(Redactor.redact)
        self.result = result.map(Redactor.redact)
    }

    /// The file beside a journal file: `2026-12-06.md` → `2026-12-06.commands.jsonl`.
    public static func path(forJournal journal: String) -> String {
        (journal.hasSuffix(".md") ? String(journal.dropLast(3)) : journal) + ".commands.jsonl"
    }

    /// One line of the file (no newline).
    public func jsonLine() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    /// `exit 0, 0.4s`; `no exit status, 10.0s`.
    public var statusText: String {
        (exitStatus.map { "exit \($0)" } ?? "no exit status") + ", " + String(format: "%.1fs", durationSeconds)
    }
}

// MARK: - CommandLogEntry

/// A command of the command log file, where it was read.
public struct CommandLogEntry: Sendable, Equatable {
    public var time: Double
    public var command: LoggedCommand
    public var file: String
    public var line: Int

    public var source: String { "command log \(file):\(line)" }
}

extension IncidentJournal {
    /// Adds one command log file's text (`file`: its name); a line that does not decode is named.
    public mutating func addCommandLog(_ text: String, file: String) {
        files.append(file)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let cutOff = !text.isEmpty && !text.hasSuffix("\n")
        for (index, line) in lines.enumerated() where !line.isEmpty {
            if cutOff && index == lines.count - 1 {
                unreadable.append(UnreadableLine(file: file, line: index + 1, text: Self.shown(Self.clean(line)), why: "cut off (the file does not end with a newline); left out"))
                continue
            }
            guard let logged = try? JSONDecoder().decode(LoggedCommand.self, from: Data(line.utf8)), let time = UTCTime.parse(logged.startedAt) else {
                unreadable.append(UnreadableLine(file: file, line: index + 1, text: Self.shown(Self.clean(line)), why: "not a command log record this version reads"))
                continue
            }
            var clean = logged
            clean.command = Self.clean(logged.command)
            clean.title = logged.title.map(Self.clean)
            clean.result = logged.result.map(Self.clean)
            commands.append(CommandLogEntry(time: time, command: clean, file: file, line: index + 1))
        }
        commands.sort { $0.time < $1.time }
    }
}
