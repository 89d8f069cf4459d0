// MARK: - Log tail updates

extension AppState {
    /// The request that (re)starts the current log view's stream.
    mutating func logRequest(reconnect: Bool) -> Effect? {
        guard var view = logView, let ctx = data.data?.actions else { return nil }
        view.generation += 1
        if !reconnect { view.clear() }
        view.status = reconnect ? "stream ended; reconnecting from \(view.lastTime ?? "the start")" : "connecting"
        let args = view.arguments(globalArguments: ctx.globalArguments, namespace: ctx.namespace, reconnect: reconnect)
        logView = view
        return .startLogs(LogStreamRequest(generation: view.generation, arguments: args, delay: reconnect ? 1 : 0))
    }
}

/// Opens the log tail on the app container.
func openLogs(_ state: inout AppState) -> [Effect] {
    guard let data = state.data.data, !data.logSources.isEmpty, data.actions != nil else {
        state.mode = .refused(title: "Log tail", reason: "No running pod to follow yet (or no data): wait for the first refresh.")
        return []
    }
    state.logView = LogViewState(sources: data.logSources, capacity: state.logCapacity)
    state.mode = .logs
    return state.logRequest(reconnect: false).map { [$0] } ?? []
}

func handleLogKey(_ state: inout AppState, _ key: Key) -> [Effect] {
    guard var view = state.logView else {
        state.mode = .dashboard
        return []
    }
    // Typing a search term.
    if var draft = view.searchDraft {
        switch key {
        case .enter:
            view.search = draft.isEmpty ? nil : draft
            view.searchDraft = nil
            view.matchCursor = nil
            state.logView = view
            return handleLogKey(&state, .char("n"))
        case .escape:
            view.searchDraft = nil
        case .backspace:
            if !draft.isEmpty { draft.removeLast() }
            view.searchDraft = draft
        case .char(let c):
            draft.append(c)
            view.searchDraft = draft
        default:
            break
        }
        state.logView = view
        return []
    }
    let page = max(1, state.height - 4)
    switch key {
    case .escape, .char("q"):
        state.logView = nil
        state.mode = .dashboard
        return [.stopLogs]
    case .char(" "):
        view.paused.toggle()
        if !view.paused { view.scrollFromBottom = 0 }
    case .up, .char("k"): view.scrollFromBottom = min(max(0, view.visible.count - 1), view.scrollFromBottom + 1)
    case .down, .char("j"): view.scrollFromBottom = max(0, view.scrollFromBottom - 1)
    case .pageUp: view.scrollFromBottom = min(max(0, view.visible.count - 1), view.scrollFromBottom + page)
    case .pageDown: view.scrollFromBottom = max(0, view.scrollFromBottom - page)
    case .char("g"), .home: view.scrollFromBottom = max(0, view.visible.count - 1)
    case .char("G"), .end: view.scrollFromBottom = 0
    case .char("/"): view.searchDraft = ""
    case .char("n"), .char("N"):
        guard let search = view.search, !search.isEmpty else { break }
        let lines = view.visible
        let matches = lines.indices.filter { LogViewState.matches(lines[$0], search) }
        guard !matches.isEmpty else {
            view.matchCursor = nil
            break
        }
        let current = view.matchCursor ?? (key == .char("n") ? -1 : lines.count)
        let next = key == .char("n") ? (matches.first { $0 > current } ?? matches[0]) : (matches.last { $0 < current } ?? matches[matches.count - 1])
        view.matchCursor = next
        view.scrollFromBottom = max(0, lines.count - 1 - next - page / 2)
        view.paused = true
    case .char("f"):
        view.filterOnly.toggle()
        view.scrollFromBottom = 0
        view.matchCursor = nil
    case .char("w"): view.wrap.toggle()
    case .char("t"): view.showTimestamps.toggle()
    case .char(let c) where ("0"..."4").contains(c):
        view.window = Int(String(c)) ?? 0
        state.logView = view
        return state.logRequest(reconnect: false).map { [$0] } ?? []
    case .char("c"):
        view.sourceIndex = (view.sourceIndex + 1) % max(1, view.sources.count)
        state.logView = view
        return state.logRequest(reconnect: false).map { [$0] } ?? []
    default:
        break
    }
    state.logView = view
    return []
}

func receiveLogLines(_ state: inout AppState, generation: Int, _ lines: [String]) {
    guard var view = state.logView, view.generation == generation else { return }
    view.append(lines)
    view.status = "streaming"
    state.logView = view
}

func logStreamEnded(_ state: inout AppState, generation: Int, reason: String) -> [Effect] {
    guard var view = state.logView, view.generation == generation, state.mode == .logs else { return [] }
    view.reconnects += 1
    state.logView = view
    let effect = state.logRequest(reconnect: true)
    state.logView?.status = "stream ended (\(reason)); reconnecting with --since-time"
    return effect.map { [$0] } ?? []
}
