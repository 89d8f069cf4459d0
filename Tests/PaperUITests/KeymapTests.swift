import PaperDomain
import Testing
@testable import PaperUI

/// One realistic state per key scope, in which every binding of that scope has something to do.
enum ModeFixtures {
    struct Fixture: Sendable, CustomTestStringConvertible {
        var scope: KeyScope
        var state: AppState
        var testDescription: String { scope.rawValue }
    }

    static var all: [Fixture] { KeyScope.allCases.filter { $0 != .everywhere }.map { Fixture(scope: $0, state: state(for: $0)) } }

    static func lines(_ n: Int) -> [String] {
        (0..<n).map { i in "2027-01-15T07:\(String(format: "%02d", i / 60)):\(String(format: "%02d", i % 60)).000000000Z \(i % 10 == 0 ? "[ERROR] broker lost" : "[INFO] consumed") \(i)" }
    }

    static func state(for scope: KeyScope) -> AppState {
        var s = Fixtures.actionState()
        switch scope {
        case .dashboard, .everywhere:
            // The Secrets panel: a filter that keeps every row, the first ExternalSecret selected.
            s.dashboard.focus = .secrets
            s.dashboard.filters[.secrets] = "e"
            s.dashboard.selected[.secrets] = 2
        case .detail:
            s.width = 80
            s.height = 24
            s.dashboard.focus = .database
            s.stack = [.detail(DetailState(panel: .database, scroll: 2))]
        case .object:
            // A failed Job opened from its row, scrolled a little into its manifest.
            s = ObjectFixtures.opened()
            if case .object(var view) = s.mode {
                view.scroll = 2
                s.setTop(.object(view))
            }
        case .filter:
            s.stack = [.filter(FilterState(panel: .logs, draft: "re"))]
        case .help:
            s.stack = [.help(HelpState(opener: .dashboard, scroll: 3))]
        case .dialog:
            _ = update(&s, .key(.char("b")))
        case .notice:
            s.stack = [.dialog(DialogState(notice: "File backup (restic)", "Job manual-backup-1 of CronJob paperless-ngx-backup is still active"))]
        case .logs, .logSearch:
            _ = update(&s, .key(.char("l")))
            let generation = s.logView?.generation ?? 0
            _ = update(&s, .logLines(generation: generation, lines(60)))
            if case .logs(var view) = s.mode {
                view.search = "ERROR"
                view.scrollFromBottom = 5
                if scope == .logSearch { view.searchDraft = "brok" }
                s.setTop(.logs(view))
            }
        case .commandLog, .commandLogFilter:
            for i in 0..<10 {
                _ = update(&s, .commandRan(CommandRecord(startedAt: Fixtures.now, duration: 0.1, commandLine: "kubectl --context demo get pods #\(i)", exitStatus: 0, isAction: false)))
            }
            var log = CommandLogState(scrollFromBottom: 2)
            if scope == .commandLogFilter { log.filterDraft = "pods #" }
            s.stack = [.commandLog(log)]
        case .journal:
            var journal = JournalState(lines: (0..<100).map { "- entry \($0)" })
            journal.scroll = 10
            s.stack = [.journal(journal)]
        case .restore:
            s.stack = [.restore(WizardFixtures.atSnapshots(s))]
        case .restoreText:
            s.stack = [.restore(WizardFixtures.atPlan(s, target: .inPlace)), .restorePrompt(RestorePrompt(.namespace, draft: "paper"))]
        }
        return s
    }

    /// A key that hits `pattern`.
    static func key(_ pattern: KeyBinding.Pattern) -> Key {
        switch pattern {
        case .key(let k): k
        case .printable: .char("x")
        }
    }
}

/// The key table dispatches: every binding does something where it applies, the help and the
/// footer come from the same table, read-only comes from the `dangerous` flag.
@Suite struct KeymapTests {
    @Test(arguments: ModeFixtures.all)
    func everyBindingInEveryScopeChangesTheStateOrProducesAnEffect(fixture: ModeFixtures.Fixture) {
        #expect(fixture.state.mode.scope == fixture.scope, "the fixture is not in scope \(fixture.scope)")
        for binding in Keymap.bindings(for: fixture.scope) + Keymap.bindings(for: .everywhere) {
            for pattern in binding.patterns {
                // The number of the panel that already has the focus is the one key with nothing to do.
                if binding.matches[pattern] == .focus(fixture.state.dashboard.focus) { continue }
                var s = fixture.state
                let key = ModeFixtures.key(pattern)
                let effects = update(&s, .key(key))
                #expect(s != fixture.state || !effects.isEmpty, "\(fixture.scope): \(binding.label) (\(key)) did nothing")
            }
        }
    }

