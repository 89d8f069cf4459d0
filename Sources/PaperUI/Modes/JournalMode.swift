// MARK: - JournalState

/// Today's incident journal as read from disk, scrolled from the top.
public struct JournalState: Sendable, Equatable {
    public var lines: [String]
    public var scroll: Int

    /// Opens at the newest entry.
    public init(lines: [String]) {
        self.lines = lines
        scroll = Int.max / 2  // clamped to the last page when drawn or scrolled
    }
}

// MARK: - JournalMode

enum JournalMode {
    static func update(_ journal: inout JournalState, _ state: inout AppState, _ intent: Intent) -> ModeStep {
        let body = PanelLayout.body(state)
        let last = max(0, wrap(journal.lines.map { ($0, Role.text) }, width: body.width - 4).count - (body.height - 2))
        journal.scroll = min(journal.scroll, last)
        switch intent {
        case .scroll(.down): journal.scroll = min(last, journal.scroll + 1)
        case .scroll(.up): journal.scroll = max(0, journal.scroll - 1)
        case .scroll(.top): journal.scroll = 0
        case .scroll(.bottom): journal.scroll = last
        case .back: return .pop
        default: break
        }
        return .stay
    }

    static func render(_ buf: inout ScreenBuffer, _ state: AppState, _ journal: JournalState, _ g: Glyphs) {
        renderOverlay(&buf, state, g, title: "Incident journal (J/Esc closes)", lines: journal.lines.map { ($0, Role.text) }, scrollFromTop: journal.scroll)
    }
}
