import Synchronization
import PaperKube

// MARK: - Controllers

/// The simulated controllers: Deployment/ReplicaSet, Job, CronJob, CNPG Cluster, Backup and
/// ScheduledBackup, External Secrets, plus the kubelet's log output. `tick` advances them all to
/// the clock's now; it is called every 100 ms of real time.
public final class Controllers: Sendable {
    struct PodPlan {
        var runAt: Double
        var finishAt: Double?
        var exitCode: Int
        var startedAt: Double?
        /// The log a simulated run prints (nil: restic's usual lines for its exit code).
        var lines: [String]? = nil
    }

    struct BackupPlan {
        var startedAt: Double?
        var finishAt: Double?
    }

    struct State {
        var pods: [String: PodPlan] = [:]  // by uid
        /// restic-stale-lock: every restic Job fails on the lock until a `restic unlock` Job runs.
        var staleLock = false
        /// restic-locked: a `restic unlock --remove-all` Job removed the live-looking lock.
        var lockRemoved = false
        var backups: [String: BackupPlan] = [:]  // by uid
        var clusters: [String: Double] = [:]  // new cluster uid -> created
        /// Running full-recovery Jobs, by cluster uid: how they will end, their pod, when they began.
        var recoveries: [String: (failure: String?, pod: String, started: Double)] = [:]
        var forceSyncSeen: [String: String] = [:]  // ES uid -> annotation value
        var lastAppLog: Double = 0
        var lastProxyLog: Double = 0
        var lastDBLog: Double = 0
        var lineCounter = 0
        /// The owner's password of each cluster as its instance manager set it, by cluster name.
        var ownerPasswords: [String: String] = [:]
        /// App pods that cannot use their database: the lines each prints at every restart, by pod name.
        var appFailures: [String: [String]] = [:]
    }

    let api: KubeAPI
    let options: SimOptions
    let state = Mutex(State())
    let argoState = Mutex(ArgoSim.State())
    let runner: (any JobRunning)?

    var store: ObjectStore { api.store }
    var logs: PodLogs { api.logs }
    var ns: String { options.namespace }

    init(api: KubeAPI, options: SimOptions, runner: (any JobRunning)?) {
        self.api = api
        self.options = options
        self.runner = runner
        let now = api.clock.now()
        state.withLock { s in
            s.staleLock = options.restic == .staleLock
            s.lastAppLog = now
            s.lastProxyLog = now
            s.lastDBLog = now
        }
    }

    public func tick() {
        let now = api.clock.now()
        reconcileDeployments(now)
        reconcileJobs(now)
        fireCronJobs(now)
        fireScheduledBackups(now)
        advanceBackups(now)
        advanceClusters(now)
        reconcileHibernation(now)
        refreshExternalSecrets(now)
        reconcileArgo(now)
        emitLogs(now)
    }

    static func owned(by owner: JSONValue, _ items: [JSONValue]) -> [JSONValue] {
        guard let uid = owner.value(at: "metadata.uid")?.stringValue else { return [] }
        return items.filter { ($0.value(at: "metadata.ownerReferences")?.arrayValue ?? []).contains { $0["uid"]?.stringValue == uid } }
    }

    static func name(_ o: JSONValue) -> String { o.value(at: "metadata.name")?.stringValue ?? "" }
    static func uid(_ o: JSONValue) -> String { o.value(at: "metadata.uid")?.stringValue ?? "" }

    // MARK: Deployments

    func reconcileDeployments(_ now: Double) {
        let pods = store.list(Catalogue.pods, namespace: ns).items
        let replicaSets = store.list(Catalogue.replicaSets, namespace: ns).items
        for deploy in store.list(Catalogue.deployments, namespace: ns).items {
            let desired = deploy.value(at: "spec.replicas")?.intValue ?? 1
            guard let rs = Self.owned(by: deploy, replicaSets).first else { continue }
            var mine = Self.owned(by: rs, pods)
            while mine.count > desired, let victim = mine.last {
                _ = try? api.cascadeDelete(Catalogue.pods, namespace: ns, name: Self.name(victim))
                mine.removeLast()
            }
            if mine.count < desired {
                for _ in mine.count..<desired {
                    var pod = JobFactory.pod(for: rs, node: Seed.node, now: now)
                    pod.set("metadata.name", to: .string("\(Self.name(rs))-\(RandomName.suffix())"))
                    pod.set("spec.restartPolicy", to: "Always")
                    if pod.value(at: "metadata.annotations")?["linkerd.io/inject"]?.stringValue == "enabled" {
                        var containers = pod.value(at: "spec.containers")?.arrayValue ?? []
                        containers.insert(Seed.linkerdProxy, at: 0)
                        pod.set("spec.containers", to: .array(containers))
                        pod.set("spec.initContainers", to: [Seed.linkerdInit])
                        pod.set("status.containerStatuses", to: .array(containers.map { c in
                            ["name": c["name"] ?? "", "image": c["image"] ?? "", "ready": false, "restartCount": 0, "started": false,
                             "state": ["waiting": ["reason": "PodInitializing"]]]
                        }))
                    }
                    if let created = try? store.create(Catalogue.pods, namespace: ns, object: pod) {
                        state.withLock { $0.pods[Self.uid(created)] = PodPlan(runAt: now + 3, finishAt: nil, exitCode: 0) }
                        mine.append(created)
                    }
                }
            }
            // Start pods whose time has come.
            for pod in mine where pod.value(at: "status.phase")?.stringValue == "Pending" {
                let plan = state.withLock { $0.pods[Self.uid(pod)] }
                guard let plan, plan.runAt <= now else { continue }
                let isApp = Self.name(deploy) == "paperless-ngx"
                let crash = isApp && options.appCrashloop
                // The app starts only against a healthy cluster that takes its password.
                let failure = isApp && !crash ? appDatabaseFailure(deploy, now: now) : nil
                _ = try? store.update(Catalogue.pods, namespace: ns, name: Self.name(pod), bumpGeneration: false) { p throws(APIError) in
                    JobFactory.markRunning(&p, at: now, ready: !crash && failure == nil)
                    guard failure != nil else { return }
                    let statuses: [JSONValue] = (p.value(at: "status.containerStatuses")?.arrayValue ?? []).map { st in
                        guard st["name"]?.stringValue == "paperless-ngx" else { return st }
                        var crashed = st
                        crashed["restartCount"] = 3
                        crashed["started"] = false
                        crashed["state"] = ["waiting": ["reason": "CrashLoopBackOff", "message": "back-off 40s restarting failed container=paperless-ngx"]]
                        crashed["lastState"] = ["terminated": ["exitCode": 1, "reason": "Error"]]
                        return crashed
                    }
                    p.set("status.containerStatuses", to: .array(statuses))
                }
                if let failure { state.withLock { $0.appFailures[Self.name(pod)] = failure } }
                emitStartup(pod: Self.name(pod), deployment: Self.name(deploy), at: now, failure: failure)
            }
            let current = store.list(Catalogue.pods, namespace: ns).items
            let live = Self.owned(by: rs, current)
            let ready = live.filter { $0.value(at: "status.conditions")?.arrayValue?.contains { $0["type"]?.stringValue == "Ready" && $0["status"]?.stringValue == "True" } ?? false }.count
            _ = try? store.update(Catalogue.replicaSets, namespace: ns, name: Self.name(rs), bumpGeneration: false) { r throws(APIError) in
                r.set("spec.replicas", to: .int(desired))
                r.set("status.replicas", to: .int(live.count))
                r.set("status.readyReplicas", to: ready > 0 ? .int(ready) : nil)
                r.set("status.availableReplicas", to: ready > 0 ? .int(ready) : nil)
                r.set("status.fullyLabeledReplicas", to: .int(live.count))
            }
            _ = try? store.update(Catalogue.deployments, namespace: ns, name: Self.name(deploy), bumpGeneration: false) { d throws(APIError) in
                d.set("status.replicas", to: live.isEmpty ? nil : .int(live.count))
                d.set("status.updatedReplicas", to: live.isEmpty ? nil : .int(live.count))
                d.set("status.readyReplicas", to: ready > 0 ? .int(ready) : nil)
                d.set("status.availableReplicas", to: ready > 0 ? .int(ready) : nil)
                d.set("status.unavailableReplicas", to: live.count - ready > 0 ? .int(live.count - ready) : nil)
                d.set("status.observedGeneration", to: d.value(at: "metadata.generation"))
                let available = ready >= desired
                d.set("status.conditions", to: [
                    ["type": "Available", "status": .string(available ? "True" : "False"),
                     "reason": .string(available ? "MinimumReplicasAvailable" : "MinimumReplicasUnavailable"),
                     "message": .string(available ? "Deployment has minimum availability." : "Deployment does not have minimum availability.")],
                    ["type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable",
                     "message": .string("ReplicaSet \"\(Self.name(rs))\" has successfully progressed.")],
                ])
            }
        }
    }

