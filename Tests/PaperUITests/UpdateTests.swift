import PaperDomain
import Testing
@testable import PaperUI

/// Message in, state and effects out.
@Suite struct UpdateTests {
    @Test(arguments: [(Key.tab, PanelID.database), (.backTab, .logs), (.char("4"), .secrets), (.char("6"), .logs), (.right, .database)])
    func focusKeys(key: Key, expected: PanelID) {
        var s = Fixtures.state()
        _ = update(&s, .key(key))
        #expect(s.dashboard.focus == expected)
    }

    @Test func enterOpensDetailAndEscGoesBack() {
        var s = Fixtures.state()
        _ = update(&s, .key(.enter))
        #expect(s.mode == .detail(DetailState(panel: .pods)))
        _ = update(&s, .key(.escape))
        #expect(s.mode == .dashboard)
    }

    @Test(arguments: ModeFixtures.all)
    func ctrlCQuitsFromEveryMode(fixture: ModeFixtures.Fixture) {
        var s = fixture.state
        #expect(update(&s, .key(.ctrlC)) == [.quit])
        #expect(s.quitting)
    }

    @Test func qQuitsOnlyFromTheDashboard() {
        var s = Fixtures.state()
        _ = update(&s, .key(.char("?")))
        #expect(update(&s, .key(.char("q"))).isEmpty)
        #expect(s.mode == .dashboard)
        #expect(update(&s, .key(.char("q"))) == [.quit])
    }

    @Test func filterNarrowsTheFocusedPanelAndEscClearsIt() {
        var s = Fixtures.state()
        s.dashboard.focus = .logs
        let before = PanelRows.rows(for: .logs, in: s).count
        _ = update(&s, .key(.char("/")))
        for c in "redis://" { _ = update(&s, .key(.char(c))) }
        _ = update(&s, .key(.enter))
        #expect(s.dashboard.filters[.logs] == "redis://")
        #expect(s.mode == .dashboard)
        let after = PanelRows.rows(for: .logs, in: s)
        #expect(after.count < before && after.count == 1)
        _ = update(&s, .key(.escape))
        #expect(s.dashboard.filters[.logs] == nil)
    }

    @Test func scrollingMovesSelectionAndKeepsItVisible() {
        var s = Fixtures.state(width: 80, height: 24)
        s.dashboard.focus = .database
        _ = update(&s, .key(.char("G")))
        let count = PanelRows.rows(for: .database, in: s).count
        #expect(s.dashboard.selected[.database] == count - 1)
        let visible = PanelLayout.visibleRows(for: .database, in: s)
        #expect((s.dashboard.scroll[.database] ?? 0) + visible > count - 1)
        _ = update(&s, .key(.char("g")))
        #expect(s.dashboard.selected[.database] == 0 && s.dashboard.scroll[.database] == 0)
    }

    @Test func refreshNeverOverlapsAndFollowsTheInterval() {
        var s = Fixtures.state()
        s.nextRefreshAt = 0
        #expect(update(&s, .tick(now: 10)) == [.refresh])
        #expect(update(&s, .tick(now: 11)).isEmpty, "a refresh is running")
        #expect(update(&s, .key(.char("r"))).isEmpty, "r does not start a second one")
        _ = update(&s, .refreshed(.success(Fixtures.data()), at: 12))
        #expect(s.nextRefreshAt == 12 + s.refreshInterval)
        #expect(update(&s, .tick(now: 13)).isEmpty)
        #expect(update(&s, .key(.char("r"))) == [.refresh])
    }

    @Test func failuresKeepTheLastDataAndBackOff() {
        var s = Fixtures.state()
        s.refreshing = true
        let error = RefreshError(kind: .unreachable, message: "dial tcp: connection refused")
        _ = update(&s, .refreshed(.failure(error), at: 100))
        guard case .stale(let kept, let e) = s.data else { Issue.record("expected stale data"); return }
        #expect(kept == Fixtures.data())
        #expect(e == error)
        let first = s.nextRefreshAt - 100
        s.refreshing = true
        _ = update(&s, .refreshed(.failure(error), at: 200))
        let second = s.nextRefreshAt - 200
        #expect(second > first)
        for _ in 0..<10 {
            s.refreshing = true
            _ = update(&s, .refreshed(.failure(error), at: 300))
        }
        #expect(s.nextRefreshAt - 300 <= 60)
        _ = update(&s, .refreshed(.success(Fixtures.data()), at: 400))
        #expect(s.backoff == 0)
        #expect(s.data == .loaded(Fixtures.data()))
    }

    @Test func themeKeyCycles() {
        var s = Fixtures.state()
        for expected in [1, 2, 3, 4, 0] {
            _ = update(&s, .key(.char("t")))
            #expect(s.themeIndex == expected)
        }
    }
}
