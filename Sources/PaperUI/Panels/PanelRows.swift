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
    /// A check's one-line summary in a panel of several checks (its evidence follows, so it is never wrapped).
    public var isSummary = false

    /// What Enter opens (`ObjectMode`), `l` tails (pods and Jobs), and `f` acts on (ExternalSecrets).
    public enum Subject: Sendable, Equatable {
        case externalSecret(String)
        case job(String)
        case backup(String)
        case pod(String)
        case pvc(String)

        public var name: String {
            switch self {
            case .externalSecret(let n), .job(let n), .backup(let n), .pod(let n), .pvc(let n): n
            }
        }

        /// `KIND/NAME` as kubectl takes it (the CRDs by their full names, so no other `backup` is meant).
        public var resource: String {
            switch self {
            case .externalSecret(let n): "externalsecrets.external-secrets.io/\(n)"
            case .job(let n): "job/\(n)"
            case .backup(let n): "backups.postgresql.cnpg.io/\(n)"
            case .pod(let n): "pod/\(n)"
            case .pvc(let n): "pvc/\(n)"
            }
        }

        /// The short form the view's title shows.
        public var reference: String {
            switch self {
            case .externalSecret(let n): "externalsecret/\(n)"
            case .backup(let n): "backup/\(n)"
            default: resource
            }
        }

        /// `involvedObject.kind` of its events.
        public var eventKind: String {
            switch self {
            case .externalSecret: "ExternalSecret"
            case .job: "Job"
            case .backup: "Backup"
            case .pod: "Pod"
            case .pvc: "PersistentVolumeClaim"
            }
        }
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
                var row = PanelRow(text: "\(result.id.title): \(result.reason)", role: role(for: result.verdict), check: result.id, verdict: result.verdict)
                row.isSummary = true
                rows.append(row)
            }
        }
        var whyAndWhatNow: [PanelRow] = []
        var rest: [PanelRow] = []
        for result in results where !multi || result.verdict != .ok {
            let first = rows.count
            // Where "what now" goes: right after the problem and cause rows of this check.
            var after = rows.count
            var saysNextStep = false
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
                if text.hasPrefix("next step: ") { saysNextStep = true; role = .focus }
                if panel == .logs && verdict == nil {
                    let level = LogLevel(classifying: text)
                    if level.showsAsError { role = .logError } else if level == .warn { role = .logWarn }
                }
                rows.append(PanelRow(text: text, role: role, check: result.id, verdict: verdict, gauge: panel == .storage ? gauge(in: text) : nil))
                if verdict != nil || text.hasPrefix("cause: ") || text.hasPrefix("next step: ") { after = rows.count }
            }
            if result.evidence.isEmpty && !multi {
                rows.append(PanelRow(text: result.reason, role: role(for: result.verdict), check: result.id, verdict: result.verdict))
                after = rows.count
            }
            guard result.verdict != .ok else { continue }
            // What now, on the panel that says what is wrong: the next step and the key that acts on the cause.
            var now: [PanelRow] = []
            if !saysNextStep, let hint = result.hint {
                now.append(PanelRow(text: "next step: \(hint)", role: .focus, check: result.id, verdict: nil))
            }
            let remedy = Remedy.of(result, data)
            if let text = keyRow(remedy, result) {
                now.append(PanelRow(text: text, role: .keyHint, check: result.id, verdict: nil))
            }
            rows.insert(contentsOf: now, at: max(first, min(after, rows.count)))
            if multi {
                // Under the summaries, why and what now come first; the rest of the evidence after.
                let own = Array(rows[first...])
                let lead = own.filter(isWhyOrWhatNow)
                whyAndWhatNow += lead
                rest += own.filter { !isWhyOrWhatNow($0) }
                rows.removeSubrange(first...)
            }
        }
        rows += whyAndWhatNow + rest
        // Rows that name a pod (Pods) or a claim (Storage) open it with Enter.
        if panel == .pods || panel == .storage {
            let names = Set(panel == .pods ? data.pods.map(\.metadata.name) : data.claims)
            for i in rows.indices where rows[i].subject == nil {
                guard let name = objectName(in: rows[i].text, among: names) else { continue }
                rows[i].subject = panel == .pods ? .pod(name) : .pvc(name)
            }
        }
        rows += data.facts[panel] ?? []
        if let filter = state.dashboard.filters[panel], !filter.isEmpty {
            let needle = filter.lowercased()
            rows = rows.filter { $0.text.lowercased().contains(needle) }
        }
        return rows
    }

    /// The first word of `text` that is one of `names` (words are runs of name characters).
    static func objectName(in text: String, among names: Set<String>) -> String? {
        guard !names.isEmpty else { return nil }
        for word in text.split(whereSeparator: { !($0.isLetter || $0.isNumber || $0 == "-" || $0 == ".") }) {
            let name = String(word.hasSuffix(".") ? word.dropLast() : word)
            if names.contains(name) { return name }
        }
        return nil
    }

    /// The cause, the next step and the key: the rows that say why and what now.
    static func isWhyOrWhatNow(_ row: PanelRow) -> Bool {
        row.role == .keyHint || row.text.hasPrefix("cause: ") || row.text.hasPrefix("next step: ")
    }

    /// The key row under a cause: what the key does, in a few words. Without a key, a diagnosed
    /// cause's command (the Secret by name, the log that holds the error).
    static func keyRow(_ remedy: Remedy, _ result: CheckResult) -> String? {
        switch remedy.key {
        case "u": "u: restic unlock in a Job from the CronJob (the command is shown and confirmed first)"
        case "b": "b: a backup Job from the CronJob proves the repository is free (the command is shown and confirmed first)"
        case "f": remedy.externalSecret.map { "f: force-sync ExternalSecret \($0) (the command is shown and confirmed first)" }
        case "l": "l: tail Redis's own log (c switches containers)"
        default: result.cause != nil ? result.command.map { "Enter: details; run: \($0)" } : nil
        }
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
