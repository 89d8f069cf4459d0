import Foundation
import PaperKube

// MARK: - JournalEntry

/// One entry of the incident journal (`- 2026-12-06T08:00:00Z text`, then its continuation
/// lines), read back for the post-incident report. Every text is redacted and terminal-safe.
public struct JournalEntry: Sendable, Equatable {
    public var time: Double
    /// The first line, after the time stamp.
    public var text: String
    /// The continuation lines, without their two-space indent.
    public var body: [String]
    /// The journal file's name (`2026-12-06.md`) and the entry's first line number.
    public var file: String
    public var line: Int
    public var fact: JournalFact

    public init(time: Double, text: String, body: [String], file: String, line: Int) {
        self.time = time
        self.text = text
        self.body = body
        self.file = file
        self.line = line
        fact = JournalFact.read(text, body: body)
    }

    /// `journal 2026-12-06.md:14`.
    public var source: String { "journal \(file):\(line)" }

    /// The command quoted in backticks on a continuation line (`action confirmed`, `restore step N started`), else nil.
    public var command: String? {
        for line in body {
            let t = line.trimmingCharacters(in: .whitespaces)
            // The redactor may have masked up to the closing backtick (`--password=***`).
            if t.count > 2, t.hasPrefix("`") { return String(t.dropFirst().dropLast(t.hasSuffix("`") ? 1 : 0)) }
        }
        return nil
    }

    /// The continuation lines but the command, trimmed.
    public var details: [String] {
        let quoted = command.map { "`\($0)" }
        return body.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !(quoted.map($0.hasPrefix) ?? false) }
    }

    /// The text with its continuation lines but the command, one line.
    public var wholeText: String { ([text] + details).joined(separator: " ") }
}

// MARK: - CheckVerdict

/// One check's verdict as the journal recorded it.
public struct CheckVerdict: Sendable, Equatable {
    /// The check's id (`pods`, `db-backups`; a newer version's id is kept as written).
    public var check: String
    public var verdict: Verdict
    public var reason: String

    public init(check: String, verdict: Verdict, reason: String) {
        self.check = check
        self.verdict = verdict
        self.reason = reason
    }

    /// The check's title, or its id when this version does not know it.
    public var title: String { CheckID(rawValue: check)?.title ?? check }
}

// MARK: - JournalFact

/// What a journal entry says, as far as the report needs to know.
public enum JournalFact: Sendable, Equatable {
    case sessionStarted
    case sessionEnded
    /// The verdicts a session started with (`overall` nil when it cannot be read).
    case verdictsAtStart(overall: Verdict?, checks: [CheckVerdict])
    case verdictChange(CheckVerdict, from: Verdict)
    case actionConfirmed(title: String)
    case actionCancelled(title: String)
    /// `result: ok|failed|unknown — message`.
    case actionResult(outcome: String, message: String)
    /// A Job or Backup started from a key has finished (or a force-sync landed or did not).
    case objectFinished(name: String, passed: Bool)
    /// A restore, drill or unlock was confirmed (it changes the cluster from here on).
    case restoreConfirmed
    case restoreStepStarted(Int)
    case restoreStepFinished(Int, passed: Bool)
    case restoreFinished(passed: Bool)
    /// The restore point was chosen (`restore db: point … chosen`, `restore both: point …`).
    case restorePoint
    case lease
    case safetyBackup
    /// A database drill's outcome (nil: unknown).
    case drill(passed: Bool?)
    case argo
    case verification(passed: Bool)
    /// Commands left for the operator to run (what next, the cutover, the way back).
    case commandsToRun
    /// Another line of the restore wizard, the restore CLI or restic unlock.
    case restoreNote
    /// Written by another version, or not a line this version knows.
    case unknown

