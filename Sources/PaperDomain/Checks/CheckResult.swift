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

    public init(id: CheckID, verdict: Verdict, reason: String, evidence: [String] = [], hint: String? = nil, command: String? = nil) {
        self.id = id
        self.verdict = verdict
        self.reason = Redactor.redact(reason)
        self.evidence = evidence.map(Redactor.redact)
        self.hint = hint.map(Redactor.redact)
        self.command = command
    }

    enum CodingKeys: String, CodingKey { case id, title, verdict, reason, evidence, hint, command }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(id.title, forKey: .title)
        try c.encode(verdict, forKey: .verdict)
        try c.encode(reason, forKey: .reason)
        try c.encode(evidence, forKey: .evidence)
        try c.encode(hint, forKey: .hint)
        try c.encode(command, forKey: .command)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(CheckID.self, forKey: .id)
        verdict = try c.decode(Verdict.self, forKey: .verdict)
        reason = try c.decode(String.self, forKey: .reason)
        evidence = try c.decodeIfPresent([String].self, forKey: .evidence) ?? []
        hint = try c.decodeIfPresent(String.self, forKey: .hint)
        command = try c.decodeIfPresent(String.self, forKey: .command)
    }
}
