import Foundation
import PaperDomain
import Testing
@testable import PaperUI

/// Esc puts the previous step back as it was left: the cursor, the scroll, the browsed directory.
/// Nothing is read again on the way back.
@Suite struct RestoreWizardHistoryTests {
    typealias W = RestoreWizardTests

    /// The tasks `effects` start (the journal aside).
    static func tasks(_ effects: [Effect]) -> [RestoreTask] {
        effects.compactMap { if case .restore(let task, _) = $0 { task } else { nil } }
    }

    /// The wizard on the Scope step, the second snapshot picked.
    static func atScope() -> AppState {
        var s = W.open()
        W.press(&s, .enter, answer: W.healthy)  // files: the preflight
        W.press(&s, .enter, answer: W.healthy)  // the snapshot listing
        W.press(&s, .down)
        W.press(&s, .enter, answer: W.healthy)  // the second snapshot
        return s
    }

    @Test func escOnTheScopeStepReturnsToTheSnapshotListOnTheSnapshotLeft() throws {
        var s = Self.atScope()
        let scope = try #require(WizardFixtures.wizard(s))
        #expect(scope.step == .scope && scope.snapshot == WizardFixtures.snapshots[1])
        let before = try #require(scope.history.last)
        let effects = W.press(&s, .escape)
        let w = try #require(WizardFixtures.wizard(s))
        #expect(w.step == .snapshots)
        #expect(w.selection == 1, "the cursor is on the snapshot that was picked, not the first")
        #expect(w.snapshots == WizardFixtures.snapshots)
        #expect(w == { var b = before; b.history = w.history; return b }(), "the step's value as it was left")
        #expect(Self.tasks(effects).isEmpty, "the snapshots are not listed again: \(Self.tasks(effects))")
    }

    @Test func escOnTheTargetStepReturnsToTheBrowserInTheDirectoryAndOnTheFileLeft() throws {
        var s = Self.atScope()
        W.press(&s, .down)
        W.press(&s, .down)
        W.press(&s, .enter, answer: W.healthy)  // browse: the root lists data/ and media/
        W.press(&s, .down)
        W.press(&s, .down)
        W.press(&s, .enter, answer: W.healthy)  // into media/
        W.press(&s, .down)
        W.press(&s, .enter, answer: W.healthy)  // media/a.pdf picked
        #expect(WizardFixtures.wizard(s)?.step == .target)
        #expect(WizardFixtures.wizard(s)?.path == "media/a.pdf")
        let effects = W.press(&s, .escape)
        let w = try #require(WizardFixtures.wizard(s))
        #expect(w.step == .scope && w.picking, "back in the browser, not the scope menu")
        #expect(w.browse == "media", "in the directory that was browsed")
        #expect(w.selection == 1 && RestoreWizardMode.shownFiles(w).first?.path == "media/a.pdf", "on the file that was picked")
        #expect(Self.tasks(effects).isEmpty, "the directory is not listed again: \(Self.tasks(effects))")
        #expect(render(s).text.contains("a.pdf"))
    }

    @Test func aPathTypedFromTheBrowserStepsBackToTheTargetThenToTheBrowserListingNothing() throws {
        var s = Self.atScope()
        W.press(&s, .down)
        W.press(&s, .down)
        W.press(&s, .enter, answer: W.healthy)  // browse the root
        W.press(&s, .char("/"))
        for c in "media/documents" { W.press(&s, .char(c)) }
        W.press(&s, .enter)
        #expect(WizardFixtures.wizard(s)?.step == .target && WizardFixtures.wizard(s)?.path == "media/documents")
        W.press(&s, .enter, answer: W.healthy)  // side by side: the count, then the plan
        #expect(WizardFixtures.wizard(s)?.step == .plan)
        var effects = W.press(&s, .escape)
        #expect(WizardFixtures.wizard(s)?.step == .target, "Esc on the plan is one step back, not up a directory")
        effects += W.press(&s, .escape)
        let w = try #require(WizardFixtures.wizard(s))
        #expect(w.step == .scope && w.picking && w.browse == "", "back in the browser where / was pressed")
        #expect(Self.tasks(effects).isEmpty, "nothing listed on the way back: \(Self.tasks(effects))")
    }

