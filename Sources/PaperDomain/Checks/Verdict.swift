// MARK: - Verdict

/// The outcome of one check, ordered by how loudly it should be reported.
public enum Verdict: String, Sendable, Codable, CaseIterable, Comparable {
    case ok, unknown, warn, critical

    /// Nagios/monitoring-plugins exit status: 0 ok, 1 warn, 2 critical, 3 unknown.
    public var exitCode: Int32 {
        switch self {
        case .ok: 0
        case .warn: 1
        case .critical: 2
        case .unknown: 3
        }
    }

    /// Upper-case label for tables; state is never carried by colour alone.
    public var label: String {
        switch self {
        case .ok: "OK"
        case .warn: "WARN"
        case .critical: "CRIT"
        case .unknown: "UNKNOWN"
        }
    }

    var severity: Int {
        switch self {
        case .ok: 0
        case .unknown: 1
        case .warn: 2
        case .critical: 3
        }
    }

    public static func < (lhs: Verdict, rhs: Verdict) -> Bool { lhs.severity < rhs.severity }

    /// The overall verdict: critical beats warn beats unknown beats ok.
    public static func overall(_ verdicts: [Verdict]) -> Verdict { verdicts.max() ?? .unknown }
}
