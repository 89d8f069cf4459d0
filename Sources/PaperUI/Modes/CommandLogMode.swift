import PaperDomain
import PaperKube

// MARK: - CommandLogState

/// Every kubectl command run, newest last: a selected line (counted from the newest), a filter,
/// and the selected command in full.
public struct CommandLogState: Sendable, Equatable {
    /// The selected line, counted from the newest shown (0: the newest).
    public var scrollFromBottom = 0
    /// Only the lines that contain this (any case).
    public var filter: String?
    /// The filter being typed (`/`), nil when not typing.
    public var filterDraft: String?
    /// Enter: the selected command is shown in full, `--kubeconfig` and `--context` included.
    public var expanded = false

    public init(scrollFromBottom: Int = 0) { self.scrollFromBottom = scrollFromBottom }
}

// MARK: - CommandLogMode

enum CommandLogMode {
    static func update(_ log: inout CommandLogState, _ state: inout AppState, _ intent: Intent) -> ModeStep {
        if var draft = log.filterDraft {
            switch intent {
            case .type(let c): draft.append(c)
            case .erase: if !draft.isEmpty { draft.removeLast() }
            case .submit:
                log.filterDraft = nil
                return .stay
            case .back:
                log.filterDraft = nil
                log.filter = nil
                return .stay
            default: return .stay
            }
            log.filterDraft = draft
            log.filter = draft.isEmpty ? nil : draft
            log.scrollFromBottom = 0
            return .stay
        }
        let count = shown(state, log).count
        let page = max(1, PanelLayout.body(state).height - 4)
        switch intent {
        case .scroll(.up): log.scrollFromBottom = min(max(0, count - 1), log.scrollFromBottom + 1)
        case .scroll(.down): log.scrollFromBottom = max(0, log.scrollFromBottom - 1)
        case .scroll(.pageUp): log.scrollFromBottom = min(max(0, count - 1), log.scrollFromBottom + page)
        case .scroll(.pageDown): log.scrollFromBottom = max(0, log.scrollFromBottom - page)
        case .openDetail: log.expanded.toggle()
        case .openFilter: log.filterDraft = log.filter ?? ""
        case .back:
            // Esc clears a filter before it closes.
            guard log.filter == nil else {
                log.filter = nil
                log.scrollFromBottom = 0
                return .stay
            }
            return .pop
        default: break
        }
        return .stay
    }

    /// `--kubeconfig … --context …` as every command line carries them (redacted as the lines
    /// are), shown once in the header and left out of the lines; nil when there are none.
    static func connection(_ state: AppState) -> String? {
        guard let target = state.data.data?.actions?.target, !target.connectionArguments.isEmpty else { return nil }
        return Redactor.redact(target.connectionArguments.map(KubectlCommand.shellQuoted).joined(separator: " "))
    }

    /// A command line without the connection flags every line shares.
    static func elided(_ line: String, _ connection: String?) -> String {
        guard let connection, let range = line.range(of: " " + connection) else { return line }
        var out = line
        out.removeSubrange(range)
        return out
    }

    /// One record as a line: when it started, how long it took, how it ended, the command (without
    /// the shared flags), what an action created or changed.
    static func text(_ r: CommandRecord, connection: String?) -> String {
        var status = r.note ?? r.exitStatus.map { "exit \($0)" } ?? "killed"
        var tail = r.viaProxy ? "  (via proxy)" : ""
        if r.streamID != nil {
            status = r.title ?? "stream"
            let n = r.lines ?? 0
            tail = "  · \(n) \(r.commandLine.contains("watch=1") ? "event" : "line")\(n == 1 ? "" : "s")" + tail
        }
        if let result = r.result { tail += "  → \(result)" }
        if r.repeats > 1 { tail += "  ×\(r.repeats)" }
        let time = String(UTCTime.rfc3339(r.startedAt).dropFirst(11).prefix(8))
        return "\(time) \(format1(r.duration).padded(6)) \(status.padded(7)) \(r.isAction ? "ACTION " : "")\(elided(r.commandLine, connection).replacingOccurrences(of: "\n", with: " "))\(tail)"
    }

    /// The records the filter lets through, oldest first, each with its line.
    static func shown(_ state: AppState, _ log: CommandLogState) -> [(CommandRecord, String)] {
        let connection = connection(state)
        let all = state.commandLog.map { ($0, text($0, connection: connection)) }
        guard let filter = log.filter, !filter.isEmpty else { return all }
        return all.filter { $0.1.range(of: filter, options: .caseInsensitive) != nil || ($0.0.title?.range(of: filter, options: .caseInsensitive) != nil) }
    }

    static func render(_ buf: inout ScreenBuffer, _ state: AppState, _ log: CommandLogState, _ g: Glyphs) {
        let records = shown(state, log)
        let selected = records.count - 1 - min(log.scrollFromBottom, max(0, records.count - 1))
        var lines: [(String, Role)] = []
        if let connection = connection(state) { lines.append(("Every command runs with \(connection) (left out below; Enter shows one in full)", .muted)) }
        if let draft = log.filterDraft {
            lines.append(("filter: \(draft)_", .focus))
        } else if let filter = log.filter {
            lines.append(("filter: \(filter) (\(records.count) of \(state.commandLog.count); Esc clears)", .focus))
        }
        var selectedLine = lines.count
        if records.isEmpty {
            lines.append((state.commandLog.isEmpty ? "No kubectl command has run yet." : "No command matches the filter.", .muted))
        }
        for (i, (r, text)) in records.enumerated() {
            var role: Role = r.isAction ? (r.exitStatus == 0 ? .ok : .critical) : r.note != nil ? .warn : .muted
            if i == selected {
                selectedLine = lines.count
                // The cursor shows once the operator moves it or opens a line (until then the newest keeps its colour).
                if log.scrollFromBottom > 0 || log.expanded { role = .selection }
            }
            lines.append((text, role))
            if i == selected && log.expanded {
                lines.append(("    full command: \(r.commandLine.replacingOccurrences(of: "\n", with: " "))", .keyHint))
                if let title = r.title, r.isAction { lines.append(("    action: \(title)", .keyHint)) }
            }
        }
        // Scroll so that the selected line (and its full form) is in view, counted in wrapped lines.
        let body = PanelLayout.body(state)
        let width = body.width - 4
        let below = lines[selectedLine...].dropFirst(1 + (log.expanded ? 1 : 0)).reduce(0) { $0 + wrap([$1], width: width).count }
        let fromBottom = max(0, below - max(0, (body.height - 2) / 2))
        renderOverlay(&buf, state, g, title: "Command log: every kubectl run, newest last (actions highlighted; / filters; c/Esc closes)", lines: lines,
                      scrollFromBottom: fromBottom)
    }
}
