import Foundation
import PaperKube

// MARK: - RestoreExecutor

/// Runs restore steps and restic Jobs through the kubectl runner and waits for their outcome:
/// the engine behind `paperctl-tui restore` and the wizard's running steps. `now` and `sleep`
/// are injected so waiting is testable without real time.
public struct RestoreExecutor: Sendable {
    public var runner: any CommandRunning
    public var target: KubeTarget
    public var config: PaperConfig
    public var now: @Sendable () -> Double
    public var sleep: @Sendable (Double) async -> Void
    public var pollInterval: Double
    /// Seconds a step may take before its outcome is called unknown.
    public var stepTimeout: Double
    /// The restore Lease this session holds while a restore runs; waiting renews it.
    public var lease: RestoreLeaseKeeper?

    public init(runner: any CommandRunning, target: KubeTarget, config: PaperConfig,
                now: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 },
                sleep: @escaping @Sendable (Double) async -> Void = { try? await Task.sleep(for: .milliseconds(Int($0 * 1000))) },
                pollInterval: Double = 2, stepTimeout: Double = 3600) {
        self.runner = runner
        self.target = target
        self.config = config
        self.now = now
        self.sleep = sleep
        self.pollInterval = pollInterval
        self.stepTimeout = stepTimeout
    }

    // MARK: Outcomes

    /// How a step or Job ended.
    public enum Outcome: Sendable, Equatable {
        case done(String)
        case failed(String)
        /// It may have happened: the command or the wait timed out, or the state could not be read.
        case unknown(String)

        public var succeeded: Bool { if case .done = self { true } else { false } }

        public var message: String {
            switch self {
            case .done(let m), .failed(let m), .unknown(let m): m
            }
        }
    }

    /// What a restic Job printed, and how it ended.
    public struct JobResult: Sendable, Equatable {
        public var outcome: Outcome
        public var log: String
        public var exitCode: Int?
        /// restic's own reason when it failed.
        public var diagnosis: ResticDiagnosis?
        /// The Job was created (false: kubectl refused, nothing ran).
        public var created: Bool

        public init(outcome: Outcome, log: String, exitCode: Int? = nil, diagnosis: ResticDiagnosis? = nil, created: Bool = true) {
            self.outcome = outcome
            self.log = log
            self.exitCode = exitCode
            self.diagnosis = diagnosis
            self.created = created
        }
    }

    /// Progress while a step runs: a line for the operator and, for a restore, how far it is.
    public struct Progress: Sendable, Equatable {
        public var text: String
        public var fraction: Double?
        /// The restore Lease was found lost while the step ran: to be announced, not just shown.
        public var leaseLost: Bool

        public init(_ text: String, fraction: Double? = nil, leaseLost: Bool = false) {
            self.text = text
            self.fraction = fraction
            self.leaseLost = leaseLost
        }
    }

    // MARK: Steps

    /// Runs one step of a plan until it is done, failed or its outcome unknown.
    public func run(_ step: RestoreStep, report: @escaping @Sendable (Progress) -> Void) async -> Outcome {
        switch step.kind {
        case .safetyBackup, .job, .recoverCluster:
            if let failure = await create(step, report: report) { return failure }
            return await follow(step, report: report)
        case .scaleDown(let deployment, let from, let selector):
            guard let command = step.command else { return .failed("no command") }
            // The count to scale back to was read when the plan was made: it must still be right.
            do {
                let live = try await read(["get", "deployments.apps", deployment, "-o", "json"], as: Deployment.self)
                if let now = live.replicas, now != from {
                    return .failed("\(deployment) has \(now) replicas now, the plan was made for \(from): nothing was scaled; make the plan again")
                }
            } catch {
                return .failed("cannot read \(deployment) before scaling it: \(Redactor.redact(error.description)); nothing was scaled")
            }
            if let failure = await execute(command, report: report) { return failure }
            let selectorText = selector.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
            return await poll("the pods of \(deployment) to be gone", report: report) { () async throws(KubectlError) -> Outcome? in
                let pods = try await list(["get", "pods", "-l", selectorText, "-o", "json"]).compactMap { if case .pod(let p) = $0 { p } else { nil } }
                return pods.isEmpty ? .done("\(deployment) scaled to 0; its pods are gone") : nil
            }
        case .suspendCronJob(let name, let suspend):
            guard let command = step.command else { return .failed("no command") }
            if let failure = await execute(command, report: report) { return failure }
            return .done("CronJob \(name) \(suspend ? "suspended" : "resumed")")
        case .scaleUp(let deployment, let replicas):
            guard let command = step.command else { return .failed("no command") }
            if let failure = await execute(command, report: report) { return failure }
            return await poll("\(deployment) to have \(replicas) Ready replicas", report: report) { () async throws(KubectlError) -> Outcome? in
                let d = try await read(["get", "deployments.apps", deployment, "-o", "json"], as: Deployment.self)
                report(Progress("\(d.readyReplicas)/\(replicas) Ready"))
                return d.readyReplicas >= replicas ? .done("\(deployment) is back at \(replicas) Ready") : nil
            }
        case .postCheck(let deployment, let container):
            return await postCheck(deployment: deployment, container: container)
        case .databaseBackup(let plan):
            if let failure = await execute(plan.command, report: report) { return failure }
            return await poll("Backup \(plan.objectName) to complete", report: report) { () async throws(KubectlError) -> Outcome? in
                let backup = try await read(["get", ResourceKind.cnpgBackup.qualifiedName, plan.objectName, "-o", "json"], as: CNPGBackup.self)
                switch ManualBackup.progress(of: backup) {
                case .succeeded: return .done("Backup \(plan.objectName) completed")
                case .failed(let error): return .failed("Backup \(plan.objectName) failed: \(Redactor.redact(error))")
                case .inProgress(let state):
                    report(Progress("Backup \(plan.objectName): \(Redactor.redact(state))"))
                    return nil
                }
            }
        case .guidance(let steps):
            return .done("yours to do: " + steps.joined(separator: " · "))
        case .carryCredentials(let credentials):
            return await carryCredentials(credentials, report: report)
        case .scheduledBackup(let name, let cluster):
            guard let command = step.command else { return .failed("no command") }
            if let failure = await execute(command, report: report) { return failure }
            return .done("ScheduledBackup \(name) of \(cluster) created")
        case .checkArchiving(let cluster, let serverName, let objectStore):
            return await checkArchiving(cluster: cluster, serverName: serverName, objectStore: objectStore, report: report)
        }
    }

    /// The first half of a step that creates a Job or a Cluster: the create (a Cluster's manifest
    /// checked by the server's dry run first). Nil when created, else why not.
    public func create(_ step: RestoreStep, report: @escaping @Sendable (Progress) -> Void) async -> Outcome? {
        guard let command = step.command else { return .failed("no command") }
        if case .recoverCluster = step.kind, !step.dryRunDone, let stdin = command.stdin, case let dry = await dryRun(String(decoding: stdin, as: UTF8.self)), !dry.succeeded {
            return dry
        }
        return await execute(command, report: report)
    }

    /// The second half of a step that creates: waits for its Job or Cluster to end (any other step runs whole).
    public func follow(_ step: RestoreStep, report: @escaping @Sendable (Progress) -> Void) async -> Outcome {
        switch step.kind {
        case .safetyBackup(let job):
            return await waitForJob(job.name, report: report).outcome
        case .job(let job):
            let result = await waitForJob(job.name, report: report)
            guard job.purpose == .restore, case .done(let message) = result.outcome else { return result.outcome }
            return Self.judgeRestore(log: result.log, done: message)
        case .recoverCluster(let name):
            return await waitForCluster(name, report: report)
        default:
            return await run(step, report: report)
        }
    }

    /// `kubectl create --dry-run=server -f -`: what the API server says of a manifest. The one
    /// server dry run of the product (the database plan's check, and before a recovery Cluster is created).
    public func dryRun(_ json: String) async -> Outcome {
        let command = KubectlCommand(arguments: target.connectionArguments + ["create", "--dry-run=server", "-f", "-", "-n", target.namespace], stdin: Data(json.utf8))
        do {
            let out = try await runner.run(command)
            return out.succeeded ? .done("accepted by the API server (kubectl create --dry-run=server)")
                                 : .failed("the API server rejected the manifest (kubectl create --dry-run=server): \(Redactor.redact(out.stderr.trimmingCharacters(in: .whitespacesAndNewlines)))")
        } catch {
            return .unknown(Redactor.redact(error.description))
        }
    }

    /// `kubectl create -f -` of a restic Job, its JSON on stdin.
    public func createCommand(_ job: ResticJob) -> KubectlCommand {
        KubectlCommand(arguments: target.connectionArguments + ["create", "-f", "-", "-n", target.namespace],
                       logPolicy: .action(title: "Create Job \(job.name)"), stdin: Data(job.json.utf8))
    }

    /// Creates a restic Job, waits for it and returns its log (listing, unlock, drill).
    public func runJob(_ job: ResticJob, report: @escaping @Sendable (Progress) -> Void) async -> JobResult {
        if let failure = await execute(createCommand(job), report: report) { return JobResult(outcome: failure, log: "", created: false) }
        return await waitForJob(job.name, report: report)
    }

    /// A restore Job that exited 0 succeeded only when restic itself counted restored files: it
    /// exits 0 for an include that matches nothing, and in place the live files are there anyway.
    static func judgeRestore(log: String, done message: String) -> Outcome {
        switch ResticOutput.restoredFiles(in: log) {
        case nil:
            return .failed("\(message), but restic printed no count of restored files (no --json summary, no `finished verifying`): the restore is not confirmed; read the Job's log")
        case 0?:
            return .failed("\(message), but restic restored no file: the path matches nothing in the snapshot")
        case let n?:
            return .done("\(message): restic restored \(n) file\(n == 1 ? "" : "s")")
        }
    }

    /// The app's pods Ready and no error line in its log since the step began: the restore's
    /// verification, said as such (`verification passed: …`) for the journal and the report's RTO.
    func postCheck(deployment: String, container: String) async -> Outcome {
        switch await checkApp(deployment: deployment, container: container) {
        case .done(let m): .done("verification passed: \(m)")
        case .failed(let m): .failed("verification FAILED: \(m)")
        case .unknown(let m): .unknown("verification unknown: \(m)")
        }
    }

    func checkApp(deployment: String, container: String) async -> Outcome {
        let since = 120
        do {
            let d = try await read(["get", "deployments.apps", deployment, "-o", "json"], as: Deployment.self)
            let want = d.replicas ?? 1
            guard d.readyReplicas >= want else { return .failed("\(deployment): \(d.readyReplicas)/\(want) Ready") }
            let log = try await text(["logs", "deploy/\(deployment)", "-c", container, "--since=\(since)s"])
            let errors = log.split(whereSeparator: \.isNewline).filter { LogLevel(classifying: $0) == .error }
            if let first = errors.first {
                // The files are back and the app runs: errors are for the operator to read, not a failed restore.
                return .done("\(deployment): \(d.readyReplicas)/\(want) Ready, but \(errors.count) error line(s) in its log in the last \(since / 60) minutes, e.g. \(Redactor.redact(String(first))): read them (l)")
            }
            return .done("\(deployment): \(d.readyReplicas)/\(want) Ready, no error lines in its log in the last \(since / 60) minutes")
        } catch {
            return .unknown("cannot check \(deployment): \(Redactor.redact(error.description))")
        }
    }

    // MARK: Jobs

    /// Waits for Job `name` to complete or fail, reporting restore progress from its log.
    func waitForJob(_ name: String, report: @escaping @Sendable (Progress) -> Void) async -> JobResult {
        var lastLog = ""
        let outcome = await poll("Job \(name) to finish", report: report) { () async throws(KubectlError) -> Outcome? in
            let job = try await read(["get", "jobs.batch", name, "-o", "json"], as: Job.self)
            if let log = try? await jobLog(name, tail: 20) {
                let lines = log.split(whereSeparator: \.isNewline)
                if let progress = lines.reversed().lazy.compactMap({ ResticOutput.restoreProgress(line: String($0)) }).first {
                    report(Progress("\(progress.filesRestored)/\(progress.totalFiles) files, \(FileRestore.bytes(Int64(progress.bytesRestored))) of \(FileRestore.bytes(Int64(progress.totalBytes)))",
                                    fraction: progress.fraction))
                } else if let last = lines.last {
                    report(Progress(Redactor.redact(String(last))))
                }
            }
            switch ManualBackup.progress(of: job) {
            case .succeeded: return .done("Job \(name) complete")
            case .failed(let reason): return .failed(reason.isEmpty ? "Job \(name) failed" : "Job \(name) failed: \(reason)")
            case .inProgress: return nil
            }
        }
        // The whole log once it ended (the polls read only its tail), and the exit code.
        if let log = try? await jobLog(name, tail: nil) { lastLog = log }
        let pods = ((try? await list(["get", "pods", "-l", "job-name=\(name)", "-o", "json"])) ?? []).compactMap { if case .pod(let p) = $0 { p } else { nil } }
        let job = Job(metadata: ObjectMeta(name: name))
        let code = ResticExitCode.of(job, pods: pods, sidecars: config.app.sidecars)
        guard case .failed(let reason) = outcome else { return JobResult(outcome: outcome, log: lastLog, exitCode: code) }
        let diagnosis = ResticDiagnosis.diagnose(log: lastLog, exitCode: code)
        return JobResult(outcome: .failed("\(reason); restic: \(diagnosis.summary)"), log: lastLog, exitCode: code, diagnosis: diagnosis)
    }

    /// The lines the Job's pod printed (`kubectl logs -l job-name=NAME`), the last `tail` or all.
    func jobLog(_ name: String, tail: Int?) async throws(KubectlError) -> String {
        try await text(["logs", "-l", "job-name=\(name)", "--tail=\(tail ?? -1)", "--all-containers=true"])
    }

    // MARK: kubectl

    /// Runs an action; nil on success, else why it failed (a timeout is an unknown outcome).
    public func execute(_ command: KubectlCommand, report: @Sendable (Progress) -> Void) async -> Outcome? {
        report(Progress("running: \(Redactor.redact(command.displayLine))"))
        do {
            let out = try await runner.run(command)
            guard out.succeeded else {
                let error = KubectlErrorClassifier.classify(stderr: out.stderr, exitStatus: out.exitStatus)
                return .failed(ManualBackupSession.explain(error, doing: "run \(command.arguments.drop { $0.hasPrefix("--") || $0.hasPrefix("/") }.prefix(3).joined(separator: " "))"))
            }
            return nil
        } catch {
            if case .timeout = error { return .unknown("\(Redactor.redact(error.description)); it may have happened: check before retrying") }
            return .failed(Redactor.redact(error.description))
        }
    }

    /// Looks every `pollInterval` until `step` says it is done or the step timeout passes.
    func poll(_ what: String, report: @Sendable (Progress) -> Void, step: () async throws(KubectlError) -> Outcome?) async -> Outcome {
        let deadline = now() + stepTimeout
        var lastError = ""
        while true {
            if let lost = await lease?.renewIfDue() { report(Progress(lost, leaseLost: true)) }
            do {
                if let outcome = try await step() { return outcome }
                lastError = ""
            } catch {
                lastError = Redactor.redact(error.description)
                report(Progress("cannot read yet: \(lastError)"))
            }
            if now() >= deadline {
                return .unknown("still waiting for \(what) after \(Int(stepTimeout)) s" + (lastError.isEmpty ? "" : "; last error: \(lastError)"))
            }
            // Cancelled (the operator quit): a cancelled sleep returns at once, so without this the
            // loop would spin until the step timeout.
            if Task.isCancelled { return .unknown("stopped waiting for \(what): cancelled" + (lastError.isEmpty ? "" : "; last error: \(lastError)")) }
            await sleep(min(pollInterval, max(0.05, deadline - now())))
        }
    }

    func text(_ args: [String]) async throws(KubectlError) -> String {
        String(decoding: try await runner.output(of: KubectlCommand(arguments: target.globalArguments + args)), as: UTF8.self)
    }

    func read<T: Decodable>(_ args: [String], as type: T.Type) async throws(KubectlError) -> T {
        let data = try await runner.output(of: KubectlCommand(arguments: target.globalArguments + args))
        do { return try KubeJSON.decode(T.self, from: data) } catch { throw .unparseableOutput(detail: "\(error)") }
    }

    func list(_ args: [String]) async throws(KubectlError) -> [KubeObject] {
        try await read(args, as: KubeList.self).items
    }
}
