import Foundation
import PaperKube

// MARK: - CheckReport

/// The outcome of a `check` run: where, when, the overall verdict and every result.
/// Encodes to the `check --json` document and renders the text table.
public struct CheckReport: Sendable, Equatable, Codable {
    public var context: String
    public var namespace: String
    /// RFC 3339 UTC time the snapshot was judged.
    public var time: String
    public var overall: Verdict
    public var checks: [CheckResult]
    /// kubectl processes the snapshot cost.
    public var kubectlProcesses: Int
    /// Which Argo CD Application manages the app, if any (nil: not looked at).
    public var gitops: GitOpsReport?

    public init(context: String, namespace: String, now: Double, checks: [CheckResult], kubectlProcesses: Int = 0, gitops: GitOpsReport? = nil) {
        self.gitops = gitops
        self.context = context
        self.namespace = namespace
        self.time = UTCTime.rfc3339(now)
        self.overall = Verdict.overall(checks.map(\.verdict))
        self.checks = checks
        self.kubectlProcesses = kubectlProcesses
    }

    /// The Nagios-style exit status of the whole run.
    public var exitCode: Int32 { overall.exitCode }

    /// One JSON document, keys sorted, pretty-printed. JSON escapes C0 controls; DEL, C1 and
    /// bidi controls are escaped as `\uXXXX` too, so the document is safe to print.
    public func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(self) else { return "{}" }
        return TerminalText.json(String(decoding: data, as: UTF8.self))
    }

    /// A plain-text table: verdict, id and reason per check, then details of the ones not OK.
    /// Every field from the cluster is one line with its control characters escaped.
    public func table(verbose: Bool = false) -> String {
        let safe = { (text: String) in TerminalText.safe(text) }
        var lines = ["paperctl check: context \(safe(context)), namespace \(safe(namespace)), \(time): \(overall.label)", ""]
        let idWidth = max(2, checks.map(\.id.rawValue.count).max() ?? 2)
        lines.append(pad("STATUS", 8) + pad("CHECK", idWidth + 2) + "REASON")
        for result in checks {
            lines.append(pad(result.verdict.label, 8) + pad(result.id.rawValue, idWidth + 2) + safe(result.reason))
        }
        let details = checks.filter { verbose || $0.verdict != .ok }
        for result in details {
            lines.append("")
            lines.append("[\(result.verdict.label)] \(result.id.rawValue): \(result.id.title)")
            for item in result.evidence { lines.append("  - \(safe(item))") }
            if let hint = result.hint { lines.append("  next: \(safe(hint))") }
            if let command = result.command { lines.append("  run:  \(safe(command))") }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
    }
}
