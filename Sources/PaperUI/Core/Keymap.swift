// MARK: - KeyScope

/// Where a binding applies: the mode on top of the stack picks the scope.
public enum KeyScope: String, Sendable, Equatable, CaseIterable {
    case dashboard, detail, object, filter, help, dialog, notice, logs, logSearch, commandLog, commandLogFilter, journal, restore, restoreText, everywhere

    /// The prefix the help overlay puts before a binding of this scope.
    public var helpPrefix: String {
        switch self {
        case .dashboard: ""
        case .detail: "details: "
        case .object: "object: "
        case .filter: "filter: "
        case .help: "help: "
        case .dialog: "dialog: "
        case .notice: "notice: "
        case .logs: "logs: "
        case .logSearch: "log search: "
        case .commandLog: "command log: "
        case .commandLogFilter: "command log filter: "
        case .journal: "journal: "
        case .restore: "restore: "
        case .restoreText: "restore typing: "
        case .everywhere: "anywhere: "
        }
    }
}

// MARK: - KeyBinding

/// One row of the key table: which keys, what they produce, where, and how the help and the
/// footer show them. `dangerous` bindings change the cluster; in read-only mode the dispatcher
/// explains them instead of running them.
public struct KeyBinding: Sendable, Equatable {
    /// A key, or any printable character (text entry).
    public enum Pattern: Sendable, Equatable, Hashable {
        case key(Key)
        case printable
    }

    /// Each pattern with the intent it produces (`1`–`6` focus different panels).
    public var matches: [Pattern: Intent]
    /// Patterns in the order the table lists them (dictionary order is not stable).
    public var patterns: [Pattern]
    /// The keys as the help and the footer show them.
    public var label: String
    public var description: String
    public var scope: KeyScope
    public var inFooter: Bool
    public var dangerous: Bool
    /// The footer's short word (the help shows `description`).
    public var short: String

    public init(_ keys: [Key], _ intent: Intent, label: String, description: String, scope: KeyScope, footer: Bool = false,
                dangerous: Bool = false, short: String? = nil) {
        self.init(pairs: keys.map { (.key($0), intent) }, label: label, description: description, scope: scope, footer: footer, dangerous: dangerous, short: short)
    }

    public init(pairs: [(Pattern, Intent)], label: String, description: String, scope: KeyScope, footer: Bool = false,
                dangerous: Bool = false, short: String? = nil) {
        var matches: [Pattern: Intent] = [:]
        for (pattern, intent) in pairs { matches[pattern] = intent }
        self.matches = matches
        self.patterns = pairs.map(\.0)
        self.label = label
        self.description = description
        self.scope = scope
        self.inFooter = footer
        self.dangerous = dangerous
        self.short = short ?? description
    }

    /// The intent `key` produces under this binding, or nil.
    public func intent(for key: Key) -> Intent? {
        if let intent = matches[.key(key)] { return intent }
        if case .char(let c) = key, matches[.printable] != nil, !c.isNewline, c.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7f }) {
            return .type(c)
        }
        return nil
    }
}

// MARK: - Keymap

/// The key table: `handleKey` dispatches from it, and the footer and the help overlay are
/// generated from it, so what a key does and what the screen says it does cannot drift apart.
public enum Keymap {
    static func chars(_ s: String) -> [Key] { s.map { Key.char($0) } }

