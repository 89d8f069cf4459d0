import PaperDomain

// MARK: - Mode

/// One entry of the mode stack. Each case carries the state its mode owns; the mode's update
/// function and view live in `Modes/<Name>Mode.swift`.
public enum Mode: Sendable, Equatable {
    /// The six panels (its state is `AppState.dashboard`: it is always at the bottom).
    case dashboard
    /// The detail of one panel: every check's reason, evidence, next step and command.
    case detail(DetailState)
    /// One object opened from its row: a Job's log tail, its events, its manifest.
    case object(ObjectViewState)
    /// Typing a filter for one panel.
    case filter(FilterState)
    /// The key table, generated from `Keymap`.
    case help(HelpState)
    /// A confirmation with the exact command, or a notice explaining why nothing runs.
    case dialog(DialogState)
    /// The full-screen log tail.
    case logs(LogViewState)
    /// Every kubectl command run.
    case commandLog(CommandLogState)
    /// Today's incident journal.
    case journal(JournalState)
    /// The guided file restore.
    case restore(RestoreWizardState)
    /// A question the restore wizard asks above itself (a typed answer or a yes/no).
    case restorePrompt(RestorePrompt)

    /// Which keys apply while this mode is on top.
    public var scope: KeyScope {
        switch self {
        case .dashboard: .dashboard
        case .detail: .detail
        case .object: .object
        case .filter: .filter
        case .help: .help
        case .dialog(let d): d.isConfirmation ? .dialog : .notice
        case .logs(let l): l.searchDraft == nil ? .logs : .logSearch
        case .commandLog(let c): c.filterDraft == nil ? .commandLog : .commandLogFilter
        case .journal: .journal
        case .restore: .restore
        case .restorePrompt(let p): p.isTyped ? .restoreText : .restore
        }
    }

    /// The log tail and the restore wizard are laid out for 80×22 and more.
    public var needsFullSize: Bool {
        switch self {
        case .logs, .restore: true
        default: false
        }
    }

    /// Full-screen modes replace what is under them; the others are drawn over it.
    /// The mode says in place what a writing key would do under `--read-only` (its update is
    /// given the key); for the others a notice names the key.
    public var refusesReadOnlyInPlace: Bool {
        if case .restore = self { true } else { false }
    }

    public var isFullScreen: Bool {
        switch self {
        case .dashboard, .detail, .object, .logs, .restore: true
        case .filter, .help, .dialog, .commandLog, .journal, .restorePrompt: false
        }
    }
}

// MARK: - ModeStep

/// What a mode's update asks of the stack, besides effects.
public enum Transition: Sendable, Equatable {
    case stay
    /// Close this mode: the one that opened it gets the keys back.
    case pop
    /// Open a mode above this one.
    case push(Mode)
    /// Close this mode and open another in its place.
    case replace(Mode)
}

/// A mode's answer to an intent.
public struct ModeStep: Sendable, Equatable {
    public var transition: Transition
    public var effects: [Effect]

    public init(_ transition: Transition = .stay, _ effects: [Effect] = []) {
        self.transition = transition
        self.effects = effects
    }

    public static let stay = ModeStep()
    public static let pop = ModeStep(.pop)
}

extension AppState {
    /// Applies a transition to the stack (the dashboard at the bottom is never popped).
    mutating func apply(_ transition: Transition) {
        switch transition {
        case .stay: break
        case .pop: if !stack.isEmpty { stack.removeLast() }
        case .push(let mode): stack.append(mode)
        case .replace(let mode):
            if !stack.isEmpty { stack.removeLast() }
            stack.append(mode)
        }
    }

    /// A mode that must ask before the app quits answers Ctrl-C itself (a restore step running:
    /// leaving keeps the way back on record); nil quits as usual.
    mutating func askBeforeQuitting() -> [Effect]? {
        RestoreWizardMode.askBeforeQuitting(&self)
    }

    /// Replaces the state of the mode on top (after its update ran on a copy).
    mutating func setTop(_ mode: Mode) {
        guard !stack.isEmpty else { return }
        stack[stack.count - 1] = mode
    }
}
