import PaperKube

// MARK: - CommandLogState

/// Every kubectl command run, newest last, scrolled from the bottom.
public struct CommandLogState: Sendable, Equatable {
    public var scrollFromBottom = 0
    public init(scrollFromBottom: Int = 0) { self.scrollFromBottom = scrollFromBottom }
}

// MARK: - CommandLogMode

enum CommandLogMode {
    static func update(_ log: inout CommandLogState, _ state: inout AppState, _ intent: Intent) -> ModeStep {
        switch intent {
        case .scroll(.up): log.scrollFromBottom = min(max(0, state.commandLog.count - 1), log.scrollFromBottom + 1)
        case .scroll(.down): log.scrollFromBottom = max(0, log.scrollFromBottom - 1)
        case .back: return .pop
        default: break
        }
        return .stay
    }

    static func render(_ buf: inout ScreenBuffer, _ state: AppState, _ log: CommandLogState, _ g: Glyphs) {
        let lines: [(String, Role)] = state.commandLog.isEmpty ? [("No kubectl command has run yet.", .muted)] : state.commandLog.map { r in
            var status = r.note ?? r.exitStatus.map { "exit \($0)" } ?? "killed"
            var tail = r.viaProxy ? "  (via proxy)" : ""
            if r.streamID != nil {
                status = r.title ?? "stream"
                let n = r.lines ?? 0
                tail = "  · \(n) \(r.commandLine.contains("watch=1") ? "event" : "line")\(n == 1 ? "" : "s")" + tail
            }
            if r.repeats > 1 { tail += "  ×\(r.repeats)" }
            let time = String(UTCTime.rfc3339(r.startedAt).dropFirst(11).prefix(8))
            let text = "\(time) \(format1(r.duration).padded(6)) \(status.padded(7)) \(r.isAction ? "ACTION " : "")\(r.commandLine.replacingOccurrences(of: "\n", with: " "))\(tail)"
            return (text, r.isAction ? (r.exitStatus == 0 ? .ok : .critical) : r.note != nil ? .warn : .muted)
        }
        renderOverlay(&buf, state, g, title: "Command log: every kubectl run, newest last (actions highlighted; c/Esc closes)", lines: lines, scrollFromBottom: log.scrollFromBottom)
    }
}
