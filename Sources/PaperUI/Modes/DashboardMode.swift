import Foundation
import PaperDomain
import PaperKube

// MARK: - DashboardState

/// The dashboard's own state: which panel has the focus, the selection, scroll and filter of each.
public struct DashboardState: Sendable, Equatable {
    public var focus: PanelID = .pods
    public var selected: [PanelID: Int] = [:]
    public var scroll: [PanelID: Int] = [:]
    public var filters: [PanelID: String] = [:]
    /// The focused panel fills the body (`z`).
    public var zoomed = false
    /// The operator moved the focus: new data no longer move it to the worst panel.
    public var focusChosen = false

    public init() {}
}

// MARK: - DashboardMode

/// The six panels: focus, selection, and the keys that open everything else.
enum DashboardMode {
    static func update(_ state: inout AppState, _ intent: Intent) -> ModeStep {
        let panel = state.dashboard.focus
        let rowCount = PanelRows.rows(for: panel, in: state).count
        let page = max(1, PanelLayout.visibleRows(for: panel, in: state))
        let current = state.dashboard.selected[panel] ?? 0
        func move(to index: Int) {
            state.dashboard.selected[panel] = max(0, min(max(0, rowCount - 1), index))
            keepVisible(&state, panel, page: page)
        }
        switch intent {
        case .focusNext, .focusPrevious, .focus:
            state.dashboard.focusChosen = true
        default:
            break
        }
        switch intent {
        case .zoom:
            state.dashboard.zoomed.toggle()
        case .focusNext:
            state.dashboard.focus = PanelID(rawValue: (panel.rawValue + 1) % PanelID.allCases.count) ?? .pods
        case .focusPrevious:
            state.dashboard.focus = PanelID(rawValue: (panel.rawValue + PanelID.allCases.count - 1) % PanelID.allCases.count) ?? .pods
        case .focus(let p):
            state.dashboard.focus = p
        case .scroll(let how):
            switch how {
            case .down: move(to: current + 1)
            case .up: move(to: current - 1)
            case .pageDown: move(to: current + page)
            case .pageUp: move(to: current - page)
            case .top: move(to: 0)
            case .bottom: move(to: rowCount - 1)
            }
        case .openDetail:
            // A row that stands for an object opens that object; any other row the panel's details.
            return ObjectMode.open(&state) ?? ModeStep(.push(.detail(DetailState(panel: panel))))
        case .openFilter:
            return ModeStep(.push(.filter(FilterState(panel: panel, draft: state.dashboard.filters[panel] ?? ""))))
        case .clearFilter:
            state.dashboard.zoomed = false
            state.dashboard.filters[panel] = nil
            if let pending = state.pending {
                state.pending = nil
                notify(&state, "cancelled: \(pending.label) will not open when the data arrive")
            }
        case .refresh:
            return ModeStep(.stay, startRefresh(&state))
        case .nextTheme:
            state.themeIndex = (state.themeIndex + 1) % max(1, state.themeCount)
            if state.themeNames.indices.contains(state.themeIndex) { notify(&state, "theme: \(state.themeNames[state.themeIndex])") }
        case .openLogs:
            // On a pod's or a Job's row: that object's log; elsewhere the app's (or Redis's).
            if let subject = selectedRow(state)?.subject, let step = LogTailMode.open(subject, &state) { return step }
            return LogTailMode.open(&state)
        case .openRestore:
            return RestoreWizardMode.open(&state)
        case .restoreUnlock:
            return RestoreWizardMode.openUnlock(&state)
        case .openCommandLog:
            return ModeStep(.push(.commandLog(CommandLogState())))
        case .openJournal:
            return ModeStep(.stay, [.loadJournal])
        case .fileBackup, .databaseBackup, .forceSync:
            guard let request = ActionRequest.make(intent, state) else { return .stay }
            return ModeStep(.push(.dialog(request.dialog(state, warning: ActionRequest.sameFailureWarning(intent, state)))))
        default:
            break
        }
        return .stay
    }

    /// Starts a refresh unless one is running.
    static func startRefresh(_ state: inout AppState) -> [Effect] {
        guard !state.refreshing else { return [] }
        state.refreshing = true
        state.lastAttempt = state.now
        return [.refresh]
    }

    static func keepVisible(_ state: inout AppState, _ panel: PanelID, page: Int) {
        let sel = state.dashboard.selected[panel] ?? 0
        var top = state.dashboard.scroll[panel] ?? 0
        if sel < top { top = sel }
        if sel >= top + page { top = sel - page + 1 }
        state.dashboard.scroll[panel] = max(0, top)
    }

    /// The panel of the worst check (the first of equals in panel order).
    static func worstPanel(_ data: DashboardData) -> PanelID? {
        PanelID.allCases.enumerated().max { a, b in
            let va = data.verdict(for: a.element), vb = data.verdict(for: b.element)
            return va != vb ? va < vb : a.offset > b.offset
        }?.element
    }

