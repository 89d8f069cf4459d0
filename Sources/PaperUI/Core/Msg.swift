import PaperDomain

// MARK: - Key

/// A key press, decoded by the backend.
public enum Key: Sendable, Equatable, Hashable {
    case char(Character)
    case up, down, left, right, pageUp, pageDown, home, end
    case tab, backTab, enter, escape, backspace
    case ctrlC
}

// MARK: - Msg

/// Everything that can happen to the app: keys, ticks, resizes, finished work.
///
/// Messages from long-running work carry the generation they were started with; a message of
/// an older generation (a log stream since replaced, an action from before) is ignored.
public enum Msg: Sendable, Equatable {
    case key(Key)
    case tick(now: Double)
    case resize(width: Int, height: Int)
    case refreshed(Result<DashboardData, RefreshError>, at: Double)
    /// A watch through the proxy saw objects change.
    case clusterChanged(at: Double)
    case commandRan(CommandRecord)
    case actionFinished(ActionOutcome, generation: Int, at: Double)
    case journalLoaded([String])
    /// A journal entry was not written, and why.
    case journalFailed(String)
    case logLines(generation: Int, [String])
    case logEnded(generation: Int, reason: String)
    /// What the object view read when it opened (its manifest, a Job's log tail).
    case objectRead(generation: Int, ObjectReadResult)
    /// A restore task's progress and outcome, under the generation the wizard gave it.
    case restoreProgress(generation: Int, RestoreExecutor.Progress)
    case restoreFinished(generation: Int, RestoreTaskResult)
    /// What happens while a plan runs (`RestoreTask.runPlan`): a step started, its progress, a
    /// Lease note, a step ended; its end comes as `.restoreFinished` with `.plan`.
    case restorePlanEvent(generation: Int, RestorePlanRunner.Event)
    /// The report asked for from the journal view was written (or why not).
    case reportWritten(ReportWriteOutcome)
}

extension RefreshError: Error {}

// MARK: - Effect

/// Work `update` asks the effect runner to do; `update` itself never does I/O.
public enum Effect: Sendable, Equatable {
    case refresh
    case quit
    /// Run a confirmed action (through the same kubectl runner as every read); its outcome
    /// comes back as `.actionFinished` with the same generation.
    case run(ActionPlan, generation: Int)
    /// Append an entry to today's incident journal.
    case journal(String)
    /// Read today's journal for the `J` overlay (answered with `.journalLoaded`).
    case loadJournal
    /// Write the post-incident report of the newest incident to a new file beside the journal,
    /// off the UI actor (answered with `.reportWritten`).
    case writeReport
    /// Start following a log (stopping any other stream).
    case startLogs(LogStreamRequest)
    case stopLogs
    /// Read an object's manifest (and a Job's log tail) for the object view; answered with `.objectRead`.
    case readObject(ObjectReadRequest, generation: Int)
    /// Run a restore task (a listing Job, the unlock, a whole plan); progress and outcome come
    /// back as `.restoreProgress` and `.restoreFinished` with the same generation.
    case restore(RestoreTask, generation: Int)
    /// Cancel the restore task of that generation (a plan: no step after the running one starts).
    case cancelRestore(generation: Int)
}

// MARK: - ReportWriteOutcome

/// What came of writing the post-incident report from the journal view.
public enum ReportWriteOutcome: Sendable, Equatable {
    /// Written to `path`: its timeline rows, and the journal lines it could not read.
    case written(path: String, rows: Int, unreadable: Int)
    /// Not written, and why (no incident, a directory that cannot be written).
    case failed(String)

    /// One line for the operator (the notice).
    public var text: String {
        switch self {
        case .written(let path, _, _): "Report written to \(path) (\(detail))"
        case .failed(let why): "Report NOT written: \(why)"
        }
    }

    /// `12 timeline rows; 1 journal line not read, named in it`.
    public var detail: String {
        guard case .written(_, let rows, let unreadable) = self else { return "" }
        return "\(rows) timeline row\(rows == 1 ? "" : "s")" + (unreadable == 0 ? "" : "; \(unreadable) journal line\(unreadable == 1 ? "" : "s") not read, named in it")
    }
}
