import PaperDomain
import PaperKube

// MARK: - LogTailMode

/// The full-screen log tail (its state is `LogViewState`, in `Core/LogView.swift`): follow,
/// pause, scroll, search, filter, wrap, timestamps, time windows, other containers.
enum LogTailMode {
    /// Opens the tail on the app container and starts its stream.
    static func open(_ state: inout AppState) -> ModeStep {
        guard let data = state.data.data, !data.logSources.isEmpty, let facts = data.actions else {
            return ModeStep(.push(.dialog(DialogState(notice: "Log tail", "No running pod to follow yet (or no data): wait for the first refresh."))))
        }
        var view = LogViewState(sources: data.logSources, capacity: state.logCapacity)
        // From the Log errors panel, when the errors are about Redis: Redis's own log.
        if state.dashboard.focus == .logs, data.results(for: .logs).contains(where: { Remedy.of($0, data).redisLog }),
           let redis = data.logSources.firstIndex(where: { $0.container == "redis" }) {
            view.sourceIndex = redis
        }
        let effect = request(&view, &state, facts, reconnect: false)
        return ModeStep(.push(.logs(view)), [effect])
    }

    /// Opens the tail on one object's pod (`l` on a pod or Job row): its containers, the app's
    /// own first. A Job's newest pod; a finished pod's log is read whole, not reconnected.
    static func open(_ subject: PanelRow.Subject, _ state: inout AppState) -> ModeStep? {
        guard let data = state.data.data, let facts = data.actions else { return nil }
        let pod: Pod?
        switch subject {
        case .pod(let name): pod = data.pods.first { $0.metadata.name == name }
        case .job(let name): pod = BackupJobs.newestPod(ofJob: name, in: facts.jobPods + data.pods)
        default: return nil
        }
        guard let pod else {
            return ModeStep(.push(.dialog(DialogState(notice: "Log tail", "\(subject.reference) has no pod (any more) to read a log from."))))
        }
        var view = LogViewState(sources: LogSource.of(pod, sidecars: facts.config.app.sidecars), capacity: state.logCapacity)
        let effect = request(&view, &state, facts, reconnect: false)
        return ModeStep(.push(.logs(view)), [effect])
    }

    /// The request that (re)starts the view's stream, under a new generation.
    static func request(_ view: inout LogViewState, _ state: inout AppState, _ facts: ActionFacts, reconnect: Bool) -> Effect {
        view.generation = state.nextGeneration()
        if !reconnect { view.clear() }
        view.status = reconnect ? "stream ended; reconnecting from \(view.lastTime ?? "the start")" : view.previous ? "reading the previous container's log" : "connecting"
        let args = view.arguments(globalArguments: facts.target.globalArguments, namespace: facts.target.namespace, reconnect: reconnect)
        return .startLogs(LogStreamRequest(generation: view.generation, arguments: args, delay: reconnect ? 1 : 0))
    }

