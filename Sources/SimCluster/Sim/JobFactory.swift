import PaperKube

// MARK: - JobFactory

/// Builds Jobs and their pods the way the CronJob and Job controllers do.
enum JobFactory {
    /// A Job as the CronJob controller creates it at a scheduled time.
    static func scheduledJob(cronJob: JSONValue, name: String, scheduledAt: Double) -> JSONValue {
        var metadata: JSONValue = ["name": .string(name), "labels": cronJob.value(at: "spec.jobTemplate.metadata.labels") ?? [:],
                                   "annotations": ["batch.kubernetes.io/cronjob-scheduled-timestamp": .string(UTCTime.rfc3339(scheduledAt))],
                                   "ownerReferences": [Seed.ownerRef(cronJob)]]
        if let ns = cronJob.value(at: "metadata.namespace") { metadata["namespace"] = ns }
        return ["apiVersion": "batch/v1", "kind": "Job", "metadata": metadata, "spec": cronJob.value(at: "spec.jobTemplate.spec") ?? [:]]
    }

    /// What the Job API strategy adds on create: the controller-uid selector and pod labels.
    static func admit(_ job: inout JSONValue, uid: String) {
        let name = job.value(at: "metadata.name")?.stringValue ?? ""
        job.set("metadata.uid", to: .string(uid))
        if job.value(at: "spec.manualSelector")?.boolValue != true {
            job.set("spec.selector", to: ["matchLabels": ["batch.kubernetes.io/controller-uid": .string(uid)]])
        }
        var labels = job.value(at: "spec.template.metadata.labels")?.objectValue ?? [:]
        labels["batch.kubernetes.io/controller-uid"] = .string(uid)
        labels["controller-uid"] = .string(uid)
        labels["batch.kubernetes.io/job-name"] = .string(name)
        labels["job-name"] = .string(name)
        job.set("spec.template.metadata.labels", to: .object(labels))
        var jobLabels = job.value(at: "metadata.labels")?.objectValue ?? [:]
        jobLabels["batch.kubernetes.io/controller-uid"] = .string(uid)
        jobLabels["controller-uid"] = .string(uid)
        jobLabels["batch.kubernetes.io/job-name"] = .string(name)
        jobLabels["job-name"] = .string(name)
        job.set("metadata.labels", to: .object(jobLabels))
        for (field, value) in [("completions", JSONValue.int(1)), ("parallelism", .int(1)), ("backoffLimit", .int(6)), ("completionMode", "NonIndexed"), ("suspend", false)]
        where job.value(at: "spec.\(field)") == nil {
            job.set("spec.\(field)", to: value)
        }
    }

    /// The pod the Job controller creates for a Job.
    static func pod(for job: JSONValue, node: String, now: Double) -> JSONValue {
        let jobName = job.value(at: "metadata.name")?.stringValue ?? "job"
        var meta: JSONValue = ["name": .string("\(jobName)-\(RandomName.suffix())"),
                               "labels": job.value(at: "spec.template.metadata.labels") ?? [:],
                               "annotations": job.value(at: "spec.template.metadata.annotations") ?? [:],
                               "ownerReferences": [Seed.ownerRef(job)]]
        if let ns = job.value(at: "metadata.namespace") { meta["namespace"] = ns }
        var spec = job.value(at: "spec.template.spec") ?? [:]
        spec["nodeName"] = .string(node)
        let statuses: [JSONValue] = (spec["containers"]?.arrayValue ?? []).map { c in
            ["name": c["name"] ?? "", "image": c["image"] ?? "", "ready": false, "restartCount": 0, "started": false,
             "state": ["waiting": ["reason": "ContainerCreating"]]]
        }
        return ["apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec,
                "status": ["phase": "Pending", "hostIP": "10.116.0.4", "qosClass": "Burstable", "startTime": .string(UTCTime.rfc3339(now)),
                           "conditions": [["type": "PodScheduled", "status": "True"]], "containerStatuses": .array(statuses)]]
    }

    /// Marks a pod's containers running.
    static func markRunning(_ pod: inout JSONValue, at time: Double, ready: Bool) {
        pod.set("status.phase", to: "Running")
        pod.set("status.podIP", to: .string("10.42.0.\(40 + Int(time) % 200)"))
        let statuses: [JSONValue] = (pod.value(at: "status.containerStatuses")?.arrayValue ?? []).map { s in
            var st = s
            st["ready"] = .bool(ready)
            st["started"] = true
            st["state"] = ["running": ["startedAt": .string(UTCTime.rfc3339(time))]]
            st["containerID"] = .string("containerd://" + LogText.format6(Int(time) &* 7) + RandomName.suffix(8))
            return st
        }
        pod.set("status.containerStatuses", to: .array(statuses))
        pod.set("status.conditions", to: [["type": "Initialized", "status": "True"], ["type": "Ready", "status": .string(ready ? "True" : "False")],
                                          ["type": "ContainersReady", "status": .string(ready ? "True" : "False")], ["type": "PodScheduled", "status": "True"]])
    }

