import Foundation
import PaperKube

// MARK: - IncidentReport

/// The post-incident report (`paperctl-tui report`): what the journal says about one incident,
/// in the order postmortem formats ask for, with the RTO and RPO actually achieved. Built only
/// from the journal (and, when the cluster can be reached, the drill record): a fact the journal
/// lacks is nil and shown as unknown, never guessed.
public struct IncidentReport: Sendable, Equatable {
    /// Which window the report covers, and why.
    public struct Window: Sendable, Equatable {
        public var from: Double
        public var to: Double
        /// `the newest incident` or `--since … --until …`.
        public var basis: String
    }

    /// The structured timestamps incident.io and Rootly import, in order (nil: unknown).
    public struct Timestamps: Sendable, Equatable {
        public var startedAt: Double?
        public var detectedAt: Double?
        public var acknowledgedAt: Double?
        public var mitigatedAt: Double?
        public var resolvedAt: Double?

        /// The known ones, in the order they are named.
        public var known: [Double] { [startedAt, detectedAt, acknowledgedAt, mitigatedAt, resolvedAt].compactMap { $0 } }
    }

    /// One check that was not OK during the window.
    public struct Impact: Sendable, Equatable {
        public var check: String
        public var title: String
        public var worst: Verdict
        public var firstNotOK: Double
        /// When it was last back to OK (nil: still not OK at the end of the window).
        public var backToOK: Double?
        /// Seconds it was not OK inside the window (up to the window's end while still not OK).
        public var seconds: Double
        /// The reason of its worst verdict.
        public var reason: String
    }

    /// One row of the timeline.
    public struct Row: Sendable, Equatable {
        public var time: Double
        public var text: String
        /// `journal FILE:LINE`, `command (journal FILE:LINE)`, `Job (journal …)`, `CNPG condition (journal …)`.
        public var source: String
    }

    /// An action and its outcome.
    public struct Action: Sendable, Equatable {
        public var time: Double
        public var what: String
        /// The exact command, as journaled (nil: none was journaled).
        public var command: String?
        /// What came of it (nil: no outcome in the journal).
        public var outcome: String?
        public var outcomeAt: Double?
        /// The entry is itself an outcome (a Lease taken, a verification, a cluster healthy): no other outcome is expected.
        public var event = false
        /// The command log's record of the command (exit status, duration), when one matches.
        public var logged: CommandLogEntry?
        /// The command was left for the operator to run (what next, the cutover): the tool ran none of it.
        public var leftToRun = false
        public var source: String
    }

    /// A restore (or a database drill) and what it achieved.
    public struct Restore: Sendable, Equatable {
        public var what: String
        public var drill: Bool
        public var startedAt: Double
        /// The restore point as journaled (nil: not journaled).
        public var point: String?
        /// The database's restore point as a time (nil: unknown).
        public var pointAt: Double?
        /// The point is the plan's estimate of `latest` ("about …").
        public var pointApproximate: Bool
        /// The restic snapshot the files came from.
        public var snapshot: String?
        /// When that snapshot was taken (`snapshot ID taken TIME`; nil: not journaled, as before this version).
        public var snapshotAt: Double?
        /// Seconds from the restore point to the incident's start (the data lost); nil: unknown.
        public var rpoSeconds: Double?
        /// Seconds between the database's point and the files' snapshot; nil: unknown.
        public var databaseFilesGapSeconds: Double?
        /// When its verification passed (nil: none journaled).
        public var verifiedAt: Double?
        /// When it finished (all steps done, or the cluster healthy).
        public var finishedAt: Double?
        public var failed: Bool
        /// From its start to the verification passing (else to its end, see `rtoBasis`); nil: unknown.
        public var rtoSeconds: Double?
        public var rtoBasis: String
        public var source: String
    }

    /// The drill record in the cluster, or why it was not read.
    public struct ClusterPart: Sendable, Equatable {
        public var record: DrillRecord?
        /// Why the cluster part is missing (not reachable, not asked).
        public var unavailable: String?

        public init(record: DrillRecord?, unavailable: String?) {
            self.record = record
            self.unavailable = unavailable
        }
    }

