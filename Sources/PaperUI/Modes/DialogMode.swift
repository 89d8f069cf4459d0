import PaperDomain
import PaperKube

// MARK: - DialogState

/// A dialog: a confirmation showing the exact command (`y` runs it), or a notice explaining
/// why nothing runs (read-only, already running, no data, rate limit).
public struct DialogState: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case confirm(ActionPlan)
        case notice
    }

    public var kind: Kind
    public var title: String
    public var body: String
    /// Said above the command: why it will probably fail the same way (the diagnosed cause).
    public var warning: String?

    public init(confirm plan: ActionPlan) {
        kind = .confirm(plan)
        title = plan.title
        body = plan.commandLine
    }

    public init(notice title: String, _ body: String) {
        kind = .notice
        self.title = title
        self.body = body
    }

    public var isConfirmation: Bool {
        if case .confirm = kind { true } else { false }
    }
}

// MARK: - ActionRequest

/// An action key turned into a planner decision, from the typed facts of the last refresh.
struct ActionRequest {
    var title: String
    var decision: ActionDecision

    /// nil when the intent is not an action.
    static func make(_ intent: Intent, _ state: AppState) -> ActionRequest? {
        guard let facts = state.data.data?.actions else {
            return ActionRequest(title: "Action", decision: .refuse("No data yet: wait for the first refresh, then try again."))
        }
        switch intent {
        case .fileBackup:
            return ActionRequest(title: "File backup (restic)", decision: facts.planFileBackup(now: state.now))
        case .databaseBackup:
            return ActionRequest(title: "Database backup (CNPG)", decision: facts.planDatabaseBackup(now: state.now))
        case .forceSync:
            // The selected ExternalSecret row; else the one the focused panel's diagnosed cause names
            // (a failed sync, a wrong restic password), as the header's "f syncs NAME" promises.
            if state.dashboard.focus == .secrets, case .externalSecret(let secret)? = DashboardMode.selectedRow(state)?.subject {
                return ActionRequest(title: "Force-sync \(secret)", decision: facts.planForceSync(secret: secret, lastSync: state.lastForceSync[secret], now: state.now))
            }
            if let data = state.data.data, let secret = data.results(for: state.dashboard.focus).compactMap({ Remedy.of($0, data).externalSecret }).first {
                return ActionRequest(title: "Force-sync \(secret)", decision: facts.planForceSync(secret: secret, lastSync: state.lastForceSync[secret], now: state.now))
            }
            return ActionRequest(title: "Force-sync", decision: .refuse("Select an ExternalSecret in the Secrets panel (press 4, then j/k), then press f."))
        default:
            return nil
        }
    }

    /// The dialog the operator sees: the confirmation, or why nothing may run.
    func dialog(_ state: AppState, warning: String? = nil) -> DialogState {
        switch decision {
        case .refuse(let reason):
            return DialogState(notice: title, reason)
        case .plan(let plan):
            if state.actionInFlight != nil {
                return DialogState(notice: title, "Another action is still running; wait for its result.")
            }
            var dialog = DialogState(confirm: plan)
            dialog.warning = warning
            return dialog
        }
    }

    /// Why a backup taken now fails the same way: the check's diagnosed cause is one a backup runs into again.
    static func sameFailureWarning(_ intent: Intent, _ state: AppState) -> String? {
        guard let data = state.data.data else { return nil }
        switch intent {
        case .fileBackup:
            guard let result = data.checks.first(where: { $0.id == .fileBackups }), let cause = result.cause,
                  [ResticDiagnosis.Cause.locked, .wrongPassword, .repositoryMissing, .storageAccess].map(\.rawValue).contains(cause.kind) else { return nil }
            let remedy = Remedy.of(result, data)
            let first = remedy.key == "Enter" ? cause.nextStep : "\(remedy.says) first"
            return "The failed backups' cause is \(cause.kind): a new backup Job fails the same way. \(first)."
        case .databaseBackup:
            let causes = data.checks.filter { $0.id == .dbBackups || $0.id == .walArchiving }.compactMap(\.cause)
            guard let cause = causes.first(where: CNPGDiagnosis.isObjectStorage) else { return nil }
            return "The database check names \(cause.kind): a new Backup fails the same way. \(cause.nextStep)."
        default:
            return nil
        }
    }

    /// Read-only mode: which key was refused, what it would run, and that nothing runs.
    static func readOnlyNotice(_ intent: Intent, _ state: AppState, key: String) -> DialogState {
        let what = Keymap.all.first { $0.label == key && $0.dangerous && ($0.scope == state.mode.scope || $0.scope == .everywhere) }?.description
        let would = make(intent, state)?.decision.plan.map { "The command would be:\n\($0.commandLine)" } ?? ""
        return DialogState(notice: "Read-only mode: \(key) refused",
                           "read-only: \(key)\(what.map { " (\($0))" } ?? "") was refused; nothing is run.\n"
                           + "paperctl-tui runs with --read-only (or readOnly: true in the config).\n" + would)
    }
}

// MARK: - DialogMode

enum DialogMode {
    static func update(_ dialog: inout DialogState, _ state: inout AppState, _ intent: Intent) -> ModeStep {
        switch (dialog.kind, intent) {
        case (.confirm(let plan), .confirm):
            if state.readOnly {
                return ModeStep(.replace(.dialog(ActionRequest.readOnlyNotice(.confirm, state, key: "y"))))
            }
            guard state.actionInFlight == nil else {
                return ModeStep(.replace(.dialog(DialogState(notice: plan.title, "Another action is still running; wait for its result."))))
            }
            let generation = state.nextGeneration()
            state.actionInFlight = generation
            notify(&state, "running: \(plan.title)…")
            return ModeStep(.pop, [.journal("- \(UTCTime.rfc3339(state.now)) action confirmed: \(plan.title)\n  `\(plan.commandLine.replacingOccurrences(of: "\n", with: " "))`"),
                                   .run(plan, generation: generation)])
        case (.confirm(let plan), .back):
            notify(&state, "cancelled: \(plan.title)")
            return ModeStep(.pop, [.journal("- \(UTCTime.rfc3339(state.now)) action cancelled: \(plan.title)")])
        case (.notice, .back):
            return .pop
        default:
            return .stay
        }
    }

    static func render(_ buf: inout ScreenBuffer, _ state: AppState, _ dialog: DialogState, _ g: Glyphs) {
        let body = dialog.body.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        switch dialog.kind {
        case .confirm:
            let warning: [(String, Role)] = dialog.warning.map { [("WARNING: \($0)", .critical), ("", .text)] } ?? []
            renderDialog(&buf, state, g, title: dialog.title, role: .warn, lines: warning + [("This will run exactly:", .text), ("", .text)]
                + body.map { ("  " + $0, Role.keyHint) } + [("", .text), ("y runs it · Esc or n cancels", .focus)])
        case .notice:
            renderDialog(&buf, state, g, title: dialog.title, role: .focus,
                         lines: body.map { ($0, Role.text) } + [("", .text), ("Nothing was run. Esc closes.", .muted)])
        }
    }
}
