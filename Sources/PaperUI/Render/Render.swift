import Foundation
import PaperDomain
import PaperKube

// MARK: - render

/// Draws the whole screen for a state into a new buffer. Pure: no terminal, no I/O.
public func render(_ state: AppState) -> ScreenBuffer {
    var buf = ScreenBuffer(width: state.width, height: state.height)
    let g = state.unicode ? Glyphs.unicode : Glyphs.ascii
    if state.tooSmall {
        renderTooSmall(&buf, state)
        return buf
    }
    renderHeader(&buf, state, g)
    if PanelLayout.hasBanner(state) { renderBanner(&buf, state) }
    switch state.mode {
    case .detail(let panel):
        renderDetail(&buf, state, panel, g)
    case .logs:
        renderLogs(&buf, state, g)
    default:
        for panel in PanelID.allCases { renderPanel(&buf, state, panel, g) }
    }
    switch state.mode {
    case .help:
        renderHelp(&buf, state, g)
    case .confirm(let plan):
        renderDialog(&buf, state, g, title: plan.title, role: .warn, lines: [
            ("This will run exactly:", .text), ("", .text),
        ] + plan.commandLine.split(separator: "\n", omittingEmptySubsequences: false).map { ("  " + $0, .keyHint) } + [
            ("", .text), ("y runs it · Esc or n cancels", .focus),
        ])
    case .refused(let title, let reason):
        renderDialog(&buf, state, g, title: title, role: .focus,
                     lines: reason.split(separator: "\n", omittingEmptySubsequences: false).map { (String($0), Role.text) } + [("", .text), ("Nothing was run. Esc closes.", .muted)])
    case .commandLog:
        let lines: [(String, Role)] = state.commandLog.isEmpty ? [("No kubectl command has run yet.", .muted)] : state.commandLog.map { r in
            let status = r.exitStatus.map { "exit \($0)" } ?? "killed"
            let time = String(UTCTime.rfc3339(r.startedAt).dropFirst(11).prefix(8))
            let text = "\(time) \(format1(r.duration).padded(6)) \(status.padded(7)) \(r.isAction ? "ACTION " : "")\(r.commandLine.replacingOccurrences(of: "\n", with: " "))"
            return (text, r.isAction ? (r.exitStatus == 0 ? .ok : .critical) : .muted)
        }
        renderOverlay(&buf, state, g, title: "Command log: every kubectl run, newest last (actions highlighted; c/Esc closes)", lines: lines, scrollFromBottom: state.commandLogScroll)
    case .journal(let lines):
        renderOverlay(&buf, state, g, title: "Incident journal (J/Esc closes)", lines: lines.map { ($0, Role.text) }, scrollFromTop: state.detailScroll)
    default:
        break
    }
    renderFooter(&buf, state)
    return buf
}

func format1(_ seconds: Double) -> String {
    let tenths = Int((seconds * 10).rounded())
    return "\(tenths / 10).\(tenths % 10)s"
}

func renderDialog(_ buf: inout ScreenBuffer, _ state: AppState, _ g: Glyphs, title: String, role: Role, lines: [(String, Role)]) {
    let w = min(state.width - 4, 100)
    let wrapped = wrap(lines, width: w - 4)
    let h = min(state.height - 2, wrapped.count + 4)
    let x = (state.width - w) / 2
    let y = max(1, (state.height - h) / 2)
    buf.fill(x: x, y: y, width: w, height: h, role: .text)
    buf.box(x: x, y: y, width: w, height: h, role: role, glyphs: g)
    buf.putTruncated(" \(title) ", x: x + 2, y: y, role: role, width: w - 4, ellipsis: g.ellipsis)
    for (i, line) in wrapped.prefix(h - 4).enumerated() {
        buf.putTruncated(line.0, x: x + 2, y: y + 2 + i, role: line.1, width: w - 4, ellipsis: g.ellipsis)
    }
}