    public var generatedAt: Double
    public var version: String
    public var window: Window
    /// The last observed overall verdict is not OK: the incident has not ended.
    public var open: Bool
    public var worst: Verdict
    public var timestamps: Timestamps
    /// Why `startedAt` or `acknowledgedAt` is unknown, when it is.
    public var timestampNotes: [String]
    public var impact: [Impact]
    /// The first verdict change (or the verdicts a session started with) of the window.
    public var detection: Row?
    public var resolution: Row?
    public var timeline: [Row]
    public var actions: [Action]
    public var restores: [Restore]
    /// Seconds from the first critical verdict to all OK (nil: no CRIT, or not back to OK).
    public var rtoCriticalToOK: Double?
    public var firstCriticalAt: Double?
    public var followUps: [String]
    public var cluster: ClusterPart
    public var unreadable: [UnreadableLine]
    /// Entries of the window this version does not understand (shown in the timeline too).
    public var notUnderstood: [Row]
    /// Facts a postmortem needs that the journal does not hold.
    public var missingFacts: [String]
    public var files: [String]

    /// The age after which a passed drill is a follow-up.
    public static let drillAgeLimit: Double = 30 * 86_400

    /// The problem when there is nothing to report.
    public struct NoIncident: Error, Equatable, CustomStringConvertible {
        public var description: String
    }
}

// MARK: - Building

extension IncidentReport {
    /// The report for `since…until` (both nil: the newest incident, from the first verdict that
    /// left OK to the last return to OK, or to `now`).
    public static func build(_ journal: IncidentJournal, since: Double?, until: Double?, now: Double, version: String,
                             cluster: ClusterPart) -> Result<IncidentReport, NoIncident> {
        let observations = Self.observations(journal.entries)
        let window: Window
        if let since {
            let to = until ?? now
            guard since <= to else { return .failure(NoIncident(description: "--since \(UTCTime.rfc3339(since)) is after --until \(UTCTime.rfc3339(to))")) }
            window = Window(from: since, to: to, basis: "--since \(UTCTime.rfc3339(since))" + (until.map { " --until \(UTCTime.rfc3339($0))" } ?? ""))
        } else {
            let limit = until ?? now
            let seen = observations.filter { $0.time <= limit }
            guard let startIndex = seen.indices.last(where: { $0 == 0 ? seen[$0].overall != .ok : seen[$0].overall != .ok && seen[$0 - 1].overall == .ok }) else {
                let files = journal.files.isEmpty ? "no journal file" : journal.files.joined(separator: ", ")
                return .failure(NoIncident(description: "no incident in \(files): no verdict left OK" + (until.map { " before \(UTCTime.rfc3339($0))" } ?? "")
                                           + "; give --since to report a window anyway"))
            }
            let end = seen[startIndex...].first { $0.overall == .ok }?.time ?? limit
            window = Window(from: seen[startIndex].time, to: end, basis: "the newest incident (from the first verdict that left OK to the return to OK, or to now)")
        }
        return .success(Self.analyse(journal, observations: observations, window: window, now: now, version: version, cluster: cluster))
    }

    /// The overall verdict after each verdict entry, replayed from the start of the journal.
    struct Observation {
        var time: Double
        var overall: Verdict
        var state: [String: Verdict]
        var entry: JournalEntry
    }

    static func observations(_ entries: [JournalEntry]) -> [Observation] {
        var state: [String: Verdict] = [:]
        var result: [Observation] = []
        for entry in entries {
            switch entry.fact {
            case .verdictsAtStart(let overall, let checks):
                state = Dictionary(checks.map { ($0.check, $0.verdict) }, uniquingKeysWith: { $1 })
                result.append(Observation(time: entry.time, overall: checks.isEmpty ? overall ?? .unknown : Verdict.overall(Array(state.values)), state: state, entry: entry))
            case .verdictChange(let change, _):
                state[change.check] = change.verdict
                result.append(Observation(time: entry.time, overall: Verdict.overall(Array(state.values)), state: state, entry: entry))
            default:
                continue
            }
        }
        return result
    }

