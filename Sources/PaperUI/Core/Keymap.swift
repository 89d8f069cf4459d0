// MARK: - Keymap

/// One documented key binding: the footer and the help overlay are both generated from `Keymap.all`.
public struct KeyBinding: Sendable, Equatable {
    public enum Scope: Sendable, Equatable { case dashboard, detail, help, filter, everywhere }
    public var keys: String
    public var description: String
    public var scope: Scope
    public var inFooter: Bool
}

public enum Keymap {
    public static let all: [KeyBinding] = [
        KeyBinding(keys: "Tab/S-Tab", description: "next/prev panel", scope: .dashboard, inFooter: true),
        KeyBinding(keys: "1-6", description: "focus panel", scope: .dashboard, inFooter: false),
        KeyBinding(keys: "j/k ↑/↓", description: "move", scope: .dashboard, inFooter: true),
        KeyBinding(keys: "PgUp/PgDn g/G", description: "page, top, bottom", scope: .dashboard, inFooter: false),
        KeyBinding(keys: "Enter", description: "details", scope: .dashboard, inFooter: true),
        KeyBinding(keys: "/", description: "filter panel", scope: .dashboard, inFooter: true),
        KeyBinding(keys: "r", description: "refresh now", scope: .dashboard, inFooter: true),
        KeyBinding(keys: "t", description: "next theme", scope: .dashboard, inFooter: true),
        KeyBinding(keys: "?", description: "help", scope: .dashboard, inFooter: true),
        KeyBinding(keys: "q", description: "quit", scope: .dashboard, inFooter: true),
        KeyBinding(keys: "j/k PgUp/PgDn", description: "scroll", scope: .detail, inFooter: true),
        KeyBinding(keys: "Esc/q", description: "back", scope: .detail, inFooter: true),
        KeyBinding(keys: "Enter", description: "apply filter", scope: .filter, inFooter: true),
        KeyBinding(keys: "Esc", description: "clear filter", scope: .filter, inFooter: true),
        KeyBinding(keys: "Esc/q/?", description: "close help", scope: .help, inFooter: true),
        KeyBinding(keys: "Ctrl-C", description: "quit (same in every mode)", scope: .everywhere, inFooter: false),
    ]

    public static func bindings(for mode: Mode) -> [KeyBinding] {
        let scope: KeyBinding.Scope
        switch mode {
        case .dashboard: scope = .dashboard
        case .detail: scope = .detail
        case .help: scope = .help
        case .filter: scope = .filter
        }
        return all.filter { $0.scope == scope }
    }
}
