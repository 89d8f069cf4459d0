import PaperDomain

// MARK: - CommandRecord

/// One kubectl run, for the command log overlay.
public struct CommandRecord: Sendable, Equatable {
    public var startedAt: Double
    public var duration: Double
    public var commandLine: String
    public var exitStatus: Int32?
    public var isAction: Bool
    public var title: String?

    public init(startedAt: Double, duration: Double, commandLine: String, exitStatus: Int32?, isAction: Bool, title: String? = nil) {
        self.startedAt = startedAt
        self.duration = duration
        self.commandLine = commandLine
        self.exitStatus = exitStatus
        self.isAction = isAction
        self.title = title
    }
}

// MARK: - ActionOutcome

/// What came back from running an action.
public struct ActionOutcome: Sendable, Equatable {
    public var plan: ActionPlan
    public var succeeded: Bool
    /// kubectl's one-line answer or error, redacted.
    public var message: String
    /// kubectl timed out: the action may or may not have happened.
    public var unknown: Bool

    public init(plan: ActionPlan, succeeded: Bool, message: String, unknown: Bool = false) {
        self.plan = plan
        self.succeeded = succeeded
        self.message = message
        self.unknown = unknown && !succeeded
    }
}
