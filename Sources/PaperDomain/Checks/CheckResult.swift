// MARK: - CheckResult

/// One check's answer: verdict, a one-line reason with numbers, the evidence, and the
/// runbook's next step with the exact command.
public struct CheckResult: Sendable, Equatable, Codable {
    public var id: CheckID
    public var verdict: Verdict
    public var reason: String
    public var evidence: [String]
    public var hint: String?
    public var command: String?
    /// What failed, in the failing program's own words: the cause's kind, its evidence line
    /// (redacted) and the next step. Set when a log or status message says more than a code.
    public var cause: Cause?

    public struct Cause: Sendable, Equatable, Codable {
        public var kind: String
        public var evidence: String
        public var nextStep: String
        /// Where the evidence was read (`log of pod …`, `Backup … status.error`).
        public var source: String

        public init(kind: String, evidence: String, nextStep: String, source: String) {
            self.kind = kind
            self.evidence = Redactor.redact(evidence)
            self.nextStep = Redactor.redact(nextStep)
            self.source = source
        }
    }

    public init(id: CheckID, verdict: Verdict, reason: String, evidence: [String] = [], hint: String? = nil, command: String? = nil, cause: Cause? = nil) {
        self.cause = cause
        self.id = id
        self.verdict = verdict
        self.reason = Redactor.redact(reason)
        self.evidence = evidence.map(Redactor.redact)
        self.hint = hint.map(Redactor.redact)
        self.command = command.map(Redactor.redact)
    }

    enum CodingKeys: String, CodingKey { case id, title, verdict, reason, evidence, hint, command, cause }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(id.title, forKey: .title)
        try c.encode(verdict, forKey: .verdict)
        try c.encode(reason, forKey: .reason)
        try c.encode(evidence, forKey: .evidence)
        try c.encode(hint, forKey: .hint)
        try c.encode(command, forKey: .command)
        try c.encode(cause, forKey: .cause)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(CheckID.self, forKey: .id)
        verdict = try c.decode(Verdict.self, forKey: .verdict)
        reason = try c.decode(String.self, forKey: .reason)
        evidence = try c.decodeIfPresent([String].self, forKey: .evidence) ?? []
        hint = try c.decodeIfPresent(String.self, forKey: .hint)
        command = try c.decodeIfPresent(String.self, forKey: .command)
        cause = try c.decodeIfPresent(Cause.self, forKey: .cause)
    }
}