    func emitStartup(pod: String, deployment: String, at now: Double, failure: [String]? = nil) {
        if deployment == "paperless-ngx" {
            let lines = failure ?? (options.appCrashloop ? LogText.crashLines(now) : LogText.appStartup(now))
            for (i, line) in lines.enumerated() {
                logs.append(namespace: ns, pod: pod, container: "paperless-ngx", time: now + Double(i) * 0.05, line)
            }
        } else if deployment == "paperless-ngx-redis" {
            for line in LogText.redisStartup(now) { logs.append(namespace: ns, pod: pod, container: "redis", time: now, line) }
        }
        logs.append(namespace: ns, pod: pod, container: "linkerd-proxy", time: now, "[     0.002117s]  INFO ThreadId(01) linkerd2_proxy: release edge-25.4.1 by linkerd")
    }

    // MARK: Jobs

    func reconcileJobs(_ now: Double) {
        let pods = store.list(Catalogue.pods, namespace: ns).items
        for job in store.list(Catalogue.jobs, namespace: ns).items {
            let finished = (job.value(at: "status.conditions")?.arrayValue ?? []).contains {
                ($0["type"]?.stringValue == "Complete" || $0["type"]?.stringValue == "Failed") && $0["status"]?.stringValue == "True"
            }
            if finished || job.value(at: "spec.suspend")?.boolValue == true { continue }
            let mine = Self.owned(by: job, pods)
            guard let pod = mine.first else {
                if let startTime = job.value(at: "status.startTime")?.stringValue {
                    // Its pod was deleted before it finished: the Job controller counts that as a failed
                    // pod, and past `backoffLimit` (paperctl's restic Jobs use 0) the Job has failed.
                    let failed = (job.value(at: "status.failed")?.intValue ?? 0) + 1
                    if failed > (job.value(at: "spec.backoffLimit")?.intValue ?? 6) {
                        let started = (UTCTime.parse(startTime) ?? now) + 2
                        finish(job: job, podName: "", started: started, finished: max(started, now), exitCode: 137)
                        continue
                    }
                    _ = try? store.update(Catalogue.jobs, namespace: ns, name: Self.name(job), bumpGeneration: false) { j throws(APIError) in
                        j.set("status.failed", to: .int(failed))
                    }
                }
                let pod = JobFactory.pod(for: job, node: Seed.node, now: now)
                if let created = try? store.create(Catalogue.pods, namespace: ns, object: pod) {
                    let isRestic = (job.value(at: "spec.template.spec.containers")?.arrayValue ?? []).contains {
                        ($0["image"]?.stringValue ?? "").contains("restic")
                    }
                    var duration = isRestic ? (options.restic == .success ? options.resticDuration : 4) : 5
                    var code = isRestic ? options.restic.exitCode : 0
                    var lines: [String]?
                    if isRestic, options.resticBackupDenied, Self.commandText(of: job).contains("restic backup") {
                        (code, duration, lines) = (1, 4, LogText.resticBackupDenied)
                    }
                    if isRestic, options.restic == .staleLock {
                        // The lock holds until an unlock Job removes it; then Jobs run as on a healthy repository.
                        let script = Self.commandText(of: job)
                        let locked = state.withLock { $0.staleLock }
                        if script.contains("restic unlock") {
                            state.withLock { $0.staleLock = false }
                            (code, duration, lines) = (0, 3, LogText.resticUnlock)
                        } else if !locked {
                            (code, duration) = (0, options.resticDuration)
                        }
                    }
                    if isRestic, options.restic == .locked {
                        // Plain `restic unlock` leaves a lock restic does not call stale; --remove-all removes it.
                        if Self.commandText(of: job).contains("restic unlock --remove-all") {
                            state.withLock { $0.lockRemoved = true }
                            (code, duration, lines) = (0, 3, LogText.resticUnlock)
                        } else if state.withLock({ $0.lockRemoved }) {
                            (code, duration) = (0, options.resticDuration)
                        }
                    }
                    let plan = PodPlan(runAt: now + 2, finishAt: now + 2 + duration, exitCode: code, lines: lines)
                    state.withLock { $0.pods[Self.uid(created)] = plan }
                    _ = try? store.update(Catalogue.jobs, namespace: ns, name: Self.name(job), bumpGeneration: false) { j throws(APIError) in
                        j.set("status.active", to: 1)
                        j.set("status.ready", to: 0)
                        j.set("status.startTime", to: .string(UTCTime.rfc3339(now)))
                        j.set("status.uncountedTerminatedPods", to: [:])
                    }
                    addActive(job: job, now: now)
                }
                continue
            }
            let podName = Self.name(pod)
            guard var plan = state.withLock({ $0.pods[Self.uid(pod)] }) else { continue }
            let phase = pod.value(at: "status.phase")?.stringValue
            if phase == "Pending", plan.runAt <= now {
                plan.startedAt = now
                if let runner, plan.lines == nil, plan.exitCode == 0, let run = runner.start(job: job, pod: pod, options: runnerOptions, store: store) {
                    plan.finishAt = nil
                    state.withLock { $0.pods[Self.uid(pod)] = plan }
                    _ = try? store.update(Catalogue.pods, namespace: ns, name: podName, bumpGeneration: false) { p throws(APIError) in
                        JobFactory.markRunning(&p, at: now, ready: true)
                    }
                    watchRealRun(run, job: job, pod: pod)
                } else {
                    state.withLock { $0.pods[Self.uid(pod)] = plan }
                    _ = try? store.update(Catalogue.pods, namespace: ns, name: podName, bumpGeneration: false) { p throws(APIError) in
                        JobFactory.markRunning(&p, at: now, ready: true)
                    }
                    _ = try? store.update(Catalogue.jobs, namespace: ns, name: Self.name(job), bumpGeneration: false) { j throws(APIError) in
                        j.set("status.ready", to: 1)
                    }
                }
                continue
            }
            if phase == "Running", let finishAt = plan.finishAt, finishAt <= now {
                let started = plan.startedAt ?? now
                let command = Self.commandText(of: job)
                let restores = plan.exitCode == 0 && command.contains("restic restore") && !command.contains("paperctl-drill")
                // A listing Job prints what restic prints for it (the snapshots, a directory's nodes), not a backup's lines.
                let listing = plan.exitCode == 0 ? Self.resticScript(of: job).flatMap { LogText.resticListing($0, now: started) } : nil
                let lines = plan.lines ?? listing ?? (restores ? LogText.resticRestore(json: command.contains("--json"))
                                                              : LogText.resticRun(outcome: plan.exitCode == 0 ? .success : options.restic, start: started))
                let container = pod.value(at: "spec.containers.0.name")?.stringValue ?? "main"
                for (i, line) in lines.enumerated() {
                    logs.append(namespace: ns, pod: podName, container: container, time: started + (finishAt - started) * Double(i + 1) / Double(lines.count + 1), line)
                }
                finish(job: job, podName: podName, started: started, finished: finishAt, exitCode: plan.exitCode)
            }
        }
    }

