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
        DashboardMode.clampSelection(&state)
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
        return refreshed(&state, result, at: at)
    case .clusterChanged(let at):
        return clusterChanged(&state, at: at)
    case .key(let key):
        return handleKey(&state, key)
    case .commandRan(let record):
        if let id = record.streamID, let i = state.commandLog.lastIndex(where: { $0.streamID == id }) {
            state.commandLog[i] = record
            return []
        }
        if !record.isAction, record.streamID == nil, let i = state.commandLog.indices.suffix(8).last(where: { i in
            let r = state.commandLog[i]
            return !r.isAction && r.streamID == nil && r.commandLine == record.commandLine && r.exitStatus == record.exitStatus
        }) {
            var merged = record
            merged.repeats = state.commandLog[i].repeats + 1
            state.commandLog.remove(at: i)
            state.commandLog.append(merged)
            return []
        }
        state.commandLog.append(record)
        if state.commandLog.count > AppState.commandLogLimit { state.commandLog.removeFirst(state.commandLog.count - AppState.commandLogLimit) }
        return []
    case .actionFinished(let outcome, let generation, let at):
        return actionFinished(&state, outcome, generation: generation, at: at)
    case .journalLoaded(let lines):
        state.apply(.push(.journal(JournalState(lines: lines))))
        return []
    case .reportWritten(let outcome):
        JournalMode.reportWritten(&state, outcome)
        return []
    case .journalFailed(let reason):
        state.journalProblem = reason
        return []
    case .logLines(let generation, let lines):
        LogTailMode.receive(&state, generation: generation, lines)
        return []
    case .logEnded(let generation, let reason):
        return LogTailMode.ended(&state, generation: generation, reason: reason)
    case .objectRead(let generation, let result):
        ObjectMode.received(&state, generation: generation, result)
        return []
    case .restoreProgress(let generation, let progress):
        return RestoreWizardMode.progress(&state, generation: generation, progress)
    case .restoreFinished(let generation, let result):
        return RestoreWizardMode.finished(&state, generation: generation, result)
    case .restorePlanEvent(let generation, let event):
        return RestoreWizardMode.planEvent(&state, generation: generation, event)
    }
}

// MARK: - Keys

/// Dispatches a key from the key table: the mode on top picks the scope, the binding gives the
/// intent, and the mode's own update handles it.
func handleKey(_ state: inout AppState, _ key: Key) -> [Effect] {
    guard let (binding, intent) = Keymap.binding(for: key, in: state.mode.scope) else { return [] }
    return perform(&state, intent, label: binding.label, dangerous: binding.dangerous)
}

/// Runs one intent: the ones every mode shares first (quit, help, waiting for data, read-only),
/// then the mode on top.
func perform(_ state: inout AppState, _ intent: Intent, label: String, dangerous: Bool) -> [Effect] {
    switch intent {
    case .quit:
        if let asked = state.askBeforeQuitting() { return asked }
        state.quitting = true
        return [.quit]
    case .openHelp:
        state.apply(.push(.help(HelpState(opener: state.mode.scope))))
        return []
    default:
        break
    }
    if intent.needsData, state.data.data == nil {
        state.pending = PendingIntent(intent: intent, label: label, dangerous: dangerous)
        notify(&state, "waiting for the first data: \(label) opens as soon as they arrive (Esc cancels)")
        return []
    }
    // Read-only: R opens the wizard in plan-only mode (it reads and plans, and names what it
    // refuses); a mode that says so in place gets the key; elsewhere a notice names the key.
    if dangerous && state.readOnly && intent != .openRestore && !state.mode.refusesReadOnlyInPlace {
        state.apply(.push(.dialog(ActionRequest.readOnlyNotice(intent, state, key: label))))
        return []
    }
    let step: ModeStep
    switch state.mode {
    case .dashboard:
        step = DashboardMode.update(&state, intent)
    case .detail(var detail):
        step = DetailMode.update(&detail, &state, intent)
        state.setTop(.detail(detail))
    case .object(var view):
        step = ObjectMode.update(&view, &state, intent)
        state.setTop(.object(view))
    case .filter(var filter):
        step = FilterMode.update(&filter, &state, intent)
        state.setTop(.filter(filter))
    case .help(var help):
        step = HelpMode.update(&help, &state, intent)
        state.setTop(.help(help))
    case .dialog(var dialog):
        step = DialogMode.update(&dialog, &state, intent)
        state.setTop(.dialog(dialog))
    case .logs(var view):
        step = LogTailMode.update(&view, &state, intent)
        state.setTop(.logs(view))
    case .commandLog(var log):
        step = CommandLogMode.update(&log, &state, intent)
        state.setTop(.commandLog(log))
    case .journal(var journal):
        step = JournalMode.update(&journal, &state, intent)
        state.setTop(.journal(journal))
    case .restore(var wizard):
        step = RestoreWizardMode.update(&wizard, &state, intent)
        state.setTop(.restore(wizard))
    case .restorePrompt(var prompt):
        step = RestorePrompts.update(&prompt, &state, intent)
        state.setTop(.restorePrompt(prompt))
    }
    state.apply(step.transition)
    return step.effects
}