    static func analyse(_ journal: IncidentJournal, observations: [Observation], window: Window, now: Double, version: String, cluster: ClusterPart) -> IncidentReport {
        let inWindow = journal.entries.filter { $0.time >= window.from && $0.time <= window.to }
        let seen = observations.filter { $0.time >= window.from && $0.time <= window.to }
        let before = observations.last { $0.time < window.from }

        // Detection and the structured timestamps.
        var notes: [String] = []
        let firstBad = seen.firstIndex { $0.overall != .ok }
        var stamps = Timestamps()
        var detection: Row?
        if let i = firstBad {
            let o = seen[i]
            stamps.detectedAt = o.time
            let carriedIn = i == 0 ? (before.map { $0.overall != .ok } ?? false) : false
            if case .verdictChange(let change, let from) = o.entry.fact, !carriedIn {
                stamps.startedAt = o.time
                detection = Row(time: o.time, text: "\(change.check): \(from.label) → \(change.verdict.label) — \(change.reason)", source: o.entry.source)
                notes.append("started_at is the first verdict change seen; the fault began after the refresh before it")
            } else {
                let bad = o.state.filter { $0.value != .ok }.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value.label)" }
                detection = Row(time: o.time, text: (carriedIn ? "already not OK when the window began: " : "not OK when the session started: ") + bad.joined(separator: ", "), source: o.entry.source)
                notes.append("started_at is unknown: the checks were already not OK when first seen at \(UTCTime.rfc3339(o.time))")
            }
        }
        let firstCritical = seen.first { $0.overall == .critical }?.time
        // The last return to OK: the first OK after the last verdict that was not.
        let resolvedAt: Double? = seen.lastIndex { $0.overall != .ok }.flatMap { j in seen[(j + 1)...].first { $0.overall == .ok }?.time }
        stamps.resolvedAt = resolvedAt
        if let firstCritical {
            stamps.mitigatedAt = seen.first { $0.time > firstCritical && $0.overall != .critical }?.time
        } else {
            stamps.mitigatedAt = resolvedAt
        }
        if let detected = stamps.detectedAt {
            let operatorEntry = inWindow.first { e in
                guard e.time >= detected else { return false }
                switch e.fact {
                case .actionConfirmed, .actionCancelled, .restoreConfirmed, .restorePoint: return true
                case .restoreNote: return e.text.contains("opened") || e.text.contains("chosen")
                default: return false
                }
            }
            if let ack = operatorEntry?.time {
                if let mitigated = stamps.mitigatedAt, ack > mitigated {
                    notes.append("acknowledged_at is unknown: the first operator action (\(UTCTime.rfc3339(ack))) came after the mitigation")
                } else {
                    stamps.acknowledgedAt = ack
                }
            } else {
                notes.append("acknowledged_at is unknown: no operator action is journaled in the window")
            }
        }
        let last = seen.last ?? before
        let open = last.map { $0.overall != .ok } ?? false

        // Impact: each check not OK in the window, and for how long.
        var impact: [Impact] = []
        var checks: [String] = []
        for o in ([before].compactMap { $0 } + seen) { for key in o.state.keys.sorted() where !checks.contains(key) { checks.append(key) } }
        let order = CheckID.allCases.map(\.rawValue)
        checks.sort { (order.firstIndex(of: $0) ?? order.count, $0) < (order.firstIndex(of: $1) ?? order.count, $1) }
        for check in checks {
            var timeline: [(Double, Verdict, String)] = []
            if let v = before?.state[check] { timeline.append((window.from, v, Self.reason(before?.entry, check) ?? "")) }
            for o in seen { if let v = o.state[check], timeline.last?.1 != v { timeline.append((o.time, v, Self.reason(o.entry, check) ?? "")) } }
            guard timeline.contains(where: { $0.1 != .ok }) else { continue }
            var seconds = 0.0
            for (k, point) in timeline.enumerated() where point.1 != .ok {
                seconds += (k + 1 < timeline.count ? timeline[k + 1].0 : window.to) - point.0
            }
            let worst = timeline.max { $0.1 < $1.1 } ?? timeline[0]
            let firstNotOK = timeline.first { $0.1 != .ok }?.0 ?? window.from
            let back = timeline.last?.1 == .ok ? timeline.last?.0 : nil
            impact.append(Impact(check: check, title: CheckID(rawValue: check)?.title ?? check, worst: worst.1, firstNotOK: firstNotOK, backToOK: back, seconds: seconds, reason: worst.2))
        }

        // The timeline, the actions and the restores.
        var timeline = inWindow.map { Row(time: $0.time, text: Self.timelineText($0), source: Self.source($0)) }
        var actions = Self.actions(inWindow)
        Self.match(journal.commands.filter { $0.time >= window.from && $0.time <= window.to }, into: &actions, timeline: &timeline)
        let restores = Self.restores(inWindow, incidentStart: stamps.startedAt ?? stamps.detectedAt)
        let resolution: Row? = resolvedAt.flatMap { t in seen.first { $0.time == t }.map { Row(time: t, text: "all checks OK again (last: \(Self.changeText($0.entry)))", source: $0.entry.source) } }
            ?? last.map { Row(time: $0.time, text: "not resolved in the window: overall \($0.overall.label) at its last verdict (\(Self.changeText($0.entry)))", source: $0.entry.source) }

