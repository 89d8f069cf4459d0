// MARK: - Intent

/// What a key means, once the key table has translated it: the message a binding produces.
/// A mode's update reads intents, never raw keys, so the help, the footer and the behaviour
/// come from one table.
public enum Intent: Sendable, Equatable, Hashable {
    public enum Scroll: Sendable, Equatable, Hashable { case up, down, pageUp, pageDown, top, bottom }

    case quit
    /// Close the mode on top.
    case back
    case scroll(Scroll)
    case focusNext, focusPrevious
    case focus(PanelID)
    case openDetail, openFilter, clearFilter, zoom, refresh, nextTheme, openHelp, openLogs, openCommandLog, openJournal
    case fileBackup, databaseBackup, forceSync
    /// Run the command a dialog shows.
    case confirm
    /// Text entry: a printable character, Backspace, Enter.
    case type(Character), erase, submit
    case logPause, logSearch, logNextMatch, logPreviousMatch, logFilter, logWrap, logTimestamps, logNextSource
    case logWindow(Int)
    /// The previous container's log (`kubectl logs --previous`), or back to the live one.
    case logPrevious
    /// The restore wizard: open it, remove a stale lock, type a path, skip the safety backup.
    case openRestore, restoreUnlock, restoreTypePath, restoreSkipSafety, restoreCleanup
    /// The snapshot browser: only what the snapshot has and the live volume lacks, or everything.
    case restoreMissingLive
    /// The journal view: write the report of the incident on screen to a file.
    case writeReport

    /// Intents that act on the cluster's data: before the first refresh they wait for it.
    public var needsData: Bool {
        switch self {
        case .openLogs, .fileBackup, .databaseBackup, .forceSync, .openRestore: true
        default: false
        }
    }
}