    /// The restic container's script, read as the simulator reads it (nil when it is not in that form).
    static func resticScript(of job: JSONValue) -> [SimCommand]? {
        guard let container = (job.value(at: "spec.template.spec.containers")?.arrayValue ?? []).first(where: { ($0["image"]?.stringValue ?? "").contains("restic") }) else { return nil }
        let words = (container["command"]?.arrayValue ?? []).compactMap(\.stringValue) + (container["args"]?.arrayValue ?? []).compactMap(\.stringValue)
        return try? SimScript.commands(of: words)
    }

    /// The Job's restic command line (command and args of its containers), to tell an unlock from a backup.
    static func commandText(of job: JSONValue) -> String {
        (job.value(at: "spec.template.spec.containers")?.arrayValue ?? []).flatMap { c in
            (c["command"]?.arrayValue ?? []) + (c["args"]?.arrayValue ?? [])
        }.compactMap(\.stringValue).joined(separator: " ")
    }

    /// The options a real run sees: once the stale lock is gone, the repository is healthy.
    var runnerOptions: SimOptions {
        var o = options
        if o.restic == .staleLock { o.restic = .success }
        return o
    }

    /// Records a finished pod and Job, ends log follows, and updates the owning CronJob.
    func finish(job: JSONValue, podName: String, started: Double, finished: Double, exitCode: Int) {
        _ = try? store.update(Catalogue.pods, namespace: ns, name: podName, bumpGeneration: false) { p throws(APIError) in
            JobFactory.markFinished(&p, started: started, finished: finished, exitCode: exitCode)
        }
        logs.endFollowers(namespace: ns, pod: podName)
        _ = try? store.update(Catalogue.jobs, namespace: ns, name: Self.name(job), bumpGeneration: false) { j throws(APIError) in
            JobFactory.markJobFinished(&j, started: started - 2, finished: finished, exitCode: exitCode)
        }
        guard let owner = (job.value(at: "metadata.ownerReferences")?.arrayValue ?? []).first(where: { $0["kind"]?.stringValue == "CronJob" }),
              let cjName = owner["name"]?.stringValue else { return }
        _ = try? store.update(Catalogue.cronJobs, namespace: ns, name: cjName, bumpGeneration: false) { c throws(APIError) in
            let active = (c.value(at: "status.active")?.arrayValue ?? []).filter { $0["uid"]?.stringValue != Self.uid(job) }
            c.set("status.active", to: active.isEmpty ? nil : .array(active))
            if exitCode == 0 { c.set("status.lastSuccessfulTime", to: .string(UTCTime.rfc3339(finished))) }
        }
        pruneHistory(cronJob: cjName)
    }

