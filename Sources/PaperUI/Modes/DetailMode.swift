import PaperDomain

// MARK: - DetailState

/// The detail of one panel, scrolled.
public struct DetailState: Sendable, Equatable {
    public var panel: PanelID
    public var scroll = 0

    public init(panel: PanelID, scroll: Int = 0) {
        self.panel = panel
        self.scroll = scroll
    }
}

// MARK: - DetailMode

/// Every check of a panel with its reason, evidence, next step and exact command, wrapped, never cut.
enum DetailMode {
    static func update(_ detail: inout DetailState, _ state: inout AppState, _ intent: Intent) -> ModeStep {
        let page = max(1, state.height - 6)
        let body = PanelLayout.body(state)
        let last = max(0, wrap(lines(state, detail.panel, Glyphs.unicode), width: body.width - 4).count - (body.height - 2))
        switch intent {
        case .scroll(let how): detail.scroll = scrolled(detail.scroll, how, last: last, page: page)
        case .back: return .pop
        case .restoreUnlock, .fileBackup, .databaseBackup, .forceSync, .openLogs:
            // The keys the detail names do what they do on the dashboard, for this panel.
            return DashboardMode.update(&state, intent)
        default: break
        }
        return .stay
    }

    /// A scroll position moved by `how`, kept within 0…`last`.
    static func scrolled(_ scroll: Int, _ how: Intent.Scroll, last: Int, page: Int) -> Int {
        switch how {
        case .down: min(last, scroll + 1)
        case .up: max(0, scroll - 1)
        case .pageDown: min(last, scroll + page)
        case .pageUp: max(0, scroll - page)
        case .top: 0
        case .bottom: last
        }
    }

    /// The detail of the focused panel: each check's verdict, reason, evidence, next step and exact command.
    static func lines(_ state: AppState, _ panel: PanelID, _ g: Glyphs) -> [(String, Role)] {
        guard let data = state.data.data else { return [("No data yet.", .muted)] }
        let rows = PanelRows.rows(for: panel, in: state)
        let selectedCheck = rows.indices.contains(state.dashboard.selected[panel] ?? 0) ? rows[state.dashboard.selected[panel] ?? 0].check : nil
        var results = data.results(for: panel)
        if let selectedCheck, let i = results.firstIndex(where: { $0.id == selectedCheck }) {
            results.insert(results.remove(at: i), at: 0)
        }
        var lines: [(String, Role)] = []
        if let selectedCheck, let row = rows.first(where: { $0.check == selectedCheck && rows.firstIndex(of: $0) == state.dashboard.selected[panel] }) {
            lines.append(("Selected: \(row.text)", .selection))
            lines.append(("", .text))
        }
        for result in results {
            lines.append(("\(badge(result.verdict, g))  \(result.id.title) [\(result.id.rawValue)]", PanelRows.role(for: result.verdict)))
            lines.append(("  \(result.reason)", .text))
            if !result.evidence.isEmpty {
                lines.append(("  Evidence:", .title))
                for e in result.evidence { lines.append(("    \(e)", e.hasPrefix("CRIT") ? .critical : e.hasPrefix("WARN") ? .warn : .text)) }
            }
            if let hint = result.hint { lines.append(("  Next step: \(hint)", .focus)) }
            if let command = result.command { lines.append(("  Run: \(command)", .keyHint)) }
            let remedy = Remedy.of(result, data)
            if remedy.key != "Enter" { lines.append(("  Key: \(remedy.says)", .keyHint)) }
            lines.append(("", .text))
        }
        return lines
    }

    static func render(_ buf: inout ScreenBuffer, _ state: AppState, _ detail: DetailState, _ g: Glyphs) {
        let panel = detail.panel
        let body = PanelLayout.body(state)
        guard body.width >= 4, body.height >= 3 else { return }
        buf.box(x: body.x, y: body.y, width: body.width, height: body.height, role: .focus, glyphs: g)
        buf.put("[\(panel.rawValue + 1)] \(panel.title) — details (Esc back)", x: body.x + 2, y: body.y, role: .focus, maxWidth: body.width - 4)
        let lines = wrap(Self.lines(state, panel, g), width: body.width - 4)
        let visible = body.height - 2
        let top = min(detail.scroll, max(0, lines.count - visible))
        for i in 0..<visible where top + i < lines.count {
            let (text, role) = lines[top + i]
            buf.putTruncated(text, x: body.x + 2, y: body.y + 1 + i, role: role, width: body.width - 4, ellipsis: g.ellipsis)
        }
    }
}