    public static let all: [KeyBinding] = [
        // Dashboard.
        KeyBinding([.tab, .right], .focusNext, label: "Tab/→", description: "next panel", scope: .dashboard, footer: true, short: "panel"),
        KeyBinding([.backTab, .left], .focusPrevious, label: "S-Tab/←", description: "previous panel", scope: .dashboard),
        KeyBinding(pairs: PanelID.allCases.map { (.key(.char(Character(String($0.rawValue + 1)))), .focus($0)) }, label: "1-6", description: "focus panel", scope: .dashboard),
        KeyBinding([.down, .char("j")], .scroll(.down), label: "j/↓", description: "move down", scope: .dashboard, footer: true, short: "move"),
        KeyBinding([.up, .char("k")], .scroll(.up), label: "k/↑", description: "move up", scope: .dashboard),
        KeyBinding([.pageDown], .scroll(.pageDown), label: "PgDn", description: "page down", scope: .dashboard),
        KeyBinding([.pageUp], .scroll(.pageUp), label: "PgUp", description: "page up", scope: .dashboard),
        KeyBinding([.char("g"), .home], .scroll(.top), label: "g/Home", description: "first row", scope: .dashboard),
        KeyBinding([.char("G"), .end], .scroll(.bottom), label: "G/End", description: "last row", scope: .dashboard),
        KeyBinding([.enter], .openDetail, label: "Enter", description: "open the selected row's object, else the panel's details", scope: .dashboard, footer: true, short: "details"),
        KeyBinding([.char("z")], .zoom, label: "z", description: "zoom: the focused panel full screen (again: back)", scope: .dashboard, footer: true, short: "zoom"),
        KeyBinding([.char("/")], .openFilter, label: "/", description: "filter panel", scope: .dashboard, footer: true, short: "filter"),
        KeyBinding([.escape], .clearFilter, label: "Esc", description: "clear the panel's filter and the zoom (and a waiting key)", scope: .dashboard),
        KeyBinding([.char("r")], .refresh, label: "r", description: "refresh now", scope: .dashboard, footer: true, short: "refresh"),
        KeyBinding([.char("b")], .fileBackup, label: "b", description: "file backup now", scope: .dashboard, footer: true, dangerous: true, short: "backup"),
        KeyBinding([.char("B")], .databaseBackup, label: "B", description: "database backup now", scope: .dashboard, footer: true, dangerous: true, short: "db backup"),
        KeyBinding([.char("f")], .forceSync, label: "f", description: "force-sync the selected ExternalSecret", scope: .dashboard, dangerous: true),
        KeyBinding([.char("l")], .openLogs, label: "l", description: "tail the logs: the selected pod's or Job's, else the app's", scope: .dashboard, footer: true, short: "logs"),
        KeyBinding([.char("u")], .restoreUnlock, label: "u", description: "restic unlock, when a repository lock is the cause", scope: .dashboard, dangerous: true),
        KeyBinding([.char("R")], .openRestore, label: "R", description: "guided restore: files, database, both, drills", scope: .dashboard, footer: true, dangerous: true, short: "restore"),
        KeyBinding([.char("c")], .openCommandLog, label: "c", description: "command log", scope: .dashboard),
        KeyBinding([.char("J")], .openJournal, label: "J", description: "incident journal", scope: .dashboard),
        KeyBinding([.char("t")], .nextTheme, label: "t", description: "next theme", scope: .dashboard),
        KeyBinding([.char("?")], .openHelp, label: "?", description: "help", scope: .dashboard, footer: true),
        KeyBinding([.char("q")], .quit, label: "q", description: "quit", scope: .dashboard, footer: true),
        // Details.
        KeyBinding([.down, .char("j")], .scroll(.down), label: "j/k", description: "scroll", scope: .detail, footer: true),
        KeyBinding([.up, .char("k")], .scroll(.up), label: "k/↑", description: "scroll up", scope: .detail),
        KeyBinding([.pageDown], .scroll(.pageDown), label: "PgDn", description: "page down", scope: .detail),
        KeyBinding([.pageUp], .scroll(.pageUp), label: "PgUp", description: "page up", scope: .detail),
        KeyBinding([.char("g"), .home], .scroll(.top), label: "g", description: "top", scope: .detail),
        KeyBinding([.char("G"), .end], .scroll(.bottom), label: "G", description: "bottom", scope: .detail),
        KeyBinding([.char("?")], .openHelp, label: "?", description: "help", scope: .detail),
        KeyBinding([.escape, .char("q"), .left, .char("h")], .back, label: "Esc/q", description: "back", scope: .detail, footer: true),
        // The keys the detail recommends do what they do on the dashboard (confirmed first).
        KeyBinding([.char("u")], .restoreUnlock, label: "u", description: "restic unlock, when a repository lock is the cause", scope: .detail, dangerous: true),
        KeyBinding([.char("f")], .forceSync, label: "f", description: "force-sync the selected ExternalSecret", scope: .detail, dangerous: true),
        KeyBinding([.char("l")], .openLogs, label: "l", description: "tail the logs (Redis's when its errors are the cause)", scope: .detail),
        KeyBinding([.char("b")], .fileBackup, label: "b", description: "file backup now", scope: .detail, dangerous: true),
        KeyBinding([.char("B")], .databaseBackup, label: "B", description: "database backup now", scope: .detail, dangerous: true),
        // An object opened from its row.
        KeyBinding([.down, .char("j")], .scroll(.down), label: "j/k", description: "scroll", scope: .object, footer: true),
        KeyBinding([.up, .char("k")], .scroll(.up), label: "k/↑", description: "scroll up", scope: .object),
        KeyBinding([.pageDown, .char(" ")], .scroll(.pageDown), label: "PgDn", description: "page down", scope: .object),
        KeyBinding([.pageUp], .scroll(.pageUp), label: "PgUp", description: "page up", scope: .object),
        KeyBinding([.char("g"), .home], .scroll(.top), label: "g", description: "top", scope: .object),
        KeyBinding([.char("G"), .end], .scroll(.bottom), label: "G", description: "bottom (the manifest's end)", scope: .object),
        KeyBinding([.char("l")], .openLogs, label: "l", description: "tail the pod's or Job's log (kubectl logs -f)", scope: .object, footer: true, short: "tail log"),
        KeyBinding([.char("u")], .restoreUnlock, label: "u", description: "restic unlock, when a repository lock is the cause", scope: .object, dangerous: true),
        KeyBinding([.char("f")], .forceSync, label: "f", description: "force-sync this ExternalSecret", scope: .object, dangerous: true),
        KeyBinding([.char("b")], .fileBackup, label: "b", description: "file backup now", scope: .object, dangerous: true),
        KeyBinding([.char("B")], .databaseBackup, label: "B", description: "database backup now", scope: .object, dangerous: true),
        KeyBinding([.char("?")], .openHelp, label: "?", description: "help", scope: .object),
        KeyBinding([.escape, .char("q"), .left, .char("h")], .back, label: "Esc/q", description: "back", scope: .object, footer: true),
        // Filter.
        KeyBinding(pairs: [(.printable, .type(" "))], label: "text", description: "type the filter (rows narrow as you type)", scope: .filter),
        KeyBinding([.backspace], .erase, label: "Bksp", description: "delete a character", scope: .filter),
        KeyBinding([.enter], .submit, label: "Enter", description: "keep the filter", scope: .filter, footer: true, short: "apply filter"),
        KeyBinding([.escape], .back, label: "Esc", description: "clear the filter", scope: .filter, footer: true, short: "clear filter"),
        // Help.
        KeyBinding([.escape, .char("q"), .char("?")], .back, label: "Esc/q/?", description: "close help", scope: .help, footer: true),
        KeyBinding([.down, .char("j")], .scroll(.down), label: "j/k", description: "scroll", scope: .help, footer: true),
        KeyBinding([.up, .char("k")], .scroll(.up), label: "k/↑", description: "scroll up", scope: .help),
        KeyBinding([.pageDown], .scroll(.pageDown), label: "PgDn", description: "page down", scope: .help),
        KeyBinding([.pageUp], .scroll(.pageUp), label: "PgUp", description: "page up", scope: .help),
        // Confirmation dialog.
        KeyBinding([.char("y"), .char("Y")], .confirm, label: "y", description: "run the command shown", scope: .dialog, footer: true, dangerous: true),
        KeyBinding([.escape, .char("n"), .char("N"), .char("q")], .back, label: "Esc/n", description: "cancel", scope: .dialog, footer: true),
        KeyBinding([.char("?")], .openHelp, label: "?", description: "help", scope: .dialog),
        // Notice (a refusal or an explanation).
        KeyBinding([.escape, .enter, .char("q"), .char(" ")], .back, label: "Esc/Enter", description: "close", scope: .notice, footer: true),
        // Log tail.
        KeyBinding([.char(" ")], .logPause, label: "Space", description: "pause/resume", scope: .logs, footer: true, short: "pause"),
        KeyBinding([.up, .char("k")], .scroll(.up), label: "j/k", description: "scroll (works while paused)", scope: .logs, footer: true, short: "scroll"),
        KeyBinding([.down, .char("j")], .scroll(.down), label: "j/↓", description: "scroll down", scope: .logs),
        KeyBinding([.pageUp], .scroll(.pageUp), label: "PgUp", description: "page up", scope: .logs),
        KeyBinding([.pageDown], .scroll(.pageDown), label: "PgDn", description: "page down", scope: .logs),
        KeyBinding([.char("g"), .home], .scroll(.top), label: "g", description: "oldest line", scope: .logs),
        KeyBinding([.char("G"), .end], .scroll(.bottom), label: "G", description: "newest line (follow)", scope: .logs, footer: true, short: "follow"),
        KeyBinding([.char("/")], .logSearch, label: "/ n/N", description: "search back from the newest; n older, N newer match", scope: .logs, footer: true, short: "search"),
        KeyBinding([.char("n")], .logNextMatch, label: "n", description: "next match (older)", scope: .logs),
        KeyBinding([.char("N")], .logPreviousMatch, label: "N", description: "previous match (newer)", scope: .logs),
        KeyBinding([.char("f")], .logFilter, label: "f", description: "show only matching lines", scope: .logs, footer: true, short: "filter"),
        KeyBinding([.char("w")], .logWrap, label: "w/t", description: "wrap / timestamps", scope: .logs, footer: true, short: "wrap/time"),
        KeyBinding([.char("t")], .logTimestamps, label: "t", description: "timestamps", scope: .logs),
        KeyBinding(pairs: (0..<LogViewState.windows.count).map { (.key(.char(Character(String($0)))), .logWindow($0)) },
                   label: "0-4", description: "window: tail, 1m, 5m, 15m, 1h", scope: .logs, footer: true, short: "window"),
        KeyBinding([.char("c")], .logNextSource, label: "c", description: "next container or pod", scope: .logs, footer: true, short: "container"),
        KeyBinding([.char("p")], .logPrevious, label: "p", description: "the previous container's log (again: the live one)", scope: .logs, footer: true, short: "previous"),
        KeyBinding([.char("?")], .openHelp, label: "?", description: "help", scope: .logs),
        KeyBinding([.escape, .char("q")], .back, label: "Esc/q", description: "clear the search, else back", scope: .logs, footer: true, short: "back"),
        // Log search prompt.
        KeyBinding(pairs: [(.printable, .type(" "))], label: "text", description: "type the search term", scope: .logSearch),
        KeyBinding([.backspace], .erase, label: "Bksp", description: "delete a character", scope: .logSearch),
        KeyBinding([.enter], .submit, label: "Enter", description: "search", scope: .logSearch, footer: true),
        KeyBinding([.escape], .back, label: "Esc", description: "cancel the search", scope: .logSearch, footer: true, short: "cancel"),
        // Command log.
        KeyBinding([.up, .char("k")], .scroll(.up), label: "j/k", description: "scroll", scope: .commandLog, footer: true),
        KeyBinding([.down, .char("j")], .scroll(.down), label: "j/↓", description: "scroll down", scope: .commandLog),
        KeyBinding([.pageUp], .scroll(.pageUp), label: "PgUp", description: "page up", scope: .commandLog),
        KeyBinding([.pageDown], .scroll(.pageDown), label: "PgDn", description: "page down", scope: .commandLog),
        KeyBinding([.enter], .openDetail, label: "Enter", description: "the selected command in full (--kubeconfig, --context)", scope: .commandLog, footer: true, short: "full command"),
        KeyBinding([.char("/")], .openFilter, label: "/", description: "filter the commands (Esc clears)", scope: .commandLog, footer: true, short: "filter"),
        KeyBinding([.escape, .char("q"), .char("c")], .back, label: "Esc/q", description: "clear the filter, else close", scope: .commandLog, footer: true, short: "close"),
        KeyBinding(pairs: [(.printable, .type(" "))], label: "text", description: "type the filter (lines narrow as you type)", scope: .commandLogFilter),
        KeyBinding([.backspace], .erase, label: "Bksp", description: "delete a character", scope: .commandLogFilter),
        KeyBinding([.enter], .submit, label: "Enter", description: "keep the filter", scope: .commandLogFilter, footer: true, short: "apply filter"),
        KeyBinding([.escape], .back, label: "Esc", description: "clear the filter", scope: .commandLogFilter, footer: true, short: "clear filter"),
        // Journal.
        KeyBinding([.down, .char("j")], .scroll(.down), label: "j/k", description: "scroll", scope: .journal, footer: true),
        KeyBinding([.up, .char("k")], .scroll(.up), label: "k/↑", description: "scroll up", scope: .journal),
        KeyBinding([.char("g"), .home], .scroll(.top), label: "g", description: "first entry", scope: .journal),
        KeyBinding([.char("G"), .end], .scroll(.bottom), label: "G", description: "last entry", scope: .journal),
        KeyBinding([.char("w")], .writeReport, label: "w", description: "write the incident's report to a file", scope: .journal, footer: true, short: "write report"),
        KeyBinding([.escape, .char("q"), .char("J")], .back, label: "Esc/q", description: "close", scope: .journal, footer: true),
        // Restore wizard.
        KeyBinding([.enter], .submit, label: "Enter", description: "pick / next step", scope: .restore),  // the footer names it per step
        KeyBinding([.escape, .char("q")], .back, label: "Esc/q", description: "one step back (asks while a step runs)", scope: .restore, footer: true, short: "back"),
        KeyBinding([.down, .char("j")], .scroll(.down), label: "j/k", description: "move", scope: .restore),
        KeyBinding([.up, .char("k")], .scroll(.up), label: "k/↑", description: "move up", scope: .restore),
        KeyBinding([.pageDown], .scroll(.pageDown), label: "PgDn", description: "page down", scope: .restore),
        KeyBinding([.pageUp], .scroll(.pageUp), label: "PgUp", description: "page up", scope: .restore),
        KeyBinding([.char("g"), .home], .scroll(.top), label: "g", description: "first", scope: .restore),
        KeyBinding([.char("G"), .end], .scroll(.bottom), label: "G", description: "last", scope: .restore),
        KeyBinding([.char("y")], .confirm, label: "y", description: "run the plan shown (in place: then type the namespace)", scope: .restore, dangerous: true),
        KeyBinding([.char("u")], .restoreUnlock, label: "u", description: "restic unlock Job; --remove-all when its holder is gone", scope: .restore, dangerous: true),
        KeyBinding([.char("b")], .fileBackup, label: "b", description: "after an unlock: a backup Job proves it", scope: .restore, dangerous: true),
        KeyBinding([.char("d")], .restoreCleanup, label: "d", description: "delete the db drill's scratch cluster (typed namespace)", scope: .restore, dangerous: true),
        KeyBinding([.char("/")], .restoreTypePath, label: "/", description: "type a path to restore", scope: .restore),
        KeyBinding([.char("m")], .restoreMissingLive, label: "m", description: "browser: only what is missing on the live volume", scope: .restore),
        KeyBinding([.char("s")], .restoreSkipSafety, label: "s", description: "skip the safety backup (in place, with a reason)", scope: .restore),
        KeyBinding([.char("r")], .refresh, label: "r", description: "run the preflight or the listing again", scope: .restore),
        KeyBinding([.char("?")], .openHelp, label: "?", description: "keys and steps", scope: .restore, footer: true, short: "help"),
        KeyBinding(pairs: [(.printable, .type(" "))], label: "text", description: "type (a path, the namespace, a reason)", scope: .restoreText),
        KeyBinding([.backspace], .erase, label: "Bksp", description: "delete a character", scope: .restoreText),
        KeyBinding([.enter], .submit, label: "Enter", description: "done typing", scope: .restoreText, footer: true),
        KeyBinding([.escape], .back, label: "Esc", description: "cancel typing", scope: .restoreText, footer: true, short: "cancel"),
        // Everywhere.
        KeyBinding([.ctrlC], .quit, label: "Ctrl-C", description: "quit (same in every mode)", scope: .everywhere),
    ]

    /// The bindings of one scope, in table order.
    public static func bindings(for scope: KeyScope) -> [KeyBinding] {
        all.filter { $0.scope == scope }
    }

    /// The binding `key` hits in `scope` (then in `.everywhere`), or nil.
    public static func binding(for key: Key, in scope: KeyScope) -> (KeyBinding, Intent)? {
        for binding in bindings(for: scope) + bindings(for: .everywhere) {
            if let intent = binding.intent(for: key) { return (binding, intent) }
        }
        return nil
    }
}
