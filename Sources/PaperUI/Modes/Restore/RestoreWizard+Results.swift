import Foundation
import PaperDomain
import PaperKube

// MARK: - What the tasks came to

extension RestoreWizardMode {
    // MARK: Results

    static func progress(_ state: inout AppState, generation: Int, _ progress: RestoreExecutor.Progress) -> [Effect] {
        guard let i = index(state), case .restore(var w) = state.stack[i], w.taskGeneration == generation else { return [] }
        var effects: [Effect] = []
        if progress.leaseLost {
            // A lost (or retaken) restore Lease is announced: the wizard's banner, a notice, the journal.
            let text = Redactor.redact(progress.text)
            w.message = text.prefix(1).uppercased() + text.dropFirst() + "."
            notify(&state, text)
            effects.append(journal(state, text))
        } else {
            w.progress = Redactor.redact(progress.text)
        }
        if let f = progress.fraction { w.fraction = f }
        state.stack[i] = .restore(w)
        return effects
    }

    static func finished(_ state: inout AppState, generation: Int, _ result: RestoreTaskResult) -> [Effect] {
        guard let i = index(state), case .restore(var w) = state.stack[i], w.taskGeneration == generation else {
            // A plan left running ends on its own: its end is on record.
            if case .plan(let end) = result { return leftEnd(state, end) }
            return []
        }
        w.taskGeneration = nil
        // "Wait for … to finish" answered a key pressed while the task ran: it is over now.
        if let busy = w.busy, w.message?.hasPrefix("Wait for \(busy)") == true { w.message = nil }
        w.busy = nil
        var effects: [Effect] = []
        switch result {
        case .preflight(let r):
            w.preflight = r.preflight
            w.cronJob = r.cronJob
            w.previewJob = preflightJob(w, now: state.now)
            if w.kind == .unlock, offerUnlock(&w, state) { state.stack.insert(.restorePrompt(RestorePrompt(.unlock)), at: i + 1) }
            let problems = r.preflight.lines.filter { $0.verdict != .ok }.map { "\($0.verdict.label) \($0.title): \($0.reason)" }
            effects.append(journal(state, "restore preflight: " + (problems.isEmpty ? "all OK" : problems.joined(separator: "; "))))
        case .snapshots(let listing):
            effects.append(journal(state, "restore: snapshot listing Job \(listing.job) " + (listing.failure.map { "FAILED: \($0)" } ?? "listed \(listing.snapshots.count) snapshots")))
            w.snapshots = listing.snapshots
            w.version = listing.version
            w.listingFailure = listing.failure.map { f in listing.diagnosis.map { "\(f)\nNext step: \($0.nextStep)" } ?? f }
            w.selection = 0
            if listing.failure == nil && listing.snapshots.isEmpty { w.listingFailure = "the repository has no snapshot yet" }
        case .files(let listing):
            w.files = listing.nodes
            w.live = listing.live
            w.filesFailure = listing.failure
            w.picking = listing.failure == nil
            w.selection = 0
        case .matched(let result):
            if let match = result.match {
                w.match = match
                w.matchFor = matchKey(w)
                makePlan(&w, state)
                effects.append(journal(state, "restore: /\(match.path) matches \(match.text) in snapshot \(w.snapshot?.shortID ?? "?") (Job \(result.job))"))
            } else {
                let failure = result.failure ?? "no answer"
                w.planError = "could not count the files /\(w.path ?? "") matches in the snapshot: \(failure). r counts again."
                effects.append(journal(state, "restore: counting the files /\(w.path ?? "") matches FAILED: \(failure)"))
            }
        case .timeline(let result):
            switch result {
            case .timeline(let t):
                w.timeline = t
                w.selection = 0
                effects.append(journal(state, "restore db: window \(t.window?.text ?? "unknown")" + (t.window?.unsafe.map { " (UNSAFE: \($0))" } ?? "")))
                if w.kind == .databaseDrill {
                    do {
                        let plan = try DatabaseRestore.plan(.latest, clusterJSON: t.clusterJSON, cluster: t.cluster, backups: t.backups,
                                                            objectStores: t.objectStores, namespace: state.namespace, drill: true, now: state.now)
                        w.dbPlan = plan
                        if !state.readOnly { effects.append(task(&w, &state, .dbDryRun(json: plan.json), busy: "the server's dry run of the manifest")) }
                    } catch {
                        w.dbPlanError = error.description
                        effects.append(journal(state, "database drill refused: \(error.description)"))
                    }
                }
            case .failed(let m):
                w.timelineFailure = m
            }
        case .dryRun(let outcome):
            w.dryRun = outcome
            effects.append(journal(state, "restore db: dry run \(outcome.succeeded ? "accepted" : "rejected: \(outcome.message)")"))
        case .dbDrilled(let drill):
            w.flow = .databaseDrill(.finished(.init(drill: drill)))
            w.message = drill.recordFailure.map { "Not recorded (\($0)): check will not show this drill." }
            notify(&state, drill.summary)
            effects.append(journal(state, drill.summary + (drill.recordFailure.map { "; not recorded: \($0)" } ?? "")))
        case .cleaned(let outcome):
            w.cleanup = outcome
            w.message = outcome.succeeded ? outcome.message.prefix(1).uppercased() + outcome.message.dropFirst() + "." : "Deleting the scratch cluster FAILED: \(outcome.message)"
            effects.append(journal(state, "database drill cleanup: \(outcome.message)"))
        case .drilled(let drill):
            w.flow = .drill(.finished)
            w.message = drill.summary + (drill.diagnosis.map { "\nNext step: \($0.nextStep)" } ?? "")
            effects.append(journal(state, drill.summary))
        case .unlocked(let unlock):
            effects += unlocked(&w, &state, unlock)
        case .plan(let end):
            effects += planEnded(&w, &state, end)
        }
        state.stack[i] = .restore(w)
        return effects
    }
}
