// MARK: - FilterState

/// Typing a filter for one panel: the rows narrow as the operator types.
public struct FilterState: Sendable, Equatable {
    public var panel: PanelID
    public var draft: String

    public init(panel: PanelID, draft: String = "") {
        self.panel = panel
        self.draft = draft
    }
}

// MARK: - FilterMode

enum FilterMode {
    static func update(_ filter: inout FilterState, _ state: inout AppState, _ intent: Intent) -> ModeStep {
        var step = ModeStep.stay
        switch intent {
        case .type(let c):
            filter.draft.append(c)
        case .erase:
            guard !filter.draft.isEmpty else { return .stay }
            filter.draft.removeLast()
        case .submit:
            step = .pop
        case .back:
            filter.draft = ""
            step = .pop
        default:
            return .stay
        }
        state.dashboard.filters[filter.panel] = filter.draft.isEmpty ? nil : filter.draft
        state.dashboard.selected[filter.panel] = 0
        state.dashboard.scroll[filter.panel] = 0
        return step
    }

    /// The filter is drawn on the panel's border and in the footer; nothing on top.
    static func footer(_ filter: FilterState) -> String { "filter: \(filter.draft)_  " }
}