    @Test(arguments: ModeFixtures.all)
    func inReadOnlyModeEveryDangerousBindingExplainsItselfAndRunsNothing(fixture: ModeFixtures.Fixture) {
        for binding in Keymap.bindings(for: fixture.scope) where binding.dangerous {
            for pattern in binding.patterns {
                var s = fixture.state
                s.readOnly = true
                let effects = update(&s, .key(ModeFixtures.key(pattern)))
                // Only the journal may be written: no action, no restore task.
                let acting = effects.filter { if case .journal = $0 { false } else { true } }
                #expect(acting.isEmpty, "\(binding.label) produced \(acting) in read-only mode")
                switch (binding.intent(for: ModeFixtures.key(pattern)), s.mode) {
                case (.openRestore?, .restore(let w)):
                    // R opens the wizard in plan-only mode.
                    #expect(w.message?.hasPrefix("Read-only: plan only.") == true)
                case (_, .restore(let w)):
                    // In the wizard the refusal is said in place, naming the key.
                    #expect(w.message?.hasPrefix("read-only: \(binding.label) would ") == true && w.message?.hasSuffix("nothing was run.") == true,
                            "\(binding.label): \(w.message ?? "no message")")
                case (_, .dialog(let dialog)):
                    #expect(dialog.title == "Read-only mode: \(binding.label) refused" && !dialog.isConfirmation)
                    #expect(dialog.body.contains("read-only: \(binding.label) (") && dialog.body.contains("nothing is run"))
                default:
                    Issue.record("\(binding.label): no explanation")
                }
            }
        }
    }

    @Test func theDangerousBindingsAreTheOnesThatChangeTheCluster() {
        let dangerous = Keymap.all.filter(\.dangerous).flatMap { $0.matches.values }
        #expect(Set(dangerous) == [.fileBackup, .databaseBackup, .forceSync, .confirm, .openRestore, .restoreUnlock, .restoreCleanup])
    }

    @Test func helpListsTheKeysOfTheModeThatOpenedItFirstAndReturnsToIt() {
        var s = ModeFixtures.state(for: .logs)
        _ = update(&s, .key(.char("?")))
        let text = render(s).text
        #expect(text.contains("Log tail (where you are)"))
        #expect(text.contains("pause/resume"))
        _ = update(&s, .key(.escape))
        #expect(s.mode.scope == .logs)
    }

    @Test func noKeyIsBoundTwiceInOneScope() {
        for scope in KeyScope.allCases {
            var seen: [KeyBinding.Pattern: String] = [:]
            for binding in Keymap.bindings(for: scope) {
                for pattern in binding.patterns {
                    #expect(seen[pattern] == nil, "\(scope): \(pattern) is bound by \(seen[pattern] ?? "") and \(binding.label)")
                    seen[pattern] = binding.label
                }
            }
        }
    }

    @Test func helpListsEveryBindingAndTheFooterComesFromTheSameTable() {
        // At 80x24 the help scrolls: every binding is on one of its pages.
        var s = Fixtures.state(width: 80, height: 24)
        _ = update(&s, .key(.char("?")))
        var text = render(s).text
        for _ in 0..<40 {
            _ = update(&s, .key(.pageDown))
            text += render(s).text
        }
        for b in Keymap.all { #expect(text.contains("\(b.label.padded(11)) \(b.description)"), "help lacks \(b.label) \(b.description)") }
        for fixture in ModeFixtures.all {
            // Wide enough, every footer key of the table is there; at 80 columns the keys that leave
            // (? help, q quit, Esc back) stay at the right edge and the others give way.
            var wide = fixture.state
            _ = update(&wide, .resize(width: 200, height: 60))
            let footer = render(wide).lines.last ?? ""
            for b in Keymap.bindings(for: fixture.scope) where b.inFooter {
                #expect(footer.contains("\(b.label) \(b.short)"), "\(fixture.scope) footer lacks \(b.label)")
            }
            var narrow = fixture.state
            _ = update(&narrow, .resize(width: 80, height: 24))
            let edge = footerKeys(narrow).right.map { "\($0.0) \($0.1)" }.joined(separator: "  ")
            #expect((render(narrow).lines.last ?? "").hasSuffix(edge + " "), "\(fixture.scope) footer keeps \(edge) at the right edge")
        }
    }
}