// MARK: - Refresh

/// A watch saw a change: recompute soon, at most once per `AppState.liveCoalesce` seconds (a
/// burst of events is one refresh), and never while a refresh runs (it is noted for after).
func clusterChanged(_ state: inout AppState, at: Double) -> [Effect] {
    state.now = max(state.now, at)
    if state.refreshing {
        state.changedDuringRefresh = true
        return []
    }
    let soonest = (state.lastAttempt ?? -.infinity) + AppState.liveCoalesce
    if at >= soonest {
        state.refreshing = true
        state.lastAttempt = at
        return [.refresh]
    }
    state.nextRefreshAt = min(state.nextRefreshAt, soonest)  // a tick starts it
    return []
}

func refreshed(_ state: inout AppState, _ result: Result<DashboardData, RefreshError>, at: Double) -> [Effect] {
    state.refreshing = false
    state.now = max(state.now, at)
    switch result {
    case .success(let data):
        let previous = state.data.data
        state.data = .loaded(data)
        state.backoff = 0
        state.nextRefreshAt = at + state.refreshInterval
        noteChangeDuringRefresh(&state)
        var effects = Journal.verdictEntries(old: previous, new: data, context: state.context, namespace: state.namespace)
        effects += trackFinished(&state, data)
        DashboardMode.focusWorst(&state)
        DashboardMode.clampSelection(&state)
        // A key pressed before the first data: act on it now, if the operator is still where they pressed it.
        if let pending = state.pending {
            state.pending = nil
            if state.stack.isEmpty { effects += perform(&state, pending.intent, label: pending.label, dangerous: pending.dangerous) }
        }
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
        DashboardMode.clampSelection(&state)
        noteChangeDuringRefresh(&state)
        return []
    }
}

/// A change that arrived while the refresh ran is shown by the next one, soon.
func noteChangeDuringRefresh(_ state: inout AppState) {
    guard state.changedDuringRefresh else { return }
    state.changedDuringRefresh = false
    state.nextRefreshAt = min(state.nextRefreshAt, (state.lastAttempt ?? state.now) + AppState.liveCoalesce)
}

// MARK: - Actions

func actionFinished(_ state: inout AppState, _ outcome: ActionOutcome, generation: Int, at: Double) -> [Effect] {
    if state.actionInFlight == generation { state.actionInFlight = nil }
    state.now = max(state.now, at)
    // kubectl's "created" or "annotated" is not the outcome: say what was started and that it is followed.
    let said = outcome.succeeded ? ActionWords.started(outcome, refreshTime: state.data.data?.actions?.refreshTime(of: outcome.plan.objectName))
                                 : "\(outcome.plan.title): \(outcome.unknown ? "outcome UNKNOWN" : "FAILED"): \(outcome.message)"
    notify(&state, said)
    var effects: [Effect] = [.journal("- \(UTCTime.rfc3339(at)) result: \(outcome.succeeded ? "ok" : outcome.unknown ? "unknown" : "failed") — \(outcome.succeeded ? said : outcome.message)")]
    // It may have happened: the next refresh shows whether the Job or Backup exists.
    if outcome.unknown { return effects + DashboardMode.startRefresh(&state) }
    guard outcome.succeeded else { return effects }
    switch outcome.plan.kind {
    case .fileBackup: state.tracked.append(TrackedObject(kind: .job, name: outcome.plan.objectName))
    case .databaseBackup: state.tracked.append(TrackedObject(kind: .backup, name: outcome.plan.objectName))
    case .forceSync(let secret):
        state.lastForceSync[secret] = at
        state.awaitingSync[secret] = AwaitedSync(refreshTimeBefore: state.data.data?.actions?.refreshTime(of: secret), annotatedAt: at)
    }
    effects += DashboardMode.startRefresh(&state)
    return effects
}

