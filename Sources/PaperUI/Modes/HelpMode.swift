// MARK: - HelpState

/// The key table as a help overlay, the keys of the mode that opened it first; it returns to
/// that mode when closed.
public struct HelpState: Sendable, Equatable {
    /// The scope of the mode under the help: its keys are listed first.
    public var opener: KeyScope
    /// Lines scrolled (the help is longer than a small terminal).
    public var scroll = 0

    public init(opener: KeyScope = .dashboard, scroll: Int = 0) {
        self.opener = opener
        self.scroll = scroll
    }
}

// MARK: - HelpMode

enum HelpMode {
    static func update(_ help: inout HelpState, _ state: inout AppState, _ intent: Intent) -> ModeStep {
        let layout = Layout(state, help)
        switch intent {
        case .back: return .pop
        case .scroll(.down): help.scroll = min(layout.maxScroll, help.scroll + 1)
        case .scroll(.up): help.scroll = max(0, help.scroll - 1)
        case .scroll(.pageDown): help.scroll = min(layout.maxScroll, help.scroll + layout.capacity)
        case .scroll(.pageUp): help.scroll = max(0, help.scroll - layout.capacity)
        default: break
        }
        return .stay
    }

    /// A section title or one binding.
    enum Line: Equatable {
        case section(String)
        case binding(KeyBinding)
        case blank
    }

    static func title(_ scope: KeyScope) -> String {
        switch scope {
        case .dashboard: "Dashboard"
        case .detail: "Details"
        case .object: "An object opened from its row"
        case .filter: "Typing a filter"
        case .help: "Help"
        case .dialog: "Confirmation dialog"
        case .notice: "Notice"
        case .logs: "Log tail"
        case .logSearch: "Log search prompt"
        case .commandLog: "Command log"
        case .commandLogFilter: "Command log, typing a filter"
        case .journal: "Incident journal"
        case .restore: "Restore wizard"
        case .restoreText: "Restore wizard, typing"
        case .everywhere: "Anywhere"
        }
    }

    /// The opener's keys, then those that work everywhere, then every other scope.
    static func lines(opener: KeyScope) -> [Line] {
        let order = [opener, .everywhere] + KeyScope.allCases.filter { $0 != opener && $0 != .everywhere }
        var out: [Line] = []
        if opener == .restore || opener == .restoreText {
            out.append(.section("Restore steps: 1 What · 2 Preflight · 3 Snapshot · 4 Scope · 5 Target · 6 Plan · 7 Run"))
            out.append(.blank)
        }
        for scope in order {
            let bindings = Keymap.bindings(for: scope)
            guard !bindings.isEmpty else { continue }
            if !out.isEmpty { out.append(.blank) }
            out.append(.section(title(scope) + (scope == opener && scope != .dashboard ? " (where you are)" : "")))
            out += bindings.map(Line.binding)
        }
        return out
    }

    /// The box, its columns and how far it scrolls.
    struct Layout {
        var x, y, w, h, columns, rows: Int
        var lines: [Line]
        var capacity: Int { rows * columns }
        var maxScroll: Int { max(0, lines.count - capacity) }

        init(_ state: AppState, _ help: HelpState) {
            lines = HelpMode.lines(opener: help.opener)
            w = min(state.width - 4, 160)
            columns = w >= 110 ? 2 : 1
            // Below the banner: what failed stays on screen while the help is open.
            let top = PanelLayout.body(state).y
            h = min(state.height - top - 1, (lines.count + columns - 1) / columns + 4)
            x = (state.width - w) / 2
            y = max(top, (state.height - h) / 2)
            rows = max(1, h - 4)
        }
    }

    static func render(_ buf: inout ScreenBuffer, _ state: AppState, _ help: HelpState, _ g: Glyphs) {
        let l = Layout(state, help)
        guard l.w >= 10, l.h >= 5 else { return }
        buf.fill(x: l.x, y: l.y, width: l.w, height: l.h, role: .text)
        buf.box(x: l.x, y: l.y, width: l.w, height: l.h, role: .focus, glyphs: g)
        let readOnly = state.readOnly ? " — READ-ONLY: action keys only explain what they would run" : ""
        buf.putTruncated(" Keys (Esc closes)\(readOnly) ", x: l.x + 2, y: l.y, role: .focus, width: l.w - 4, ellipsis: g.ellipsis)
        let scroll = min(help.scroll, l.maxScroll)
        let columnWidth = (l.w - 4) / l.columns
        let keyWidth = 11
        for (i, line) in l.lines.dropFirst(scroll).prefix(l.capacity).enumerated() {
            let cx = l.x + 2 + (i / l.rows) * columnWidth
            let cy = l.y + 2 + i % l.rows
            switch line {
            case .section(let text):
                buf.putTruncated(text, x: cx, y: cy, role: .title, width: columnWidth - 2, ellipsis: g.ellipsis)
            case .binding(let b):
                buf.put(b.label.padded(keyWidth), x: cx, y: cy, role: .keyHint, maxWidth: keyWidth)
                let readOnly = b.matches.values.contains(.openRestore) ? " (read-only: plan only)" : " (read-only: explains only)"
                let text = b.description + (b.dangerous && state.readOnly ? readOnly : "")
                buf.putTruncated(text, x: cx + keyWidth + 1, y: cy, role: .text, width: columnWidth - keyWidth - 2, ellipsis: g.ellipsis)
            case .blank:
                break
            }
        }
        if l.maxScroll > 0 {
            let more = " \(scroll + 1)–\(min(l.lines.count, scroll + l.capacity)) of \(l.lines.count) · j/k PgUp/PgDn scroll "
            buf.put(more, x: max(l.x + 1, l.x + l.w - 1 - more.count), y: l.y + l.h - 1, role: .muted)
        }
    }
}
