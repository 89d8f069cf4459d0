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
    if state.tooSmall || (PanelLayout.compact(state) && state.modes.contains(where: \.needsFullSize)) {
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
        case .object(let view): ObjectMode.render(&buf, state, view, g)
        case .logs(let view): LogTailMode.render(&buf, state, view, g)
        case .filter: break  // drawn on the panel's border and in the footer
        case .help(let help): HelpMode.render(&buf, state, help, g)
        case .dialog(let dialog): DialogMode.render(&buf, state, dialog, g)
        case .commandLog(let log): CommandLogMode.render(&buf, state, log, g)
        case .journal(let journal): JournalMode.render(&buf, state, journal, g)
        case .restore(let wizard): RestoreWizardMode.render(&buf, state, wizard, g)
        case .restorePrompt: break  // drawn by the wizard, at its bottom
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

/// `bottom`: lines kept at the bottom of the box (already wrapped), below the scrolled ones.
func renderOverlay(_ buf: inout ScreenBuffer, _ state: AppState, _ g: Glyphs, title: String, lines: [(String, Role)], scrollFromTop: Int? = nil, scrollFromBottom: Int = 0,
                   bottom: [(String, Role)] = []) {
    let body = PanelLayout.body(state)
    guard body.width >= 4, body.height >= 3 else { return }
    buf.fill(x: body.x, y: body.y, width: body.width, height: body.height, role: .text)
    buf.box(x: body.x, y: body.y, width: body.width, height: body.height, role: .focus, glyphs: g)
    buf.putTruncated(" \(title) ", x: body.x + 2, y: body.y, role: .focus, width: body.width - 4, ellipsis: g.ellipsis)
    let kept = Array(bottom.suffix(max(0, body.height - 3)))
    for (i, line) in kept.enumerated() {
        buf.putTruncated(line.0, x: body.x + 2, y: body.y + body.height - 1 - kept.count + i, role: line.1, width: body.width - 4, ellipsis: g.ellipsis)
    }
    let lines = wrap(lines, width: body.width - 4)
    let visible = body.height - 2 - kept.count
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
    let need = state.tooSmall ? "need 40x10 (80x22 for the panels)" : "need 80x22 for this view"
    let lines = ["terminal too small", "\(state.width)x\(state.height), \(need)", state.tooSmall ? "q quits" : "Esc goes back"]
    let top = max(0, (state.height - lines.count) / 2)
    for (i, line) in lines.enumerated() {
        let x = max(0, (state.width - line.count) / 2)
        buf.put(line, x: x, y: top + i, role: i == 0 ? .warn : .text)
    }
}

/// The header: where (context, namespace), the overall verdict, then the worst check with its
/// cause and its key ("File backups (restic): repository locked — u unlocks"), and how old the data are.
/// When room is short the data's age shortens first, then " paperctl " goes, then the cause is cut.
func renderHeader(_ buf: inout ScreenBuffer, _ state: AppState, _ g: Glyphs) {
    buf.fill(x: 0, y: 0, width: state.width, height: 1, role: .header)
    var ctx = state.isProductionContext ? " ctx: \(state.context) [PRODUCTION] " : " ctx: \(state.context) "
    var ns = " ns: \(state.namespace) "
    let overall = state.data.data?.overall
    let badgeText = overall.map { " \(badge($0, g)) " } ?? (state.data.error == nil ? " loading… " : " \(badge(.unknown, g)) ")
    let summary = state.data.data.flatMap { data in
        Remedy.worst(data).map { result, remedy in "\(shortTitle(result.id)): \(result.cause?.kind ?? firstProblem(result.reason)) — \(remedy.says)" }
    }
    let (long, short, role) = headerStatus(state)
    // Read-only is said where the eye goes first: nothing this session does writes.
    let readOnly = state.readOnly ? " READ-ONLY " : ""
    let fixed = ScreenBuffer.displayWidth(ctx + ns + readOnly + badgeText) + 1
    let want = summary.map { ScreenBuffer.displayWidth($0) + 2 } ?? 0
    var right = long
    var brand = " paperctl "
    // From 100 columns the data's age and feed stay whole and the cause is cut instead.
    if state.width < 100, fixed + brand.count + want + long.count + 1 > state.width { right = short }
    if fixed + brand.count + want + right.count + 1 > state.width { brand = "" }
    if state.width < 100, fixed + want + right.count + 1 > state.width {
        // Context and namespace as one: "demo/paperless-ngx".
        ctx = state.isProductionContext ? " \(state.context)/\(state.namespace) [PRODUCTION] " : " \(state.context)/\(state.namespace) "
        ns = ""
    }
    var x = 0
    x += buf.put(brand, x: x, y: 0, role: .header)
    x += buf.put(ctx, x: x, y: 0, role: state.isProductionContext ? .production : .header)
    x += buf.put(ns, x: x, y: 0, role: .header)
    x += buf.put(readOnly, x: x, y: 0, role: .warn)
    x += buf.put(" ", x: x, y: 0, role: .header)
    x += buf.put(badgeText, x: x, y: 0, role: overall.map(PanelRows.role(for:)) ?? .unknown)
    let start = max(x + 1, state.width - right.count - 1)
    if let summary, let overall {
        x += buf.putTruncated(summary, x: x, y: 0, role: PanelRows.role(for: overall), width: max(0, start - 1 - x), ellipsis: g.ellipsis)
    }
    buf.put(right, x: start, y: 0, role: role, maxWidth: state.width - start)
}

/// The first of a reason's problems ("17× Redis connection errors, newest 90s ago; 16× …" is its first part).
func firstProblem(_ reason: String) -> String {
    reason.split(separator: ";", maxSplits: 1).first.map { String($0).trimmingCharacters(in: .whitespaces) } ?? reason
}

/// A check's title without its parenthesis: "File backups (restic)" is "File backups".
func shortTitle(_ id: CheckID) -> String {
    let title = id.title
    guard let open = title.firstIndex(of: "(") else { return title }
    return String(title[..<open]).trimmingCharacters(in: .whitespaces)
}

/// How old the data are and where they come from, long and short, and the role to draw it in.
func headerStatus(_ state: AppState) -> (String, String, Role) {
    var right: String
    var short: String
    if let data = state.data.data {
        let age = UTCTime.humanDuration(state.now - data.takenAt)
        right = "data \(age) old"
        short = "\(age) old"
        if case .stale = state.data {
            right = "STALE: " + right
            short = "STALE " + short
        }
    } else {
        right = "no data yet"
        short = right
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
        short = "live · " + short
    case .down(let reason, let retryAt)?:
        right = "POLLING · " + right + " · kubectl proxy down, retry in \(UTCTime.humanDuration(max(0, retryAt - state.now))) (c: why): \(reason)"
        short = "POLLING · " + short
        role = .warn
    default:
        break
    }
    return (right, short, role)
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

/// The footer, built per mode: the mode's keys from the key table on the left (on the dashboard,
/// the keys the diagnosed cause calls for first), the keys that leave on the right edge, never
/// pushed off. Notices and a journal that cannot be written get the line above it.
func renderFooter(_ buf: inout ScreenBuffer, _ state: AppState) {
    let y = state.height - 1
    buf.fill(x: 0, y: y, width: state.width, height: 1, role: .text)
    if PanelLayout.hasNoticeLine(state) { renderNoticeLine(&buf, state) }
    let (left, right) = footerKeys(state)
    let rightText = right.map { "\($0.0) \($0.1)" }.joined(separator: "  ")
    let rightX = max(0, state.width - ScreenBuffer.displayWidth(rightText) - 1)
    var x = 1
    if state.readOnly {
        x += buf.put("READ-ONLY ", x: x, y: y, role: .warn, maxWidth: max(0, rightX - x))
    }
    if case .filter(let filter) = state.mode {
        x += buf.putTruncated(FilterMode.footer(filter) + "  ", x: x, y: y, role: .focus, width: max(0, rightX - 1 - x))
    }
    for (label, short) in left {
        let width = ScreenBuffer.displayWidth("\(label) \(short)")
        guard x + width <= rightX - 2 else { continue }
        x += buf.put(label, x: x, y: y, role: .keyHint)
        x += buf.put(" \(short)  ", x: x, y: y, role: .muted, maxWidth: rightX - x)
    }
    var rx = rightX
    for (i, (label, short)) in right.enumerated() {
        rx += buf.put(label, x: rx, y: y, role: .keyHint, maxWidth: state.width - rx)
        rx += buf.put(" \(short)" + (i < right.count - 1 ? "  " : ""), x: rx, y: y, role: .muted, maxWidth: state.width - rx)
    }
}

/// The footer's keys as (label, word): the left ones in the order they are dropped last-first, and the right edge.
func footerKeys(_ state: AppState) -> (left: [(String, String)], right: [(String, String)]) {
    let bindings = Keymap.bindings(for: state.mode.scope).filter(\.inFooter)
    let leaves: (KeyBinding) -> Bool = { b in b.matches.values.contains { [Intent.openHelp, .quit, .back].contains($0) } }
    var left = bindings.filter { !leaves($0) }.map { ($0.label, $0.short) }
    let right = bindings.filter(leaves).map { ($0.label, $0.short) }
    // The wizard: the keys of the step on screen, not every key of every step.
    if case .restore(let w) = state.mode { return (RestoreWizardMode.footerKeys(state, w), right) }
    if case .restorePrompt(let p) = state.mode, !p.isTyped { return (p.kind == .unlock ? [("y", "run unlock")] : [("Enter", "stay")], right) }
    guard state.mode == .dashboard else { return (left, right) }
    // The dashboard: what the diagnosed cause calls for first, then the most used keys.
    var context: [(String, String)] = []
    if let data = state.data.data {
        if let (_, remedy) = Remedy.worst(data), let word = remedy.footer { context.append((remedy.key, word)) }
        if state.dashboard.focus == .secrets, !context.contains(where: { $0.0 == "f" }) { context.append(("f", "sync")) }
        if case .down = data.feed { context.append(("c", "commands")) }
    }
    if state.commandLog.contains(where: { $0.isAction }) { context.append(("c", "commands")) }
    if !state.tracked.isEmpty || state.journalProblem != nil { context.append(("J", "journal")) }
    var seen = Set<String>()
    context = context.filter { seen.insert($0.0).inserted }
    left.removeAll { seen.contains($0.0) }
    let priority = ["Enter", "z", "l", "b", "B", "R", "r", "/", "Tab/→", "j/↓"]
    left.sort { (priority.firstIndex(of: $0.0) ?? 99) < (priority.firstIndex(of: $1.0) ?? 99) }
    return (context + left, right)
}

/// The line above the footer: a journal that cannot be written (kept until the app ends), then the newest notice.
func renderNoticeLine(_ buf: inout ScreenBuffer, _ state: AppState) {
    let y = state.height - 2
    guard y >= 1 else { return }
    buf.fill(x: 0, y: y, width: state.width, height: 1, role: .text)
    var x = 1
    if let problem = state.journalProblem {
        let room = state.notices.isEmpty || state.mode != .dashboard ? state.width - 2 : state.width / 2
        x += buf.putTruncated("journal NOT written: \(problem)", x: x, y: y, role: .critical, width: room)
        x += buf.put("  ", x: x, y: y, role: .text, maxWidth: max(0, state.width - x))
    }
    if let notice = state.notices.last, state.mode == .dashboard, state.width - x > 4 {
        buf.putTruncated("» \(notice)", x: x, y: y, role: .focus, width: state.width - x - 1)
    }
}

extension String {
    func padded(_ n: Int) -> String { count >= n ? self : self + String(repeating: " ", count: n - count) }
}
