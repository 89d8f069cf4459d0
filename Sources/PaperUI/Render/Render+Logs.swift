// MARK: - Log tail rendering

func renderLogs(_ buf: inout ScreenBuffer, _ state: AppState, _ g: Glyphs) {
    guard let view = state.logView else { return }
    let top = PanelLayout.body(state).y
    let bottom = state.height - 1
    guard bottom - top >= 2 else { return }
    // Status line.
    buf.fill(x: 0, y: top, width: state.width, height: 1, role: .header)
    let window = LogViewState.windows[view.window].label
    var status = " LOGS \(view.source?.label ?? "?") [\(view.sourceIndex + 1)/\(view.sources.count)] \(window) \(view.paused ? "PAUSED" : view.status)"
    status += " · \(view.entries.count) lines"
    if view.dropped > 0 { status += " (\(view.dropped) dropped)" }
    if let search = view.search {
        status += " · /\(search) \(view.matchCount)×\(view.filterOnly ? " FILTER" : "")"
    }
    if view.wrap { status += " · wrap" }
    if view.showTimestamps { status += " · time" }
    buf.putTruncated(status, x: 0, y: top, role: view.paused ? .warn : .header, width: state.width, ellipsis: g.ellipsis)
    // Body: the newest lines at the bottom, scrolled up by scrollFromBottom.
    let height = bottom - top - 1
    let width = state.width
    let lines = view.visible
    let needle = view.search
    var rows: [(String, Role)] = []
    var index = lines.count - 1 - view.scrollFromBottom
    while rows.count < height, index >= 0 {
        let entry = lines[index]
        let prefix = view.showTimestamps ? (entry.time.map { String($0.prefix(23)) + " " } ?? "") : ""
        let text = prefix + entry.text
        var role: Role = entry.level == .error ? .logError : entry.level == .warn ? .logWarn : .text
        if let needle, LogViewState.matches(entry, needle) { role = index == view.matchCursor ? .selection : .focus }
        if view.wrap && text.count > width {
            var chunks: [String] = []
            var rest = Substring(text)
            while !rest.isEmpty {
                chunks.append(String(rest.prefix(width)))
                rest = rest.dropFirst(width)
            }
            for chunk in chunks.reversed() where rows.count < height { rows.append((chunk, role)) }
        } else {
            rows.append((text, role))
        }
        index -= 1
    }
    for (i, row) in rows.reversed().enumerated() {
        let y = top + 1 + (height - rows.count) + i
        buf.putTruncated(row.0, x: 0, y: y, role: row.1, width: width, ellipsis: g.ellipsis)
    }
    if let draft = view.searchDraft {
        buf.fill(x: 0, y: bottom - 1, width: state.width, height: 1, role: .focus)
        buf.put("search: \(draft)_", x: 1, y: bottom - 1, role: .focus)
    }
}
