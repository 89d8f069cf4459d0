import Foundation
import PaperDomain
import PaperKube

// MARK: - render

/// Draws the whole screen for a state into a new buffer. Pure: no terminal, no I/O.
///
/// The topmost full-screen mode of the stack is drawn first, then every overlay above it in
/// stack order, so a dialog opened from the log tail is drawn over the log tail.
public func render(_ state: AppState) -> ScreenBuffer {
    var buf = ScreenBuffer(width: state.width, height: state.height)
    let g = state.unicode ? Glyphs.unicode : Glyphs.ascii
    if state.tooSmall {
        renderTooSmall(&buf, state)
        return buf
    }
    renderHeader(&buf, state, g)
    if PanelLayout.hasBanner(state) { renderBanner(&buf, state) }
    let modes = state.modes
    let base = modes.lastIndex { $0.isFullScreen } ?? 0
    for mode in modes[base...] {
        switch mode {
        case .dashboard: DashboardMode.render(&buf, state, g)
        case .detail(let detail): DetailMode.render(&buf, state, detail, g)
        case .logs(let view): LogTailMode.render(&buf, state, view, g)
        case .filter: break  // drawn on the panel's border and in the footer
        case .help(let help): HelpMode.render(&buf, state, help, g)
        case .dialog(let dialog): DialogMode.render(&buf, state, dialog, g)
        case .commandLog(let log): CommandLogMode.render(&buf, state, log, g)
        case .journal(let journal): JournalMode.render(&buf, state, journal, g)
        case .restore(let wizard): RestoreWizardMode.render(&buf, state, wizard, g)
        }
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
    // Below the banner: what failed stays on screen while a dialog is open.
    let top = PanelLayout.body(state).y
    let h = min(state.height - top - 1, wrapped.count + 4)
    let x = (state.width - w) / 2
    let y = max(top, (state.height - h) / 2)
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
    var role: Role = state.data.error != nil ? .warn : .header
    switch state.data.data?.feed {
    case .live?:
        right = "live · " + right
    case .down(let reason, let retryAt)?:
        right = "POLLING · " + right + " · kubectl proxy down, retry in \(UTCTime.humanDuration(max(0, retryAt - state.now))) (c: why): \(reason)"
        role = .warn
    default:
        break
    }
    let start = max(x + 1, state.width - right.count - 1)
    buf.put(right, x: start, y: 0, role: role, maxWidth: state.width - start)
}

func renderBanner(_ buf: inout ScreenBuffer, _ state: AppState) {
    var text: String
    var role: Role = .banner
    if let error = state.data.error {
        let kept = state.data.data.map { " (showing the last good data, \(UTCTime.humanDuration(state.now - $0.takenAt)) old)" } ?? ""
        switch error.kind {
        case .unauthorized: text = "UNAUTHORIZED — log in again (kubectl auth/oidc/cloud login), then press r\(kept): \(error.message)"
        case .unreachable: text = "CLUSTER UNREACHABLE — retrying in \(UTCTime.humanDuration(state.backoff)), r retries now\(kept): \(error.message)"
        case .timeout: text = "API TIMEOUT (retrying in \(UTCTime.humanDuration(state.backoff)), r retries now): \(error.message); check the network/VPN and the API server\(kept)"
        case .other: text = "REFRESH FAILED (r retries now): \(error.message)\(kept)"
        }
        role = error.kind == .other ? .warn : .critical
    } else if let lease = state.data.data?.othersRestore {
        text = "RESTORE IN PROGRESS by \(RestoreLease.describe(lease, now: state.now)) — a second restore is refused until it ends"
        role = .warn
    } else {
        text = "PRODUCTION CONTEXT \"\(state.context)\": actions here change the live deployment."
        role = .production
    }
    buf.fill(x: 0, y: 1, width: state.width, height: 1, role: role)
    buf.putTruncated(" " + text, x: 0, y: 1, role: role, width: state.width)
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

/// The footer: read-only mode, the filter being typed, the newest notice on the dashboard, then
/// the keys of the mode on top, straight from the key table.
func renderFooter(_ buf: inout ScreenBuffer, _ state: AppState) {
    let y = state.height - 1
    buf.fill(x: 0, y: y, width: state.width, height: 1, role: .text)
    var x = 1
    if state.readOnly {
        x += buf.put("READ-ONLY ", x: x, y: y, role: .warn)
    }
    if let problem = state.journalProblem {
        x += buf.putTruncated("journal NOT written: \(problem)", x: x, y: y, role: .critical, width: min(state.width / 2, state.width - x))
        x += buf.put("  ", x: x, y: y, role: .text, maxWidth: state.width - x)
    }
    if case .filter(let filter) = state.mode {
        x += buf.put(FilterMode.footer(filter), x: x, y: y, role: .focus)
    }
    if let notice = state.notices.last, state.mode == .dashboard {
        x += buf.putTruncated("» \(notice)  ", x: x, y: y, role: .focus, width: min(state.width * 2 / 3, state.width - x))
    }
    for b in Keymap.bindings(for: state.mode.scope) where b.inFooter {
        guard x < state.width - 2 else { break }
        x += buf.put(b.label, x: x, y: y, role: .keyHint, maxWidth: state.width - x)
        x += buf.put(" \(b.short)  ", x: x, y: y, role: .muted, maxWidth: state.width - x)
    }
}

extension String {
    func padded(_ n: Int) -> String { count >= n ? self : self + String(repeating: " ", count: n - count) }
}