    /// Until the operator picks a panel, the focus follows the worst one.
    static func focusWorst(_ state: inout AppState) {
        guard !state.dashboard.focusChosen, let data = state.data.data, let worst = worstPanel(data), data.verdict(for: worst) != .ok else { return }
        state.dashboard.focus = worst
    }

    static func clampSelection(_ state: inout AppState) {
        for panel in PanelID.allCases {
            let count = PanelRows.rows(for: panel, in: state).count
            state.dashboard.selected[panel] = min(state.dashboard.selected[panel] ?? 0, max(0, count - 1))
            keepVisible(&state, panel, page: max(1, PanelLayout.visibleRows(for: panel, in: state)))
        }
    }

    /// The row the dashboard's selection is on, in the focused panel.
    static func selectedRow(_ state: AppState) -> PanelRow? {
        let panel = state.dashboard.focus
        let rows = PanelRows.rows(for: panel, in: state)
        let i = state.dashboard.selected[panel] ?? 0
        return rows.indices.contains(i) ? rows[i] : nil
    }

    // MARK: View

    /// The rows a panel row takes at `width`: cause, next step, key hints and CRIT/WARN rows wrap
    /// in full (the end of a finding is often the point); other rows take one line.
    static func lineCounts(_ rows: [PanelRow], width: Int) -> [Int] {
        rows.map { row in
            guard row.gauge == nil, width > 10, ScreenBuffer.displayWidth(row.text) > width - 2 else { return 1 }
            return max(1, wrap([(row.text, row.role)], width: width - 2).count)
        }
    }

    /// The lines a panel's rows take when only the essential rows wrap.
    static func neededLines(_ rows: [PanelRow], width: Int) -> Int {
        zip(rows, lineCounts(rows, width: width)).reduce(0) { $0 + (isEssential($1.0) ? $1.1 : 1) }
    }

    /// Rows that are never cut: what is wrong, why, and what to do.
    static func isEssential(_ row: PanelRow) -> Bool {
        !row.isSummary && row.verdict == .critical || row.verdict == .warn || row.role == .keyHint || row.text.hasPrefix("cause: ") || row.text.hasPrefix("next step: ")
    }

    static func render(_ buf: inout ScreenBuffer, _ state: AppState, _ g: Glyphs) {
        if PanelLayout.compact(state) {
            renderCompact(&buf, state, g)
            return
        }
        let rects = PanelLayout.rects(in: state)
        for panel in PanelID.allCases {
            if let r = rects[panel] { renderPanel(&buf, state, panel, r, g) }
        }
    }

    /// Below 80×22: the checks that are not OK, worst first, each with its cause, next step and key.
    static func renderCompact(_ buf: inout ScreenBuffer, _ state: AppState, _ g: Glyphs) {
        let body = PanelLayout.body(state)
        guard body.height > 0, body.width > 4 else { return }
        var lines: [(String, Role)] = []
        if let data = state.data.data {
            let bad = data.checks.enumerated().filter { $0.element.verdict != .ok }
                .sorted { $0.element.verdict != $1.element.verdict ? $0.element.verdict > $1.element.verdict : $0.offset < $1.offset }.map(\.element)
            if bad.isEmpty {
                lines.append(("\(symbol(.ok, g)) all \(data.checks.count) checks OK", .ok))
            }
            for result in bad {
                lines.append(("\(badge(result.verdict, g)) \(result.id.title): \(result.reason)", PanelRows.role(for: result.verdict)))
                if let cause = result.cause { lines.append(("  cause: \(cause.kind) — \(cause.evidence)", .text)) }
                if let hint = result.hint { lines.append(("  next step: \(hint)", .focus)) }
                let remedy = Remedy.of(result, data)
                lines.append(("  " + (PanelRows.keyRow(remedy, result) ?? "\(remedy.says)"), .keyHint))
            }
        } else {
            lines.append((state.data.error.map { "no data: \($0.message)" } ?? "loading…", state.data.error == nil ? .muted : .critical))
        }
        let wrapped = wrap(lines, width: body.width - 2)
        let shown = wrapped.count > body.height ? Array(wrapped.prefix(body.height - 1)) + [("… \(wrapped.count - body.height + 1) more lines: enlarge the terminal (the panels need 80x22)", Role.muted)] : wrapped
        for (i, line) in shown.enumerated() {
            buf.putTruncated(line.0, x: body.x + 1, y: body.y + i, role: line.1, width: body.width - 2, ellipsis: g.ellipsis)
        }
    }

