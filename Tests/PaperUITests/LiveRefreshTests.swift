import Foundation
import PaperDomain
import Testing
@testable import PaperUI

/// Watch changes recompute the dashboard soon, but a burst of them costs at most one refresh
/// per `AppState.liveCoalesce` seconds, and none is lost while a refresh runs.
@Suite struct LiveRefreshTests {
    static func loaded(at now: Double) -> AppState {
        var s = Fixtures.state(data: Fixtures.data())
        s.now = now
        _ = update(&s, .tick(now: now))  // the first refresh
        _ = update(&s, .refreshed(.success(Fixtures.data()), at: now))
        return s
    }

    @Test func aChangeRefreshesAtOnceWhenNoneRanJustBefore() {
        var s = Self.loaded(at: Fixtures.now)
        #expect(update(&s, .clusterChanged(at: Fixtures.now + 1)) == [.refresh])
        #expect(s.refreshing)
    }

    @Test func aBurstOfChangesIsOneRefreshThenOneMore() {
        var s = Self.loaded(at: Fixtures.now)
        let t = Fixtures.now + 1
        #expect(update(&s, .clusterChanged(at: t)) == [.refresh])
        // More events while it runs: nothing now, but noted.
        for i in 1...20 { #expect(update(&s, .clusterChanged(at: t + Double(i) * 0.001)).isEmpty) }
        _ = update(&s, .refreshed(.success(Fixtures.data()), at: t + 0.05))
        // The noted change is shown by a refresh 0.25 s after the last one started, not 5 s later.
        #expect(s.nextRefreshAt == t + AppState.liveCoalesce)
        #expect(update(&s, .tick(now: t + 0.1)).isEmpty, "not before the coalescing window ends")
        #expect(update(&s, .tick(now: t + AppState.liveCoalesce)) == [.refresh])
    }

    @Test func aChangeRightAfterARefreshWaitsForTheWindow() {
        var s = Self.loaded(at: Fixtures.now)
        let t = Fixtures.now + 1
        _ = update(&s, .clusterChanged(at: t))
        _ = update(&s, .refreshed(.success(Fixtures.data()), at: t + 0.02))
        #expect(update(&s, .clusterChanged(at: t + 0.1)).isEmpty)
        #expect(s.nextRefreshAt == t + AppState.liveCoalesce)
        #expect(update(&s, .tick(now: t + 0.3)) == [.refresh])
    }

    @Test func theHeaderSaysLiveOrPollingAndWhy() {
        var data = Fixtures.data()
        data.feed = .live(watches: 15)
        var s = Fixtures.state(data: data)
        #expect(render(s).lines[0].contains("live · "))
        data.feed = .down(reason: "kubectl proxy exited", retryAt: s.now + 8)
        s.data = .loaded(data)
        #expect(render(s).lines[0].contains("POLLING · "))
        data.feed = .off
        s.data = .loaded(data)
        #expect(!render(s).lines[0].contains("live") && !render(s).lines[0].contains("POLLING"))
    }
}
