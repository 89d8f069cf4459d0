import PaperKube

// MARK: - LogLine

/// One line of `kubectl logs --timestamps`: the kubelet's RFC 3339 stamp and the text.
///
/// The one parser of such lines: the snapshot, the app log feed and the log tail all split with it.
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
        if let stamped = Self.split(raw) {
            time = stamped.time
            text = String(stamped.text)
        } else {
            time = nil
            text = String(raw)
        }
    }

    /// The stamp as kubectl printed it (what `--since-time` takes back), its time and the text
    /// after the space; `nil` when `raw` does not start with an RFC 3339 stamp and a space.
    public static func split(_ raw: Substring) -> (stamp: Substring, time: Double, text: Substring)? {
        guard let space = raw.firstIndex(of: " ") else { return nil }
        let stamp = raw[raw.startIndex..<space]
        guard let time = UTCTime.parse(String(stamp)) else { return nil }
        return (stamp, time, raw[raw.index(after: space)...])
    }

    /// Every non-empty line of a `kubectl logs --timestamps` output.
    public static func parse(_ output: String) -> [LogLine] {
        output.split(whereSeparator: \.isNewline).filter { !$0.isEmpty }.map(LogLine.init(parsing:))
    }

    /// How bad the line says things are.
    public var level: LogLevel { LogLevel(classifying: text) }
}