    /// Reads what `text` (the entry's first line) and its continuation lines say.
    static func read(_ text: String, body: [String]) -> JournalFact {
        let lower = text.lowercased()
        if lower.hasPrefix("session started") { return .sessionStarted }
        if lower.hasPrefix("session ended") { return .sessionEnded }
        if lower.hasPrefix("verdicts at start") {
            let overall = text.range(of: ": overall ").map { String(text[$0.upperBound...]).split(separator: " ").first.map(String.init) ?? "" }.flatMap(Self.verdict)
            let checks = body.compactMap { line -> CheckVerdict? in
                let t = line.trimmingCharacters(in: .whitespaces)
                guard t.hasPrefix("- ") else { return nil }
                return Self.checkVerdict(String(t.dropFirst(2)))
            }
            return .verdictsAtStart(overall: overall, checks: checks)
        }
        if let change = Self.verdictChange(text) { return change }
        if lower.hasPrefix("action confirmed: ") { return .actionConfirmed(title: String(text.dropFirst("action confirmed: ".count))) }
        if lower.hasPrefix("action cancelled: ") { return .actionCancelled(title: String(text.dropFirst("action cancelled: ".count))) }
        if lower.hasPrefix("result: ") {
            let rest = text.dropFirst("result: ".count)
            let word = rest.prefix { $0 != " " }
            let message = rest.range(of: " — ").map { String(rest[$0.upperBound...]) } ?? ""
            return .actionResult(outcome: String(word), message: message)
        }
        if lower.hasPrefix("restore step ") {
            let words = lower.split(separator: " ")
            if words.count >= 4, let n = Int(words[2]) {
                if words[3].hasPrefix("started") { return .restoreStepStarted(n) }
                if words[3].hasPrefix("done") { return .restoreStepFinished(n, passed: true) }
                return .restoreStepFinished(n, passed: false)
            }
        }
        if lower.contains("argo cd") || lower.contains("argocd") { return .argo }
        if lower.contains("verif") {
            return .verification(passed: !(lower.contains("fail") || lower.contains("mismatch") || lower.contains("differ")))
        }
        if lower.contains("safety backup") { return .safetyBackup }
        if lower.hasPrefix("database drill passed") { return .drill(passed: true) }
        if lower.hasPrefix("database drill failed") { return .drill(passed: false) }
        if lower.hasPrefix("database drill outcome unknown") { return .drill(passed: nil) }
        if lower.contains("what next") || lower.contains("yours to run") || lower.contains("to get back") { return .commandsToRun }
        if lower.contains("lease") { return .lease }
        if lower.contains(" confirmed") && (lower.hasPrefix("restore") || lower.hasPrefix("database drill") || lower.hasPrefix("restic unlock")) {
            return lower.contains("cleanup") ? .restoreNote : .restoreConfirmed
        }
        if lower.hasPrefix("restore finished") || lower.hasPrefix("restore files finished") { return .restoreFinished(passed: true) }
        if lower.hasPrefix("restore db: point") || lower.hasPrefix("restore both: point") { return .restorePoint }
        if lower.hasPrefix("restore db: ") && !lower.hasPrefix("restore db: window") && !lower.hasPrefix("restore db: dry run") {
            if lower.contains("fail") { return .restoreFinished(passed: false) }
            if lower.contains("healthy") { return .restoreFinished(passed: true) }
        }
        for kind in ["file backup job ", "database backup "] where lower.hasPrefix(kind) {
            let name = text.dropFirst(kind.count).prefix { $0 != " " }
            if lower.contains(" completed: ") { return .objectFinished(name: String(name), passed: true) }
            if lower.contains(" failed: ") || lower.contains(" failed") { return .objectFinished(name: String(name), passed: false) }
        }
        if lower.hasPrefix("externalsecret ") {
            let name = text.dropFirst("ExternalSecret ".count).prefix { $0 != " " }
            return .objectFinished(name: String(name), passed: lower.contains(" synced at "))
        }
        if lower.hasPrefix("restore") || lower.hasPrefix("restic") || lower.hasPrefix("database drill") { return .restoreNote }
        return .unknown
    }

    static func verdict(_ label: String) -> Verdict? { Verdict.allCases.first { $0.label == label } }

    /// `pods: CRIT — reason` (a line of `verdicts at start`).
    static func checkVerdict(_ text: String) -> CheckVerdict? {
        guard let colon = text.range(of: ": ") else { return nil }
        let id = String(text[..<colon.lowerBound])
        guard isCheckID(id) else { return nil }
        let rest = text[colon.upperBound...]
        let label = rest.range(of: " — ").map { String(rest[..<$0.lowerBound]) } ?? String(rest)
        guard let verdict = verdict(label) else { return nil }
        return CheckVerdict(check: id, verdict: verdict, reason: rest.range(of: " — ").map { String(rest[$0.upperBound...]) } ?? "")
    }

    /// `pods: OK → CRIT — reason`.
    static func verdictChange(_ text: String) -> JournalFact? {
        guard let colon = text.range(of: ": "), let arrow = text.range(of: " → ") else { return nil }
        let id = String(text[..<colon.lowerBound])
        guard isCheckID(id), colon.upperBound <= arrow.lowerBound, let from = verdict(String(text[colon.upperBound..<arrow.lowerBound])) else { return nil }
        let rest = text[arrow.upperBound...]
        let label = rest.range(of: " — ").map { String(rest[..<$0.lowerBound]) } ?? String(rest)
        guard let to = verdict(label) else { return nil }
        return .verdictChange(CheckVerdict(check: id, verdict: to, reason: rest.range(of: " — ").map { String(rest[$0.upperBound...]) } ?? ""), from: from)
    }

