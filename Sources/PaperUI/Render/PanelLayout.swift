// MARK: - Rect

public struct Rect: Sendable, Equatable {
    public var x: Int
    public var y: Int
    public var width: Int
    public var height: Int
}

// MARK: - PanelLayout

/// Where each panel goes: two columns of three from 80×24; three columns of two from 180 columns.
public enum PanelLayout {
    public static func hasBanner(_ state: AppState) -> Bool {
        state.data.error != nil || state.isProductionContext || state.data.data?.othersRestore != nil
    }

    public static func body(_ state: AppState) -> Rect {
        let top = hasBanner(state) ? 2 : 1
        return Rect(x: 0, y: top, width: state.width, height: max(0, state.height - top - 1))
    }

    public static func rect(for panel: PanelID, in state: AppState) -> Rect {
        let body = body(state)
        let columns = state.width >= 180 ? 3 : 2
        let rows = PanelID.allCases.count / columns
        let col = panel.rawValue % columns
        let row = panel.rawValue / columns
        let x0 = body.x + body.width * col / columns
        let x1 = body.x + body.width * (col + 1) / columns
        let y0 = body.y + body.height * row / rows
        let y1 = body.y + body.height * (row + 1) / rows
        return Rect(x: x0, y: y0, width: x1 - x0, height: y1 - y0)
    }

    public static func visibleRows(for panel: PanelID, in state: AppState) -> Int {
        max(0, rect(for: panel, in: state).height - 2)
    }
}
