// MARK: - HelpState

/// The key table as a help overlay; it returns to whichever mode opened it.
public struct HelpState: Sendable, Equatable {
    public init() {}
}

// MARK: - HelpMode

enum HelpMode {
    static func update(_ help: inout HelpState, _ state: inout AppState, _ intent: Intent) -> ModeStep {
        intent == .back ? .pop : .stay
    }

    /// Every binding of `Keymap.all`, in two columns when they do not fit in one.
    static func render(_ buf: inout ScreenBuffer, _ state: AppState, _ g: Glyphs) {
        let entries = Keymap.all
        let w = min(state.width - 4, 160)
        let h = min(state.height - 2, entries.count + 4)
        let x = (state.width - w) / 2
        let y = max(1, (state.height - h) / 2)
        let rows = max(1, h - 3)
        let columns = min(3, (entries.count + rows - 1) / rows)
        let columnWidth = (w - 4) / max(1, columns)
        buf.fill(x: x, y: y, width: w, height: h, role: .text)
        buf.box(x: x, y: y, width: w, height: h, role: .focus, glyphs: g)
        buf.put(state.readOnly ? " Keys (Esc closes) — READ-ONLY: action keys only explain what they would run " : " Keys (Esc closes) ", x: x + 2, y: y, role: .focus)
        for (i, b) in entries.enumerated() where i < rows * columns {
            let cx = x + 2 + (i / rows) * columnWidth
            let cy = y + 2 + i % rows
            let keyWidth = min(10, columnWidth / 3)
            buf.put(b.label.padded(keyWidth), x: cx, y: cy, role: .keyHint, maxWidth: keyWidth)
            let text = b.scope.helpPrefix + b.description + (b.dangerous && state.readOnly ? " (read-only: explains only)" : "")
            buf.putTruncated(text, x: cx + keyWidth + 1, y: cy, role: .text, width: columnWidth - keyWidth - 2, ellipsis: g.ellipsis)
        }
    }
}