// MARK: - ActionWords

/// What an action's outcome says, in words that do not claim more than happened.
enum ActionWords {
    /// "started job.batch/NAME; following it", "ExternalSecret NAME annotated; waiting for refreshTime…".
    static func started(_ outcome: ActionOutcome, refreshTime: Double?) -> String {
        switch outcome.plan.kind {
        case .fileBackup, .databaseBackup:
            return "started \(createdObject(outcome)); following it to the end"
        case .forceSync(let secret):
            let was = refreshTime.map { "it reads \(UTCTime.rfc3339($0))" } ?? "it was never set"
            return "ExternalSecret \(secret) annotated; waiting for refreshTime to move (\(was); up to \(Int(AppState.syncWait))s)…"
        }
    }

    /// kubectl's `job.batch/NAME created` without its verb; the plan's object when kubectl said something else.
    static func createdObject(_ outcome: ActionOutcome) -> String {
        let line = outcome.message.trimmingCharacters(in: .whitespaces)
        if line.hasSuffix(" created"), line.contains("/") { return String(line.dropLast(" created".count)) }
        return (outcome.plan.kind == .databaseBackup ? "backup.postgresql.cnpg.io/" : "job.batch/") + outcome.plan.objectName
    }

    /// A force-sync that has not moved refreshTime within `AppState.syncWait`: what the Ready condition says.
    static func stillFailing(_ secret: String, _ es: ExternalSecret?, waited: Double) -> String {
        let after = "\(UTCTime.humanDuration(waited)) after the force-sync"
        guard let es else { return "ExternalSecret \(secret) is gone \(after)" }
        let ready = es.conditions[type: "Ready"]
        let still = es.refreshTime.map { "refreshTime still \(UTCTime.rfc3339($0))" } ?? "refreshTime still unset"
        if ready?.status == "False" {
            // The reason in parentheses: "SecretSyncedError: …" reads as a credential field to the redactor.
            return "ExternalSecret \(secret) still failing \(after): \(Redactor.redact(ready?.message ?? "no message")) (\(ready?.reason ?? "no reason"); \(still))"
        }
        return "ExternalSecret \(secret) not synced \(after): \(still), Ready=\(ready?.status ?? "-") (is the external-secrets controller running?)"
    }
}

/// Keeps the last few notices for the operator.
func notify(_ state: inout AppState, _ text: String) {
    state.notices.append(text)
    if state.notices.count > 20 { state.notices.removeFirst(state.notices.count - 20) }
}

/// Notices (and journal entries) when a Job or Backup started from a key has finished, or a
/// force-sync has landed: read from the typed objects of the refresh, by name and UID.
func trackFinished(_ state: inout AppState, _ data: DashboardData) -> [Effect] {
    guard let facts = data.actions else { return [] }
    var effects: [Effect] = []
    func say(_ text: String) {
        notify(&state, text)
        effects.append(.journal("- \(UTCTime.rfc3339(state.now)) \(text)"))
    }
    // A force-sync: synced once refreshTime moves; still failing when it has not within the bound.
    for (secret, wait) in state.awaitingSync.sorted(by: { $0.key < $1.key }) {
        if let now = facts.refreshTime(of: secret), now > (wait.refreshTimeBefore ?? -.infinity) {
            state.awaitingSync[secret] = nil
            say("ExternalSecret \(secret) synced at \(UTCTime.rfc3339(now)) after the force-sync")
        } else if state.now - wait.annotatedAt >= AppState.syncWait {
            state.awaitingSync[secret] = nil
            say(ActionWords.stillFailing(secret, facts.externalSecrets.first { $0.metadata.name == secret }, waited: state.now - wait.annotatedAt))
        }
    }
    var still: [TrackedObject] = []
    for var object in state.tracked {
        switch facts.progress(of: object) {
        case .missing:
            still.append(object)
        case .inProgress(let uid, _):
            if object.uid == nil { object.uid = uid }
            still.append(object)
        case .succeeded(let detail):
            say("\(object.kind.rawValue) \(object.name) completed: \(detail)")
        case .failed(let detail):
            say("\(object.kind.rawValue) \(object.name) FAILED: \(detail)")
        case .replaced(let uid):
            say("\(object.kind.rawValue) \(object.name) was deleted and another of that name created (uid \(uid)); no longer followed")
        }
    }
    state.tracked = still
    return effects
}
