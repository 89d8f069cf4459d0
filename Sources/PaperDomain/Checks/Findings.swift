// MARK: - Findings

/// Accumulates a check's problems; the worst one decides the verdict, reason, hint and command.
struct Findings {
    struct Problem {
        var verdict: Verdict
        var text: String
        var hint: String?
        var command: String?
    }

    var problems: [Problem] = []
    var evidence: [String] = []
    /// The cause behind the problems, when a log or status message names it: its lines come
    /// right after the problems (the first screen shows them) and its next step is the hint.
    var cause: CheckResult.Cause?
    /// The command that goes with the cause (the unlock, the ExternalSecret, the Secret): it
    /// beats the worst problem's command, which may be one that fails the same way.
    var causeCommand: String?

    mutating func raise(_ verdict: Verdict, _ text: String, hint: String? = nil, command: String? = nil) {
        problems.append(Problem(verdict: verdict, text: text, hint: hint, command: command))
    }

    mutating func note(_ line: String) { evidence.append(line) }

    var verdict: Verdict { problems.map(\.verdict).max() ?? .ok }

    /// Builds the result: the worst problems first in the reason, every problem in the evidence.
    func result(_ id: CheckID, ok okReason: String, hint okHint: String? = nil, command okCommand: String? = nil) -> CheckResult {
        guard !problems.isEmpty else {
            return CheckResult(id: id, verdict: .ok, reason: okReason, evidence: evidence, hint: okHint, command: okCommand)
        }
        let causeLines = cause.map { ["cause: \($0.kind) — \($0.evidence)", "next step: \($0.nextStep)"] } ?? []
        let sorted = problems.enumerated().sorted { a, b in
            a.element.verdict != b.element.verdict ? a.element.verdict > b.element.verdict : a.offset < b.offset
        }.map(\.element)
        var reason = sorted.prefix(2).map(\.text).joined(separator: "; ")
        if sorted.count > 2 { reason += " (+\(sorted.count - 2) more)" }
        let worst = sorted[0]
        let hinted = sorted.first { $0.hint != nil }
        let commanded = sorted.first { $0.command != nil }
        return CheckResult(
            id: id, verdict: verdict, reason: reason,
            evidence: sorted.map { "\($0.verdict.label): \($0.text)" } + causeLines + evidence,
            hint: cause?.nextStep ?? worst.hint ?? hinted?.hint ?? okHint,
            command: causeCommand ?? worst.command ?? commanded?.command ?? okCommand,
            cause: cause
        )
    }
}
