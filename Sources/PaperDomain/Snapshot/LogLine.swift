import PaperKube

// MARK: - LogLine

/// One line of `kubectl logs --timestamps`: the kubelet's RFC 3339 stamp and the text.
public struct LogLine: Sendable, Equatable {
    /// Seconds since the epoch, or `nil` when the line carried no parseable stamp.
    public var time: Double?
    public var text: String

    public init(time: Double?, text: String) {
        self.time = time
        self.text = text
    }

    /// Splits `2026-11-29T03:00:00.123456789Z message` into stamp and text.
    public init(parsing raw: Substring) {
        if let space = raw.firstIndex(of: " "), let stamp = UTCTime.parse(String(raw[raw.startIndex..<space])) {
            time = stamp
            text = String(raw[raw.index(after: space)...])
        } else {
            time = nil
            text = String(raw)
        }
    }

    /// Every non-empty line of a `kubectl logs --timestamps` output.
    public static func parse(_ output: String) -> [LogLine] {
        output.split(whereSeparator: \.isNewline).filter { !$0.isEmpty }.map(LogLine.init(parsing:))
    }
}