    static func update(_ view: inout LogViewState, _ state: inout AppState, _ intent: Intent) -> ModeStep {
        let page = max(1, state.height - 4)
        // The search prompt.
        if var draft = view.searchDraft {
            switch intent {
            case .submit:
                // Like less's `?` from the end: the newest match first, `n` goes on to older ones.
                view.search = draft.isEmpty ? nil : draft
                view.searchDraft = nil
                view.matchCursor = nil
                view.matchOrdinal = nil
                view.moveToMatch(older: true, page: page)
            case .back: view.searchDraft = nil
            case .erase:
                if !draft.isEmpty { draft.removeLast() }
                view.searchDraft = draft
            case .type(let c):
                draft.append(c)
                view.searchDraft = draft
            default: break
            }
            return .stay
        }
        switch intent {
        case .back:
            // Esc clears an active search first (as in k9s), then leaves.
            if view.search != nil {
                view.clearSearch()
                return .stay
            }
            return ModeStep(.pop, [.stopLogs])
        case .logPause:
            if view.paused { view.follow() } else { view.paused = true }
        case .scroll(.up): view.scrollFromBottom = min(max(0, view.visible.count - 1), view.scrollFromBottom + 1)
        case .scroll(.down):
            view.scrollFromBottom = max(0, view.scrollFromBottom - 1)
            if view.following { view.newSincePause = 0 }
        case .scroll(.pageUp): view.scrollFromBottom = min(max(0, view.visible.count - 1), view.scrollFromBottom + page)
        case .scroll(.pageDown):
            view.scrollFromBottom = max(0, view.scrollFromBottom - page)
            if view.following { view.newSincePause = 0 }
        case .scroll(.top): view.scrollFromBottom = max(0, view.visible.count - 1)
        case .scroll(.bottom):
            // `G`: the newest line, and following again (a search or a pause ends here).
            view.follow()
        case .logSearch: view.searchDraft = ""
        case .logNextMatch, .logPreviousMatch:
            // The search runs backwards from the tail: `n` goes on to older matches, `N` back to newer ones.
            view.moveToMatch(older: intent == .logNextMatch, page: page)
        case .logFilter:
            view.filterOnly.toggle()
            view.scrollFromBottom = 0
            view.matchCursor = nil
            view.matchOrdinal = nil
        case .logPrevious:
            view.previous.toggle()
            return restart(&view, &state)
        case .logWrap: view.wrap.toggle()
        case .logTimestamps: view.showTimestamps.toggle()
        case .logWindow(let w):
            view.window = min(max(0, w), LogViewState.windows.count - 1)
            return restart(&view, &state)
        case .logNextSource:
            view.sourceIndex = (view.sourceIndex + 1) % max(1, view.sources.count)
            return restart(&view, &state)
        default:
            break
        }
        return .stay
    }

    static func restart(_ view: inout LogViewState, _ state: inout AppState) -> ModeStep {
        guard let facts = state.data.data?.actions else { return .stay }
        return ModeStep(.stay, [request(&view, &state, facts, reconnect: false)])
    }

    /// The log view on the stack (it may be under an overlay such as help).
    static func index(_ state: AppState) -> Int? {
        state.stack.lastIndex { if case .logs = $0 { true } else { false } }
    }

    static func receive(_ state: inout AppState, generation: Int, _ lines: [String]) {
        guard let i = index(state), case .logs(var view) = state.stack[i], view.generation == generation else { return }
        view.append(lines)
        view.status = "streaming"
        state.stack[i] = .logs(view)
    }

    static func ended(_ state: inout AppState, generation: Int, reason: String) -> [Effect] {
        guard let i = index(state), case .logs(var view) = state.stack[i], view.generation == generation, let facts = state.data.data?.actions else { return [] }
        // The previous container's log and a finished pod's log are whole once read.
        if view.previous || view.source?.finished == true {
            view.complete = true
            let what = view.previous ? "previous container's log" : "finished pod's log"
            view.status = reason == "ended" ? "\(what), complete" : "\(what): \(reason)"
            state.stack[i] = .logs(view)
            return []
        }
        view.reconnects += 1
        let effect = request(&view, &state, facts, reconnect: true)
        view.status = "stream ended (\(reason)); reconnecting with --since-time"
        state.stack[i] = .logs(view)
        return [effect]
    }

    static func render(_ buf: inout ScreenBuffer, _ state: AppState, _ view: LogViewState, _ g: Glyphs) {
        let top = PanelLayout.body(state).y
        let bottom = state.height - 1
        guard bottom - top >= 2 else { return }
        // Status line.
        buf.fill(x: 0, y: top, width: state.width, height: 1, role: .header)
        // What matters most first (an 80-column status line is cut at the end): held or
        // following, the new lines while held, the search's place, then the counts.
        let window = view.window == 0 ? "" : " " + LogViewState.windows[view.window].label
        var status = " LOGS \(view.source?.label ?? "?") [\(view.sourceIndex + 1)/\(view.sources.count)]\(view.previous ? " PREVIOUS" : "")\(window) \(view.paused && !view.complete ? "PAUSED" : view.status)"
        if !view.following && !view.complete && (view.paused || view.newSincePause > 0) { status += " +\(view.newSincePause) new" }
        if let search = view.search {
            let match = view.matchOrdinal.map { "match \($0)/\(view.matchCount)" } ?? (view.matchCount == 0 ? "no match" : "\(view.matchCount) matches")
            status += " · /\(search) \(match)\(view.filterOnly ? " FILTER" : "")"
        }
        status += " · \(view.entries.count) lines"
        if view.dropped > 0 { status += " (\(view.dropped) dropped)" }
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
}
