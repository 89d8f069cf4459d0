import PaperDomain
import PaperKube

// MARK: - ObjectViewState

/// One object opened from its panel row (Enter), the way k9s opens a row: what the panel said
/// of it, a Job's log tail, the object's events, and its manifest with credentials masked.
public struct ObjectViewState: Sendable, Equatable {
    /// A part read when the view opens.
    public enum Part: Sendable, Equatable {
        case loading
        case loaded(String)
        case failed(String)
    }

    public var subject: PanelRow.Subject
    /// The row as the panel showed it.
    public var summary: String
    public var generation: Int
    public var manifest: Part = .loading
    /// A Job's log tail (its newest pod's), nil for objects without one.
    public var log: Part?
    /// Which pod and container the log tail is from.
    public var logSource: String?
    public var scroll = 0

    public init(subject: PanelRow.Subject, summary: String, generation: Int) {
        self.subject = subject
        self.summary = summary
        self.generation = generation
    }
}

// MARK: - ObjectReadRequest

/// What the object view reads when it opens: the manifest (`kubectl get KIND/NAME -o json`)
/// and, for a Job, its pod's log tail (the refresh's cached one when it has it).
public struct ObjectReadRequest: Sendable, Equatable {
    public var manifest: [String]
    public var log: LogTailRead?

    /// A finished pod's log tail: the same read and cache the refresh uses for a failed Job's cause.
    public struct LogTailRead: Sendable, Equatable {
        public var pod: String
        public var container: String
        /// The pod's UID (or name): the key the refresh caches a finished pod's log under.
        public var cacheKey: String
        public var finished: Bool
        public var tailLines: Int

        public init(pod: String, container: String, cacheKey: String, finished: Bool, tailLines: Int = 40) {
            self.pod = pod
            self.container = container
            self.cacheKey = cacheKey
            self.finished = finished
            self.tailLines = tailLines
        }
    }

    public init(manifest: [String], log: LogTailRead? = nil) {
        self.manifest = manifest
        self.log = log
    }
}

/// What came back: the manifest as masked YAML, the log tail redacted.
public struct ObjectReadResult: Sendable, Equatable {
    public var manifest: ObjectViewState.Part
    public var log: ObjectViewState.Part?

    public init(manifest: ObjectViewState.Part, log: ObjectViewState.Part? = nil) {
        self.manifest = manifest
        self.log = log
    }
}

// MARK: - ObjectMode

/// The object view: scroll, and the keys it names (`l` tails the object's pod, `u`, `f`, `b`, `B`
/// do what they do on the dashboard, confirmed first).
enum ObjectMode {
    /// Opens the view of the selected row's object, or nil when the row stands for none.
    static func open(_ state: inout AppState) -> ModeStep? {
        guard let row = DashboardMode.selectedRow(state), let subject = row.subject, let data = state.data.data, let facts = data.actions else { return nil }
        var view = ObjectViewState(subject: subject, summary: row.text, generation: state.nextGeneration())
        var request = ObjectReadRequest(manifest: facts.target.globalArguments + ["get", subject.resource, "-o", "json"])
        if case .job(let name) = subject {
            if let cached = data.failedJobLog, cached.job == name {
                // The refresh read it for the cause: shown at once, not read again.
                view.logSource = "pod \(cached.pod), container \(cached.container)"
                switch cached.log {
                case .success(let text): view.log = .loaded(Redactor.redact(text))
                case .failure(let error): view.log = .failed(Redactor.redact(error.description))
                }
            } else if let pod = BackupJobs.newestPod(ofJob: name, in: facts.jobPods + data.pods),
                      let container = pod.containerNames.first(where: { !facts.config.app.sidecars.contains($0) }) {
                view.logSource = "pod \(pod.metadata.name), container \(container)"
                view.log = .loading
                request.log = ObjectReadRequest.LogTailRead(pod: pod.metadata.name, container: container, cacheKey: pod.metadata.uid ?? pod.metadata.name,
                                                            finished: pod.phase == .succeeded || pod.phase == .failed)
            } else {
                view.log = .failed("the Job has no pod (any more): its log is gone with it")
            }
        }
        return ModeStep(.push(.object(view)), [.readObject(request, generation: view.generation)])
    }

    /// The read finished: fills the view it was started for (it may be under an overlay).
    static func received(_ state: inout AppState, generation: Int, _ result: ObjectReadResult) {
        guard let i = state.stack.lastIndex(where: { if case .object(let v) = $0 { v.generation == generation } else { false } }),
              case .object(var view) = state.stack[i] else { return }
        view.manifest = result.manifest
        if let log = result.log { view.log = log }
        state.stack[i] = .object(view)
    }

