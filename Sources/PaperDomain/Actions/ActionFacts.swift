import PaperKube

// MARK: - ActionFacts

/// The typed objects the runbook actions plan from, taken from one snapshot: the restic
/// CronJob and its Jobs (with their pods, for exit codes), the CNPG Cluster and its Backups,
/// and the ExternalSecrets. The dashboard keeps them with each refresh; the planners are the
/// same pure functions the CLI calls after reading the same objects itself.
public struct ActionFacts: Sendable, Equatable {
    public var config: PaperConfig
    public var target: KubeTarget
    public var cronJob: CronJob?
    /// Jobs of the CronJob: owned by it or carrying its Job labels.
    public var jobs: [Job]
    /// Pods of those Jobs (`job-name` label), for restic's exit code.
    public var jobPods: [Pod]
    public var cluster: CNPGCluster?
    /// Backups of the configured cluster.
    public var backups: [CNPGBackup]
    public var externalSecrets: [ExternalSecret]
    /// The app Deployment (its replicas and selector, for a restore's scale-down and back).
    public var deployment: Deployment?
    /// The data volume's claim and its kubelet usage, for a restore's free-space check.
    public var dataVolume: DataVolume?

    /// The PVC the app mounts, with its usage when the kubelet reported it.
    public struct DataVolume: Sendable, Equatable {
        public var claim: PersistentVolumeClaim
        public var stats: VolumeStats?

        public init(claim: PersistentVolumeClaim, stats: VolumeStats? = nil) {
            self.claim = claim
            self.stats = stats
        }
    }

    public init(config: PaperConfig, target: KubeTarget, cronJob: CronJob? = nil, jobs: [Job] = [], jobPods: [Pod] = [],
                cluster: CNPGCluster? = nil, backups: [CNPGBackup] = [], externalSecrets: [ExternalSecret] = [],
                deployment: Deployment? = nil, dataVolume: DataVolume? = nil) {
        self.config = config
        self.target = target
        self.cronJob = cronJob
        self.jobs = jobs
        self.jobPods = jobPods
        self.cluster = cluster
        self.backups = backups
        self.externalSecrets = externalSecrets
        self.deployment = deployment
        self.dataVolume = dataVolume
    }

    /// Keeps the objects the actions need, and only those.
    public static func from(_ snapshot: Snapshot, config: PaperConfig) -> ActionFacts {
        let cronName = config.fileBackup.cronJob
        let jobs = BackupJobs.ofCronJob(snapshot.jobs, config: config)
        let jobNames = Set(jobs.map(\.metadata.name))
        let dataClaim = WatchedVolumes(snapshot: snapshot, config: config).data
        let claim = snapshot.persistentVolumeClaims.first { $0.metadata.name == dataClaim }
        let stats = snapshot.volumeStats.value?.flatMap(\.volumes).first { $0.pvcName == dataClaim }
        return ActionFacts(
            config: config, target: snapshot.target,
            cronJob: snapshot.cronJobs.first { $0.metadata.name == cronName },
            jobs: jobs,
            jobPods: snapshot.pods.filter { pod in jobNames.contains { pod.belongs(toJob: $0) } },
            cluster: snapshot.clusters.first { $0.metadata.name == config.database.cluster },
            backups: snapshot.backups.filter { $0.clusterName == config.database.cluster },
            externalSecrets: snapshot.externalSecrets,
            deployment: snapshot.deployments.first { $0.metadata.name == config.app.deployment },
            dataVolume: claim.map { DataVolume(claim: $0, stats: stats) })
    }

    // MARK: Planning

    public func planFileBackup(now: Double) -> ActionDecision {
        ManualBackup.planFiles(jobs: jobs, cronJob: cronJob, config: config, target: target, now: now)
    }

    public func planDatabaseBackup(now: Double) -> ActionDecision {
        ManualBackup.planDatabase(cluster: cluster, backups: backups, config: config, target: target, now: now)
    }

    public func planForceSync(secret: String, lastSync: Double?, now: Double) -> ActionDecision {
        guard externalSecrets.contains(where: { $0.metadata.name == secret }) else {
            return .refuse("ExternalSecret \(secret) is not in namespace \(target.namespace) (any more); refresh and pick another.")
        }
        return ForceSync.plan(secret: secret, lastSync: lastSync, target: target, now: now)
    }

    /// `status.refreshTime` of an ExternalSecret, to see a force-sync land.
    public func refreshTime(of secret: String) -> Double? {
        externalSecrets.first { $0.metadata.name == secret }?.refreshTime
    }

    // MARK: Tracking

    /// Where an object an action created stands, read from typed data (never from row text).
    public func progress(of object: TrackedObject) -> TrackedObject.Progress {
        switch object.kind {
        case .job:
            guard let job = jobs.first(where: { $0.metadata.name == object.name }) else { return .missing }
            if let uid = object.uid, let now = job.metadata.uid, uid != now { return .replaced(uid: now) }
            switch ManualBackup.progress(of: job) {
            case .inProgress(let state): return .inProgress(uid: job.metadata.uid, state)
            case .succeeded:
                let took = job.startTime.map { s in (job.finishedAt ?? s) - s }.map { " in \(UTCTime.humanDuration($0))" } ?? ""
                return .succeeded("Job complete\(took)")
            case .failed(let reason):
                let pods = jobPods.filter { $0.belongs(toJob: job.metadata.name) }
                let restic = ResticExitCode.of(job, pods: pods, sidecars: config.app.sidecars).map { "restic exit \($0): \(ResticExitCode.meaning($0))" }
                return .failed([restic, reason.isEmpty ? nil : reason].compactMap { $0 }.joined(separator: "; "))
            }
        case .backup:
            guard let backup = backups.first(where: { $0.metadata.name == object.name }) else { return .missing }
            if let uid = object.uid, let now = backup.metadata.uid, uid != now { return .replaced(uid: now) }
            switch ManualBackup.progress(of: backup) {
            case .inProgress(let state): return .inProgress(uid: backup.metadata.uid, Redactor.redact(state))
            case .succeeded: return .succeeded("Backup completed")
            case .failed(let error): return .failed(Redactor.redact(error))
            }
        }
    }
}

// MARK: - TrackedObject

/// A Job or Backup an action created, followed by name and UID until it finishes.
public struct TrackedObject: Sendable, Equatable, Hashable {
    public enum Kind: String, Sendable, Equatable, Hashable { case job = "File backup Job", backup = "Database Backup" }

    public var kind: Kind
    public var name: String
    /// Learned at the first refresh that shows the object; a different UID later means someone
    /// deleted it and created another of the same name.
    public var uid: String?

    public init(kind: Kind, name: String, uid: String? = nil) {
        self.kind = kind
        self.name = name
        self.uid = uid
    }

    public enum Progress: Sendable, Equatable {
        /// Not (yet) in the snapshot.
        case missing
        case inProgress(uid: String?, String)
        case succeeded(String)
        case failed(String)
        /// Same name, another UID: not the object the action created.
        case replaced(uid: String)
    }
}
