import Foundation
import PaperKube

// MARK: - ManualBackupSession

/// Starts a manual backup through kubectl and, if asked, waits for its outcome: the engine of
/// `paperctl-tui backup files|db`. Every command goes through `runner`, so tests see the exact
/// argument arrays; `now` and `sleep` are injected so waiting is testable without real time.
public struct ManualBackupSession: Sendable {
    public var config: PaperConfig
    public var target: KubeTarget
    public var runner: any CommandRunning
    public var now: @Sendable () -> Double
    public var sleep: @Sendable (Double) async -> Void
    /// Seconds between two status reads while waiting.
    public var pollInterval: Double

    public init(config: PaperConfig, target: KubeTarget, runner: any CommandRunning,
                now: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 },
                sleep: @escaping @Sendable (Double) async -> Void = { try? await Task.sleep(for: .milliseconds(Int($0 * 1000))) },
                pollInterval: Double = 2) {
        self.config = config
        self.target = target
        self.runner = runner
        self.now = now
        self.sleep = sleep
        self.pollInterval = pollInterval
    }

    // MARK: Outcome

    /// How a run ended. The exit status is the contract for scripts and cron.
    public enum Outcome: Sendable, Equatable {
        /// Created; not waited for.
        case created(name: String)
        case succeeded(name: String, detail: String)
        case failed(name: String, detail: String)
        /// Nothing was started: another backup is active.
        case refused(String)
        /// Nothing was started: kubectl could not read or create (forbidden, unreachable, missing object…).
        case notStarted(String)
        /// Started, but the outcome is not known: the wait timed out or the status could not be read.
        case unknown(name: String, detail: String)

        /// 0 created/succeeded, 1 nothing started, 2 the backup failed, 3 outcome unknown.
        public var exitCode: Int32 {
            switch self {
            case .created, .succeeded: 0
            case .refused, .notStarted: 1
            case .failed: 2
            case .unknown: 3
            }
        }

        /// One line for the operator (already redacted).
        public var message: String {
            switch self {
            case .created(let name): "\(name) created; not waiting (use --wait to wait for the outcome)"
            case .succeeded(let name, let detail): detail.isEmpty ? "\(name) succeeded" : "\(name) succeeded: \(detail)"
            case .failed(let name, let detail): "\(name) FAILED: \(detail)"
            case .refused(let reason): "refused: \(reason)"
            case .notStarted(let reason): reason
            case .unknown(let name, let detail): "\(name): outcome unknown: \(detail)"
            }
        }
    }

    // MARK: Run

    /// Starts a backup of `kind`; with `wait`, follows it until it finishes or `timeout` seconds pass.
    /// `say` gets the progress lines (the exact command first), all redacted.
    public func run(_ kind: ManualBackup.Kind, wait: Bool, timeout: Double, say: (String) -> Void) async -> Outcome {
        switch kind {
        case .files: await runFiles(wait: wait, timeout: timeout, say: say)
        case .db: await runDatabase(wait: wait, timeout: timeout, say: say)
        }
    }

    private func runFiles(wait: Bool, timeout: Double, say: (String) -> Void) async -> Outcome {
        let cronJobName = config.fileBackup.cronJob
        let cronJob: CronJob
        do {
            cronJob = try await read(ManualBackup.readCronJob(config: config, target: target), as: CronJob.self)
        } catch {
            return .notStarted(Self.explain(error, doing: "read CronJob \(cronJobName) in namespace \(target.namespace)"))
        }
        let jobs: [Job]
        do {
            jobs = try await readList(ManualBackup.readJobs(target: target)).compactMap { if case .job(let j) = $0 { j } else { nil } }
        } catch {
            return .notStarted(Self.explain(error, doing: "list the Jobs in namespace \(target.namespace)"))
        }
        let decision = ManualBackup.planFiles(jobs: jobs, cronJob: cronJob, config: config, target: target, now: now())
        let name: String
        switch await start(decision, subject: "job", doing: { "create Job \($0) from CronJob \(cronJobName)" }, say: say) {
        case .ended(let outcome): return outcome
        case .success(let created): name = created
        }
        guard wait else { return .created(name: "job/\(name)") }
        return await waitForJob(name, timeout: timeout, say: say)
    }

    private func runDatabase(wait: Bool, timeout: Double, say: (String) -> Void) async -> Outcome {
        let clusterName = config.database.cluster
        let cluster: CNPGCluster
        do {
            cluster = try await read(ManualBackup.readCluster(config: config, target: target), as: CNPGCluster.self)
        } catch {
            return .notStarted(Self.explain(error, doing: "read Cluster \(clusterName) in namespace \(target.namespace)"))
        }
        if case .refuse(let reason) = ManualBackup.planDatabase(cluster: cluster, backups: [], config: config, target: target, now: now()) {
            return .notStarted(reason)  // no backup configuration: nothing could ever start
        }
        let backups: [CNPGBackup]
        do {
            backups = try await readList(ManualBackup.readBackups(target: target)).compactMap { if case .cnpgBackup(let b) = $0 { b } else { nil } }
        } catch {
            return .notStarted(Self.explain(error, doing: "list the Backups in namespace \(target.namespace)"))
        }
        let decision = ManualBackup.planDatabase(cluster: cluster, backups: backups, config: config, target: target, now: now())
        let name: String
        switch await start(decision, subject: "backup", doing: { "create Backup \($0) of cluster \(clusterName)" }, say: say) {
        case .ended(let outcome): return outcome
        case .success(let created): name = created
        }
        guard wait else { return .created(name: "backup/\(name)") }
        let before = cluster.lastSuccessfulBackup
        let outcome = await waitForBackup(name, timeout: timeout, say: say)
        guard case .succeeded = outcome else { return outcome }
        if let after = try? await read(ManualBackup.readCluster(config: config, target: target), as: CNPGCluster.self),
           let last = after.lastSuccessfulBackup, last != before {
            return .succeeded(name: "backup/\(name)", detail: "cluster \(clusterName) lastSuccessfulBackup is now \(UTCTime.rfc3339(last))")
        }
        return outcome
    }

    /// A planned action's start: the created object's name, or the outcome that ends the run.
    private enum Started {
        case success(String)
        case ended(Outcome)
    }

    /// Prints the exact command and runs it; a refusal, a failure or a timeout ends the run.
    private func start(_ decision: ActionDecision, subject: String, doing: (String) -> String, say: (String) -> Void) async -> Started {
        let plan: ActionPlan
        switch decision {
        case .refuse(let reason): return .ended(.refused(reason))
        case .plan(let p): plan = p
        }
        let name = plan.objectName
        say("Running: \(plan.commandLine)")
        if let failure = await execute(plan.command, doing: doing(name), say: say) {
            return .ended(failure.ambiguous ? .unknown(name: "\(subject)/\(name)", detail: failure.message) : .notStarted(failure.message))
        }
        return .success(name)
    }

    // MARK: Waiting

    private func waitForJob(_ name: String, timeout: Double, say: (String) -> Void) async -> Outcome {
        let subject = "job/\(name)"
        return await poll(subject, timeout: timeout, say: say) { () async throws(KubectlError) -> PollStep in
            let job = try await read(ManualBackup.readJob(name: name, target: target), as: Job.self)
            switch ManualBackup.progress(of: job) {
            case .succeeded:
                return .done(.succeeded(name: subject, detail: "Job complete"))
            case .failed(let reason):
                let items = (try? await readList(ManualBackup.readJobPods(name: name, target: target))) ?? []
                let pods: [Pod] = items.compactMap { if case .pod(let p) = $0 { p } else { nil } }
                let restic = ManualBackup.resticFailure(pods: pods)
                return .done(.failed(name: subject, detail: [restic, reason.isEmpty ? nil : "Job condition: \(reason)"].compactMap { $0 }.joined(separator: "; ")))
            case .inProgress(let state):
                return .waiting(state)
            }
        }
    }

    private func waitForBackup(_ name: String, timeout: Double, say: (String) -> Void) async -> Outcome {
        let subject = "backup/\(name)"
        return await poll(subject, timeout: timeout, say: say) { () async throws(KubectlError) -> PollStep in
            let backup = try await read(ManualBackup.readBackup(name: name, target: target), as: CNPGBackup.self)
            switch ManualBackup.progress(of: backup) {
            case .succeeded: return .done(.succeeded(name: subject, detail: ""))
            case .failed(let error): return .done(.failed(name: subject, detail: Redactor.redact(error)))
            case .inProgress(let state): return .waiting(Redactor.redact(state))
            }
        }
    }

    /// One look at the object being waited for.
    private enum PollStep {
        case done(Outcome)
        case waiting(String)
    }

    /// Looks at `subject` every `pollInterval` until `step` says it is done or `timeout` passes,
    /// saying each new state once; a read that fails is retried and reported if time runs out.
    private func poll(_ subject: String, timeout: Double, say: (String) -> Void, step: () async throws(KubectlError) -> PollStep) async -> Outcome {
        say("Waiting for \(subject) to complete or fail (timeout \(Self.seconds(timeout)) s)")
        let deadline = now() + timeout
        var last = ""
        var lastError = ""
        while true {
            do {
                switch try await step() {
                case .done(let outcome):
                    return outcome
                case .waiting(let state):
                    if state != last { say("\(subject): \(state)") }
                    last = state
                    lastError = ""
                }
            } catch {
                lastError = Self.explain(error, doing: "read \(subject)")
            }
            if now() >= deadline {
                return .unknown(name: subject, detail: "still \(last.isEmpty ? "not readable" : last) after \(Self.seconds(timeout)) s" + (lastError.isEmpty ? "" : "; last error: \(lastError)"))
            }
            await sleep(min(pollInterval, max(0.05, deadline - now())))
        }
    }

    // MARK: kubectl

    /// Why an action failed; `ambiguous` when kubectl was killed before it could say whether the
    /// object was created (the outcome is then unknown, not "nothing started").
    struct ActionFailure {
        var message: String
        var ambiguous: Bool
    }

    /// Runs an action; nil on success (kubectl's own line is passed to `say`), else why it failed.
    private func execute(_ command: KubectlCommand, doing what: String, say: (String) -> Void) async -> ActionFailure? {
        do {
            let output = try await runner.run(command)
            guard output.succeeded else {
                let error = KubectlErrorClassifier.classify(stderr: output.stderr, exitStatus: output.exitStatus)
                return ActionFailure(message: Self.explain(error, doing: what), ambiguous: false)
            }
            let text = String(decoding: output.stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            if !text.isEmpty { say(Redactor.redact(text)) }
            return nil
        } catch {
            if case .timeout = error {
                return ActionFailure(message: Self.explain(error, doing: what) + "; it may have been created: check before retrying", ambiguous: true)
            }
            return ActionFailure(message: Self.explain(error, doing: what), ambiguous: false)
        }
    }

    private func read<T: Decodable>(_ command: KubectlCommand, as type: T.Type) async throws(KubectlError) -> T {
        let data = try await runner.output(of: command)
        do {
            return try KubeJSON.decode(T.self, from: data)
        } catch {
            throw .unparseableOutput(detail: "\(error)")
        }
    }

    private func readList(_ command: KubectlCommand) async throws(KubectlError) -> [KubeObject] {
        try await read(command, as: KubeList.self).items
    }

    /// An operator-facing sentence for a kubectl failure; RBAC denials say what permission is missing.
    static func explain(_ error: KubectlError, doing what: String) -> String {
        switch error {
        case .forbidden(let verb, let resource, let detail):
            return "forbidden: cannot \(what): RBAC denies '\(verb)' on \(resource); nothing was created. Ask for that permission or run as an account that has it. (kubectl: \(Redactor.redact(detail)))"
        case .notFound(let detail):
            return "cannot \(what): not found (\(Redactor.redact(detail)))"
        default:
            return "cannot \(what): \(Redactor.redact(error.description))"
        }
    }

    static func seconds(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(format: "%.1f", value)
    }
}