    static func isCheckID(_ id: String) -> Bool {
        !id.isEmpty && id.count <= 40 && id.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
    }
}

// MARK: - UnreadableLine

/// A journal line the report could not use, and why.
public struct UnreadableLine: Sendable, Equatable {
    public var file: String
    public var line: Int
    /// The line, redacted, terminal-safe and cut to 160 characters.
    public var text: String
    public var why: String

    public init(file: String, line: Int, text: String, why: String) {
        self.file = file
        self.line = line
        self.text = text
        self.why = why
    }
}

// MARK: - IncidentJournal

/// The journal files read back: their entries in time order, and the lines that could not be read.
public struct IncidentJournal: Sendable, Equatable {
    public var entries: [JournalEntry] = []
    public var unreadable: [UnreadableLine] = []
    /// The action commands of the command log files, in time order.
    public var commands: [CommandLogEntry] = []
    /// The files read, by name.
    public var files: [String] = []

    public init() {}

    /// Adds one file's text (`file`: its name, for the sources).
    public mutating func add(_ text: String, file: String) {
        files.append(file)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        // A file that does not end with a newline was cut off in the middle of its last line.
        let cutOff = !text.isEmpty && !text.hasSuffix("\n")
        var current: (time: Double, text: String, body: [String], line: Int)?
        func flush() {
            if let c = current { entries.append(JournalEntry(time: c.time, text: c.text, body: c.body, file: file, line: c.line)) }
            current = nil
        }
        for (index, raw) in lines.enumerated() {
            let number = index + 1
            let line = Self.clean(raw)
            if cutOff && index == lines.count - 1 {
                unreadable.append(UnreadableLine(file: file, line: number, text: Self.shown(line), why: "cut off (the file does not end with a newline); left out"))
                continue
            }
            if line.hasPrefix("- "), let first = line.dropFirst(2).first, first.isNumber {
                let stamp = line.dropFirst(2).prefix { $0 != " " }
                if let time = UTCTime.parse(String(stamp)) {
                    flush()
                    current = (time, String(line.dropFirst(2 + stamp.count).drop { $0 == " " }), [], number)
                } else {
                    unreadable.append(UnreadableLine(file: file, line: number, text: Self.shown(line), why: "its time stamp \"\(Self.shown(String(stamp)))\" is not RFC 3339"))
                }
                continue
            }
            if current != nil {
                if !line.isEmpty { current?.body.append(line.hasPrefix("  ") ? String(line.dropFirst(2)) : line) }
                continue
            }
            if line.isEmpty || (index == 0 && line.hasPrefix("# paperctl incident journal")) { continue }
            unreadable.append(UnreadableLine(file: file, line: number, text: Self.shown(line), why: "not part of any entry"))
        }
        flush()
        entries = entries.enumerated().sorted { ($0.element.time, $0.offset) < ($1.element.time, $1.offset) }.map(\.element)
    }

    /// The entries whose text this version does not know (written by another version, or damaged).
    public var notUnderstood: [JournalEntry] { entries.filter { $0.fact == .unknown } }

    static func clean(_ line: String) -> String { TerminalText.safe(Redactor.redact(line)) }

    static func shown(_ text: String) -> String { text.count > 160 ? String(text.prefix(159)) + "…" : text }
}

// MARK: - Reading a journal directory

extension IncidentJournal {
    /// The journal files of the window's days in `directory` (the day before `since` too, for the
    /// verdicts that carried into it), or without `since` the newest 31 up to `until`, each with
    /// the command log file kept beside it.
    public static func read(directory: String, since: Double?, until: Double) -> IncidentJournal {
        var journal = IncidentJournal()
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
            .filter { $0.count == 13 && $0.hasSuffix(".md") && UTCTime.parse("\($0.prefix(10))T00:00:00Z") != nil }.sorted()
        let lastDay = String(UTCTime.rfc3339(until).prefix(10))
        var chosen = names.filter { String($0.prefix(10)) <= lastDay }
        if let since {
            let firstDay = String(UTCTime.rfc3339(since - 86_400).prefix(10))
            chosen = chosen.filter { String($0.prefix(10)) >= firstDay }
        } else {
            chosen = Array(chosen.suffix(31))
        }
        for name in chosen {
            guard let data = FileManager.default.contents(atPath: "\(directory)/\(name)") else {
                journal.unreadable.append(UnreadableLine(file: name, line: 0, text: "", why: "the file cannot be read"))
                continue
            }
            journal.add(String(decoding: data, as: UTF8.self), file: name)
            let commands = LoggedCommand.path(forJournal: name)
            if let log = FileManager.default.contents(atPath: "\(directory)/\(commands)") {
                journal.addCommandLog(String(decoding: log, as: UTF8.self), file: commands)
            }
        }
        return journal
    }
}
