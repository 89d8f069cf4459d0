import Foundation
import PaperDomain
import PaperKube

// MARK: - RestoreWizardMode view

extension RestoreWizardMode {
    /// The wizard fills the body: a step bar, the step's content, and the line that says what
    /// Enter, y or Esc will do next.
    static func render(_ buf: inout ScreenBuffer, _ state: AppState, _ w: RestoreWizardState, _ g: Glyphs) {
        let body = PanelLayout.body(state)
        guard body.width >= 20, body.height >= 6 else { return }
        buf.fill(x: body.x, y: body.y, width: body.width, height: body.height, role: .text)
        buf.box(x: body.x, y: body.y, width: body.width, height: body.height, role: .focus, glyphs: g)
        let steps = w.steps
        if w.kind == .drill && w.step != .choose {
            buf.putTruncated(" Restore drill (files): the newest snapshot, restored into an emptyDir with --verify ", x: body.x + 2, y: body.y, role: .focus, width: body.width - 4, ellipsis: g.ellipsis)
        }
        let number = (steps.firstIndex(of: w.step == .finished ? .running : w.step) ?? 0) + 1
        if !(w.kind == .drill && w.step != .choose) {
            let kind = w.step == .choose ? RestoreWizardState.Kind(rawValue: w.selection) ?? w.kind : w.kind
            let what = switch kind {
            case .database: "database"
            case .both: "database and files"
            case .files, .drill: "files"
            case .databaseDrill: "database"
            case .unlock: "files"
            }
            let title = switch kind {
            case .databaseDrill: "Database drill"
            case .unlock: "restic unlock"
            case .drill: "Restore drill (files)"
            default: "Restore \(what)"
            }
            buf.putTruncated(" \(title) — step \(number)/\(steps.count): \(w.step.title) ", x: body.x + 2, y: body.y, role: .focus, width: body.width - 4, ellipsis: g.ellipsis)
        }
        // The step bar: done ✔, here ▶, ahead ·.
        var x = body.x + 2
        for (i, step) in steps.enumerated() {
            let here = steps.firstIndex(of: w.step == .finished ? .running : w.step) ?? 0
            let mark = i == here ? "▶" : (i < here ? g.ok : "·")
            let text = "\(mark)\(i + 1) \(step.title) "
            let role: Role = i == here ? .focus : (i < here ? .ok : .muted)
            x += buf.put(text, x: x, y: body.y + 1, role: role, maxWidth: body.x + body.width - 1 - x)
        }
        let inner = body.width - 4
        var lines = content(state, w, g)
        if let message = w.message { lines = [(message, .warn), ("", .text)] + lines }
        let wrapped = wrap(lines, width: inner)
        let top = body.y + 3
        // A prompt sits at the bottom, always in view: what it does and what to type, the reason
        // the last answer was refused, then the answer being typed.
        var prompt: [(String, Role)] = []
        let open = RestorePrompts.open(state)
        if let p = self.prompt(state, w) {
            prompt += wrap([(p.what, p.role)], width: inner).prefix(3)
            if let type = p.type { prompt.append((type, .focus)) }
            if let error = open?.error { prompt += wrap([("\(g.critical) \(error)", .critical)], width: inner).prefix(4) }
        }
        let bottomReserved = 2 + prompt.count
        let visible = max(0, body.height - 3 - bottomReserved)
        let maxScroll = max(0, wrapped.count - visible)
        // Keep the cursor line in view.
        var start = min(w.scroll, maxScroll)
        if let cursor = wrapped.firstIndex(where: { $0.1 == .selection }) {
            if cursor >= start + visible { start = cursor - visible + 1 }
            if cursor < start { start = cursor }
        }
        for i in 0..<visible where start + i < wrapped.count {
            let (text, role) = wrapped[start + i]
            if role == .selection { buf.fill(x: body.x + 1, y: top + i, width: body.width - 2, height: 1, role: .selection) }
            buf.putTruncated(text, x: body.x + 2, y: top + i, role: role, width: inner, ellipsis: g.ellipsis)
        }
        if wrapped.count > visible {
            let info = " \(start + 1)–\(min(wrapped.count, start + visible)) of \(wrapped.count) "
            buf.put(info, x: body.x + body.width - 1 - info.count, y: body.y + body.height - 1, role: .muted)
        }
        for (i, (text, role)) in prompt.enumerated() {
            buf.putTruncated(text, x: body.x + 2, y: body.y + body.height - 2 - prompt.count + i, role: role, width: inner, ellipsis: g.ellipsis)
        }
        let hint = hintLine(state, w)
        buf.putTruncated(hint.0, x: body.x + 2, y: body.y + body.height - 2, role: hint.1, width: inner, ellipsis: g.ellipsis)
    }

