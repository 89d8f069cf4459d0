import PaperKube

// MARK: - ResticExitCode

/// restic's documented exit codes, in words, with what to do about each.
public enum ResticExitCode {
    /// The restic container's exit code from the Job's newest terminated pod: the pods carry
    /// `job-name` (or are owned by the Job); mesh `sidecars` are skipped; an OOMKilled container
    /// without a code counts as 137. Nil when no pod of the Job says.
    public static func of(_ job: Job, pods: [Pod], sidecars: [String]) -> Int? {
        let own = pods.filter { $0.belongs(toJob: job.metadata.name) }
        var best: (time: Double, code: Int)?
        for pod in own {
            for status in pod.containerStatuses where !sidecars.contains(status.name) {
                for state in [status.state, status.lastState] {
                    guard case .terminated(let code, let reason, _, let finished) = state else { continue }
                    guard let resolved = code ?? (reason == "OOMKilled" ? 137 : nil), resolved != 0 else { continue }
                    let time = finished ?? 0
                    if best == nil || time > (best?.time ?? 0) { best = (time, resolved) }
                }
            }
        }
        return best?.code
    }

    /// What `code` means for a restic backup run.
    public static func meaning(_ code: Int) -> String {
        switch code {
        case 0: "success"
        case 1: "fatal error (restic exit 1)"
        case 2: "restic crashed (Go runtime error, exit 2)"
        case 3: "incomplete snapshot: some source files could not be read (exit 3)"
        case 10: "repository does not exist (exit 10)"
        case 11: "repository lock failed: already locked (exit 11)"
        case 12: "wrong password or no key found (exit 12)"
        case 130: "interrupted (exit 130)"
        case 137: "killed by SIGKILL, usually OOM-killed (exit 137)"
        default: "unknown exit code \(code), treated as failure"
        }
    }

    /// The runbook step for a failing code.
    public static func hint(_ code: Int) -> String {
        switch code {
        case 3: "the snapshot was saved but incomplete: find the unreadable files in the job log"
        case 10: "the repository URL or bucket is wrong, or the repository was never initialised"
        case 11: "a stale lock: make sure no backup job runs, then run `restic unlock` from a shell with the repository env"
        case 12: "the restic password does not match the repository: check the paperless-ngx-restic ExternalSecret"
        case 137: "the job ran out of memory: raise the CronJob's memory limit"
        default: "read the job log"
        }
    }
}
