import Foundation
import PaperDomain
import PaperKube

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
            let previous = state.data.data
            state.data = .loaded(data)
            state.backoff = 0
            state.nextRefreshAt = at + state.refreshInterval
            var effects = Journal.verdictEntries(old: previous, new: data, context: state.context, namespace: state.namespace)
            effects += trackFinished(&state, data)
            clampSelection(&state)
            return effects
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
    case .commandRan(let record):
        state.commandLog.append(record)
        if state.commandLog.count > AppState.commandLogLimit { state.commandLog.removeFirst(state.commandLog.count - AppState.commandLogLimit) }
        return []
    case .actionFinished(let outcome, let at):
        state.actionInFlight = false
        state.now = max(state.now, at)
        let verb = outcome.succeeded ? "done" : "FAILED"
        notify(&state, "\(outcome.plan.title): \(verb): \(outcome.message)")
        var effects: [Effect] = [.journal("- \(UTCTime.rfc3339(at)) result: \(outcome.succeeded ? "ok" : "failed") — \(outcome.message)")]
        if outcome.succeeded {
            switch outcome.plan.kind {
            case .fileBackup, .databaseBackup: state.tracked[outcome.plan.objectName] = outcome.plan.kind
            case .forceSync(let secret):
                state.lastForceSync[secret] = at
                state.awaitingSync[secret] = state.data.data?.actions?.secretRefreshTimes[secret] ?? 0
            }
            if !state.refreshing {
                state.refreshing = true
                state.lastAttempt = at
                effects.append(.refresh)
            }
        }
        return effects
    case .journalLoaded(let lines):
        state.mode = .journal(lines)
        state.detailScroll = max(0, lines.count - 1)
        return []
    case .logLines(let generation, let lines):
        receiveLogLines(&state, generation: generation, lines)
        return []
    case .logEnded(let generation, let reason):
        return logStreamEnded(&state, generation: generation, reason: reason)
    }
}

/// Keeps the last few notices for the operator.
func notify(_ state: inout AppState, _ text: String) {
    state.notices.append(text)
    if state.notices.count > 20 { state.notices.removeFirst(state.notices.count - 20) }
}

/// Notices (and journal entries) when a Job or Backup started from a key has finished.
func trackFinished(_ state: inout AppState, _ data: DashboardData) -> [Effect] {
    var effects: [Effect] = []
    for (secret, before) in state.awaitingSync {
        guard let now = data.actions?.secretRefreshTimes[secret], now > before else { continue }
        state.awaitingSync[secret] = nil
        let text = "ExternalSecret \(secret) refreshed at \(UTCTime.rfc3339(now)) after the force-sync"
        notify(&state, text)
        effects.append(.journal("- \(UTCTime.rfc3339(state.now)) \(text)"))
    }
    for (name, kind) in state.tracked {
        let panel: PanelID = kind == .fileBackup ? .fileBackups : .database
        guard let row = data.facts[panel]?.first(where: { $0.text.hasPrefix(name + " ") }), let verdict = row.verdict else { continue }
        state.tracked[name] = nil
        let what = kind == .fileBackup ? "File backup Job" : "Database Backup"
        let text = "\(what) \(name) \(verdict == .ok ? "finished OK" : "FAILED"): \(row.text)"
        notify(&state, text)
        effects.append(.journal("- \(UTCTime.rfc3339(state.now)) \(text)"))
    }
    return effects
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
    case .confirm(let plan):
        switch key {
        case .char("y"), .char("Y"):
            state.mode = .dashboard
            guard !state.actionInFlight else { return [] }
            state.actionInFlight = true
            notify(&state, "running: \(plan.title)…")
            return [.journal("- \(UTCTime.rfc3339(state.now)) action confirmed: \(plan.title)\n  `\(plan.commandLine.replacingOccurrences(of: "\n", with: " "))`"), .run(plan)]
        case .escape, .char("n"), .char("N"), .char("q"):
            state.mode = .dashboard
            notify(&state, "cancelled: \(plan.title)")
            return [.journal("- \(UTCTime.rfc3339(state.now)) action cancelled: \(plan.title)")]
        default:
            return []
        }
    case .refused:
        if key == .escape || key == .enter || key == .char("q") || key == .char(" ") { state.mode = .dashboard }
        return []
    case .commandLog:
        switch key {
        case .escape, .char("q"), .char("c"): state.mode = .dashboard
        case .up, .char("k"): state.commandLogScroll += 1
        case .down, .char("j"): state.commandLogScroll = max(0, state.commandLogScroll - 1)
        default: break
        }
        return []
    case .journal:
        switch key {
        case .escape, .char("q"), .char("J"): state.mode = .dashboard
        case .down, .char("j"): state.detailScroll += 1
        case .up, .char("k"): state.detailScroll = max(0, state.detailScroll - 1)
        case .char("G"): state.detailScroll = Int.max / 2
        case .char("g"): state.detailScroll = 0
        default: break
        }
        return []
    case .logs:
        return handleLogKey(&state, key)
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
    case .tab, .right:
        state.focus = PanelID(rawValue: (panel.rawValue + 1) % PanelID.allCases.count) ?? .pods
    case .backTab, .left:
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
    case .char("b"), .char("B"):
        let isFiles = key == .char("b")
        let title = isFiles ? "File backup (restic)" : "Database backup (CNPG)"
        guard let ctx = state.data.data?.actions else {
            state.mode = .refused(title: title, reason: "No data yet: wait for the first refresh, then try again.")
            return []
        }
        let decision = isFiles ? ActionPlanner.fileBackup(ctx, now: state.now) : ActionPlanner.databaseBackup(ctx, now: state.now)
        return decide(&state, decision, title: title)
    case .char("f") where panel == .secrets:
        guard let ctx = state.data.data?.actions else {
            state.mode = .refused(title: "Force-sync", reason: "No data yet: wait for the first refresh, then try again.")
            return []
        }
        let rows = PanelRows.rows(for: .secrets, in: state)
        let row = rows.indices.contains(current) ? rows[current].text : ""
        guard let secret = ctx.externalSecrets.first(where: { row.hasPrefix($0 + " ") || row.contains($0 + " ") }) ?? (ctx.externalSecrets.count == 1 ? ctx.externalSecrets.first : nil) else {
            state.mode = .refused(title: "Force-sync", reason: "Select the row of an ExternalSecret in the Secrets panel first.")
            return []
        }
        return decide(&state, ActionPlanner.forceSync(ctx, secret: secret, lastSync: state.lastForceSync[secret], now: state.now), title: "Force-sync \(secret)")
    case .char("c"):
        state.mode = .commandLog
        state.commandLogScroll = 0
    case .char("l"):
        return openLogs(&state)
    case .char("J"):
        return [.loadJournal]
    default:
        break
    }
    return []
}

/// Turns a planner decision into a dialog; read-only mode and a running action refuse everything.
func decide(_ state: inout AppState, _ decision: ActionPlanner.Decision, title: String) -> [Effect] {
    switch decision {
    case .refuse(let reason):
        state.mode = .refused(title: title, reason: reason)
    case .confirm(let plan):
        if state.readOnly {
            state.mode = .refused(title: "Read-only mode", reason: "paperctl-tui runs with --read-only (or readOnly: true in the config): nothing is run. The command would be:\n\(plan.commandLine)")
        } else if state.actionInFlight {
            state.mode = .refused(title: title, reason: "Another action is still running; wait for its result.")
        } else {
            state.mode = .confirm(plan)
        }
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