    func watchRealRun(_ run: JobRun, job: JSONValue, pod: JSONValue) {
        let podName = Self.name(pod)
        let container = pod.value(at: "spec.containers.0.name")?.stringValue ?? "main"
        let clock = api.clock
        Task.detached { [self] in
            for await line in run.lines {
                logs.append(namespace: ns, pod: podName, container: container, time: clock.now(), line)
            }
            let code = await run.exitCode()
            // A deleted pod's run ends the Job no more: the Job controller has counted it failed already.
            guard store.get(Catalogue.pods, namespace: ns, name: podName).map(Self.uid) == Self.uid(pod) else { return }
            let now = clock.now()
            let started = state.withLock { $0.pods[Self.uid(pod)]?.startedAt } ?? now
            finish(job: job, podName: podName, started: started, finished: now, exitCode: code)
        }
    }

    func addActive(job: JSONValue, now: Double) {
        guard let owner = (job.value(at: "metadata.ownerReferences")?.arrayValue ?? []).first(where: { $0["kind"]?.stringValue == "CronJob" }),
              let cjName = owner["name"]?.stringValue else { return }
        _ = try? store.update(Catalogue.cronJobs, namespace: ns, name: cjName, bumpGeneration: false) { c throws(APIError) in
            var active = c.value(at: "status.active")?.arrayValue ?? []
            if !active.contains(where: { $0["uid"]?.stringValue == Self.uid(job) }) {
                active.append(["kind": "Job", "namespace": .string(ns), "name": .string(Self.name(job)), "uid": .string(Self.uid(job)), "apiVersion": "batch/v1"])
            }
            c.set("status.active", to: .array(active))
        }
    }

    func pruneHistory(cronJob name: String) {
        guard let cj = store.get(Catalogue.cronJobs, namespace: ns, name: name) else { return }
        let jobs = Self.owned(by: cj, store.list(Catalogue.jobs, namespace: ns).items)
        func finishedType(_ j: JSONValue) -> String? {
            (j.value(at: "status.conditions")?.arrayValue ?? []).first {
                ($0["type"]?.stringValue == "Complete" || $0["type"]?.stringValue == "Failed") && $0["status"]?.stringValue == "True"
            }?["type"]?.stringValue
        }
        for (type, limitPath, fallback) in [("Complete", "spec.successfulJobsHistoryLimit", 3), ("Failed", "spec.failedJobsHistoryLimit", 1)] {
            let limit = cj.value(at: limitPath)?.intValue ?? fallback
            let done = jobs.filter { finishedType($0) == type }.sorted {
                ($0.value(at: "metadata.creationTimestamp")?.stringValue ?? "") < ($1.value(at: "metadata.creationTimestamp")?.stringValue ?? "")
            }
            if done.count > limit {
                for old in done.prefix(done.count - limit) { _ = try? api.cascadeDelete(Catalogue.jobs, namespace: ns, name: Self.name(old)) }
            }
        }
    }

    // MARK: CronJobs

    func fireCronJobs(_ now: Double) {
        for cj in store.list(Catalogue.cronJobs, namespace: ns).items where cj.value(at: "spec.suspend")?.boolValue != true {
            guard let text = cj.value(at: "spec.schedule")?.stringValue, let schedule = try? CronSchedule(parsing: text, dialect: .kubernetes, timeZone: cj.value(at: "spec.timeZone")?.stringValue),
                  let due = schedule.previous(atOrBefore: now, maxDays: 2) else { continue }
            let last = cj.value(at: "status.lastScheduleTime")?.stringValue.flatMap(UTCTime.parse) ?? 0
            guard due > last + 0.5, due > now - 300 else { continue }
            let active = cj.value(at: "status.active")?.arrayValue ?? []
            if cj.value(at: "spec.concurrencyPolicy")?.stringValue == "Forbid", !active.isEmpty { continue }
            var job = JobFactory.scheduledJob(cronJob: cj, name: "\(Self.name(cj))-\(Int(due / 60))", scheduledAt: due)
            JobFactory.admit(&job, uid: RandomName.uuid())
            if let created = try? store.create(Catalogue.jobs, namespace: ns, object: job) {
                addActive(job: created, now: now)
            }
            _ = try? store.update(Catalogue.cronJobs, namespace: ns, name: Self.name(cj), bumpGeneration: false) { c throws(APIError) in
                c.set("status.lastScheduleTime", to: .string(UTCTime.rfc3339(due)))
            }
        }
    }

    // MARK: CNPG

    func fireScheduledBackups(_ now: Double) {
        for sb in store.list(Catalogue.scheduledBackups, namespace: ns).items where sb.value(at: "spec.suspend")?.boolValue != true {
            guard let text = sb.value(at: "spec.schedule")?.stringValue, let schedule = try? CronSchedule(parsing: text, dialect: .cloudNativePG),
                  let due = schedule.previous(atOrBefore: now, maxDays: 2) else { continue }
            let last = sb.value(at: "status.lastScheduleTime")?.stringValue.flatMap(UTCTime.parse) ?? 0
            _ = try? store.update(Catalogue.scheduledBackups, namespace: ns, name: Self.name(sb), bumpGeneration: false) { s throws(APIError) in
                if let next = schedule.next(after: now) { s.set("status.nextScheduleTime", to: .string(UTCTime.rfc3339(next))) }
            }
            guard due > last + 0.5, due > now - 300 else { continue }
            var spec: JSONValue = ["cluster": sb.value(at: "spec.cluster") ?? [:], "method": sb.value(at: "spec.method") ?? "barmanObjectStore"]
            if let plugin = sb.value(at: "spec.pluginConfiguration") { spec["pluginConfiguration"] = plugin }
            let backup: JSONValue = ["apiVersion": "postgresql.cnpg.io/v1", "kind": "Backup",
                                     "metadata": ["name": .string("\(Self.name(sb))-\(Seed.compactStamp(due))"),
                                                  "labels": ["cnpg.io/cluster": sb.value(at: "spec.cluster.name") ?? "", "cnpg.io/scheduled-backup": .string(Self.name(sb))],
                                                  "ownerReferences": [Seed.ownerRef(sb)]],
                                     "spec": spec]
            _ = try? store.create(Catalogue.backups, namespace: ns, object: VendoredCRDs.defaulted(backup, kind: Catalogue.backups))
            _ = try? store.update(Catalogue.scheduledBackups, namespace: ns, name: Self.name(sb), bumpGeneration: false) { s throws(APIError) in
                s.set("status.lastScheduleTime", to: .string(UTCTime.rfc3339(due)))
                s.set("status.lastCheckTime", to: .string(UTCTime.rfc3339(now)))
            }
        }
    }