        var report = IncidentReport(
            generatedAt: now, version: version, window: window, open: open,
            worst: seen.map(\.overall).max() ?? before?.overall ?? .unknown,
            timestamps: stamps, timestampNotes: notes, impact: impact, detection: detection, resolution: resolution,
            timeline: timeline, actions: actions, restores: restores,
            rtoCriticalToOK: firstCritical.flatMap { c in resolvedAt.map { $0 - c } }, firstCriticalAt: firstCritical,
            followUps: [], cluster: cluster, unreadable: journal.unreadable,
            notUnderstood: inWindow.filter { $0.fact == .unknown }.map { Row(time: $0.time, text: $0.wholeText, source: $0.source) },
            missingFacts: [], files: journal.files)
        report.followUps = Self.followUps(journal.entries.filter { $0.time <= window.to }, report: report, lastOverall: last?.overall, now: now)
        report.missingFacts = Self.missing(report, inWindow)
        return report
    }

    static func reason(_ entry: JournalEntry?, _ check: String) -> String? {
        switch entry?.fact {
        case .verdictsAtStart(_, let checks): checks.first { $0.check == check }?.reason
        case .verdictChange(let change, _): change.check == check ? change.reason : nil
        default: nil
        }
    }

    static func changeText(_ entry: JournalEntry) -> String {
        if case .verdictChange(let change, let from) = entry.fact { return "\(change.check) \(from.label) → \(change.verdict.label)" }
        return "session start verdicts"
    }

    /// A timeline row's text: the entry's words (a session's verdicts: the overall and those not OK).
    static func timelineText(_ e: JournalEntry) -> String {
        switch e.fact {
        case .verdictsAtStart(_, let checks):
            let bad = checks.filter { $0.verdict != .ok }.map { "\($0.check) \($0.verdict.label) — \($0.reason)" }
            return e.text + (bad.isEmpty ? "" : "; " + bad.joined(separator: "; "))
        case .actionConfirmed, .restoreStepStarted:
            return e.text
        default:
            return e.wholeText
        }
    }

    /// Where a timeline row comes from: the journal line, and what it reports on (a command, a Job, a CNPG condition).
    static func source(_ e: JournalEntry) -> String {
        // The command itself is in the actions, once.
        if e.command != nil { return "command (\(e.source))" }
        let lower = e.wholeText.lowercased()
        if lower.contains("healthy state") || lower.contains("cluster in ") || lower.contains("condition") { return "CNPG condition (\(e.source))" }
        if lower.contains(" job ") || lower.hasPrefix("file backup job") || lower.contains("(job ") { return "Job (\(e.source))" }
        return e.source
    }

    /// Each action with its command and outcome: keyed actions, restore steps, safety backups,
    /// Argo CD, the cutover, verification, drills and the restore Lease.
    static func actions(_ entries: [JournalEntry]) -> [Action] {
        var actions: [Action] = []
        var openAction: Int?
        var openSteps: [Int: Int] = [:]
        var openRestore: Int?
        for e in entries {
            switch e.fact {
            case .actionConfirmed(let title):
                actions.append(Action(time: e.time, what: title, command: e.command, outcome: nil, outcomeAt: nil, source: e.source))
                openAction = actions.count - 1
            case .actionCancelled(let title):
                actions.append(Action(time: e.time, what: "\(title) (cancelled)", command: nil, outcome: "cancelled, nothing run", outcomeAt: e.time, source: e.source))
            case .actionResult(let outcome, let message):
                if let i = openAction {
                    actions[i].outcome = "\(outcome): \(message)"
                    actions[i].outcomeAt = e.time
                    openAction = nil
                } else {
                    actions.append(Action(time: e.time, what: "result of an action not in the window", command: nil, outcome: "\(outcome): \(message)", outcomeAt: e.time, source: e.source))
                }
            case .objectFinished(let name, _):
                if let i = actions.lastIndex(where: { $0.outcome?.contains(name) == true && $0.outcomeAt.map { $0 <= e.time } == true }) {
                    actions[i].outcome = (actions[i].outcome ?? "") + "; then: " + e.wholeText
                    actions[i].outcomeAt = e.time
                } else {
                    actions.append(Action(time: e.time, what: e.wholeText, command: nil, outcome: nil, outcomeAt: nil, event: true, source: e.source))
                }
            case .restoreStepStarted(let n):
                actions.append(Action(time: e.time, what: e.text, command: e.command, outcome: nil, outcomeAt: nil, source: e.source))
                openSteps[n] = actions.count - 1
            case .restoreStepFinished(let n, _):
                if let i = openSteps[n] {
                    actions[i].outcome = e.wholeText
                    actions[i].outcomeAt = e.time
                    openSteps[n] = nil
                } else {
                    actions.append(Action(time: e.time, what: e.wholeText, command: nil, outcome: nil, outcomeAt: nil, event: true, source: e.source))
                }
            case .restoreConfirmed:
                actions.append(Action(time: e.time, what: e.wholeText, command: e.command, outcome: nil, outcomeAt: nil, source: e.source))
                openRestore = e.text.lowercased().contains("unlock") ? nil : actions.count - 1
            case .drill, .restoreFinished:
                // The outcome of the drill or restore confirmed before it.
                if let i = openRestore {
                    actions[i].outcome = e.wholeText
                    actions[i].outcomeAt = e.time
                    openRestore = nil
                } else {
                    actions.append(Action(time: e.time, what: e.wholeText, command: nil, outcome: nil, outcomeAt: nil, event: true, source: e.source))
                }
            case .safetyBackup, .argo, .verification, .commandsToRun, .lease:
                let details = e.details
                actions.append(Action(time: e.time, what: e.text, command: e.command, outcome: details.isEmpty ? nil : details.joined(separator: "; "),
                                      outcomeAt: details.isEmpty ? nil : e.time, event: e.command == nil && details.isEmpty, source: e.source))
                if case .commandsToRun = e.fact { actions[actions.count - 1].leftToRun = true }
            default:
                continue
            }
        }
        return actions
    }

    /// Gives each journaled command its command log record (the same command line, run between
    /// its confirmation and its outcome); a logged command no action claims is an action of its
    /// own, so each command of the command log is in the report once.
    static func match(_ commands: [CommandLogEntry], into actions: inout [Action], timeline: inout [Row]) {
        for c in commands {
            let line = c.command.command
            let candidates = actions.indices.filter { i in
                guard actions[i].logged == nil, !actions[i].leftToRun, let journaled = actions[i].command, journaled == line || journaled.hasPrefix(line + " ") else { return false }
                return actions[i].time <= c.time + 5 && c.time <= (actions[i].outcomeAt ?? actions[i].time) + 600
            }
            if let i = candidates.min(by: { abs(actions[$0].time - c.time) < abs(actions[$1].time - c.time) }) {
                actions[i].logged = c
                if let row = timeline.firstIndex(where: { $0.source == "command (\(actions[i].source))" }) {
                    timeline[row].source = "command, \(c.command.statusText) (\(actions[i].source); \(c.source))"
                }
            } else {
                actions.append(Action(time: c.time, what: (c.command.title ?? "a command") + " (in the command log only)", command: line, outcome: c.command.result,
                                      outcomeAt: c.command.result == nil ? nil : c.time + c.command.durationSeconds, logged: c, source: c.source))
                timeline.append(Row(time: c.time, text: "ran: " + (c.command.title ?? line), source: "command, \(c.command.statusText) (\(c.source))"))
            }
        }
        actions = actions.enumerated().sorted { ($0.element.time, $0.offset) < ($1.element.time, $1.offset) }.map(\.element)
        timeline = timeline.enumerated().sorted { ($0.element.time, $0.offset) < ($1.element.time, $1.offset) }.map(\.element)
    }

    /// Each restore and drill of the window: its point, RPO and RTO.
    static func restores(_ entries: [JournalEntry], incidentStart: Double?) -> [Restore] {
        var restores: [Restore] = []
        var lastPoint: String?
        var lastSnapshotAt: Double?
        func close(_ i: Int) {
            var r = restores[i]
            let end = r.verifiedAt ?? r.finishedAt
            r.rtoSeconds = end.map { $0 - r.startedAt }
            r.rtoBasis = r.verifiedAt != nil ? "to the verification passing" : r.finishedAt != nil ? "to its end (no verification journaled)" : "unknown: no end journaled"
            // The data lost: up to the database's point, else (files alone) up to the snapshot.
            if let p = r.pointAt ?? (r.point == nil ? r.snapshotAt : nil), let s = incidentStart { r.rpoSeconds = s - p }
            if let p = r.pointAt, let f = r.snapshotAt { r.databaseFilesGapSeconds = p - f }
            restores[i] = r
        }
        for e in entries {
            switch e.fact {
            case .restorePoint:
                lastPoint = Self.point(in: e.text)
                lastSnapshotAt = Self.snapshotTime(in: e.text)
            case .restoreConfirmed:
                let lower = e.text.lowercased()
                guard !lower.contains("unlock") else { continue }
                if !restores.isEmpty { close(restores.count - 1) }
                let drill = lower.contains("drill")
                let point = Self.point(in: e.text) ?? (drill ? nil : lastPoint)
                let pointAt = point.flatMap(Self.time(in:))
                restores.append(Restore(what: e.text, drill: drill, startedAt: e.time, point: point, pointAt: pointAt,
                                        pointApproximate: point?.contains("about") == true || point?.hasPrefix("latest") == true,
                                        snapshot: Self.snapshot(in: e.text), snapshotAt: Self.snapshotTime(in: e.text) ?? (drill ? nil : lastSnapshotAt),
                                        rpoSeconds: nil, databaseFilesGapSeconds: nil,
                                        verifiedAt: nil, finishedAt: nil, failed: false, rtoSeconds: nil, rtoBasis: "", source: e.source))
                lastPoint = nil
                lastSnapshotAt = nil
            case .verification(let passed):
                guard let i = restores.indices.last else { continue }
                if passed { restores[i].verifiedAt = restores[i].verifiedAt ?? e.time } else { restores[i].failed = true }
            case .restoreFinished(let passed), .drill(let passed?):
                guard let i = restores.indices.last else { continue }
                restores[i].finishedAt = e.time
                restores[i].failed = restores[i].failed || !passed
                if case .drill = e.fact, let recovered = Self.time(in: e.text.components(separatedBy: "recovered to ").dropFirst().first ?? "") {
                    restores[i].pointAt = recovered
                    restores[i].point = UTCTime.rfc3339(recovered)
                    restores[i].pointApproximate = false
                }
            case .restoreStepFinished(_, let passed):
                guard let i = restores.indices.last else { continue }
                if !passed { restores[i].failed = true; restores[i].finishedAt = e.time }
                // The app's check after a restore (`restore step N done: verification passed: …`).
                if passed, e.text.lowercased().contains(": verification passed") { restores[i].verifiedAt = restores[i].verifiedAt ?? e.time }
            default:
                continue
            }
        }
        if !restores.isEmpty { close(restores.count - 1) }
        return restores
    }

    /// The restore point named in `text`: after `point `, ` to ` (not `to get back`), or `recovered to `.
    static func point(in text: String) -> String? {
        for marker in ["recovered to ", "point ", " to "] {
            guard let r = text.range(of: marker) else { continue }
            var rest = String(text[r.upperBound...])
            if rest.hasPrefix("get back") { continue }
            if let cut = rest.range(of: " chosen") { rest = String(rest[..<cut.lowerBound]) }
            if let cut = rest.range(of: ", files from") { rest = String(rest[..<cut.lowerBound]) }
            let trimmed = rest.trimmingCharacters(in: .whitespaces)
            if !trimmed.isEmpty { return trimmed }
        }
        return nil
    }

    /// The first time in `text`: an RFC 3339 stamp, or `YYYY-MM-DD HH:MM ZONE (HH:MM:SSZ)` as the wizard echoes a point.
    static func time(in text: String) -> Double? {
        let words = text.split(whereSeparator: { $0 == " " || $0 == "(" || $0 == ")" || $0 == "," }).map(String.init)
        for word in words where word.count >= 20 {
            if let t = UTCTime.parse(word) { return t }
        }
        if let date = words.first(where: { $0.count == 10 && UTCTime.parse("\($0)T00:00:00Z") != nil }),
           let clock = words.first(where: { $0.count == 9 && $0.hasSuffix("Z") && $0.filter { $0 == ":" }.count == 2 }) {
            return UTCTime.parse("\(date)T\(clock)")
        }
        return nil
    }

    /// When the files' snapshot was taken: the RFC 3339 time after ` taken ` in a text naming a snapshot.
    static func snapshotTime(in text: String) -> Double? {
        guard text.contains("snapshot"), let r = text.range(of: " taken ") else { return nil }
        return time(in: String(text[r.upperBound...].prefix(40)))
    }

    static func snapshot(in text: String) -> String? {
        guard let r = text.range(of: "snapshot ") else { return nil }
        let id = text[r.upperBound...].prefix { $0.isHexDigit }
        return id.count >= 8 ? String(id) : nil
    }

    /// What is still open: the incident itself, a restore Lease held, commands left to run, a
    /// drill's scratch cluster, a paused Argo CD Application, a hibernated cluster, a stale drill.
    static func followUps(_ entries: [JournalEntry], report: IncidentReport, lastOverall: Verdict?, now: Double) -> [String] {
        var items: [String] = []
        if report.open {
            items.append("The incident is not over: overall \(lastOverall?.label ?? "not OK") at the last verdict; still not OK: "
                         + report.impact.filter { $0.backToOK == nil }.map { "\($0.check) (\($0.reason))" }.joined(separator: ", "))
        }
        var lease: JournalEntry?
        var argoPaused: JournalEntry?
        var hibernated: JournalEntry?
        var drillCluster: (String, JournalEntry)?
        var commands: JournalEntry?
        for e in entries {
            let lower = e.wholeText.lowercased()
            switch e.fact {
            case .lease:
                lease = lower.contains("taken") && !lower.contains("given back") ? e : nil
            case .argo:
                if lower.contains("resum") || lower.contains("undo") || lower.contains("undone") || lower.contains("re-enabled") || lower.contains("restored") {
                    argoPaused = nil
                } else if lower.contains("pause") {
                    argoPaused = e
                }
            case .drill(passed: .some):
                let name = e.text.components(separatedBy: ": ").dropFirst().first?.split(separator: " ").first.map(String.init)
                if let name { drillCluster = (name, e) }
            case .commandsToRun:
                commands = e
            case .restoreNote:
                if lower.hasPrefix("database drill cleanup"), lower.contains("confirmed") || lower.contains("deleted") { drillCluster = nil }
            default:
                break
            }
            if lower.contains("hibernat") { hibernated = lower.contains("woken") || lower.contains("deleted") || lower.contains("removed") ? nil : e }
        }
        if let lease { items.append("The restore Lease was taken at \(UTCTime.rfc3339(lease.time)) and its return is not journaled (\(lease.source)): check `kubectl get lease` before the next restore.") }
        if let argoPaused { items.append("An Argo CD pause has no undo in the journal (\(argoPaused.source)): \(argoPaused.wholeText)") }
        if let hibernated { items.append("A hibernated cluster is still journaled as such (\(hibernated.source)): \(hibernated.wholeText)") }
        if let (name, e) = drillCluster { items.append("The drill's scratch cluster \(name) has no cleanup in the journal (\(e.source)): delete it when done.") }
        if let commands { items.append("Commands were left for the operator to run; their running is not journaled (\(commands.source)): " + commands.details.joined(separator: "; ")) }
        if let record = report.cluster.record {
            if let passed = record.lastPassed?.finished {
                if now - passed > drillAgeLimit {
                    items.append("The last database drill that passed is \(UTCTime.humanDuration(now - passed)) old (over \(UTCTime.humanDuration(drillAgeLimit))): run `paperctl-tui restore drill db`.")
                }
            } else {
                items.append("No database drill has passed on record: run `paperctl-tui restore drill db`.")
            }
        }
        return items
    }

    static func missing(_ report: IncidentReport, _ entries: [JournalEntry]) -> [String] {
        var facts: [String] = []
        let unlogged = report.actions.filter { $0.command != nil && $0.logged == nil && !$0.leftToRun }.count
        if unlogged > 0 {
            facts.append("Exit status and duration of \(unlogged) journaled command\(unlogged == 1 ? "" : "s"): no command log record matches "
                         + "(the restore CLI of versions before this one kept none, and older versions kept no command log file).")
        }
        for r in report.restores where r.snapshot != nil && r.snapshotAt == nil {
            facts.append("The time of restic snapshot \(r.snapshot ?? ""): the journal names the snapshot, not when it was taken, so the files' RPO and the database–files gap are unknown.")
        }
        for r in report.restores where !r.drill && r.pointAt == nil && r.snapshot == nil {
            facts.append("The restore point of \"\(r.what)\": not journaled as a time.")
        }
        return facts
    }
}