    @Test func escOnThePlanReturnsToTheTargetThatWasChosen() throws {
        var s = Self.atScope()
        W.press(&s, .enter, answer: W.healthy)  // everything
        W.press(&s, .down)
        W.press(&s, .enter, answer: W.healthy)  // in place
        #expect(WizardFixtures.wizard(s)?.step == .plan)
        W.press(&s, .escape)
        let w = try #require(WizardFixtures.wizard(s))
        #expect(w.step == .target)
        #expect(w.selection == 1, "the cursor on in place, as chosen")
        W.press(&s, .escape)
        #expect(WizardFixtures.wizard(s)?.step == .scope)
        #expect(WizardFixtures.wizard(s)?.selection == 0, "the scope's cursor on everything, as chosen")
    }

    @Test func aRefusedLeaseReturnsToThePlanAsItWasScrolled() throws {
        var s = Fixtures.state(data: Fixtures.dataWithFacts(WizardFixtures.facts()))
        s.stack = [.restore(WizardFixtures.atPlan(s, target: .sideBySide))]
        for _ in 0..<3 { W.press(&s, .down) }
        let plan = try #require(WizardFixtures.wizard(s))
        #expect(plan.scroll == 3)
        let confirmed = W.press(&s, .char("y"))
        #expect(WizardFixtures.wizard(s)?.step == .running)
        let after = WizardFixtures.granted(&s, confirmed, refusal: "bob@bastion holds the restore Lease (restore files)")
        #expect(W.writes(after).isEmpty, "nothing ran")
        let w = try #require(WizardFixtures.wizard(s))
        #expect(w.step == .plan && w.scroll == 3 && w.plan == plan.plan, "the plan as it was left, scrolled")
        #expect(w.history == plan.history)
        #expect(w.message?.contains("Refused: bob@bastion holds the restore Lease") == true)
    }
}

/// The wizard's questions are modes on the stack: the wizard under them is not changed until an
/// answer is accepted, and Esc closes the question only.
@Suite struct RestorePromptModeTests {
    typealias W = RestoreWizardTests

    @Test func theNamespaceQuestionIsAModeAboveTheWizardAndEscLeavesTheWizardAsItWas() throws {
        var s = Fixtures.state(data: Fixtures.dataWithFacts(WizardFixtures.facts()))
        s.stack = [.restore(WizardFixtures.atPlan(s, target: .inPlace))]
        let before = try #require(WizardFixtures.wizard(s))
        W.press(&s, .char("y"))
        #expect(s.stack.count == 2 && s.mode.scope == .restoreText, "the question is on top of the wizard")
        for c in "paperless" { W.press(&s, .char(c)) }
        #expect(W.writes(W.press(&s, .enter)).isEmpty, "a wrong namespace runs nothing")
        #expect(WizardFixtures.wizard(s) == before, "the wizard is untouched while it asks")
        W.press(&s, .escape)
        #expect(s.stack == [.restore(before)], "Esc closed the question only")
    }

    @Test func ctrlCWhileAStepRunsClosesTheHelpAsksThenLeavesWithTheWayBackOnRecord() throws {
        var s = W.inPlaceAt(step: 3)
        #expect(WizardFixtures.wizard(s)?.isRunning == true)
        W.press(&s, .char("?"))
        #expect(s.mode.scope == .help)
        #expect(update(&s, .key(.ctrlC)).isEmpty, "the first Ctrl-C asks")
        #expect(WizardFixtures.prompt(s)?.kind == .abort && !s.quitting)
        #expect(render(s).text.contains("Esc again: leave"), "the question is in view, the help closed")
        let effects = update(&s, .key(.ctrlC))
        #expect(s.quitting && effects.contains(.quit))
        #expect(effects.contains { if case .journal(let t) = $0 { t.contains("restore left while a step ran; to get back:") && t.contains("--replicas=1") } else { false } })
    }
}