    /// Marks a pod's containers terminated with an exit code (137 means OOM-killed).
    static func markFinished(_ pod: inout JSONValue, started: Double, finished: Double, exitCode: Int) {
        pod.set("status.phase", to: exitCode == 0 ? "Succeeded" : "Failed")
        let reason = exitCode == 0 ? "Completed" : (exitCode == 137 ? "OOMKilled" : "Error")
        let statuses: [JSONValue] = (pod.value(at: "status.containerStatuses")?.arrayValue ?? []).map { s in
            var st = s
            st["ready"] = false
            st["started"] = false
            st["state"] = ["terminated": ["exitCode": .int(exitCode), "reason": .string(reason),
                                          "startedAt": .string(UTCTime.rfc3339(started)), "finishedAt": .string(UTCTime.rfc3339(finished))]]
            return st
        }
        pod.set("status.containerStatuses", to: .array(statuses))
        pod.set("status.conditions", to: [["type": "Initialized", "status": "True"], ["type": "Ready", "status": "False", "reason": "PodCompleted"],
                                          ["type": "ContainersReady", "status": "False", "reason": "PodCompleted"], ["type": "PodScheduled", "status": "True"]])
    }

    /// Job status once its pod finished.
    static func markJobFinished(_ job: inout JSONValue, started: Double, finished: Double, exitCode: Int) {
        job.set("status.active", to: nil)
        job.set("status.ready", to: 0)
        job.set("status.terminating", to: 0)
        job.set("status.startTime", to: .string(UTCTime.rfc3339(started)))
        let at = JSONValue.string(UTCTime.rfc3339(finished))
        if exitCode == 0 {
            job.set("status.succeeded", to: 1)
            job.set("status.completionTime", to: at)
            job.set("status.conditions", to: [
                ["type": "SuccessCriteriaMet", "status": "True", "reason": "CompletionsReached", "message": "Reached expected number of succeeded pods", "lastProbeTime": at, "lastTransitionTime": at],
                ["type": "Complete", "status": "True", "reason": "CompletionsReached", "message": "Reached expected number of succeeded pods", "lastProbeTime": at, "lastTransitionTime": at],
            ])
        } else {
            job.set("status.failed", to: 1)
            job.set("status.conditions", to: [
                ["type": "FailureTarget", "status": "True", "reason": "BackoffLimitExceeded", "message": "Job has reached the specified backoff limit", "lastProbeTime": at, "lastTransitionTime": at],
                ["type": "Failed", "status": "True", "reason": "BackoffLimitExceeded", "message": "Job has reached the specified backoff limit", "lastProbeTime": at, "lastTransitionTime": at],
            ])
        }
    }

    /// A past run of the restic CronJob: Job, finished pod and its log.
    static func plantFinishedJob(seed: Seed, cronJob: JSONValue, name: String, start: Double, duration: Double, outcome: SimOptions.ResticOutcome) {
        let uid = RandomName.uuid()
        var job = scheduledJob(cronJob: cronJob, name: name, scheduledAt: start - 1)
        admit(&job, uid: uid)
        markJobFinished(&job, started: start, finished: start + duration, exitCode: outcome.exitCode)
        guard let created = try? seed.store.create(Catalogue.jobs, namespace: seed.ns, object: job, creationTime: start - 1) else { return }
        var pod = self.pod(for: created, node: Seed.node, now: start)
        markRunning(&pod, at: start + 1, ready: true)
        markFinished(&pod, started: start + 1, finished: start + duration, exitCode: outcome.exitCode)
        guard let p = try? seed.store.create(Catalogue.pods, namespace: seed.ns, object: pod, creationTime: start),
              let podName = p.value(at: "metadata.name")?.stringValue else { return }
        let lines = LogText.resticRun(outcome: outcome, start: start)
        for (i, line) in lines.enumerated() {
            seed.logs.append(namespace: seed.ns, pod: podName, container: "restic", time: start + 1 + duration * Double(i) / Double(max(1, lines.count)), line)
        }
    }
}
