import PaperDomain

// MARK: - update

/// The only place state changes: pure and synchronous, returning effects as data.
public func update(_ state: inout AppState, _ msg: Msg) -> [Effect] {
    switch msg {
    case .resize(let w, let h):
        state.width = w
        state.height = h
        clampSelection(&state)
        return []
    case .tick(let now):
        state.now = now
        if !state.refreshing && now >= state.nextRefreshAt {
            state.refreshing = true
            state.lastAttempt = now
            return [.refresh]
        }
        return []
    case .refreshed(let result, let at):
        state.refreshing = false
        state.now = max(state.now, at)
        switch result {
        case .success(let data):
            state.data = .loaded(data)
            state.backoff = 0
            state.nextRefreshAt = at + state.refreshInterval
        case .failure(let error):
            if let good = state.data.data {
                state.data = .stale(good, error)
            } else {
                state.data = .failed(error)
            }
            // Back off on failures (doubling to 60 s) instead of a retry storm.
            state.backoff = error.needsBanner ? min(60, max(state.refreshInterval, state.backoff * 2)) : state.refreshInterval
            state.nextRefreshAt = at + state.backoff
        }
        clampSelection(&state)
        return []
    case .key(let key):
        return handleKey(&state, key)
    }
}

func handleKey(_ state: inout AppState, _ key: Key) -> [Effect] {
    if key == .ctrlC {
        state.quitting = true
        return [.quit]
    }
    switch state.mode {
    case .help:
        if key == .escape || key == .char("q") || key == .char("?") { state.mode = .dashboard }
        return []
    case .detail:
        switch key {
        case .escape, .char("q"), .left, .char("h"): state.mode = .dashboard
        case .down, .char("j"): state.detailScroll += 1
        case .up, .char("k"): state.detailScroll = max(0, state.detailScroll - 1)
        case .pageDown: state.detailScroll += max(1, state.height - 6)
        case .pageUp: state.detailScroll = max(0, state.detailScroll - max(1, state.height - 6))
        case .char("g"), .home: state.detailScroll = 0
        default: break
        }
        return []
    case .filter(let panel):
        switch key {
        case .enter:
            state.filters[panel] = state.filterDraft.isEmpty ? nil : state.filterDraft
            state.mode = .dashboard
        case .escape:
            state.filters[panel] = nil
            state.filterDraft = ""
            state.mode = .dashboard
        case .backspace:
            if !state.filterDraft.isEmpty { state.filterDraft.removeLast() }
            state.filters[panel] = state.filterDraft.isEmpty ? nil : state.filterDraft
        case .char(let c):
            state.filterDraft.append(c)
            state.filters[panel] = state.filterDraft
        default:
            break
        }
        state.selected[panel] = 0
        state.scroll[panel] = 0
        return []
    case .dashboard:
        break
    }
    let panel = state.focus
    let rowCount = PanelRows.rows(for: panel, in: state).count
    let page = max(1, PanelLayout.visibleRows(for: panel, in: state))
    func move(to index: Int) {
        state.selected[panel] = max(0, min(max(0, rowCount - 1), index))
        keepVisible(&state, panel, page: page)
    }
    let current = state.selected[panel] ?? 0
    switch key {
    case .char("q"):
        state.quitting = true
        return [.quit]
    case .tab, .right, .char("l"):
        state.focus = PanelID(rawValue: (panel.rawValue + 1) % PanelID.allCases.count) ?? .pods
    case .backTab, .left, .char("h"):
        state.focus = PanelID(rawValue: (panel.rawValue + PanelID.allCases.count - 1) % PanelID.allCases.count) ?? .pods
    case .char(let c) where ("1"..."6").contains(c):
        state.focus = PanelID(rawValue: Int(String(c)).map { $0 - 1 } ?? 0) ?? .pods
    case .down, .char("j"): move(to: current + 1)
    case .up, .char("k"): move(to: current - 1)
    case .pageDown: move(to: current + page)
    case .pageUp: move(to: current - page)
    case .char("g"), .home: move(to: 0)
    case .char("G"), .end: move(to: rowCount - 1)
    case .enter:
        state.mode = .detail(panel)
        state.detailScroll = 0
    case .char("/"):
        state.mode = .filter(panel)
        state.filterDraft = state.filters[panel] ?? ""
    case .escape:
        state.filters[panel] = nil
    case .char("r"):
        if !state.refreshing {
            state.refreshing = true
            state.lastAttempt = state.now
            return [.refresh]
        }
    case .char("t"):
        state.themeIndex = (state.themeIndex + 1) % max(1, state.themeCount)
    case .char("?"):
        state.mode = .help
    default:
        break
    }
    return []
}

func keepVisible(_ state: inout AppState, _ panel: PanelID, page: Int) {
    let sel = state.selected[panel] ?? 0
    var top = state.scroll[panel] ?? 0
    if sel < top { top = sel }
    if sel >= top + page { top = sel - page + 1 }
    state.scroll[panel] = max(0, top)
}

func clampSelection(_ state: inout AppState) {
    for panel in PanelID.allCases {
        let count = PanelRows.rows(for: panel, in: state).count
        let sel = min(state.selected[panel] ?? 0, max(0, count - 1))
        state.selected[panel] = sel
        keepVisible(&state, panel, page: max(1, PanelLayout.visibleRows(for: panel, in: state)))
    }
}