    static func update(_ view: inout ObjectViewState, _ state: inout AppState, _ intent: Intent) -> ModeStep {
        let body = PanelLayout.body(state)
        let page = max(1, body.height - 3)
        let last = max(0, wrap(lines(state, view), width: body.width - 4).count - (body.height - 2))
        switch intent {
        case .scroll(let how): view.scroll = DetailMode.scrolled(view.scroll, how, last: last, page: page)
        case .back: return .pop
        case .openLogs:
            return LogTailMode.open(view.subject, &state)
                ?? ModeStep(.push(.dialog(DialogState(notice: "Log tail", "\(view.subject.reference) has no log of its own: l tails pods and Jobs."))))
        case .restoreUnlock, .fileBackup, .databaseBackup, .forceSync:
            // What the dashboard does with the key, on this object's panel and row (still selected there).
            return DashboardMode.update(&state, intent)
        default: break
        }
        return .stay
    }

    /// The keys the view offers for its object, as it names them.
    static func keys(_ state: AppState, _ view: ObjectViewState) -> [String] {
        var keys: [String] = []
        switch view.subject {
        case .pod, .job: keys.append("l tails its log")
        case .externalSecret: keys.append("f force-syncs it")
        case .backup: keys.append("B starts another database backup")
        case .pvc: break
        }
        if case .job = view.subject {
            if let data = state.data.data, let (_, remedy) = Remedy.worst(data), remedy.key == "u" { keys.append("u unlocks the repository") }
            keys.append("b starts another file backup")
        }
        return keys + ["Esc back"]
    }

    static func lines(_ state: AppState, _ view: ObjectViewState) -> [(String, Role)] {
        var lines: [(String, Role)] = [(view.summary, .selection), ("Keys: " + keys(state, view).joined(separator: " · "), .keyHint), ("", .text)]
        if let log = view.log {
            lines.append(("Log tail\(view.logSource.map { " (\($0))" } ?? ""):", .title))
            lines += part(log, empty: "the log is empty").map { text in
                let level = LogLevel(classifying: text)
                return ("  " + text, level.showsAsError ? .logError : level == .warn ? .logWarn : .text)
            }
            lines.append(("", .text))
        }
        lines.append(("Events:", .title))
        let events = (state.data.data?.events ?? [])
            .filter { $0.involvedKind == view.subject.eventKind && $0.involvedName == view.subject.name }
            .sorted { ($0.lastSeen ?? 0) > ($1.lastSeen ?? 0) }
        if events.isEmpty { lines.append(("  none in the last refresh", .muted)) }
        for event in events.prefix(20) {
            let age = event.lastSeen.map { UTCTime.humanDuration(max(0, state.now - $0)) + " ago" } ?? ""
            let text = "  \(event.type ?? "-") \(event.reason ?? "-") ×\(event.count) \(age): \(Redactor.redact(event.message ?? ""))"
            lines.append((text, event.type == "Warning" ? .warn : .text))
        }
        lines.append(("", .text))
        lines.append(("Manifest (kubectl get \(view.subject.resource) -o yaml; env values and Secret data masked):", .title))
        lines += part(view.manifest, empty: "(empty)").map { ("  " + $0, Role.text) }
        return lines
    }

    /// A part's lines, or what it is waiting for or why it failed.
    static func part(_ part: ObjectViewState.Part, empty: String) -> [String] {
        switch part {
        case .loading: return ["reading…"]
        case .failed(let why): return ["could not be read: \(why)"]
        case .loaded(let text):
            let split = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            let trimmed = split.last == "" ? Array(split.dropLast()) : split
            return trimmed.isEmpty ? [empty] : trimmed
        }
    }

    static func render(_ buf: inout ScreenBuffer, _ state: AppState, _ view: ObjectViewState, _ g: Glyphs) {
        let body = PanelLayout.body(state)
        guard body.width >= 4, body.height >= 3 else { return }
        buf.box(x: body.x, y: body.y, width: body.width, height: body.height, role: .focus, glyphs: g)
        buf.put("\(view.subject.reference) (Esc back)", x: body.x + 2, y: body.y, role: .focus, maxWidth: body.width - 4)
        let lines = wrap(Self.lines(state, view), width: body.width - 4)
        let visible = body.height - 2
        let top = min(view.scroll, max(0, lines.count - visible))
        for i in 0..<visible where top + i < lines.count {
            let (text, role) = lines[top + i]
            buf.putTruncated(text, x: body.x + 2, y: body.y + 1 + i, role: role, width: body.width - 4, ellipsis: g.ellipsis)
        }
        if lines.count > visible {
            let info = " \(min(lines.count, top + visible))/\(lines.count) "
            buf.put(info, x: body.x + body.width - 1 - info.count, y: body.y + body.height - 1, role: .muted)
        }
    }
}
