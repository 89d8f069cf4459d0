import Foundation
import PaperKube

// MARK: - FileRestoreRequest

/// What the operator chose: which snapshot, what of it, and where it goes.
public struct FileRestoreRequest: Sendable, Equatable {
    public enum Target: String, Sendable, Equatable, CaseIterable {
        /// Into `restore-<UTC timestamp>/` beside the live files; the app keeps running.
        case sideBySide = "side by side"
        /// Over the live files, with the app scaled to 0, after a fresh safety backup.
        case inPlace = "in place"
    }

    public var snapshot: ResticSnapshot
    /// A path inside the snapshot's root (`media/documents/originals`), or nil for everything.
    public var path: String?
    public var target: Target
    /// In place only: why the fresh safety backup is skipped (journaled). Nil: it runs.
    public var skipSafetyBackup: String?
    /// The image's restic, when a listing Job printed it: picks `--json` and tells about `--delete`.
    public var resticVersion: ResticVersion?

    public init(snapshot: ResticSnapshot, path: String? = nil, target: Target = .sideBySide, skipSafetyBackup: String? = nil, resticVersion: ResticVersion? = nil) {
        self.snapshot = snapshot
        self.path = path.flatMap { $0.trimmingCharacters(in: CharacterSet(charactersIn: "/ ")).isEmpty ? nil : $0.trimmingCharacters(in: CharacterSet(charactersIn: "/ ")) }
        self.target = target
        self.skipSafetyBackup = skipSafetyBackup
        self.resticVersion = resticVersion
    }

    public var scopeText: String { path.map { "/\($0)" } ?? "everything" }
}

// MARK: - RestoreStep

/// One step of a restore plan: what it runs, shown before anything runs, and how to get back
/// when the plan stops after it.
public struct RestoreStep: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// A fresh restic backup of the live files in a Job from the CronJob's template (no forget), waited for until it succeeds.
        case safetyBackup(ResticJob)
        /// `kubectl patch cronjob … suspend`: no scheduled backup of a half-restored volume (and back).
        case suspendCronJob(name: String, suspend: Bool)
        /// `kubectl scale` to 0, waited for until the app's pods are gone.
        case scaleDown(deployment: String, from: Int, selector: [String: String])
        /// A restic Job from the CronJob's template, waited for until it completes.
        case job(ResticJob)
        /// `kubectl scale` back, waited for until the replicas are Ready.
        case scaleUp(deployment: String, to: Int)
        /// The app's pods Ready and no new error lines in its log.
        case postCheck(deployment: String, container: String)
        /// A CNPG Backup of the live cluster, waited for until completed (the database's safety backup).
        case databaseBackup(ActionPlan)
        /// A new recovery Cluster, followed until healthy (the database half of "both").
        case recoverCluster(name: String)
        /// Steps for the operator; the tool runs none of them.
        case guidance([String])
        /// The live owner's username and password copied into the Secret the recovery names
        /// (`bootstrap.recovery.secret`), read and written at run time, never shown.
        case carryCredentials(RecoveryCredentials)
        /// A new ScheduledBackup of the recovered cluster (`spec.cluster` is immutable).
        case scheduledBackup(name: String, cluster: String)
        /// The recovered cluster archives WAL under its own serverName and has a recovery window.
        case checkArchiving(cluster: String, serverName: String, objectStore: String?)
    }

    public var kind: Kind
    public var title: String
    /// The kubectl command the step runs (its stdin, the Job JSON, shown with it).
    public var command: KubectlCommand?
    /// What to run to get the app back if the plan stops after this step started.
    public var recovery: [String]
    /// The stdin as shown (a Job's JSON with literal secret-like env values masked), when it differs.
    public var display: String?
    /// A new Cluster's manifest was already accepted by the server's dry run just before: the
    /// create does not ask the server again.
    public var dryRunDone = false

    public init(kind: Kind, title: String, command: KubectlCommand?, display: String? = nil, recovery: [String] = []) {
        self.kind = kind
        self.title = title
        self.command = command
        self.display = display
        self.recovery = recovery
    }

    /// The command line with its stdin as a here-document, redacted for the screen.
    public var commandLine: String? {
        guard let command else { return nil }
        guard let stdin = command.stdin else { return Redactor.redact(command.displayLine) }
        let text = display ?? String(decoding: stdin, as: UTF8.self)
        return Redactor.redact(command.displayLine + " <<'EOF'\n" + text + (text.hasSuffix("\n") ? "" : "\n") + "EOF")
    }

    /// Whether the step changes the cluster (all but the post-check and the guidance do).
    public var writes: Bool {
        switch kind {
        case .postCheck, .guidance: false
        default: true
        }
    }
}