    func setClusterCondition(_ cluster: String, type: String, status: String, reason: String, message: String, now: Double, extra: (inout JSONValue) -> Void = { _ in }) {
        _ = try? store.update(Catalogue.clusters, namespace: ns, name: cluster, bumpGeneration: false) { c throws(APIError) in
            var conditions = c.value(at: "status.conditions")?.arrayValue ?? []
            conditions.removeAll { $0["type"]?.stringValue == type }
            conditions.append(["type": .string(type), "status": .string(status), "reason": .string(reason), "message": .string(message),
                               "lastTransitionTime": .string(UTCTime.rfc3339(now))])
            c.set("status.conditions", to: .array(conditions))
            extra(&c)
        }
    }

    func advanceBackups(_ now: Double) {
        let backups = store.list(Catalogue.backups, namespace: ns).items
        for backup in backups {
            let phase = backup.value(at: "status.phase")?.stringValue ?? ""
            guard ["", "pending", "started", "running", "finalizing"].contains(phase) else { continue }
            let name = Self.name(backup)
            // A real stuck Backup (cloudnative-pg#7905) stays as it was pasted.
            if options.frozenBackups.contains(name) { continue }
            let clusterName = backup.value(at: "spec.cluster.name")?.stringValue ?? ""
            guard store.get(Catalogue.clusters, namespace: ns, name: clusterName) != nil else {
                _ = try? store.update(Catalogue.backups, namespace: ns, name: name, bumpGeneration: false) { b throws(APIError) in
                    b.set("status.phase", to: "failed")
                    b.set("status.error", to: .string("Unknown cluster \(clusterName), will retry in 30 seconds"))
                }
                continue
            }
            var plan = state.withLock { $0.backups[Self.uid(backup)] } ?? BackupPlan()
            if phase == "" {
                if options.pluginUnavailable, backup.value(at: "spec.method")?.stringValue == "plugin" {
                    // CNPG fails a plugin Backup whose plugin is not loaded before it starts.
                    let plugin = backup.value(at: "spec.pluginConfiguration.name")?.stringValue ?? ""
                    let error = "\(RealCase.pluginNotAvailablePrefix): \(plugin)"
                    _ = try? store.update(Catalogue.backups, namespace: ns, name: name, bumpGeneration: false) { b throws(APIError) in
                        b.set("status.phase", to: "failed")
                        b.set("status.error", to: .string(error))
                    }
                    setClusterCondition(clusterName, type: "LastBackupSucceeded", status: "False", reason: "LastBackupFailed", message: error, now: now)
                    continue
                }
                if options.walArchivingBroken {
                    _ = try? store.update(Catalogue.backups, namespace: ns, name: name, bumpGeneration: false) { b throws(APIError) in
                        b.set("status.phase", to: "walArchivingFailing")
                        b.set("status.error", to: "WAL archiving is failing: unexpected failure invoking barman-cloud-wal-archive: exit status 1")
                    }
                    continue
                }
                _ = try? store.update(Catalogue.backups, namespace: ns, name: name, bumpGeneration: false) { b throws(APIError) in
                    b.set("status.phase", to: "pending")
                }
                state.withLock { $0.backups[Self.uid(backup)] = plan }
                continue
            }
            if phase == "pending" {
                // One backup runs at a time per cluster.
                let busy = backups.contains {
                    $0.value(at: "spec.cluster.name")?.stringValue == clusterName && ["running", "started", "finalizing"].contains($0.value(at: "status.phase")?.stringValue ?? "")
                }
                guard !busy else { continue }
                plan.startedAt = now
                plan.finishAt = now + options.backupDuration
                state.withLock { $0.backups[Self.uid(backup)] = plan }
                let method = backup.value(at: "spec.method")?.stringValue ?? "barmanObjectStore"
                // Written under the cluster's serverName (its own name unless the store names another).
                let archive = store.get(Catalogue.clusters, namespace: ns, name: clusterName).map(Recovery.archive(of:))
                _ = try? store.update(Catalogue.backups, namespace: ns, name: name, bumpGeneration: false) { b throws(APIError) in
                    b.set("status.phase", to: "running")
                    b.set("status.method", to: .string(method))
                    b.set("status.online", to: true)
                    b.set("status.startedAt", to: .string(UTCTime.rfc3339(now)))
                    b.set("status.serverName", to: .string(archive?.server ?? clusterName))
                    b.set("status.destinationPath", to: .string(archive.map { $0.location.hasPrefix("objectstore/") || $0.location.isEmpty ? Seed.dbBucket : $0.location } ?? Seed.dbBucket))
                    b.set("status.instanceID", to: ["podName": .string("\(clusterName)-1")])
                }
                setClusterCondition(clusterName, type: "LastBackupSucceeded", status: "False", reason: "BackupStarted", message: "New Backup starting up", now: now)
                continue
            }
            if phase == "running", let finishAt = plan.finishAt ?? backup.value(at: "status.startedAt")?.stringValue.flatMap(UTCTime.parse).map({ $0 + options.backupDuration }), finishAt <= now {
                let started = plan.startedAt ?? now
                if options.dbBackups == .failing {
                    let error = "can't execute backup: exit status 4: ERROR: Barman cloud backup exception: An error occurred (InvalidAccessKeyId) when calling the CreateMultipartUpload operation: Unknown"
                    _ = try? store.update(Catalogue.backups, namespace: ns, name: name, bumpGeneration: false) { b throws(APIError) in
                        b.set("status.phase", to: "failed")
                        b.set("status.stoppedAt", to: .string(UTCTime.rfc3339(finishAt)))
                        b.set("status.error", to: .string(error))
                    }
                    setClusterCondition(clusterName, type: "LastBackupSucceeded", status: "False", reason: "LastBackupFailed", message: error, now: now) { c in
                        c.set("status.lastFailedBackup", to: .string(UTCTime.rfc3339(finishAt)))
                    }
                } else {
                    let id = Seed.backupID(started)
                    _ = try? store.update(Catalogue.backups, namespace: ns, name: name, bumpGeneration: false) { b throws(APIError) in
                        b.set("status.phase", to: "completed")
                        b.set("status.stoppedAt", to: .string(UTCTime.rfc3339(finishAt)))
                        b.set("status.backupId", to: .string(id))
                        b.set("status.backupName", to: .string("backup-\(id)"))
                        b.set("status.beginWal", to: "000000010000000000000061")
                        b.set("status.endWal", to: "000000010000000000000062")
                        b.set("status.beginLSN", to: "0/61000028")
                        b.set("status.endLSN", to: "0/62000100")
                    }
                    let plugin = options.pluginBackups
                    setClusterCondition(clusterName, type: "LastBackupSucceeded", status: "True", reason: "LastBackupSucceeded", message: "Backup was successful", now: now) { c in
                        guard !plugin else { return }
                        c.set("status.lastSuccessfulBackup", to: .string(UTCTime.rfc3339(finishAt)))
                        c.set("status.lastSuccessfulBackupByMethod", to: ["barmanObjectStore": .string(UTCTime.rfc3339(finishAt))])
                        if c.value(at: "status.firstRecoverabilityPoint") == nil {
                            c.set("status.firstRecoverabilityPoint", to: .string(UTCTime.rfc3339(finishAt)))
                        }
                    }
                    if plugin {
                        // The plugin's window is kept per serverName in the cluster's ObjectStore.
                        let archive = store.get(Catalogue.clusters, namespace: ns, name: clusterName).map(Recovery.archive(of:))
                        let storeName = archive.flatMap { $0.location.hasPrefix("objectstore/") ? String($0.location.dropFirst("objectstore/".count)) : nil } ?? "paperless-ngx-db-store"
                        let server = archive?.server ?? clusterName
                        _ = try? store.update(Catalogue.objectStores, namespace: ns, name: storeName, bumpGeneration: false) { o throws(APIError) in
                            o.set(["status", "serverRecoveryWindow", server, "lastSuccessfulBackupTime"], to: .string(UTCTime.rfc3339(finishAt)))
                            if o.value(at: ["status", "serverRecoveryWindow", server, "firstRecoverabilityPoint"]) == nil {
                                o.set(["status", "serverRecoveryWindow", server, "firstRecoverabilityPoint"], to: .string(UTCTime.rfc3339(finishAt)))
                            }
                        }
                    }
                }
                state.withLock { _ = $0.backups.removeValue(forKey: Self.uid(backup)) }
            }
        }
    }

