import PaperDomain

// MARK: - Rect

public struct Rect: Sendable, Equatable {
    public var x: Int
    public var y: Int
    public var width: Int
    public var height: Int
}

// MARK: - PanelLayout

/// Where each panel goes: one column below 100 columns, two from 100, three from 180. In each
/// column the panels that are not OK get the rows (worst first, as many as their wrapped rows
/// need); an OK panel shrinks to its one-line title unless rows are left over or it has the focus.
/// Below 80×22 the dashboard is the one-column list of problems instead (`compact`).
public enum PanelLayout {
    /// The first screen's full layout needs this much; below it the compact list is shown.
    public static let minWidth = 80
    public static let minHeight = 22

    public static func hasBanner(_ state: AppState) -> Bool {
        state.data.error != nil || state.isProductionContext || state.data.data?.othersRestore != nil
    }

    /// The notice line above the footer: the newest notice on the dashboard, a journal that cannot be written.
    public static func hasNoticeLine(_ state: AppState) -> Bool {
        state.journalProblem != nil || (!state.notices.isEmpty && state.mode == .dashboard)
    }

    /// Below 80×22 the dashboard is a one-column list of the checks that are not OK.
    public static func compact(_ state: AppState) -> Bool {
        state.width < minWidth || state.height < minHeight
    }

    public static func body(_ state: AppState) -> Rect {
        let top = hasBanner(state) ? 2 : 1
        let bottom = hasNoticeLine(state) ? 2 : 1
        return Rect(x: 0, y: top, width: state.width, height: max(0, state.height - top - bottom))
    }

    public static func columns(_ state: AppState) -> Int {
        state.width >= 180 ? 3 : state.width >= 100 ? 2 : 1
    }

    public static func rect(for panel: PanelID, in state: AppState) -> Rect {
        rects(in: state)[panel] ?? Rect(x: 0, y: 0, width: 0, height: 0)
    }

    /// Every panel's rectangle; a zoomed panel takes the whole body and the others none.
    public static func rects(in state: AppState) -> [PanelID: Rect] {
        let body = body(state)
        if state.dashboard.zoomed {
            return [state.dashboard.focus: body]
        }
        let columns = columns(state)
        var out: [PanelID: Rect] = [:]
        for col in 0..<columns {
            let x0 = body.x + body.width * col / columns
            let x1 = body.x + body.width * (col + 1) / columns
            let panels = PanelID.allCases.filter { $0.rawValue % columns == col }
            let heights = heights(for: panels, width: x1 - x0, height: body.height, state: state)
            var y = body.y
            for (panel, h) in zip(panels, heights) {
                out[panel] = Rect(x: x0, y: y, width: x1 - x0, height: h)
                y += h
            }
        }
        return out
    }

    /// The heights of one column's panels: a one-line title for an OK panel, a box for the others.
    static func heights(for panels: [PanelID], width: Int, height: Int, state: AppState) -> [Int] {
        guard let data = state.data.data else {
            // No data yet: equal boxes, each saying why.
            return panels.indices.map { i in height * (i + 1) / panels.count - height * i / panels.count }
        }
        let verdicts = panels.map { data.verdict(for: $0) }
        let focused = panels.map { $0 == state.dashboard.focus }
        let open = panels.indices.map { verdicts[$0] != .ok || focused[$0] || state.dashboard.filters[panels[$0]] != nil }
        let desired = panels.map { p in DashboardMode.neededLines(PanelRows.rows(for: p, in: state), width: width - 2) + 2 }
        // Worst first, then the focused panel, then the OK ones in order.
        let order = panels.indices.sorted { a, b in
            if verdicts[a] != verdicts[b] && (verdicts[a] != .ok || verdicts[b] != .ok) { return verdicts[a] > verdicts[b] }
            if focused[a] != focused[b] { return focused[a] }
            return a < b
        }
        var h = panels.map { _ in 1 }
        var left = height - panels.count
        func grow(_ i: Int, to target: Int) {
            let by = min(left, target - h[i])
            // A box needs three rows: a panel opens only when that fits.
            guard by > 0, h[i] + by >= 3 else { return }
            h[i] += by
            left -= by
        }
        let opened = order.filter { open[$0] }
        // The worst panel first, as much as its cause, next step and key need; then a box for each
        // other panel that is not OK; then what they need; then the OK panels, whole or not at all.
        if let worst = opened.first { grow(worst, to: max(3, desired[worst])) }
        for i in opened.dropFirst() { grow(i, to: 3) }
        for i in opened.dropFirst() { grow(i, to: max(3, desired[i])) }
        for i in order where !open[i] && left >= desired[i] - 1 { grow(i, to: desired[i]) }
        if left > 0 {
            // Rows no panel needs go to the worst open panel, else to the last one.
            let target = order.first { h[$0] >= 3 } ?? (left >= 2 ? panels.indices.last : nil)
            if let target { h[target] += left }
        }
        return h
    }

    public static func visibleRows(for panel: PanelID, in state: AppState) -> Int {
        max(0, rect(for: panel, in: state).height - 2)
    }
}
