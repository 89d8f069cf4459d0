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
            guard state.dashboard.focus == .secrets, case .externalSecret(let secret)? = DashboardMode.selectedRow(state)?.subject else {
                return ActionRequest(title: "Force-sync", decision: .refuse("Select an ExternalSecret in the Secrets panel (press 4, then j/k), then press f."))
            }
            return ActionRequest(title: "Force-sync \(secret)", decision: facts.planForceSync(secret: secret, lastSync: state.lastForceSync[secret], now: state.now))
        default:
            return nil
        }
    }

    /// The dialog the operator sees: the confirmation, or why nothing may run.
    func dialog(_ state: AppState) -> DialogState {
        switch decision {
        case .refuse(let reason):
            return DialogState(notice: title, reason)
        case .plan(let plan):
            if state.actionInFlight != nil {
                return DialogState(notice: title, "Another action is still running; wait for its result.")
            }
            return DialogState(confirm: plan)
        }
    }

    /// Read-only mode: what the key would run, and that nothing runs.
    static func readOnlyNotice(_ intent: Intent, _ state: AppState) -> DialogState {
        let would = make(intent, state)?.decision.plan.map { "The command would be:\n\($0.commandLine)" } ?? ""
        return DialogState(notice: "Read-only mode", "paperctl-tui runs with --read-only (or readOnly: true in the config): nothing is run.\n" + would)
    }
}

// MARK: - DialogMode

enum DialogMode {
    static func update(_ dialog: inout DialogState, _ state: inout AppState, _ intent: Intent) -> ModeStep {
        switch (dialog.kind, intent) {
        case (.confirm(let plan), .confirm):
            if state.readOnly {
                return ModeStep(.replace(.dialog(ActionRequest.readOnlyNotice(.confirm, state))))
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
            renderDialog(&buf, state, g, title: dialog.title, role: .warn, lines: [("This will run exactly:", .text), ("", .text)]
                + body.map { ("  " + $0, Role.keyHint) } + [("", .text), ("y runs it · Esc or n cancels", .focus)])
        case .notice:
            renderDialog(&buf, state, g, title: dialog.title, role: .focus,
                         lines: body.map { ($0, Role.text) } + [("", .text), ("Nothing was run. Esc closes.", .muted)])
        }
    }
}
