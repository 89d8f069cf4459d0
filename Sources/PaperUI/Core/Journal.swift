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
