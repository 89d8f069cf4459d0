import PaperDomain
import PaperKube

// MARK: - Journal

/// What goes into the incident journal: verdicts at start and every change of verdict.
/// Actions add their own entries (confirmation, command, result). Every entry is redacted.
public enum Journal {
    public static func verdictEntries(old: DashboardData?, new: DashboardData, context: String, namespace: String) -> [Effect] {
        let stamp = UTCTime.rfc3339(new.takenAt)
        guard let old else {
            let lines = new.checks.map { "  - \($0.id.rawValue): \($0.verdict.label) — \(TerminalText.safe($0.reason))" }
            return [.journal("- \(stamp) verdicts at start (context \(context), namespace \(namespace)): overall \(new.overall.label)\n" + lines.joined(separator: "\n"))]
        }
        var effects: [Effect] = []
        for check in new.checks {
            let before = old.checks.first { $0.id == check.id }?.verdict
            if let before, before != check.verdict {
                effects.append(.journal("- \(stamp) \(check.id.rawValue): \(before.label) → \(check.verdict.label) — \(TerminalText.safe(check.reason))"))
            }
        }
        return effects
    }

    /// The first entry of a session: which build, which cluster and namespace, and whether it may act.
    public static func sessionStarted(_ state: AppState) -> Effect {
        .journal("- \(UTCTime.rfc3339(state.now)) session started: paperctl-tui \(state.version), context \(state.context), namespace \(state.namespace)"
                 + (state.readOnly ? ", read-only (no action runs)" : ", actions allowed"))
    }

    /// The last entry of a session: how it ended (`how`: the operator quit, or the signal).
    public static func sessionEnded(_ state: AppState, how: String) -> Effect {
        .journal("- \(UTCTime.rfc3339(state.now)) session ended: \(how)"
                 + (state.exitNotes.isEmpty ? "" : "; a restore was left mid-way, the way back is printed on exit"))
    }

    /// Why there is no journal.
    public struct Unavailable: Error, Equatable, CustomStringConvertible {
        public var description: String
    }

    /// `$XDG_STATE_HOME/paperctl/YYYY-MM-DD.md`, else `$HOME/.local/state/…`; with neither
    /// (both unset or not absolute) there is no journal, rather than one in a shared directory.
    public static func location(environment: [String: String], now: Double) -> Result<String, Unavailable> {
        let day = UTCTime.rfc3339(now).prefix(10)
        if let xdg = environment["XDG_STATE_HOME"], xdg.hasPrefix("/") { return .success("\(xdg)/paperctl/\(day).md") }
        if let home = environment["HOME"], home.hasPrefix("/") { return .success("\(home)/.local/state/paperctl/\(day).md") }
        return .failure(Unavailable(description: "neither HOME nor XDG_STATE_HOME is set to an absolute path, so there is no journal"))
    }

    /// The text appended for one entry: redacted, each line cut, control characters escaped.
    public static func entry(_ text: String) -> String { TerminalText.safe(Redactor.redact(text), newlines: true) + "\n" }
}
