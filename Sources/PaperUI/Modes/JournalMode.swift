// MARK: - JournalState

/// Today's incident journal as read from disk, scrolled from the top.
public struct JournalState: Sendable, Equatable {
    public var lines: [String]
    public var scroll: Int
    /// The report asked for with `w`: being written (nil outcome), or what came of it.
    public var report: ReportStatus?

    public enum ReportStatus: Sendable, Equatable {
        case writing
        case done(ReportWriteOutcome)
    }

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
        let last = max(0, wrap(journal.lines.map { ($0, Role.text) }, width: body.width - 4).count - (body.height - 2 - status(journal, width: body.width - 4).count))
        journal.scroll = min(journal.scroll, last)
        switch intent {
        case .scroll(.down): journal.scroll = min(last, journal.scroll + 1)
        case .scroll(.up): journal.scroll = max(0, journal.scroll - 1)
        case .scroll(.top): journal.scroll = 0
        case .scroll(.bottom): journal.scroll = last
        case .writeReport:
            // One report at a time; the file is written off the UI actor and comes back as `.reportWritten`.
            guard journal.report != .writing else { return .stay }
            journal.report = .writing
            return ModeStep(.stay, [.writeReport])
        case .back: return .pop
        default: break
        }
        return .stay
    }

    /// The report's outcome, when it comes: in the view if it is still open, and as a notice.
    static func reportWritten(_ state: inout AppState, _ outcome: ReportWriteOutcome) {
        if let i = state.stack.lastIndex(where: { if case .journal = $0 { true } else { false } }), case .journal(var journal) = state.stack[i] {
            journal.report = .done(outcome)
            state.stack[i] = .journal(journal)
        }
        notify(&state, outcome.text)
    }

    /// The lines kept at the bottom of the view for the report (wrapped to `width`).
    static func status(_ journal: JournalState, width: Int, _ g: Glyphs = .unicode) -> [(String, Role)] {
        // The path on a line of its own, so that it is not broken where it can be copied.
        let lines: [(String, Role)]
        switch journal.report {
        case nil: return []
        case .writing?: lines = [("Writing the report of the newest incident\(g.ellipsis)", .muted)]
        case .done(let outcome)?:
            switch outcome {
            case .written(let path, _, _): lines = [("\(g.ok) Report written (\(outcome.detail)) to:", .ok), (path, .ok)]
            case .failed: lines = [("\(g.critical) " + outcome.text, .critical)]
            }
        }
        return wrap(lines, width: width)
    }

    static func render(_ buf: inout ScreenBuffer, _ state: AppState, _ journal: JournalState, _ g: Glyphs) {
        let body = PanelLayout.body(state)
        renderOverlay(&buf, state, g, title: "Incident journal (J/Esc closes, w writes the report)", lines: journal.lines.map { ($0, Role.text) },
                      scrollFromTop: journal.scroll, bottom: status(journal, width: body.width - 4, g))
    }
}