func renderOverlay(_ buf: inout ScreenBuffer, _ state: AppState, _ g: Glyphs, title: String, lines: [(String, Role)], scrollFromTop: Int? = nil, scrollFromBottom: Int = 0) {
    let body = PanelLayout.body(state)
    guard body.width >= 4, body.height >= 3 else { return }
    buf.fill(x: body.x, y: body.y, width: body.width, height: body.height, role: .text)
    buf.box(x: body.x, y: body.y, width: body.width, height: body.height, role: .focus, glyphs: g)
    buf.putTruncated(" \(title) ", x: body.x + 2, y: body.y, role: .focus, width: body.width - 4, ellipsis: g.ellipsis)
    let lines = wrap(lines, width: body.width - 4)
    let visible = body.height - 2
    let maxTop = max(0, lines.count - visible)
    let top = scrollFromTop.map { min($0, maxTop) } ?? max(0, maxTop - scrollFromBottom)
    for i in 0..<visible where top + i < lines.count {
        buf.putTruncated(lines[top + i].0, x: body.x + 2, y: body.y + 1 + i, role: lines[top + i].1, width: body.width - 4, ellipsis: g.ellipsis)
    }
}

func symbol(_ v: Verdict, _ g: Glyphs) -> String {
    switch v {
    case .ok: g.ok
    case .warn: g.warn
    case .critical: g.critical
    case .unknown: g.unknown
    }
}

/// "✖ CRIT": a verdict is always a symbol and a word, never colour alone.
func badge(_ v: Verdict, _ g: Glyphs) -> String { "\(symbol(v, g)) \(v.label)" }

func renderTooSmall(_ buf: inout ScreenBuffer, _ state: AppState) {
    let lines = ["terminal too small", "\(state.width)x\(state.height), need 80x24", "q quits"]
    let top = max(0, (state.height - lines.count) / 2)
    for (i, line) in lines.enumerated() {
        let x = max(0, (state.width - line.count) / 2)
        buf.put(line, x: x, y: top + i, role: i == 0 ? .warn : .text)
    }
}

func renderHeader(_ buf: inout ScreenBuffer, _ state: AppState, _ g: Glyphs) {
    buf.fill(x: 0, y: 0, width: state.width, height: 1, role: .header)
    var x = 0
    x += buf.put(" paperctl ", x: x, y: 0, role: .header)
    let ctxRole: Role = state.isProductionContext ? .production : .header
    x += buf.put(state.isProductionContext ? " ctx: \(state.context) [PRODUCTION] " : " ctx: \(state.context) ", x: x, y: 0, role: ctxRole)
    x += buf.put(" ns: \(state.namespace) ", x: x, y: 0, role: .header)
    let overall = state.data.data?.overall
    x += buf.put(" ", x: x, y: 0, role: .header)
    if let overall {
        x += buf.put(" \(badge(overall, g)) ", x: x, y: 0, role: PanelRows.role(for: overall))
    } else {
        x += buf.put(state.data.error == nil ? " loading… " : " \(badge(.unknown, g)) ", x: x, y: 0, role: .unknown)
    }
    var right: String
    if let data = state.data.data {
        right = "data \(UTCTime.humanDuration(state.now - data.takenAt)) old"
        if case .stale = state.data { right = "STALE: " + right }
    } else {
        right = "no data yet"
    }
    if state.refreshing {
        right += " · refreshing…"
    } else {
        right += " · next in \(UTCTime.humanDuration(max(0, state.nextRefreshAt - state.now)))"
    }
    let start = max(x + 1, state.width - right.count - 1)
    buf.put(right, x: start, y: 0, role: state.data.error != nil ? .warn : .header, maxWidth: state.width - start)
}

func renderBanner(_ buf: inout ScreenBuffer, _ state: AppState) {
    var text: String
    var role: Role = .banner
    if let error = state.data.error {
        let kept = state.data.data.map { " (showing the last good data, \(UTCTime.humanDuration(state.now - $0.takenAt)) old)" } ?? ""
        switch error.kind {
        case .unauthorized: text = "UNAUTHORIZED — log in again (kubectl auth/oidc/cloud login), then press r\(kept): \(error.message)"
        case .unreachable: text = "CLUSTER UNREACHABLE — retrying in \(UTCTime.humanDuration(state.backoff)), r retries now\(kept): \(error.message)"
        case .timeout: text = "API TIMEOUT — retrying in \(UTCTime.humanDuration(state.backoff))\(kept): \(error.message)"
        case .other: text = "REFRESH FAILED\(kept): \(error.message)"
        }
        role = error.kind == .other ? .warn : .critical
    } else {
        text = "PRODUCTION CONTEXT \"\(state.context)\": actions here change the live deployment."
        role = .production
    }
    buf.fill(x: 0, y: 1, width: state.width, height: 1, role: role)
    buf.putTruncated(" " + text, x: 0, y: 1, role: role, width: state.width)
}

