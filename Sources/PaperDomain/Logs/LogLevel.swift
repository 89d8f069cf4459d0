// MARK: - LogLevel

/// How bad a log line says things are, read from its text: the one classifier behind the logs
/// check's "other error" groups, the log tail's highlighting and the logs panel's rows.
public enum LogLevel: Int, Sendable, Comparable, CaseIterable {
    case plain
    /// Mentions a warning (`WARN`, `WARNING`, any case).
    case warn
    /// Reports a failure without a logger's ERROR marker: a traceback, an exception, `fatal`,
    /// `Error 111`. Shown as an error, but not counted as one (a traceback is context of the
    /// error line it follows).
    case mentionsError
    /// Logged at ERROR or CRITICAL: a Python (`[ERROR]`, `] ERROR `) or Celery (`: ERROR/`) marker.
    case error

    /// Classifies `line` (the text, without the kubelet's stamp).
    ///
    /// Byte search on UTF-8 with ASCII case folding: this runs over an hour of log on every
    /// refresh and over every line the tail receives.
    public init(classifying line: some StringProtocol) {
        let bytes = Array(line.utf8)
        if Self.errorMarkers.contains(where: bytes.containsBytes) {
            self = .error
            return
        }
        let upper = bytes.map { $0 >= 97 && $0 <= 122 ? $0 - 32 : $0 }
        if Self.errorWords.contains(where: upper.containsBytes) {
            self = .mentionsError
        } else if upper.containsBytes(Self.warnWord) {
            self = .warn
        } else {
            self = .plain
        }
    }

    /// True for `error` and `mentionsError`: what a view highlights as an error.
    public var showsAsError: Bool { self >= .mentionsError }

    public static func < (lhs: LogLevel, rhs: LogLevel) -> Bool { lhs.rawValue < rhs.rawValue }

    /// Level markers of Python's `logging` and Celery, case as written.
    static let errorMarkers: [[UInt8]] = ["[ERROR]", "[CRITICAL]", ": ERROR/", "ERROR/MainProcess", "] ERROR "].map { Array($0.utf8) }
    /// Upper-case words that report a failure.
    static let errorWords: [[UInt8]] = ["ERROR", "FATAL", "TRACEBACK", "EXCEPTION"].map { Array($0.utf8) }
    static let warnWord = Array("WARN".utf8)
}
