import Dispatch
import PaperUI

// MARK: - EffectRunner

/// Performs the effects `update` returns: the only code in the app that starts side effects.
///
/// Effects run from a queue; the effects `update` returns for a message answered at once join
/// the same queue, so nothing an update asks for is dropped. Long-running work (refreshes,
/// actions, log streams) runs in tasks and reports back through `send`, each message tagged
/// with the generation `update` gave it, so an old stream's late lines are told apart from the
/// new one's. The journal (redaction and file I/O) runs off the UI actor, in order, on its own
/// queue: a write that fails comes back as `.journalFailed`, the `J` overlay's read as
/// `.journalLoaded` after every entry before it was written.
public final class EffectRunner {
    let services: Services
    let send: @Sendable (Msg) -> Void
    private var refreshTask: Task<Void, Never>?
    private var logTask: Task<Void, Never>?
    private var actionTasks: [Int: Task<Void, Never>] = [:]
    private var restoreTasks: [Int: Task<Void, Never>] = [:]
    let journal: JournalQueue

    public init(services: Services, send: @escaping @Sendable (Msg) -> Void) {
        self.services = services
        self.send = send
        journal = JournalQueue(services: services, send: send)
    }

    /// Runs `effects` and every effect that `update` returns for the messages they produce at
    /// once; returns true when one of them asked to quit.
    public func run(_ effects: [Effect], update: (Msg) -> [Effect]) -> Bool {
        let queue = effects
        var index = 0
        var quit = false
        while index < queue.count {
            let effect = queue[index]
            index += 1
            switch effect {
            case .quit:
                quit = true
            case .refresh:
                guard refreshTask == nil else { continue }  // refreshes never overlap
                let services = self.services, send = self.send
                refreshTask = Task.detached {
                    let result = await services.refresh()
                    send(.refreshed(result, at: services.clock()))
                }
            case .journal(let text):
                journal.submit(.append(text))
            case .loadJournal:
                journal.submit(.read)
            case .writeReport:
                // Reading the journal files and writing the report is blocking file I/O: on a
                // thread of its own, neither on the UI actor nor on the tasks' shared threads.
                let services = self.services, send = self.send
                DispatchQueue.global(qos: .utility).async { send(.reportWritten(services.writeReport())) }
            case .run(let plan, let generation):
                let services = self.services, send = self.send
                actionTasks[generation] = Task.detached {
                    let outcome = await services.runAction(plan)
                    send(.actionFinished(outcome, generation: generation, at: services.clock()))
                }
            case .startLogs(let request):
                logTask?.cancel()
                let services = self.services, send = self.send
                logTask = Task.detached {
                    if request.delay > 0 { await services.sleep(request.delay) }
                    guard !Task.isCancelled else { return }
                    let reason = await services.streamLogs(request) { lines in
                        send(.logLines(generation: request.generation, lines))
                    }
                    guard !Task.isCancelled else { return }
                    send(.logEnded(generation: request.generation, reason: reason))
                }
            case .stopLogs:
                logTask?.cancel()
                logTask = nil
            case .readObject(let request, let generation):
                let services = self.services, send = self.send
                Task.detached {
                    send(.objectRead(generation: generation, await services.readObject(request)))
                }
            case .restore(let task, let generation):
                // Not cancelled when the wizard closes, unless it asks (`.cancelRestore`, leaving a running plan).
                let services = self.services, send = self.send
                if case .runPlan(let steps, let what) = task {
                    // The one plan runner decides which step runs next; the wizard is told what happened.
                    restoreTasks[generation] = Task.detached {
                        let result = await services.runPlan(steps, what) { event in send(.restorePlanEvent(generation: generation, event)) }
                        send(.restoreFinished(generation: generation, .plan(result)))
                    }
                    continue
                }
                restoreTasks[generation] = Task.detached {
                    let result = await services.restore(task) { progress in send(.restoreProgress(generation: generation, progress)) }
                    send(.restoreFinished(generation: generation, result))
                }
            case .cancelRestore(let generation):
                // The running step is no longer waited for; no step after it starts; the end says the way back.
                restoreTasks[generation]?.cancel()
            }
        }
        return quit
    }

    /// Notes what a message ends: a finished refresh lets the next one start.
    public func observe(_ msg: Msg) {
        switch msg {
        case .refreshed: refreshTask = nil
        case .actionFinished(_, let generation, _): actionTasks[generation] = nil
        case .restoreFinished(let generation, _): restoreTasks[generation] = nil
        default: break
        }
    }

    /// Whether a refresh is running (for tests and the loop's accounting).
    public var isRefreshing: Bool { refreshTask != nil }

    /// Stops everything still running (on quit).
    public func cancelAll() {
        refreshTask?.cancel()
        logTask?.cancel()
        for task in actionTasks.values { task.cancel() }
        for task in restoreTasks.values { task.cancel() }
        refreshTask = nil
        logTask = nil
        actionTasks = [:]
    }
}

// MARK: - JournalQueue

/// The journal's own serial queue: entries are redacted and written in the order asked, off
/// the UI actor, so a slow disk or a huge entry never holds up keys and frames.
final class JournalQueue: Sendable {
    enum Job: Sendable {
        case append(String)
        case read
    }

    private let continuation: AsyncStream<Job>.Continuation
    private let worker: Task<Void, Never>

    init(services: Services, send: @escaping @Sendable (Msg) -> Void) {
        let (jobs, continuation) = AsyncStream<Job>.makeStream()
        self.continuation = continuation
        worker = Task.detached {
            for await job in jobs {
                switch job {
                case .append(let text):
                    if let reason = services.appendJournal(text) { send(.journalFailed(reason)) }
                case .read:
                    send(.journalLoaded(services.readJournal()))
                }
            }
        }
    }

    func submit(_ job: Job) { continuation.yield(job) }

    /// Ends the queue once what was submitted is done.
    func finish() async {
        continuation.finish()
        await worker.value
    }
}