// MARK: - FileRestorePlan

/// The whole restore as an ordered list of steps, with what the operator must know first.
public struct FileRestorePlan: Sendable, Equatable {
    public var request: FileRestoreRequest
    public var steps: [RestoreStep]
    /// Where the files land, inside the restic container (the volume's mount path or a directory in it).
    public var targetDirectory: String
    /// Things to read before confirming (files added after the snapshot stay, the free space…).
    public var notes: [String]
    /// In place: the namespace must be typed to confirm.
    public var needsTypedConfirmation: Bool { request.target == .inPlace }
    /// What the path selects in the snapshot, when it was counted (`restic ls --recursive`).
    public var match: PathMatch?

    /// "The path /media/documents/originals matches 6 files (12.0 KiB) in the snapshot".
    public var matchLine: String? {
        match.map { "The path /\($0.path) matches \($0.text) in the snapshot" + (request.target == .inPlace ? ": each overwrites the live file of the same name" : "") }
    }

    /// The plan as text: the steps with their exact commands.
    public var text: String {
        var lines = ["Restore \(request.scopeText) of snapshot \(request.snapshot.shortID) (\(UTCTime.rfc3339(request.snapshot.time))) \(request.target.rawValue) into \(targetDirectory)"]
        if let matchLine { lines.append(matchLine) }
        lines += notes.map { "note: \($0)" }
        for (i, step) in steps.enumerated() {
            lines.append("\(i + 1). \(step.title)")
            if let commandLine = step.commandLine {
                lines += commandLine.split(separator: "\n", omittingEmptySubsequences: false).map { "   \($0)" }
            }
        }
        return lines.joined(separator: "\n")
    }
}

// MARK: - FileRestore

/// Plans file restores as pure functions: the CLI and the wizard both call them.
public enum FileRestore {
    public struct Refusal: Error, Equatable, CustomStringConvertible {
        public var description: String
        public init(_ description: String) { self.description = description }
    }

