import Foundation
import PaperDomain
import PaperKube
import Testing
@testable import PaperUI

/// The file restore's Done screen says what next, the snapshot browser shows dates and what is
/// missing live, and the plan says how many files the path matches (issue 23 item 12, issue 21).
@Suite struct RestoreWhatNextTests {
    typealias W = RestoreWizardTests

    /// A directory of the snapshot: three originals with their dates; 0000004.pdf and the 2025/
    /// folder are gone from the live volume.
    static func listing(_ directory: String) -> RestoreToolkit.FileListing {
        guard !directory.isEmpty else {
            return RestoreToolkit.FileListing(job: "ls", nodes: [ResticNode(path: "data", isDirectory: true, mtime: Fixtures.now - 3600),
                                                                   ResticNode(path: "media", isDirectory: true, mtime: Fixtures.now - 7200)],
                                              totalBytes: 0, live: LiveListing(directory: "/data", names: ["data", "media", "consume"]))
        }
        let nodes = [ResticNode(path: "\(directory)/2025", isDirectory: true, mtime: Fixtures.now - 40 * 86_400),
                     ResticNode(path: "\(directory)/0000003.pdf", isDirectory: false, size: 48_213, mtime: Fixtures.now - 200 * 86_400),
                     ResticNode(path: "\(directory)/0000004.pdf", isDirectory: false, size: 1_402_880, mtime: Fixtures.now - 107 * 86_400),
                     ResticNode(path: "\(directory)/0000005.pdf", isDirectory: false, size: 220_102, mtime: Fixtures.now - 8 * 86_400)]
        return RestoreToolkit.FileListing(job: "ls", nodes: nodes, totalBytes: 1_671_195,
                                          live: LiveListing(directory: "/data/\(directory)", names: ["0000003.pdf", "0000005.pdf", "0000006.pdf"]))
    }

    static func answer(_ task: RestoreTask) -> RestoreTaskResult? {
        if case .listFiles(_, _, let directory) = task { return .files(listing(directory)) }
        return W.healthy(task)
    }

    /// What each step of the plan says when it is done.
    static func stepText(_ index: Int) -> String { index == 0 ? "Job complete; restic restored 12 431 files" : "1 Ready, no new errors" }

    /// The wizard on the Scope step, browsing /media (the root's second entry).
    static func browsing() -> AppState {
        var s = W.open()
        for key in [Key.enter, .enter, .enter, .down, .down] { W.press(&s, key, answer: answer) }
        W.press(&s, .enter, answer: answer)  // the root's listing
        W.press(&s, .down)
        W.press(&s, .down)
        W.press(&s, .enter, answer: answer)  // into media/
        return s
    }

    /// Types `path` on the Scope step and picks side by side: the plan step.
    static func typedPathToPlan(_ path: String) -> (AppState, [Effect]) {
        var s = W.open()
        for key in [Key.enter, .enter, .enter, .down] { W.press(&s, key, answer: answer) }
        W.press(&s, .enter)  // "A path, typed"
        for c in path { W.press(&s, .char(c)) }
        W.press(&s, .enter)
        let effects = W.press(&s, .enter, answer: answer)  // side by side: the count, answered
        return (s, effects)
    }

    /// The Done screen of a side-by-side restore of /media/documents/originals.
    static func done() -> AppState {
        var (s, _) = typedPathToPlan("media/documents/originals")
        let effects = W.press(&s, .char("y"), answer: answer)  // the plan starts
        _ = WizardFixtures.finishPlan(&s, effects, stepText)
        return s
    }

    static func goldenState(_ name: String) -> AppState {
        switch name {
        case "restore-browse": return browsing()
        case "restore-browse-missing":
            var s = browsing()
            W.press(&s, .char("m"))
            return s
        default: return done()
        }
    }

