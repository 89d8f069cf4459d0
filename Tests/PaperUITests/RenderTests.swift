import Foundation
import PaperDomain
import PaperKube
import Testing
@testable import PaperUI

/// The screen as the operator sees it, rendered into the in-memory grid.
@Suite struct RenderTests {
    @Test(arguments: [(80, 24), (120, 35), (200, 60)])
    func everyPanelShowsItsVerdictWordAndReason(width: Int, height: Int) {
        let text = render(Fixtures.state(width: width, height: height)).text
        for panel in PanelID.allCases { #expect(text.contains("[\(panel.rawValue + 1)] \(panel.title)"), "panel \(panel) missing at \(width)x\(height)") }
        #expect(text.contains("✖ CRIT"))
        #expect(text.contains("▲ WARN"))
        #expect(text.contains("✔ OK"))
        #expect(text.contains("? UNKNOWN"))
        // Short of room, the header keeps the worst check's cause and key; context and namespace shorten to demo/paperless-ngx.
        #expect(text.contains("ctx: demo") || text.contains(" demo/paperless-ngx "))
        #expect(text.contains("File backups: repository locked — u unlocks"))
        #expect(text.contains("3s old"))
    }

    @Test func headerCarriesTheWorstVerdict() {
        let s = render(Fixtures.state())
        #expect(s.lines[0].contains("✖ CRIT"))
        var allOK = Fixtures.state(data: DashboardData(checks: CheckID.allCases.map { CheckResult(id: $0, verdict: .ok, reason: "fine") }, takenAt: Fixtures.now))
        allOK.width = 100
        #expect(render(allOK).lines[0].contains("✔ OK"))
    }

    @Test func biggerTerminalsShowMoreRows() {
        let small = PanelLayout.visibleRows(for: .logs, in: Fixtures.state(width: 80, height: 24))
        let big = PanelLayout.visibleRows(for: .logs, in: Fixtures.state(width: 200, height: 60))
        #expect(big > small)
    }

    @Test func storageRowsHaveUsageBars() {
        let text = render(Fixtures.state()).text
        #expect(text.contains("█"))
        #expect(text.contains("85% used"))
    }

    @Test(arguments: [(0, 0), (1, 1), (2, 1), (10, 3), (39, 24), (300, 9)])
    func tinySizesNeverCrashAndSayTooSmall(width: Int, height: Int) {
        let b = render(Fixtures.state(width: width, height: height))
        #expect(b.width == max(0, width) && b.height == max(0, height))
        if width >= 18 && height >= 3 { #expect(b.text.contains("terminal too small")) }
    }

    /// From 40×10 to 80×22 (a split pane, tmux's 80×23 is above it) the dashboard is a list of
    /// the checks that are not OK, worst first, with the cause and the key; never "too small".
    @Test(arguments: [(40, 10), (79, 24), (60, 21), (300, 21)])
    func smallSizesListTheProblemsWorstFirst(width: Int, height: Int) throws {
        let b = render(Fixtures.state(width: width, height: height))
        #expect(!b.text.contains("terminal too small"))
        let lines = b.lines
        let first = try #require(lines.firstIndex { $0.contains("CRIT File backups") })
        if let warn = lines.firstIndex(where: { $0.contains("WARN ") }) { #expect(first < warn, "CRIT before WARN") }
        if height >= 20 { #expect(b.text.contains("u: restic unlock")) }
    }

    @Test func tmuxsEightyByTwentyThreePaneShowsThePanels() {
        let text = render(Fixtures.state(width: 80, height: 23)).text
        #expect(text.contains("[3] File backups") && text.contains("cause: repository locked"))
        #expect(!text.contains("terminal too small"))
    }

    @Test func asciiGlyphsForNonUTF8Locales() {
        var s = Fixtures.state()
        s.unicode = false
        let text = render(s).text
        #expect(!text.contains("┌") && !text.contains("✖"))
        #expect(text.contains("X CRIT"))
        #expect(text.contains("+-"))
    }

    @Test func productionContextIsImpossibleToMiss() {
        let text = render(Fixtures.state(context: "do-nyc3-prod")).text
        #expect(text.contains("[PRODUCTION]"))
        #expect(text.contains("PRODUCTION CONTEXT"))
        #expect(render(Fixtures.state(context: "demo")).cells.allSatisfy { $0.role != .production })
    }

    @Test func staleDataKeepsPanelsAndShowsTheBanner() {
        var s = Fixtures.state()
        s.data = .stale(Fixtures.data(), RefreshError(kind: .unauthorized, message: "token expired"))
        let text = render(s).text
        #expect(text.contains("UNAUTHORIZED"))
        #expect(text.contains("STALE"))
        #expect(text.contains("showing the last good data, 3s old"))
        #expect(text.contains("[3] File backups"))
    }

    @Test func loadingBeforeAnyDataStillDrawsTheFrame() {
        let text = render(Fixtures.state(data: nil)).text
        #expect(text.contains("loading"))
        #expect(text.contains("[6] Log errors"))
        #expect(text.contains("q quit"))
    }

    @Test func detailShowsEvidenceNextStepAndTheWholeCommand() {
        var s = Fixtures.state(width: 100, height: 40)
        s.dashboard.focus = .fileBackups
        _ = update(&s, .key(.enter))
        let text = render(s).text
        #expect(text.contains("Evidence:"))
        #expect(text.contains("Next step: make sure no backup Job is running"))
        // The exact command is wrapped, never cut off.
        let flat = text.replacingOccurrences(of: "│", with: "").split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
        #expect(flat.contains("kubectl logs pod/paperless-ngx-backup-29932080-x7k2p -c restic --tail=40"))
        #expect(flat.contains("-n paperless-ngx"))
    }

    @Test func everyBundledThemeLoadsAndGivesEachVerdictAStyle() {
        let themes = Theme.bundled
        #expect(themes.map(\.name) == ["default", "light", "solarized-dark", "high-contrast", "monochrome"])
        // Every theme draws the fixture screen with critical, warn and ok cells that look different.
        let screen = render(Fixtures.state())
        for theme in themes {
            let styles = Dictionary(grouping: screen.cells.filter { [.critical, .warn, .ok].contains($0.role) }, by: \.role)
                .mapValues { cells in Set(cells.map { theme.style($0.role) }) }
            #expect(styles.count == 3, "\(theme.name): the fixture lacks a verdict role")
            #expect(styles[.critical] != styles[.ok] && styles[.warn] != styles[.ok], "\(theme.name): a verdict looks like ok")
        }
        #expect(themes.first { $0.name == "monochrome" }?.styles.values.allSatisfy { $0.fg == nil && $0.bg == nil } == true)
    }
}