    /// The open prompt's question: what Enter will do with the answer, then (on a line of its
    /// own, so it is never split) what to type.
    static func prompt(_ state: AppState, _ w: RestoreWizardState) -> (what: String, type: String?, role: Role)? {
        let confirm = "Type the namespace \(state.namespace) to confirm:"
        switch RestorePrompts.open(state)?.kind {
        case nil, .unlock?, .abort?: return nil
        case .path: return ("The path inside snapshot \(w.snapshot?.shortID ?? "?") to restore, e.g. media/documents/originals:", nil, .focus)
        case .time:
            return ("The restore point, inside the window above: 2026-11-29T14:00:00Z, \"2026-11-29 15:00 Europe/Berlin\", \"09:00 Europe/Berlin\" (today) or -2h:", nil, .focus)
        case .namespace:
            if w.kind == .database, let plan = w.dbPlan {
                return ("This creates a NEW cluster \(plan.name) from the backups, recovered to \(pointText(w, plan, state)); the live one is not touched.",
                        confirm, .warn)
            }
            if w.kind == .both, let plan = w.dbPlan {
                return ("This restores snapshot \(w.snapshot?.shortID ?? "?") IN PLACE over the live files and creates a NEW cluster \(plan.name); "
                        + "\(w.facts.config.app.deployment) stays at 0 until you switch it.", confirm, .warn)
            }
            return ("This restores snapshot \(w.snapshot?.shortID ?? "?") (\(w.path.map { "/\($0)" } ?? "everything")) IN PLACE over the live files, "
                    + "\(w.facts.config.app.deployment) scaled to 0 and back.", confirm, .warn)
        case .removeAllNamespace:
            return ("This runs restic unlock --remove-all in Job \(w.removeAllJob?.name ?? "?"): it removes every lock, live ones too.", confirm, .warn)
        case .cleanupNamespace:
            return ("This deletes the scratch cluster \(w.dbDrill?.cluster ?? "?") (only while it carries paperctl.io/purpose=db-drill).", confirm, .warn)
        case .skipReason: return ("Why skip the safety backup? A few words; they go into the journal.", nil, .warn)
        }
    }

    /// The footer's keys for the step on screen: what works now, never `y run` where nothing runs.
    static func footerKeys(_ state: AppState, _ w: RestoreWizardState) -> [(String, String)] {
        if w.busy != nil { return [] }
        let move = ("j/k", "move"), scroll = ("j/k", "scroll")
        switch w.step {
        case .choose: return [("Enter", "pick"), move]
        case .preflight:
            if w.kind == .unlock { return [("u", w.removeAllJob != nil ? "remove-all" : "unlock"), ("r", "check again")] }
            if w.preflight?.lock != nil { return [("u", "unlock"), ("r", "check again")] }
            return [("Enter", w.kind == .drill ? "run drill" : "snapshots"), ("r", "check again")]
        case .snapshots: return [("Enter", "pick"), move, ("r", "list again")]
        case .scope:
            return w.picking ? [("Enter", "open/pick"), ("m", w.missingOnly ? "show all" : "missing live"), move]
                             : [("Enter", "pick"), ("/", "type path"), move]
        case .target: return [("Enter", "pick"), move]
        case .plan:
            guard w.plan != nil else { return [] }
            if state.readOnly { return [scroll] }
            return w.target == .inPlace ? [("y", "run"), ("s", "skip safety"), scroll] : [("y", "run"), scroll]
        case .running: return [scroll]
        case .finished:
            if w.kind == .databaseDrill, w.dbDrill != nil, w.cleanup?.succeeded != true { return [("d", "delete scratch"), ("Enter", "close")] }
            if w.kind == .unlock, w.unlockedBy != nil { return [("b", "backup"), ("Enter", "close")] }
            return [("Enter", "close"), scroll]
        case .timeline: return [("Enter", "pick point"), move]
        case .dbPlan:
            if w.dbPlanError != nil || state.readOnly { return [scroll] }
            return w.dryRun?.succeeded == true ? [("y", "create"), scroll] : [scroll]
        }
    }

