// MARK: - Keymap

/// One documented key binding: the footer and the help overlay are both generated from `Keymap.all`.
public struct KeyBinding: Sendable, Equatable {
    public enum Scope: Sendable, Equatable { case dashboard, detail, help, filter, confirm, overlay, logs, everywhere }
    public var keys: String
    public var description: String
    public var scope: Scope
    public var inFooter: Bool
    /// An action that changes the cluster: it only explains itself in read-only mode.
    public var dangerous: Bool
    /// The footer's short label (the help overlay shows `description`).
    public var short: String

    public init(keys: String, description: String, scope: Scope, inFooter: Bool, dangerous: Bool = false, short: String? = nil) {
        self.keys = keys
        self.description = description
        self.scope = scope
        self.inFooter = inFooter
        self.dangerous = dangerous
        self.short = short ?? description
    }
}

public enum Keymap {
    public static let all: [KeyBinding] = [
        KeyBinding(keys: "Tab/S-Tab", description: "next/prev panel", scope: .dashboard, inFooter: true, short: "panel"),
        KeyBinding(keys: "1-6", description: "focus panel", scope: .dashboard, inFooter: false),
        KeyBinding(keys: "j/k", description: "move (also ↑/↓)", scope: .dashboard, inFooter: true, short: "move"),
        KeyBinding(keys: "PgUp/PgDn g/G", description: "page, top, bottom", scope: .dashboard, inFooter: false),
        KeyBinding(keys: "Enter", description: "details", scope: .dashboard, inFooter: true),
        KeyBinding(keys: "/", description: "filter panel", scope: .dashboard, inFooter: true, short: "filter"),
        KeyBinding(keys: "r", description: "refresh now", scope: .dashboard, inFooter: true, short: "refresh"),
        KeyBinding(keys: "b", description: "file backup now", scope: .dashboard, inFooter: true, dangerous: true, short: "backup"),
        KeyBinding(keys: "B", description: "database backup now", scope: .dashboard, inFooter: true, dangerous: true, short: "db backup"),
        KeyBinding(keys: "f", description: "force-sync secret (Secrets panel)", scope: .dashboard, inFooter: false, dangerous: true),
        KeyBinding(keys: "l", description: "tail the app logs", scope: .dashboard, inFooter: true, short: "logs"),
        KeyBinding(keys: "c", description: "command log", scope: .dashboard, inFooter: false),
        KeyBinding(keys: "J", description: "incident journal", scope: .dashboard, inFooter: false),
        KeyBinding(keys: "t", description: "next theme", scope: .dashboard, inFooter: true, short: "theme"),
        KeyBinding(keys: "?", description: "help", scope: .dashboard, inFooter: true),
        KeyBinding(keys: "q", description: "quit", scope: .dashboard, inFooter: true),
        KeyBinding(keys: "j/k PgUp/PgDn", description: "scroll", scope: .detail, inFooter: true),
        KeyBinding(keys: "Esc/q", description: "back", scope: .detail, inFooter: true),
        KeyBinding(keys: "Enter", description: "apply filter", scope: .filter, inFooter: true),
        KeyBinding(keys: "Esc", description: "clear filter", scope: .filter, inFooter: true),
        KeyBinding(keys: "Esc/q/?", description: "close help", scope: .help, inFooter: true),
        KeyBinding(keys: "y", description: "run the command shown", scope: .confirm, inFooter: true),
        KeyBinding(keys: "Esc/n", description: "cancel", scope: .confirm, inFooter: true),
        KeyBinding(keys: "Space", description: "pause/resume", scope: .logs, inFooter: true, short: "pause"),
        KeyBinding(keys: "j/k PgUp/PgDn g/G", description: "scroll (works while paused)", scope: .logs, inFooter: true, short: "scroll"),
        KeyBinding(keys: "/ n/N", description: "search, next/previous match", scope: .logs, inFooter: true, short: "search"),
        KeyBinding(keys: "f", description: "show only matching lines", scope: .logs, inFooter: true, short: "filter"),
        KeyBinding(keys: "w/t", description: "wrap / timestamps", scope: .logs, inFooter: true, short: "wrap/time"),
        KeyBinding(keys: "0-4", description: "window: tail, 1m, 5m, 15m, 1h", scope: .logs, inFooter: true, short: "window"),
        KeyBinding(keys: "c", description: "next container or pod", scope: .logs, inFooter: true, short: "container"),
        KeyBinding(keys: "Esc/q", description: "back to the dashboard", scope: .logs, inFooter: true, short: "back"),
        KeyBinding(keys: "j/k", description: "scroll", scope: .overlay, inFooter: true),
        KeyBinding(keys: "Esc/q", description: "close", scope: .overlay, inFooter: true),
        KeyBinding(keys: "Ctrl-C", description: "quit (same in every mode)", scope: .everywhere, inFooter: false),
    ]

    public static func bindings(for mode: Mode) -> [KeyBinding] {
        let scope: KeyBinding.Scope
        switch mode {
        case .dashboard: scope = .dashboard
        case .detail: scope = .detail
        case .help: scope = .help
        case .filter: scope = .filter
        case .confirm: scope = .confirm
        case .refused, .commandLog, .journal: scope = .overlay
        case .logs: scope = .logs
        }
        return all.filter { $0.scope == scope }
    }
}
