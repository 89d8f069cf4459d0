import PaperDomain

// MARK: - PanelRow

/// One line of a panel: text, how it is drawn, the check it belongs to, and an optional gauge.
public struct PanelRow: Sendable, Equatable {
    public var text: String
    public var role: Role
    public var check: CheckID
    public var verdict: Verdict?
    /// 0…1 for a usage bar (Storage).
    public var gauge: Double?
    /// The object the row is about, when the row stands for one (actions read this, never the text).
    public var subject: Subject?

    public enum Subject: Sendable, Equatable {
        case externalSecret(String)
        case job(String)
        case backup(String)
    }

    public init(text: String, role: Role, check: CheckID, verdict: Verdict?, gauge: Double? = nil, subject: Subject? = nil) {
        self.text = text
        self.role = role
        self.check = check
        self.verdict = verdict
        self.gauge = gauge
        self.subject = subject
    }
}

// MARK: - PanelRows

/// Turns check results into the rows a panel lists: each check's verdict line, then its evidence.
public enum PanelRows {
    public static func rows(for panel: PanelID, in state: AppState) -> [PanelRow] {
        guard let data = state.data.data else { return [] }
        var rows: [PanelRow] = []
        // Worst first; a panel of several checks opens with one summary row per check, and only the
        // checks that are not OK bring their evidence (the rest is one Enter away).
        let results = data.results(for: panel).enumerated().sorted { a, b in
            a.element.verdict != b.element.verdict ? a.element.verdict > b.element.verdict : a.offset < b.offset
        }.map(\.element)
        let multi = panel.checks.count > 1
        if multi {
            for result in results {
                rows.append(PanelRow(text: "\(result.id.title): \(result.reason)", role: role(for: result.verdict), check: result.id, verdict: result.verdict))
            }
        }
        for result in results where !multi || result.verdict != .ok {
            for line in result.evidence {
                var text = line
                var role: Role = .text
                var verdict: Verdict?
                if text.hasPrefix("CRIT: ") { role = .critical; verdict = .critical; text.removeFirst(6) }
                else if text.hasPrefix("WARN: ") { role = .warn; verdict = .warn; text.removeFirst(6) }
                else if text.hasPrefix("UNKNOWN: ") { role = .unknown; verdict = .unknown; text.removeFirst(9) }
                if multi && verdict != nil && text == result.reason { continue }
                // The Secrets panel lists one typed row per ExternalSecret (what `f` acts on) instead of the check's notes.
                if panel == .secrets && verdict == nil && data.facts[.secrets] != nil { continue }
                if panel == .logs && verdict == nil {
                    let level = LogLevel(classifying: text)
                    if level.showsAsError { role = .logError } else if level == .warn { role = .logWarn }
                }
                rows.append(PanelRow(text: text, role: role, check: result.id, verdict: verdict, gauge: panel == .storage ? gauge(in: text) : nil))
                // The cause is a lock: the key that removes it, on the panel that says so.
                if text.hasPrefix("next step: "), result.id == .fileBackups, result.cause?.kind == ResticDiagnosis.Cause.locked.rawValue {
                    rows.append(PanelRow(text: "u: restic unlock in a Job from the CronJob (the command is shown and confirmed first)", role: .keyHint, check: result.id, verdict: nil))
                }
            }
            if result.evidence.isEmpty && !multi {
                rows.append(PanelRow(text: result.reason, role: role(for: result.verdict), check: result.id, verdict: result.verdict))
            }
        }
        rows += data.facts[panel] ?? []
        if let filter = state.dashboard.filters[panel], !filter.isEmpty {
            let needle = filter.lowercased()
            rows = rows.filter { $0.text.lowercased().contains(needle) }
        }
        return rows
    }

    public static func role(for verdict: Verdict) -> Role {
        switch verdict {
        case .ok: .ok
        case .warn: .warn
        case .critical: .critical
        case .unknown: .unknown
        }
    }

    /// Reads "NN% used" from a storage evidence line.
    static func gauge(in text: String) -> Double? {
        guard let r = text.firstRange(of: "% used") else { return nil }
        let digits = text[..<r.lowerBound].reversed().prefix { $0.isNumber || $0 == "." }
        return Double(String(digits.reversed())).map { min(1, max(0, $0 / 100)) }
    }
}