    static func renderPanel(_ buf: inout ScreenBuffer, _ state: AppState, _ panel: PanelID, _ r: Rect, _ g: Glyphs) {
        guard r.width >= 4, r.height >= 1 else { return }
        let focused = state.dashboard.focus == panel
        if r.height < 3 {
            // Collapsed: the title line only.
            buf.fill(x: r.x, y: r.y, width: r.width, height: 1, char: g.horizontal, role: focused ? .focus : .border)
        } else {
            buf.box(x: r.x, y: r.y, width: r.width, height: r.height, role: focused ? .focus : .border, glyphs: g)
        }
        // Title: [n] Name VERDICT reason
        var x = r.x + 1
        let inner = r.width - 2
        x += buf.put("[\(panel.rawValue + 1)] \(panel.title) ", x: x, y: r.y, role: focused ? .focus : .title, maxWidth: inner)
        if let data = state.data.data {
            let verdict = data.verdict(for: panel)
            x += buf.put("\(badge(verdict, g)) ", x: x, y: r.y, role: PanelRows.role(for: verdict), maxWidth: r.x + r.width - 1 - x)
            let worst = data.results(for: panel).max { $0.verdict < $1.verdict }
            if let reason = worst?.reason, r.x + r.width - 1 - x > 4 {
                x += buf.putTruncated(reason, x: x, y: r.y, role: .text, width: r.x + r.width - 1 - x, ellipsis: g.ellipsis)
            }
        }
        guard r.height >= 3 else { return }
        if let filter = state.dashboard.filters[panel] {
            let label = " /\(filter) "
            buf.put(label, x: max(r.x + 1, r.x + r.width - 1 - label.count), y: r.y + r.height - 1, role: .keyHint)
        }
        let rows = PanelRows.rows(for: panel, in: state)
        let visible = r.height - 2
        if state.data.data == nil {
            let text = state.data.error.map { "no data: \($0.message)" } ?? "loading…"
            buf.putTruncated(text, x: r.x + 2, y: r.y + 1, role: state.data.error == nil ? .muted : .critical, width: r.width - 4, ellipsis: g.ellipsis)
            return
        }
        if rows.isEmpty {
            buf.put(state.dashboard.filters[panel] != nil ? "no rows match the filter" : "nothing to show", x: r.x + 2, y: r.y + 1, role: .muted, maxWidth: r.width - 4)
            return
        }
        let top = state.dashboard.scroll[panel] ?? 0
        let selected = state.dashboard.selected[panel] ?? 0
        let full = lineCounts(rows, width: r.width - 2)
        // Everything wraps when it fits that way; otherwise only the rows that say what is wrong and what to do.
        let wrapAll = full.reduce(0, +) <= visible
        let counts = rows.indices.map { i in wrapAll || isEssential(rows[i]) ? full[i] : 1 }
        var start = wrapAll ? 0 : min(top, max(0, rows.count - 1))
        if focused, selected >= start, selected < rows.count {
            while start < selected, counts[start...selected].reduce(0, +) > visible { start += 1 }
        }
        var y = r.y + 1
        var index = start
        while y < r.y + 1 + visible, index < rows.count {
            let row = rows[index]
            let isSelected = focused && index == selected && state.mode.scope != .help
            let lineCount = min(counts[index], r.y + 1 + visible - y)
            if isSelected { buf.fill(x: r.x + 1, y: y, width: r.width - 2, height: lineCount, role: .selection) }
            var cx = r.x + 1
            let mark = row.verdict.map { symbol($0, g) + " " } ?? "  "
            cx += buf.put(mark, x: cx, y: y, role: isSelected ? .selection : row.role)
            var width = r.x + r.width - 1 - cx
            if let gauge = row.gauge, width > 30 {
                let barWidth = min(20, width / 3)
                let filled = Int((gauge * Double(barWidth)).rounded())
                let barRole: Role = gauge >= 0.9 ? .critical : gauge >= 0.8 ? .warn : .ok
                buf.put(String(repeating: g.barFull, count: filled), x: cx, y: y, role: barRole)
                buf.put(String(repeating: g.barEmpty, count: barWidth - filled), x: cx + filled, y: y, role: .muted)
                cx += barWidth + 1
                width = r.x + r.width - 1 - cx
            }
            let role = isSelected ? Role.selection : row.role
            if lineCount > 1 {
                let lines = wrap([(row.text, role)], width: width)
                for (i, line) in lines.prefix(lineCount).enumerated() {
                    let last = i == lineCount - 1 && lines.count > lineCount
                    buf.putTruncated(last ? line.0 + " " + lines[(i + 1)...].map { $0.0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ") : line.0,
                                     x: cx, y: y + i, role: role, width: width, ellipsis: g.ellipsis)
                }
            } else {
                buf.putTruncated(row.text, x: cx, y: y, role: role, width: width, ellipsis: g.ellipsis)
            }
            y += lineCount
            index += 1
        }
        if index < rows.count || start > 0 {
            let info = " \(index)/\(rows.count) "
            buf.put(info, x: r.x + r.width - 1 - info.count, y: r.y + r.height - 1, role: .muted)
        }
    }
}