func renderPanel(_ buf: inout ScreenBuffer, _ state: AppState, _ panel: PanelID, _ g: Glyphs) {
    let r = PanelLayout.rect(for: panel, in: state)
    guard r.width >= 4, r.height >= 2 else { return }
    let focused = state.focus == panel
    buf.box(x: r.x, y: r.y, width: r.width, height: r.height, role: focused ? .focus : .border, glyphs: g)
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
    if let filter = state.filters[panel] {
        let label = " /\(filter) "
        buf.put(label, x: max(r.x + 1, r.x + r.width - 1 - label.count), y: r.y + r.height - 1, role: .keyHint)
    }
    let rows = PanelRows.rows(for: panel, in: state)
    let visible = r.height - 2
    guard visible > 0 else { return }
    if state.data.data == nil {
        let text = state.data.error.map { "no data: \($0.message)" } ?? "loading…"
        buf.putTruncated(text, x: r.x + 2, y: r.y + 1, role: state.data.error == nil ? .muted : .critical, width: r.width - 4, ellipsis: g.ellipsis)
        return
    }
    if rows.isEmpty {
        buf.put(state.filters[panel] != nil ? "no rows match the filter" : "nothing to show", x: r.x + 2, y: r.y + 1, role: .muted, maxWidth: r.width - 4)
        return
    }
    let top = state.scroll[panel] ?? 0
    let selected = state.selected[panel] ?? 0
    let textWidth = r.width - 4
    // Long rows take a second line when everything fits that way, and problem rows (CRIT/WARN)
    // always do: the end of a finding ("…is in CrashLoopBackOff") is often the point.
    let longRow = rows.map { row in row.gauge == nil && row.text.count > textWidth && textWidth > 10 }
    let wrapAll = longRow.filter { $0 }.count + rows.count <= visible
    let wrapLines = rows.indices.map { i in longRow[i] && (wrapAll || rows[i].verdict == .critical || rows[i].verdict == .warn) ? 2 : 1 }
    var start = wrapAll ? 0 : min(top, max(0, rows.count - 1))
    if focused, selected >= start, selected < rows.count {
        while start < selected, wrapLines[start...selected].reduce(0, +) > visible { start += 1 }
    }
    var y = r.y + 1
    var index = start
    while y < r.y + 1 + visible, index < rows.count {
        let row = rows[index]
        let isSelected = focused && index == selected && state.mode != .help
        let lineCount = min(wrapLines[index], r.y + 1 + visible - y)
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
        if lineCount == 2 {
            let (first, rest) = splitAtWord(row.text, width: width)
            buf.put(first, x: cx, y: y, role: role, maxWidth: width)
            buf.putTruncated(rest, x: cx, y: y + 1, role: role, width: width, ellipsis: g.ellipsis)
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

/// The detail of the focused panel: each check's verdict, reason, evidence, next step and exact command.
public func detailLines(_ state: AppState, _ panel: PanelID, _ g: Glyphs) -> [(String, Role)] {
    guard let data = state.data.data else { return [("No data yet.", .muted)] }
    let rows = PanelRows.rows(for: panel, in: state)
    let selectedCheck = rows.indices.contains(state.selected[panel] ?? 0) ? rows[state.selected[panel] ?? 0].check : nil
    var results = data.results(for: panel)
    if let selectedCheck, let i = results.firstIndex(where: { $0.id == selectedCheck }) {
        results.insert(results.remove(at: i), at: 0)
    }
    var lines: [(String, Role)] = []
    if let selectedCheck, let row = rows.first(where: { $0.check == selectedCheck && rows.firstIndex(of: $0) == state.selected[panel] }) {
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
        lines.append(("", .text))
    }
    return lines
}

func renderDetail(_ buf: inout ScreenBuffer, _ state: AppState, _ panel: PanelID, _ g: Glyphs) {
    let body = PanelLayout.body(state)
    guard body.width >= 4, body.height >= 3 else { return }
    buf.box(x: body.x, y: body.y, width: body.width, height: body.height, role: .focus, glyphs: g)
    buf.put("[\(panel.rawValue + 1)] \(panel.title) — details (Esc back)", x: body.x + 2, y: body.y, role: .focus, maxWidth: body.width - 4)
    let lines = wrap(detailLines(state, panel, g), width: body.width - 4)
    let visible = body.height - 2
    let top = min(state.detailScroll, max(0, lines.count - visible))
    for i in 0..<visible where top + i < lines.count {
        let (text, role) = lines[top + i]
        buf.putTruncated(text, x: body.x + 2, y: body.y + 1 + i, role: role, width: body.width - 4, ellipsis: g.ellipsis)
    }
}

/// The longest prefix that fits `width` and ends at a space (or a hard cut), and the rest.
func splitAtWord(_ text: String, width: Int) -> (String, String) {
    guard text.count > width, width > 0 else { return (text, "") }
    let head = text.prefix(width)
    if let space = head.lastIndex(of: " "), head.distance(from: head.startIndex, to: space) > width / 3 {
        return (String(text[..<space]), String(text[text.index(after: space)...]))
    }
    return (String(head), String(text.dropFirst(width)))
}

/// Wraps lines to `width` columns, continuing with the line's own indent plus two spaces.
func wrap(_ lines: [(String, Role)], width: Int) -> [(String, Role)] {
    guard width > 8 else { return lines }
    var out: [(String, Role)] = []
    for (text, role) in lines {
        if text.count <= width {
            out.append((text, role))
            continue
        }
        let indent = String(repeating: " ", count: min(width / 2, text.prefix { $0 == " " }.count + 2))
        var rest = Substring(text)
        var first = true
        while !rest.isEmpty {
            let room = first ? width : width - indent.count
            var cut = rest.index(rest.startIndex, offsetBy: min(room, rest.count))
            if cut < rest.endIndex, let space = rest[rest.startIndex..<cut].lastIndex(of: " "), rest.distance(from: rest.startIndex, to: space) > room / 2 {
                cut = space
            }
            out.append(((first ? "" : indent) + rest[rest.startIndex..<cut], role))
            rest = rest[cut...].drop { $0 == " " }
            first = false
        }
    }
    return out
}

func renderHelp(_ buf: inout ScreenBuffer, _ state: AppState, _ g: Glyphs) {
    let entries = Keymap.all
    let w = min(state.width - 4, 124)
    let h = min(state.height - 2, entries.count + 4)
    let x = (state.width - w) / 2
    let y = max(1, (state.height - h) / 2)
    let rows = max(1, h - 3)
    let columns = entries.count > rows ? 2 : 1
    let columnWidth = (w - 4) / columns
    buf.fill(x: x, y: y, width: w, height: h, role: .text)
    buf.box(x: x, y: y, width: w, height: h, role: .focus, glyphs: g)
    buf.put(state.readOnly ? " Keys (Esc closes) — READ-ONLY: action keys only explain what they would run " : " Keys (Esc closes) ", x: x + 2, y: y, role: .focus)
    for (i, b) in entries.enumerated() where i < rows * columns {
        let scope: String
        switch b.scope {
        case .dashboard: scope = ""
        case .detail: scope = "details: "
        case .help: scope = "help: "
        case .filter: scope = "filter: "
        case .confirm: scope = "dialog: "
        case .overlay: scope = "overlay: "
        case .logs: scope = "logs: "
        case .everywhere: scope = "anywhere: "
        }
        let cx = x + 2 + (i / rows) * columnWidth
        let cy = y + 2 + i % rows
        let keyWidth = min(17, columnWidth / 3)
        buf.put(b.keys.padded(keyWidth), x: cx, y: cy, role: .keyHint, maxWidth: keyWidth)
        buf.putTruncated(scope + b.description, x: cx + keyWidth + 1, y: cy, role: .text, width: columnWidth - keyWidth - 2, ellipsis: g.ellipsis)
    }
}

func renderFooter(_ buf: inout ScreenBuffer, _ state: AppState) {
    let y = state.height - 1
    buf.fill(x: 0, y: y, width: state.width, height: 1, role: .text)
    var x = 1
    if state.readOnly {
        x += buf.put("READ-ONLY ", x: x, y: y, role: .warn)
    }
    if case .filter = state.mode {
        x += buf.put("filter: \(state.filterDraft)_  ", x: x, y: y, role: .focus)
    }
    if let notice = state.notices.last, state.mode == .dashboard {
        x += buf.putTruncated("» \(notice)  ", x: x, y: y, role: .focus, width: min(state.width * 2 / 3, state.width - x))
    }
    for b in Keymap.bindings(for: state.mode) where b.inFooter {
        guard x < state.width - 2 else { break }
        x += buf.put(b.keys, x: x, y: y, role: .keyHint, maxWidth: state.width - x)
        x += buf.put(" \(b.short)  ", x: x, y: y, role: .muted, maxWidth: state.width - x)
    }
}

extension String {
    func padded(_ n: Int) -> String { count >= n ? self : self + String(repeating: " ", count: n - count) }
}
