import ArgumentParser
import Foundation
import PaperDomain
import PaperKube
import PaperRuntime
#if canImport(Glibc)
import Glibc
#endif

// MARK: - Output

/// How the restore subcommands print what a session says: stdout redacted, failures on stderr
/// prefixed with the command, journal entries timestamped.
enum RestoreOutput {
    /// Prints lines redacted, with control characters escaped (a plan's newlines kept).
    static let say: @Sendable (String) -> Void = { line in
        print(TerminalText.safe(Redactor.redact(line), newlines: true))
        fflush(nil)
    }

    static func fail(_ command: String, _ message: String) {
        FileHandle.standardError.write(Data("paperctl-tui \(command): \(TerminalText.safe(Redactor.redact(message), newlines: true))\n".utf8))
    }

    /// Appends to the journal; a failed write is said on stderr, as it happens.
    static func record(_ journal: JournalFile, _ text: String) {
        guard let reason = journal.append("- \(UTCTime.rfc3339(Date().timeIntervalSince1970)) \(text)") else { return }
        FileHandle.standardError.write(Data("paperctl-tui: incident journal NOT written: \(TerminalText.safe(reason))\n".utf8))
    }

    static func validate(skipSafetyBackup: String?) throws {
        if let reason = skipSafetyBackup, reason.trimmingCharacters(in: .whitespaces).count < 5 {
            throw ValidationError("--skip-safety-backup needs a reason of a few words (it goes into the journal)")
        }
    }

    /// Runs a session, printing what it says, and exits with its status. With `recovery`, Ctrl-C,
    /// SIGTERM or SIGHUP says how to get back (the way back of the step that runs), then stops.
    static func run(_ command: String, recovery: CurrentRecovery? = nil, _ session: (@escaping RestoreSessionOutput) async -> RestoreSessionEnd) async throws {
        let journal = JournalFile(environment: ProcessInfo.processInfo.environment, now: Date().timeIntervalSince1970)
        let out: RestoreSessionOutput = { line in
            switch line {
            case .say(let text): say(text)
            case .fail(let text): fail(command, text)
            case .journal(let text): record(journal, text)
            }
        }
        let watcher = recovery.map { recovery in
            Task {
                let sig = await ProcessSignals.waitForTermination()
                guard !Task.isCancelled else { return }
                let back = recovery.value
                fail(command, "stopped by signal \(sig) while a step ran; the step may go on in the cluster")
                if !back.isEmpty {
                    say("To get back:")
                    for line in back { say("  \(line)") }
                }
                record(journal, "\(command) stopped by signal \(sig); to get back: \(back.joined(separator: "; "))")
                Glibc.exit(130)
            }
        }
        defer { watcher?.cancel() }
        let end = await session(out)
        throw ExitCode(end.exitCode)
    }
}