    /// A Cluster applied while the simulator runs bootstraps: "Setting up primary", then healthy.
    func advanceClusters(_ now: Double) {
        for cluster in store.list(Catalogue.clusters, namespace: ns).items {
            let name = Self.name(cluster)
            let phase = cluster.value(at: "status.phase")?.stringValue
            let uid = Self.uid(cluster)
            let created = state.withLock { s -> Double? in
                if phase == nil, s.clusters[uid] == nil { s.clusters[uid] = now }
                return s.clusters[uid]
            }
            let instances = cluster.value(at: "spec.instances")?.intValue ?? 1
            if phase != nil, cluster.value(at: "status.instances")?.intValue != instances {
                _ = try? store.update(Catalogue.clusters, namespace: ns, name: name, bumpGeneration: false) { c throws(APIError) in
                    c.set("status.instances", to: .int(instances))
                }
            }
            guard let created else { continue }
            if phase == nil {
                _ = try? store.update(Catalogue.clusters, namespace: ns, name: name, bumpGeneration: false) { c throws(APIError) in
                    c.set("status.phase", to: "Setting up primary")
                    c.set("status.phaseReason", to: .string("Creating primary instance \(name)-1"))
                    c.set("status.instances", to: .int(instances))
                    c.set("status.readyInstances", to: 0)
                    c.set("status.conditions", to: [["type": "Ready", "status": "False", "reason": "ClusterIsNotReady", "message": "Cluster Is Not Ready",
                                                     "lastTransitionTime": .string(UTCTime.rfc3339(now))]])
                }
                let pvc: JSONValue = ["metadata": ["name": .string("\(name)-1"), "labels": ["cnpg.io/cluster": .string(name), "cnpg.io/pvcRole": "PG_DATA"],
                                                   "ownerReferences": [Seed.ownerRef(cluster)]],
                                      "spec": ["accessModes": ["ReadWriteOnce"], "resources": ["requests": ["storage": cluster.value(at: "spec.storage.size") ?? "1Gi"]],
                                               "storageClassName": "do-block-storage", "volumeMode": "Filesystem"],
                                      "status": ["phase": "Bound", "accessModes": ["ReadWriteOnce"], "capacity": ["storage": cluster.value(at: "spec.storage.size") ?? "1Gi"]]]
                _ = try? store.create(Catalogue.pvcs, namespace: ns, object: pvc)
                // CloudNativePG's event on the Cluster as it creates the first instance: a drill's
                // record is verified by these events once its scratch cluster is deleted.
                let event: JSONValue = [
                    "apiVersion": "v1", "kind": "Event",
                    "metadata": ["name": .string("\(name).\(uid.prefix(8))")],
                    "involvedObject": ["apiVersion": "postgresql.cnpg.io/v1", "kind": "Cluster", "name": .string(name), "namespace": .string(ns), "uid": .string(uid)],
                    "type": "Normal", "reason": "CreatingInstance",
                    "message": .string(cluster.value(at: "spec.bootstrap.recovery") != nil ? "Primary instance (from backup)" : "Primary instance (initdb)"),
                    "count": 1, "firstTimestamp": .string(UTCTime.rfc3339(now)), "lastTimestamp": .string(UTCTime.rfc3339(now)),
                    "source": ["component": "cloudnative-pg"],
                ]
                _ = try? store.create(Catalogue.events, namespace: ns, object: event)
            } else if phase == "Setting up primary", now >= created + 4, cluster.value(at: "spec.bootstrap.recovery") != nil,
                      cluster.value(at: "status.phaseReason")?.stringValue?.hasPrefix("Recovering") != true {
                // A recovery: a full-recovery Job whose log says how it went, by CNPG's rules.
                let live = store.list(Catalogue.clusters, namespace: ns).items.first {
                    $0.value(at: "spec.bootstrap.recovery") == nil && Self.name($0) != name
                }
                let failure = Recovery.failure(of: cluster, live: live, backups: store.list(Catalogue.backups, namespace: ns).items,
                                               objectStores: store.list(Catalogue.objectStores, namespace: ns).items, now: now)
                let job: JSONValue = ["apiVersion": "batch/v1", "kind": "Job",
                                      "metadata": ["name": .string("\(name)-1-full-recovery"), "labels": ["cnpg.io/cluster": .string(name), "cnpg.io/jobRole": "full-recovery"],
                                                   "ownerReferences": [Seed.ownerRef(cluster)]],
                                      "spec": ["suspend": true, "template": ["spec": ["containers": [["name": "full-recovery", "image": "ghcr.io/cloudnative-pg/postgresql:16.6"]]]]]]
                var created = job
                JobFactory.admit(&created, uid: RandomName.uuid())
                if let made = try? store.create(Catalogue.jobs, namespace: ns, object: created) {
                    // The recovery runs for a few seconds in a pod of its own: deleting that pod
                    // halfway fails the Job (CNPG's recovery Jobs are not retried here).
                    var pod = JobFactory.pod(for: made, node: Seed.node, now: now)
                    pod.set("metadata.name", to: .string("\(name)-1-full-recovery-\(RandomName.suffix())"))
                    let podName = pod.value(at: "metadata.name")?.stringValue ?? ""
                    let target = cluster.value(at: "spec.bootstrap.recovery.recoveryTarget")?.objectValue.map { "\($0)" } ?? "latest"
                    for (i, line) in Recovery.log(cluster: name, failure: failure, target: target).enumerated() {
                        logs.append(namespace: ns, pod: podName, container: "full-recovery", time: now + Double(i) * 0.1, line)
                    }
                    JobFactory.markRunning(&pod, at: now, ready: true)
                    _ = try? store.create(Catalogue.pods, namespace: ns, object: pod)
                    state.withLock { $0.recoveries[uid] = (failure, podName, now) }
                }
                _ = try? store.update(Catalogue.clusters, namespace: ns, name: name, bumpGeneration: false) { c throws(APIError) in
                    c.set("status.phaseReason", to: "Recovering: the full-recovery job is running")
                }
            } else if phase == "Setting up primary", let recovery = state.withLock({ $0.recoveries[uid] }), now >= recovery.started + 3 {
                // The full-recovery Job ends: as CNPG's rules say, or failed if its pod was deleted.
                state.withLock { _ = $0.recoveries.removeValue(forKey: uid) }
                let podGone = store.get(Catalogue.pods, namespace: ns, name: recovery.pod) == nil
                let failure = podGone ? "the full-recovery pod \(recovery.pod) was deleted before it finished" : recovery.failure
                if !podGone {
                    _ = try? store.update(Catalogue.pods, namespace: ns, name: recovery.pod, bumpGeneration: false) { p throws(APIError) in
                        JobFactory.markFinished(&p, started: recovery.started, finished: now, exitCode: failure == nil ? 0 : 1)
                    }
                }
                _ = try? store.update(Catalogue.jobs, namespace: ns, name: "\(name)-1-full-recovery", bumpGeneration: false) { j throws(APIError) in
                    JobFactory.markJobFinished(&j, started: recovery.started, finished: now, exitCode: failure == nil ? 0 : 1)
                }
                _ = try? store.update(Catalogue.clusters, namespace: ns, name: name, bumpGeneration: false) { c throws(APIError) in
                    c.set("status.phaseReason", to: .string(failure.map { "Recovering: the full-recovery job failed: \($0)" } ?? "Recovering: restore completed, starting the primary"))
                }
                if failure != nil { state.withLock { _ = $0.clusters.removeValue(forKey: uid) } }  // it stays in "Setting up primary"
            } else if phase == "Setting up primary", now >= created + 8,
                      cluster.value(at: "spec.bootstrap.recovery") == nil || cluster.value(at: "status.phaseReason")?.stringValue == "Recovering: restore completed, starting the primary" {
                // The WAL archive check before the primary archives: its serverName must be empty.
                if let used = usedArchive(of: cluster) {
                    let message = Self.expectedEmptyArchive(used.server)
                    setClusterCondition(name, type: "ContinuousArchiving", status: "False", reason: "ContinuousArchivingFailing", message: message, now: now) { c in
                        c.set("status.phaseReason", to: .string("Setting up primary: \(message)"))
                    }
                    state.withLock { _ = $0.clusters.removeValue(forKey: uid) }  // it stays in "Setting up primary"
                    continue
                }
                reconcileRecoveredCredentials(cluster, now: now)
                let archives = !Recovery.archive(of: cluster).location.isEmpty
                startPrimary(cluster, now: now)
                _ = try? store.update(Catalogue.clusters, namespace: ns, name: name, bumpGeneration: false) { c throws(APIError) in
                    c.set("status.phase", to: "Cluster in healthy state")
                    c.set("status.phaseReason", to: nil)
                    c.set("status.readyInstances", to: .int(instances))
                    c.set("status.currentPrimary", to: .string("\(name)-1"))
                    c.set("status.targetPrimary", to: .string("\(name)-1"))
                    c.set("status.instancesStatus", to: ["healthy": [.string("\(name)-1")]])
                    // ContinuousArchiving only where WAL is archived: a recovered cluster without a
                    // backup configuration has none.
                    var conditions: [JSONValue] = [["type": "Ready", "status": "True", "reason": "ClusterIsReady", "message": "Cluster is Ready", "lastTransitionTime": .string(UTCTime.rfc3339(now))]]
                    if archives {
                        conditions.append(["type": "ContinuousArchiving", "status": "True", "reason": "ContinuousArchivingSuccess", "message": "Continuous archiving is working",
                                           "lastTransitionTime": .string(UTCTime.rfc3339(now))])
                    }
                    c.set("status.conditions", to: .array(conditions))
                }
                state.withLock { _ = $0.clusters.removeValue(forKey: uid) }
            }
        }
    }

