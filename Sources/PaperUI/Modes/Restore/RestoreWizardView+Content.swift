import Foundation
import PaperDomain
import PaperKube

// MARK: - RestoreWizardMode view: the content of each step

extension RestoreWizardMode {
    // MARK: Content per step

    static func content(_ state: AppState, _ w: RestoreWizardState, _ g: Glyphs) -> [(String, Role)] {
        var lines: [(String, Role)] = []
        func choice(_ i: Int, _ text: String, enabled: Bool = true) {
            lines.append(("\(i == w.selection ? "▸" : " ") \(text)", i == w.selection ? .selection : (enabled ? .text : .muted)))
        }
        if let busy = w.busy, w.step != .running {
            lines.append((busyText(busy) + "…" + (w.progress.map { " \($0)" } ?? ""), .muted))
            lines.append(("", .text))
        }
        switch w.step {
        case .choose:
            lines.append(("What do you restore?", .title))
            for kind in RestoreWizardState.Kind.choices { choice(kind.rawValue, kind.label) }
        case .preflight:
            lines.append(("Preflight: reads only (kubectl auth can-i, the CronJob, the Jobs, the newest failed backup's log)", .title))
            if let pre = w.preflight {
                for line in pre.lines {
                    lines.append(("\(badge(line.verdict, g))  \(line.title): \(line.reason)", PanelRows.role(for: line.verdict)))
                }
                if w.kind != .unlock, pre.lock == nil, !pre.blocksEverything, let next = w.previewJob {
                    lines.append(("", .text))
                    // The Job was built when the preflight came back: Enter creates this one, name included.
                    lines.append(("Enter will run exactly: \(RestoreWizardMode.createCommand(w))   (Job \(next.name) from the CronJob's template, running: \(next.script))", .keyHint))
                }
                if let lock = pre.lock {
                    lines.append(("", .text))
                    lines.append(("The repository is locked: \(lock.evidence)", .critical))
                    lines.append(("Next step: \(lock.nextStep)", .focus))
                    if RestorePrompts.open(state)?.kind == .unlock, let job = w.unlockJob {
                        lines.append(("", .text))
                        lines.append(("This will run exactly:", .text))
                        lines.append(("  \(RestoreWizardMode.createCommand(w))   (Job \(job.name): \(job.script), from the CronJob's template)", .keyHint))
                        lines.append(("restic unlock removes only stale locks; no backup Job is active now.", .muted))
                    }
                }
                if let holder = w.lockHolder {
                    lines.append(("", .text))
                    lines.append(("The unlock failed on a lock: \(holder.summary(namespace: state.namespace)).", holder.isGone ? .warn : .critical))
                    if let job = w.removeAllJob {
                        lines.append(("u then the namespace runs exactly:", .text))
                        lines.append(("  \(RestoreWizardMode.createCommand(w))   (Job \(job.name): \(job.script), from the CronJob's template)", .keyHint))
                        lines.append(("--remove-all removes every lock, live ones too: only because no pod of the holder runs.", .muted))
                    }
                }
                if let job = w.unlockedBy {
                    lines.append(("", .text))
                    lines.append(("\(g.ok) The lock is removed (Job \(job)).", .ok))
                }
            }
        case .snapshots:
            lines.append(("Snapshots in the repository, newest first (listed by a Job from the CronJob's template)", .title))
            if let failure = w.listingFailure {
                lines.append(("The listing failed: \(failure)", .critical))
            }
            for (i, s) in w.snapshots.enumerated() {
                let tags = s.tags.isEmpty ? "" : "  [\(s.tags.joined(separator: ","))]"
                let size = s.totalBytes.map { "  \(FileRestore.bytes(Int64($0)))" } ?? ""
                choice(i, "\(s.shortID)  \(UTCTime.rfc3339(s.time))  \(UTCTime.humanDuration(state.now - s.time)) ago  \(s.hostname)  \(s.paths.joined(separator: ","))\(tags)\(size)")
            }
            if let version = w.version { lines.append(("restic \(version) in the image", .muted)) }
        case .scope:
            let taken = w.snapshot.map { " (taken \(both($0.time, state)), \(UTCTime.humanDuration(max(0, state.now - $0.time))) ago)" } ?? ""
            lines.append(("Restore what of snapshot \(w.snapshot?.shortID ?? "?")\(taken)?", .title))
            if w.picking, let all = w.files {
                let files = shownFiles(w)
                let missing = w.live.map { Set($0.missing(all).map(\.path)) }
                if let live = w.live {
                    let count = missing?.count ?? 0
                    let gone = live.directoryMissing ? "; the whole directory is missing live" : ""
                    lines.append((w.missingOnly ? "Only what snapshot \(w.snapshot?.shortID ?? "?") has in /\(w.browse) and the live volume lacks: \(count) of \(all.count) entries\(gone)"
                                                : "/\(w.browse): \(all.count) entries in the snapshot, \(count) missing live\(gone)", count > 0 ? .warn : .muted))
                } else {
                    lines.append(("/\(w.browse): \(all.count) entries in the snapshot; the live volume was not listed", .muted))
                }
                choice(0, w.browse.isEmpty ? "Everything (the snapshot's root)" : "This directory: /\(w.browse)/")
                let nameWidth = min(48, files.map { $0.path.count + 2 }.max() ?? 0)
                for (i, node) in files.enumerated() {
                    let name = "/\(node.path)\(node.isDirectory ? "/" : "")"
                    let size = node.isDirectory ? "" : FileRestore.bytes(Int64(node.size))
                    let date = node.mtime.map { String(UTCTime.rfc3339($0).prefix(16)).replacingOccurrences(of: "T", with: " ") } ?? ""
                    let gone = missing?.contains(node.path) == true ? "  missing live" : ""
                    choice(i + 1, "\(node.isDirectory ? "▸ " : "  ")\(name.padding(toLength: max(nameWidth, name.count), withPad: " ", startingAt: 0))  \(size.padding(toLength: 10, withPad: " ", startingAt: 0))  \(date)\(gone)")
                }
                if files.isEmpty { lines.append((w.missingOnly ? "  nothing here is missing live (m shows everything)" : "  (empty)", .muted)) }
            } else {
                choice(0, "Everything")
                choice(1, "A path, typed (e.g. media/documents/originals)" + (w.path.map { ": /\($0)" } ?? ""))
                choice(2, "A path, picked from the snapshot's files (restic ls in a Job)")
                if let failure = w.filesFailure { lines.append(("The file listing failed: \(failure)", .critical)) }
            }
        case .target:
            lines.append(("Where do the files go?", .title))
            choice(0, "Side by side: into restore-<UTC timestamp>/ beside the live files; the app keeps running (default)")
            let inPlaceOK = !(w.preflight?.blocksInPlace ?? true)
            choice(1, "In place: over the live files; a safety backup first, the app scaled to 0 and back" + (inPlaceOK ? "" : "  (not allowed: no permission to scale)"), enabled: inPlaceOK)
        case .plan:
            if let error = w.planError {
                lines.append(("Refused: \(error)", .critical))
            } else if let plan = w.plan {
                lines.append(("The whole plan, in order. Nothing has run yet.", .title))
                for (i, text) in plan.text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                    let counted = plan.matchLine.map { text == $0 } ?? false
                    lines.append((String(text), i == 0 || counted ? .focus : (text.hasPrefix("note:") ? .warn : (text.hasPrefix("   ") ? .keyHint : .text))))
                }
            }
        case .timeline:
            lines.append(("Restore point: the database's recoverability window, its Backups and the file snapshots", .title))
            if let failure = w.timelineFailure { lines.append(("Cannot read the timeline: \(failure)", .critical)) }
            if let t = w.timeline {
                if let window = t.window {
                    lines.append(("Window: \(both(window.start, state)) … \(both(window.end, state))", window.unsafe == nil ? .ok : .critical))
                    lines.append(("  from \(window.source)", .muted))
                    if let unsafe = window.unsafe { lines.append(("  UNSAFE: \(unsafe)", .critical)) }
                } else {
                    lines.append(("No recoverability window: no base backup has completed, or its status is unreadable", .critical))
                }
                lines.append(("", .text))
                choice(0, "latest: all archived WAL (\(t.window.map { both($0.end, state) } ?? "?"))")
                for (i, b) in t.backups.enumerated() { choice(i + 1, "Backup \(b.metadata.name)  completed \(b.stoppedAt.map { both($0, state) } ?? "?")") }
                choice(t.backups.count + 1, "a time, typed (RFC 3339, \"YYYY-MM-DD HH:MM ZONE\", -2h)")
                lines.append(("", .text))
                lines.append(("File snapshots (restic), for the files at that point:", .title))
                if t.snapshots.isEmpty {
                    lines.append((state.readOnly ? "  not listed: read-only runs no Job, and the listing is one" : "  none listed" + (t.snapshotsFailure.map { ": \($0)" } ?? ""), .muted))
                }
                for s in t.snapshots.prefix(10) { lines.append(("  \(s.shortID)  \(both(s.time, state))", .text)) }
            }
        case .dbPlan:
            if let error = w.dbPlanError { lines.append(("Refused: \(error)", .critical)) }
            if let plan = w.dbPlan, w.kind == .databaseDrill {
                lines.append(("A scratch cluster \(plan.name), labelled paperctl.io/purpose=db-drill; the live cluster is never touched.", .title))
                lines.append(("It recovers the newest point, \(both(plan.recoveredTo, state)); the time from create to healthy is the RTO.", .focus))
                lines.append(("The outcome is written to ConfigMap \(DrillRecord.configMapName), so the Database backups check shows when the last drill passed.", .muted))
            } else if let plan = w.dbPlan {
                lines.append(("A NEW cluster \(plan.name); the live cluster is never touched.", .title))
                if let typed = w.typedPoint, let echo = RestorePoint.echo(typed, at: plan.recoveredTo) {
                    lines.append(("Restore point as typed: \(echo)", .text))
                }
                lines.append(("RPO at \(both(plan.recoveredTo, state)):", .focus))
                for line in w.timeline?.rpo(for: plan.recoveredTo) ?? [] { lines.append(("  \(line)", .text)) }
            }
            if let plan = w.dbPlan {
                switch w.dryRun {
                case nil where state.readOnly: lines.append(("Dry run: not sent (read-only: kubectl create --dry-run=server is a create request)", .muted))
                case nil: lines.append(("Dry run (kubectl create --dry-run=server): running…", .muted))
                case .done(let m)?: lines.append(("Dry run: \(m)", .ok))
                case .failed(let m)?, .unknown(let m)?: lines.append(("Dry run: \(m)", .critical))
                }
                for note in plan.notes { lines.append(("note: \(note)", .warn)) }
                lines.append(((state.readOnly ? "Would run (read-only: not run): " : "This will run exactly: ") + "\(RestoreWizardMode.createCommand(w)) <<'EOF'", .text))
                for line in plan.yaml.split(separator: "\n", omittingEmptySubsequences: false) { lines.append(("   \(line)", .keyHint)) }
                lines.append(("EOF", .text))
            }
        case .running, .finished:
            if w.kind == .unlock {
                if let job = w.unlockedBy {
                    lines.append(("\(g.ok) The lock is removed (Job \(job)).", .ok))
                    lines.append(("The File backups panel says when and by which Job, until a newer backup result replaces it.", .muted))
                    lines.append(("b starts a backup Job now to prove the repository is free.", .focus))
                }
                return lines
            }
            if w.kind == .databaseDrill {
                if let busy = w.busy { lines.append((busyText(busy) + "…", .focus)) }
                if let progress = w.progress { lines.append(("  \(progress)", .muted)) }
                if let drill = w.dbDrill {
                    lines.append((drill.outcome.succeeded ? "\(g.ok) \(drill.summary)" : "\(g.critical) \(drill.summary)", drill.outcome.succeeded ? .ok : .critical))
                    lines.append((drill.recordFailure.map { "Not recorded: \($0)" } ?? (drill.isRecorded ? "Recorded in ConfigMap \(DrillRecord.configMapName)." : "Not recorded: the outcome is unknown."),
                                  drill.isRecorded ? .muted : .warn))
                    lines.append(("", .text))
                    switch w.cleanup {
                    case .done(let m)?: lines.append(("\(g.ok) \(m)", .ok))
                    case .failed(let m)?, .unknown(let m)?:
                        lines.append(("\(g.critical) deleting the scratch cluster failed: \(m)", .critical))
                        lines.append(("d tries again: \(DatabaseDrill.deleteCommand(drill.cluster, target: w.facts.target).displayLine)", .keyHint))
                    case nil:
                        lines.append(("The scratch cluster stays until you delete it. d runs exactly (after you type the namespace):", .text))
                        lines.append(("  \(DatabaseDrill.deleteCommand(drill.cluster, target: w.facts.target).displayLine)", .keyHint))
                        lines.append(("  only if \(drill.cluster) still carries paperctl.io/purpose=db-drill", .muted))
                    }
                }
                return lines
            }
            if w.kind == .database {
                if let busy = w.busy { lines.append((busyText(busy) + "…", .focus)) }
                if let progress = w.progress { lines.append(("  \(progress)", .muted)) }
                if let outcome = w.dbOutcome, let plan = w.dbPlan {
                    lines.append((outcome.succeeded ? "\(g.ok) \(outcome.message)" : "\(g.critical) \(outcome.message)", outcome.succeeded ? .ok : .critical))
                    if outcome.succeeded {
                        lines.append(("", .text))
                        lines.append(("Cutover, step by step (the tool does none of it):", .title))
                        for (i, step) in cutoverSteps(w, plan).enumerated() { lines.append(("  \(i + 1). \(step)", .text)) }
                    }
                }
                return lines
            }
            if w.step == .finished, w.kind == .files, let plan = w.plan {
                for line in FileRestoreAftercare.lines(plan: plan, facts: w.facts, cronJob: w.cronJob) {
                    switch line.kind {
                    case .title: lines.append((line.text, .title))
                    case .text: lines.append((line.text, .text))
                    case .command: lines.append(("     \(line.text)", .keyHint))
                    }
                }
                lines.append(("", .text))
            }
            if !w.stepStates.isEmpty { lines.append(("The plan, step by step", .title)) }
            for (i, s) in w.stepStates.enumerated() {
                let title = w.plan?.steps[i].title ?? "step"
                switch s {
                case .pending: lines.append(("· \(i + 1). \(title)  pending", .muted))
                case .running(let since):
                    lines.append(("▶ \(i + 1). \(title)  running \(UTCTime.humanDuration(max(0, state.now - since)))", .focus))
                    if let fraction = w.fraction {
                        let width = 30
                        let filled = Int((fraction * Double(width)).rounded())
                        lines.append(("    " + String(repeating: g.barFull, count: filled) + String(repeating: g.barEmpty, count: width - filled) + " \(Int(fraction * 100))%", .ok))
                    }
                    if let progress = w.progress { lines.append(("    \(progress)", .muted)) }
                case .done(let m, let seconds): lines.append(("\(g.ok) \(i + 1). \(title)  done in \(UTCTime.humanDuration(seconds)): \(m)", .ok))
                case .failed(let m, let seconds): lines.append(("\(g.critical) \(i + 1). \(title)  FAILED after \(UTCTime.humanDuration(seconds)): \(m)", .critical))
                case .unknown(let m, let seconds): lines.append(("? \(i + 1). \(title)  outcome unknown after \(UTCTime.humanDuration(seconds)): \(m)", .unknown))
                }
            }
            let stopped = w.stepStates.contains { if case .failed = $0 { true } else if case .unknown = $0 { true } else { false } }
            if stopped || RestorePrompts.open(state)?.kind == .abort, !w.recovery.isEmpty {
                lines.append(("", .text))
                lines.append(("To get back to a running app:", .warn))
                for command in w.recovery { lines.append(("  \(command)", .keyHint)) }
            }
        }
        return lines
    }
}

extension RestoreWizardMode {
    /// "Running the preflight checks", but "Reading the recoverability window": a busy text that
    /// starts with its own verb keeps it.
    static func busyText(_ busy: String) -> String {
        let verbs = ["reading", "creating", "deleting", "taking", "listing", "running", "giving"]
        if let first = busy.split(separator: " ").first, verbs.contains(first.lowercased()) {
            return busy.prefix(1).uppercased() + busy.dropFirst()
        }
        return "Running \(busy)"
    }

}

/// A time in UTC and in the operator's local zone.
func both(_ t: Double, _ state: AppState) -> String { UTCTime.withLocal(t, zone: state.timeZone) }
