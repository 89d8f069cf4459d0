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
    /// A followed command (a watch, a log): the records of one stream share this and replace
    /// each other, so a stream is one line whatever its length.
    public var streamID: Int?
    /// Lines (watch events, log lines) a stream has delivered so far.
    public var lines: Int?
    /// Carried by the dashboard's read-only `kubectl proxy`: the line shows the equivalent
    /// `kubectl get --raw` command, and no process ran.
    public var viaProxy = false
    /// How many times this same background read ran in a row (among the last few lines): a
    /// periodic read is one line that moves down, not a flood that pushes the actions away.
    public var repeats = 1
    /// Not a command but an event of the dashboard's own (the watches ending and polling taking
    /// over): the word shown where a command's exit status goes, and the whole reason as the line.
    public var note: String?
    /// What an action's kubectl said it did to which object ("job.batch/manual-backup-xyz created"), redacted.
    public var result: String?

    public init(startedAt: Double, duration: Double, commandLine: String, exitStatus: Int32?, isAction: Bool, title: String? = nil,
                streamID: Int? = nil, lines: Int? = nil, viaProxy: Bool = false) {
        self.streamID = streamID
        self.lines = lines
        self.viaProxy = viaProxy
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