    // MARK: External Secrets

    static func parseInterval(_ text: String) -> Double? {
        var total = 0.0
        var number = ""
        var any = false
        for ch in text {
            if ch.isNumber || ch == "." {
                number.append(ch)
            } else {
                guard let v = Double(number) else { return nil }
                switch ch {
                case "h": total += v * 3600
                case "m": total += v * 60
                case "s": total += v
                default: return nil
                }
                number = ""
                any = true
            }
        }
        if !number.isEmpty { return nil }
        return any ? total : nil
    }

    func refreshExternalSecrets(_ now: Double) {
        guard options.externalSecretsInstalled else { return }
        for es in store.list(Catalogue.externalSecrets, namespace: ns).items {
            let uid = Self.uid(es)
            let name = Self.name(es)
            let failing = options.secretSyncFailing && name == "paperless-ngx-admin"
            let force = es.value(at: "metadata.annotations")?["force-sync"]?.stringValue
            let forced = state.withLock { s -> Bool in
                let seen = s.forceSyncSeen[uid]
                s.forceSyncSeen[uid] = force ?? ""
                return seen != nil && force != nil && seen != force
            }
            let interval = es.value(at: "spec.refreshInterval")?.stringValue.flatMap(Self.parseInterval) ?? 3600
            let last = es.value(at: "status.refreshTime")?.stringValue.flatMap(UTCTime.parse) ?? 0
            guard forced || (interval > 0 && now - last >= interval) else { continue }
            _ = try? store.update(Catalogue.externalSecrets, namespace: ns, name: name, bumpGeneration: false) { e throws(APIError) in
                if failing {
                    // As ESO: refreshTime moves only on a successful sync, and a condition that stays
                    // False keeps its lastTransitionTime.
                    let already = e.value(at: "status.conditions.0.status")?.stringValue == "False"
                    e.set("status.conditions", to: [["type": "Ready", "status": "False", "reason": "SecretSyncedError",
                                                     "message": "could not get secret data from provider",
                                                     "lastTransitionTime": already ? (e.value(at: "status.conditions.0.lastTransitionTime") ?? .string(UTCTime.rfc3339(now))) : .string(UTCTime.rfc3339(now))]])
                } else {
                    e.set("status.refreshTime", to: .string(UTCTime.rfc3339(now)))
                    e.set("status.syncedResourceVersion", to: .string("1-" + LogText.format6(Int(now))))
                    e.set("status.conditions", to: [["type": "Ready", "status": "True", "reason": "SecretSynced", "message": "secret synced",
                                                     "lastTransitionTime": e.value(at: "status.conditions.0.lastTransitionTime") ?? .string(UTCTime.rfc3339(now))]])
                }
            }
        }
    }