    @Test func theDoneScreenOfAFileRestoreSaysWhatNextWithTheExactCleanupCommandAndJournalsIt() throws {
        var (s, _) = Self.typedPathToPlan("media/documents/originals")
        let effects = W.press(&s, .char("y"), answer: Self.answer)
        let all = WizardFixtures.finishPlan(&s, effects, Self.stepText)
        #expect(WizardFixtures.wizard(s)?.step == .finished)
        var tall = s
        tall.height = 60
        tall.width = 200
        let text = render(tall).text
        #expect(text.contains("What next"))
        #expect(text.contains("Paperless's trash first"))
        #expect(text.contains("unknown to Paperless"))
        let cleanup = "kubectl --context demo exec deploy/paperless-ngx -c paperless-ngx -n paperless-ngx -- rm -rf -- /usr/src/paperless/data/restore-"
        #expect(text.contains(cleanup))
        let journal = all.compactMap { if case .journal(let line) = $0 { line } else { nil } }.joined(separator: "\n")
        #expect(journal.contains("what next, commands shown") && journal.contains(cleanup))
    }

    @Test func aTypedDirectoryIsCountedInAListingJobAndThePlanShowsTheCount() throws {
        var (s, effects) = Self.typedPathToPlan("media/documents/originals")
        #expect(effects.contains { if case .restore(.matchPath(_, _, "media/documents/originals"), _) = $0 { true } else { false } })
        let w = try #require(WizardFixtures.wizard(s))
        #expect(w.step == .plan)
        #expect(w.plan?.matchLine == "The path /media/documents/originals matches 12 431 files (4.1 GiB) in the snapshot")
        s.height = 60
        #expect(render(s).text.contains("matches 12 431 files (4.1 GiB)"))
    }

    @Test func aPathMatchingNothingIsRefusedOnThePlanAndYRunsNothing() throws {
        var (s, _) = Self.typedPathToPlan("media/nope.pdf")
        let w = try #require(WizardFixtures.wizard(s))
        #expect(w.plan == nil)
        #expect(w.planError?.contains("matches 0 files") == true)
        #expect(render(s).text.contains("Refused: the path /media/nope.pdf matches 0 files"))
        let effects = W.press(&s, .char("y"), answer: Self.answer)
        #expect(W.writes(effects).isEmpty)
        #expect(!effects.contains { if case .restore(.runPlan, _) = $0 { true } else { false } })
    }

    @Test func aFilePickedFromTheListingIsCountedFromThatListingWithoutAnotherJob() throws {
        var s = Self.browsing()
        W.press(&s, .down)
        W.press(&s, .down)
        W.press(&s, .down)  // media/0000004.pdf
        W.press(&s, .enter)
        let effects = W.press(&s, .enter, answer: Self.answer)  // side by side
        #expect(!effects.contains { if case .restore(.matchPath, _) = $0 { true } else { false } })
        #expect(WizardFixtures.wizard(s)?.plan?.matchLine == "The path /media/0000004.pdf matches 1 file (1.3 MiB) in the snapshot")
    }

    @Test func mShowsOnlyWhatTheSnapshotHasAndTheLiveVolumeLacksAndBack() throws {
        var s = Self.browsing()
        #expect(render(s).text.contains("4 entries in the snapshot, 2 missing live"))
        W.press(&s, .char("m"))
        let w = try #require(WizardFixtures.wizard(s))
        #expect(RestoreWizardMode.shownFiles(w).map(\.path) == ["media/2025", "media/0000004.pdf"])
        // Enter on the first shown entry opens media/2025, not the listing's first entry.
        W.press(&s, .down)
        W.press(&s, .down)
        W.press(&s, .enter)
        #expect(WizardFixtures.wizard(s)?.path == "media/0000004.pdf")
        var again = Self.browsing()
        W.press(&again, .char("m"))
        W.press(&again, .char("m"))
        #expect(WizardFixtures.wizard(again).map { RestoreWizardMode.shownFiles($0).count } == 4)
    }
}
