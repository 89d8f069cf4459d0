import PaperDomain
import PaperKube

// MARK: - Journal

/// What goes into the incident journal: verdicts at start and every change of verdict.
/// Actions add their own entries (confirmation, command, result). Every entry is redacted.
public enum Journal {
    public static func verdictEntries(old: DashboardData?, new: DashboardData, context: String, namespace: String) -> [Effect] {
        let stamp = UTCTime.rfc3339(new.takenAt)
        guard let old else {
            let lines = new.checks.map { "  - \($0.id.rawValue): \($0.verdict.label) — \($0.reason)" }
            return [.journal("- \(stamp) verdicts at start (context \(context), namespace \(namespace)): overall \(new.overall.label)\n" + lines.joined(separator: "\n"))]
        }
        var effects: [Effect] = []
        for check in new.checks {
            let before = old.checks.first { $0.id == check.id }?.verdict
            if let before, before != check.verdict {
                effects.append(.journal("- \(stamp) \(check.id.rawValue): \(before.label) → \(check.verdict.label) — \(check.reason)"))
            }
        }
        return effects
    }

    /// `$XDG_STATE_HOME/paperctl/YYYY-MM-DD.md`, falling back to `~/.local/state`.
    public static func path(environment: [String: String], now: Double) -> String {
        let base = environment["XDG_STATE_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? "\(environment["HOME"] ?? "/tmp")/.local/state"
        return "\(base)/paperctl/\(UTCTime.rfc3339(now).prefix(10)).md"
    }

    /// The text appended for one entry, redacted.
    public static func entry(_ text: String) -> String { Redactor.redact(text) + "\n" }
}