    /// What the next key does, in words.
    static func hintLine(_ state: AppState, _ w: RestoreWizardState) -> (String, Role) {
        let open = RestorePrompts.open(state)
        let draft = open?.draft ?? ""
        switch open?.kind {
        case .unlock?: return ("y runs restic unlock in a Job · Esc cancels", .focus)
        case .abort?: return ("Esc again: leave (the step goes on; the commands to get back are kept) · Enter: stay", .warn)
        case .path?: return ("> \(draft)_   Enter keeps it · Esc cancels", .focus)
        case .time?: return ("> \(draft)_   Enter checks it · Esc cancels", .focus)
        case .namespace?, .cleanupNamespace?, .removeAllNamespace?: return ("> \(draft)_   Enter confirms · Esc cancels", .warn)
        case .skipReason?: return ("> \(draft)_   Enter · Esc cancels", .warn)
        case .none: break
        }
        if let busy = w.busy {
            // Only a Job goes on by itself after Esc; a read or a dry run simply ends.
            let job = busy.contains("Job")
            return ("\(Self.busyText(busy))… (Esc steps back\(job ? "; the Job finishes on its own" : ""))", .muted)
        }
        switch w.step {
        case .choose: return ("Enter picks · Esc closes · ? keys", .keyHint)
        case .preflight:
            if w.kind == .unlock {
                return (w.removeAllJob != nil ? "u offers restic unlock --remove-all (type the namespace) · r checks again · Esc closes"
                                              : "u offers restic unlock · r checks again · Esc closes", .keyHint)
            }
            if w.preflight?.lock != nil { return ("u removes the stale lock · r checks again · Esc back", .keyHint) }
            return (w.kind == .drill ? "Enter runs the drill Job · r checks again · Esc back" : "Enter lists the snapshots (a read-only Job) · r checks again · Esc back", .keyHint)
        case .snapshots: return ("Enter picks the snapshot · r lists again · Esc back", .keyHint)
        case .scope:
            guard w.picking else { return ("Enter picks · / types a path · Esc back", .keyHint) }
            return ("Enter opens a directory or picks · m " + (w.missingOnly ? "shows everything" : "only what is missing live") + " · Esc goes up", .keyHint)
        case .target: return ("Enter picks · Esc back", .keyHint)
        case .plan:
            guard w.plan != nil else { return ("Esc back: the plan was refused", .warn) }
            return (w.target == .inPlace ? "y then the namespace runs it · s skips the safety backup (with a reason) · j/k scroll · Esc back"
                                         : "y runs it · j/k scroll · Esc back", .keyHint)
        case .running: return (w.isRunning ? "running… Esc asks before leaving" : "the plan stopped: run the commands above to get back · Esc closes", w.isRunning ? .muted : .warn)
        case .finished:
            if w.kind == .databaseDrill, w.dbDrill != nil, w.cleanup?.succeeded != true { return ("d deletes the scratch cluster (type the namespace) · Enter or Esc closes", .keyHint) }
            if w.kind == .unlock, w.unlockedBy != nil { return ("b starts a backup Job to prove the repository is free · Enter or Esc closes", .keyHint) }
            return ("Enter or Esc closes", .keyHint)
        case .timeline: return ("Enter picks the point · j/k move · Esc back", .keyHint)
        case .dbPlan:
            if w.dbPlanError != nil { return ("Esc back: the point was refused", .warn) }
            if state.readOnly {
                return ("read-only, plan only: y would \(w.kind == .databaseDrill ? "create the scratch cluster" : "create the new cluster") · j/k scroll · Esc back", .warn)
            }
            if w.kind == .databaseDrill {
                return (w.dryRun?.succeeded == true ? "y creates the scratch cluster and times its recovery · j/k scroll · Esc back" : "waiting for the server's dry run · Esc back", .keyHint)
            }
            return (w.dryRun?.succeeded == true ? "y then the namespace creates the new cluster · j/k scroll · Esc back" : "waiting for the server's dry run · Esc back", .keyHint)
        }
    }
}