    /// The plan for `request`, or why it must not run.
    ///
    /// - Parameters:
    ///   - cronJob: the restic CronJob as JSON (the Jobs are built from its template).
    ///   - neededBytes: what the restore writes, when known (snapshot summary, or the sum of `restic ls`).
    ///   - match: what the path selects in the snapshot, when counted: 0 files is refused (a
    ///     restore that would restore nothing, likely a mistyped path), any other count is shown.
    public static func plan(_ request: FileRestoreRequest, facts: ActionFacts, cronJob: Data, neededBytes: Int?, now: Double,
                            match: PathMatch? = nil) throws(Refusal) -> FileRestorePlan {
        guard let root = request.snapshot.root else {
            throw Refusal("snapshot \(request.snapshot.shortID) holds \(request.snapshot.paths.count) paths (\(request.snapshot.paths.joined(separator: ", "))); this tool restores snapshots of one volume")
        }
        let match = request.path == nil ? nil : match
        if let match, match.files == 0 {
            throw Refusal("the path /\(match.path) matches 0 files in snapshot \(request.snapshot.shortID) (restic ls --recursive, matched literally: case, spaces and every folder count): the restore would restore nothing. Check the spelling, or pick the path from the snapshot's files")
        }
        let neededBytes = neededBytes ?? match?.bytes
        let config = facts.config
        let target = facts.target
        let ns = target.namespace
        let stamp = UTCTime.rfc3339(now).replacingOccurrences(of: ":", with: "").replacingOccurrences(of: "-", with: "")
        guard let mount = ResticJob.dataMountPath(cronJob: cronJob, claim: facts.dataVolume?.claim.metadata.name) else {
            throw Refusal("CronJob \(facts.config.fileBackup.cronJob) mounts no volume of claim \(facts.dataVolume?.claim.metadata.name ?? "(unknown)") in its restic container")
        }
        let directory = request.target == .sideBySide ? "\(mount)/restore-\(stamp)" : mount
        var notes: [String] = []
        var steps: [RestoreStep] = []

        // Free space: the side-by-side copy must fit next to the live files.
        let available = facts.dataVolume?.stats?.availableBytes
        if request.target == .sideBySide, let needed = neededBytes, let available {
            if Int64(needed) > available {
                throw Refusal("the restore needs \(bytes(Int64(needed))) but the data volume has \(bytes(available)) free: restore a smaller path, free space, or restore in place")
            }
            notes.append("needs \(bytes(Int64(needed))); the data volume has \(bytes(available)) free")
        } else if request.target == .sideBySide {
            notes.append("the size is not known (\(neededBytes == nil ? "the snapshot has no summary" : "the volume's usage was not reported")): the free space could not be checked")
        }
        // The image's restic: what its listing Job printed, else the image tag.
        let version = request.resticVersion ?? ResticJob.imageVersion(cronJob: cronJob)
        if request.target == .inPlace, let version, !version.hasSubfolderRestore {
            throw Refusal("the CronJob's restic is \(version), and an in-place restore needs restic 0.16 or later (`restore <snapshot>:<subfolder>` and its --json summary came in 0.16): update the image; nothing was scaled down")
        }
        let json = version?.hasSubfolderRestore ?? false
        let job: ResticJob
        do throws(ResticJob.BuildError) {
            let script = try ResticJob.restoreScript(snapshot: request.snapshot.id, root: root, path: request.path, target: directory, verify: true, json: json)
            job = try ResticJob.build(cronJob: cronJob, purpose: .restore, script: script, now: now, namespace: ns)
        } catch {
            throw Refusal("cannot build the restore Job from CronJob \(config.fileBackup.cronJob): \(error.description)")
        }
        let create = KubectlCommand(arguments: target.connectionArguments + ["create", "-f", "-", "-n", ns],
                                    logPolicy: .action(title: "Create restore Job \(job.name)"), stdin: Data(job.json.utf8))

        switch request.target {
        case .sideBySide:
            let delete = KubectlCommand(arguments: target.connectionArguments + ["delete", "job", job.name, "-n", ns]).displayLine
            steps.append(RestoreStep(kind: .job(job), title: "Restore into \(directory) with a Job from the CronJob's template (the app keeps running)", command: create,
                                     display: job.displayJSON,
                                     recovery: ["\(delete)   # stops the restore; the live files were not touched; remove \(directory) by hand"]))
            steps.append(RestoreStep(kind: .postCheck(deployment: config.app.deployment, container: config.app.container),
                                     title: "Check the app: pods Ready, no new errors in its log", command: nil))
        case .inPlace:
            guard let deployment = facts.deployment else {
                throw Refusal("Deployment \(config.app.deployment) was not found in namespace \(ns): cannot scale it down for an in-place restore")
            }
            let replicas = deployment.replicas ?? 1
            guard replicas > 0 else {
                throw Refusal("Deployment \(config.app.deployment) is already at 0 replicas (an earlier restore may have stopped there): scale it to its normal count first, so the restore knows what to scale back to")
            }
            let up = KubectlCommand(arguments: target.connectionArguments + ["scale", "deployment/\(config.app.deployment)", "--replicas=\(replicas)", "-n", ns],
                                    logPolicy: .action(title: "Scale \(config.app.deployment) back to \(replicas)"))
            let scaleBack = up.displayLine
            if let reason = request.skipSafetyBackup {
                notes.append("the safety backup is skipped: \(reason)")
            } else {
                let active = ManualBackup.activeFileBackups(jobs: facts.jobs, cronJob: facts.cronJob, config: config)
                if let why = ManualBackup.fileBackupRefusal(active: active, config: config) { throw Refusal("the safety backup cannot start: \(why)") }
                let safety: ResticJob
                do {
                    safety = try ResticJob.build(cronJob: cronJob, purpose: .safetyBackup, script: ResticJob.safetyBackupScript(mount: mount), now: now, namespace: ns)
                } catch {
                    throw Refusal("cannot build the safety backup Job: \(error.description)")
                }
                let createSafety = KubectlCommand(arguments: target.connectionArguments + ["create", "-f", "-", "-n", ns],
                                                  logPolicy: .action(title: "Create safety backup Job \(safety.name)"), stdin: Data(safety.json.utf8))
                steps.append(RestoreStep(kind: .safetyBackup(safety), title: "Safety backup of the live files now (host and tag \(ResticJob.safetyHost), no forget), and wait for it to succeed",
                                         command: createSafety, display: safety.displayJSON))
                let policy = ResticJob.forgetPolicy(templateScript: ResticJob.templateScript(cronJob: cronJob))
                notes.append("the safety snapshot is made as host \(ResticJob.safetyHost), a forget group of its own: the CronJob's next forget"
                    + (policy.map { " (\($0))" } ?? "") + " keeps today's scheduled snapshot, and keeps safety snapshots by the same policy among themselves")
            }
            let cronName = config.fileBackup.cronJob
            let suspend = KubectlCommand(arguments: target.connectionArguments + ["patch", "cronjob", cronName, "--type=merge", "-p", #"{"spec":{"suspend":true}}"#, "-n", ns],
                                         logPolicy: .action(title: "Suspend CronJob \(cronName) during the restore"))
            let resume = KubectlCommand(arguments: target.connectionArguments + ["patch", "cronjob", cronName, "--type=merge", "-p", #"{"spec":{"suspend":false}}"#, "-n", ns],
                                        logPolicy: .action(title: "Resume CronJob \(cronName)"))
            let wasSuspended = facts.cronJob?.suspend ?? false
            if !wasSuspended {
                steps.append(RestoreStep(kind: .suspendCronJob(name: cronName, suspend: true),
                                         title: "Suspend CronJob \(cronName), so no scheduled backup reads a half-restored volume", command: suspend, recovery: [resume.displayLine]))
            }
            let down = KubectlCommand(arguments: target.connectionArguments + ["scale", "deployment/\(config.app.deployment)", "--replicas=0", "-n", ns],
                                      logPolicy: .action(title: "Scale \(config.app.deployment) to 0 for the restore"))
            steps.append(RestoreStep(kind: .scaleDown(deployment: config.app.deployment, from: replicas, selector: deployment.selector),
                                     title: "Scale \(config.app.deployment) from \(replicas) to 0 and wait until its pods are gone", command: down, recovery: [scaleBack]))
            let wait = KubectlCommand(arguments: target.connectionArguments + ["wait", "--for=condition=complete", "job/\(job.name)", "--timeout=6h", "-n", ns]).displayLine
            steps.append(RestoreStep(kind: .job(job), title: "Restore over the live files in \(directory) with a Job from the CronJob's template", command: create,
                                     display: job.displayJSON,
                                     recovery: ["\(wait)   # let a running restore finish: stopping it leaves the files half restored", scaleBack]))
            steps.append(RestoreStep(kind: .scaleUp(deployment: config.app.deployment, to: replicas),
                                     title: "Scale \(config.app.deployment) back to \(replicas) and wait until Ready", command: up, recovery: [scaleBack]))
            if !wasSuspended {
                steps.append(RestoreStep(kind: .suspendCronJob(name: cronName, suspend: false), title: "Resume CronJob \(cronName)", command: resume, recovery: [resume.displayLine]))
            }
            steps.append(RestoreStep(kind: .postCheck(deployment: config.app.deployment, container: config.app.container),
                                     title: "Check the app: pods Ready, no new errors in its log", command: nil))
            if request.resticVersion?.hasRestoreDelete == true {
                notes.append("files added after the snapshot stay (restic \(request.resticVersion?.description ?? "") has --delete, which this plan does not use)")
            } else {
                notes.append("files added after the snapshot stay: restic's --delete needs restic 0.17 or later")
            }
        }
        var plan = FileRestorePlan(request: request, steps: steps, targetDirectory: directory, notes: notes)
        plan.match = match
        return plan
    }

    /// "4.1 GiB".
    public static func bytes(_ n: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(n)
        var unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(n) B" : String(format: "%.1f %@", value, units[unit])
    }
}

extension FileRestorePlan {
    /// What to run to get back if the plan stops while step `index` runs: the latest step's
    /// commands first, each step's in its own order.
    public func recovery(upTo index: Int) -> [String] { steps.recovery(upTo: index) }
}

extension Sequence where Element: Hashable {
    /// The elements in order, each once (recovery commands gathered from several steps).
    public func uniqued() -> [Element] {
        var seen = Set<Element>()
        return filter { seen.insert($0).inserted }
    }
}