    // MARK: Logs

    func emitLogs(_ now: Double) {
        let pods = store.list(Catalogue.pods, namespace: ns).items.filter { $0.value(at: "status.phase")?.stringValue == "Running" }
        let app = pods.filter { $0.labels["app.kubernetes.io/name"] == "paperless-ngx" }
        let db = pods.filter { $0.labels["cnpg.io/cluster"] != nil }
        var (appTimes, proxyTimes, dbTimes, counter) = state.withLock { s -> ([Double], [Double], [Double], Int) in
            func steps(_ last: inout Double, every: Double) -> [Double] {
                var out: [Double] = []
                while last + every <= now, out.count < 200 {
                    last += every
                    out.append(last)
                }
                if last + every <= now { last = now }
                return out
            }
            let a = steps(&s.lastAppLog, every: 4)
            let p = steps(&s.lastProxyLog, every: 20)
            let d = steps(&s.lastDBLog, every: 30)
            let c = s.lineCounter
            s.lineCounter += a.count + p.count + d.count
            return (a, p, d, c)
        }
        for t in appTimes {
            counter += 1
            for pod in app {
                let name = Self.name(pod)
                if let failure = appFailureLines(pod: name) {
                    if counter % 8 == 0 { for line in failure { logs.append(namespace: ns, pod: name, container: "paperless-ngx", time: t, line) } }
                } else if options.appCrashloop {
                    if counter % 8 == 0 { for line in LogText.crashLines(t) { logs.append(namespace: ns, pod: name, container: "paperless-ngx", time: t, line) } }
                } else if options.redisErrors && counter % 5 == 0 {
                    for line in LogText.redisErrorLines(t, password: options.plantedPassword, counter / 5) {
                        logs.append(namespace: ns, pod: name, container: "paperless-ngx", time: t, line)
                    }
                } else {
                    logs.append(namespace: ns, pod: name, container: "paperless-ngx", time: t, LogText.appLine(t, counter))
                }
            }
        }
        for t in proxyTimes {
            counter += 1
            for pod in app { logs.append(namespace: ns, pod: Self.name(pod), container: "linkerd-proxy", time: t, LogText.proxyLine(t, counter, redisDown: options.redisErrors)) }
        }
        for t in dbTimes {
            counter += 1
            for pod in db {
                let line = options.walArchivingBroken && counter % 2 == 0 ? LogText.walFailureLine(t) : LogText.postgresLine(t, counter)
                logs.append(namespace: ns, pod: Self.name(pod), container: "postgres", time: t, line)
            }
        }
        appTimes.removeAll()
        proxyTimes.removeAll()
        dbTimes.removeAll()
    }
}

// MARK: - JobRunning

/// A Job run by a real program (restic) instead of a timer.
public struct JobRun: Sendable {
    public let lines: AsyncStream<String>
    public let exitCode: @Sendable () async -> Int

    public init(lines: AsyncStream<String>, exitCode: @escaping @Sendable () async -> Int) {
        self.lines = lines
        self.exitCode = exitCode
    }
}

/// Runs a Job's container for real when it can (nil: simulate it instead). `store` holds the
/// Secrets the container's env refers to.
public protocol JobRunning: Sendable {
    func start(job: JSONValue, pod: JSONValue, options: SimOptions, store: ObjectStore) -> JobRun?
}
