import Foundation
import PaperKube

// MARK: - ResticJob

/// A Job built from the restic CronJob's `jobTemplate` with another command: the same image,
/// env from the same Secrets, the same labels (so the backup NetworkPolicy applies) and the same
/// volume. The operator never sees or types a credential.
public struct ResticJob: Sendable, Equatable {
    /// What the Job is for; its name and labels say it.
    public enum Purpose: String, Sendable, Equatable, CaseIterable {
        case snapshots = "restic-snapshots"
        case files = "restic-ls"
        case restore = "restic-restore"
        case drill = "restic-drill"
        case unlock = "restic-unlock"
        case safetyBackup = "restic-safety-backup"

        /// Jobs of these purposes write to the volume or the repository.
        public var writes: Bool { self == .restore || self == .unlock || self == .safetyBackup }
    }

    public static let managedByLabel = "app.kubernetes.io/managed-by"
    public static let managedBy = "paperctl"
    public static let purposeLabel = "paperctl.io/purpose"
    /// Finished Jobs (and their pods and logs) are removed an hour after they end.
    public static let ttlSeconds = 3600

    public var name: String
    public var purpose: Purpose
    /// The shell script the restic container runs (`/bin/sh -c`).
    public var script: String
    /// The Job as JSON for `kubectl create -f -`.
    public var json: String
    /// The same JSON for the screen: every literal env value masked but a few settings (`EnvDisplay`).
    public var displayJSON: String

    public struct BuildError: Error, Equatable, CustomStringConvertible {
        public var description: String
    }

    /// `paperctl-restic-restore-20261130t031500z-042`: what it is, and when, to the millisecond
    /// (a retry in the same second gets another name).
    public static func name(_ purpose: Purpose, now: Double) -> String {
        let stamp = UTCTime.rfc3339(now).replacingOccurrences(of: "-", with: "").replacingOccurrences(of: ":", with: "").lowercased()
        let millis = Int((now * 1000).rounded()) % 1000
        return "paperctl-\(purpose.rawValue)-\(stamp)-\(String(format: "%03d", max(0, millis)))"
    }

    /// The Job for `purpose` running `script` in the CronJob's restic container.
    ///
    /// - Parameters:
    ///   - cronJob: the CronJob as `kubectl get cronjob -o json` prints it.
    ///   - scratch: an `emptyDir` mounted at this path (restore drills restore into it).
    public static func build(cronJob: Data, purpose: Purpose, script: String, now: Double, namespace: String, scratch: String? = nil,
                             scratchLimit: String? = nil) throws(BuildError) -> ResticJob {
        guard let root = (try? JSONSerialization.jsonObject(with: cronJob)) as? [String: Any] else {
            throw BuildError(description: "the CronJob is not valid JSON")
        }
        guard let spec = root["spec"] as? [String: Any], let jobTemplate = spec["jobTemplate"] as? [String: Any],
              var jobSpec = jobTemplate["spec"] as? [String: Any], var template = jobSpec["template"] as? [String: Any],
              var podSpec = template["spec"] as? [String: Any], var containers = podSpec["containers"] as? [[String: Any]], !containers.isEmpty else {
            throw BuildError(description: "the CronJob has no spec.jobTemplate.spec.template.spec.containers")
        }
        let cronName = (root["metadata"] as? [String: Any])?["name"] as? String ?? "cronjob"
        let index = containers.firstIndex { ($0["image"] as? String ?? "").contains("restic") } ?? 0
        containers[index]["command"] = ["/bin/sh", "-c", script]
        containers[index].removeValue(forKey: "args")
        if purpose == .restore || purpose == .drill {
            // restic 0.16+ writes --json progress 60 times a second without a terminal; twice a minute is plenty in a pod log.
            var env = containers[index]["env"] as? [[String: Any]] ?? []
            env.removeAll { $0["name"] as? String == "RESTIC_PROGRESS_FPS" }
            env.append(["name": "RESTIC_PROGRESS_FPS", "value": "0.033"])
            containers[index]["env"] = env
        }
        if purpose == .restore {
            // The backup mounts the volume read-only; a restore writes to it.
            containers[index]["volumeMounts"] = (containers[index]["volumeMounts"] as? [[String: Any]] ?? []).map { m in
                var mount = m
                mount.removeValue(forKey: "readOnly")
                return mount
            }
            podSpec["volumes"] = (podSpec["volumes"] as? [[String: Any]] ?? []).map { v in
                guard var pvc = v["persistentVolumeClaim"] as? [String: Any] else { return v }
                pvc.removeValue(forKey: "readOnly")
                var volume = v
                volume["persistentVolumeClaim"] = pvc
                return volume
            }
        }
        if let scratch {
            var mounts = containers[index]["volumeMounts"] as? [[String: Any]] ?? []
            mounts.append(["name": "paperctl-scratch", "mountPath": scratch])
            containers[index]["volumeMounts"] = mounts
            var volumes = podSpec["volumes"] as? [[String: Any]] ?? []
            // A limit, so a drill that outgrows the node's disk is evicted alone, not the app.
            volumes.append(["name": "paperctl-scratch", "emptyDir": scratchLimit.map { ["sizeLimit": $0] } ?? [String: Any]()])
            podSpec["volumes"] = volumes
        }
        podSpec["containers"] = containers
        podSpec["restartPolicy"] = "Never"
        let name = Self.name(purpose, now: now)
        var labels = ((template["metadata"] as? [String: Any])?["labels"] as? [String: Any]) ?? [:]
        labels[managedByLabel] = managedBy
        labels[purposeLabel] = purpose.rawValue
        var templateMeta = template["metadata"] as? [String: Any] ?? [:]
        templateMeta["labels"] = labels
        template["metadata"] = templateMeta
        template["spec"] = podSpec
        jobSpec["template"] = template
        jobSpec["backoffLimit"] = 0
        // A drill is kept a week, so the file-backups check can say when the last one passed.
        jobSpec["ttlSecondsAfterFinished"] = purpose == .drill ? 7 * 86_400 : ttlSeconds
        // A large restore may outlast the backup's deadline.
        if purpose == .restore || purpose == .drill { jobSpec.removeValue(forKey: "activeDeadlineSeconds") }
        jobSpec.removeValue(forKey: "selector")
        var jobLabels = (jobTemplate["metadata"] as? [String: Any])?["labels"] as? [String: Any] ?? [:]
        jobLabels[managedByLabel] = managedBy
        jobLabels[purposeLabel] = purpose.rawValue
        let job: [String: Any] = [
            "apiVersion": "batch/v1",
            "kind": "Job",
            "metadata": [
                "name": name,
                "namespace": namespace,
                "labels": jobLabels,
                "annotations": ["paperctl.io/from-cronjob": cronName],
            ] as [String: Any],
            "spec": jobSpec,
        ]
        guard let data = try? JSONSerialization.data(withJSONObject: job, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]) else {
            throw BuildError(description: "the Job could not be written as JSON")
        }
        var shown = job
        if var spec = shown["spec"] as? [String: Any], var tpl = spec["template"] as? [String: Any], let ps = tpl["spec"] as? [String: Any] {
            tpl["spec"] = EnvDisplay.masked(podSpec: ps)
            spec["template"] = tpl
            shown["spec"] = spec
        }
        let display = (try? JSONSerialization.data(withJSONObject: shown, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])) ?? data
        return ResticJob(name: name, purpose: purpose, script: script, json: String(decoding: data, as: UTF8.self) + "\n",
                         displayJSON: Redactor.redact(String(decoding: display, as: UTF8.self)) + "\n")
    }

    /// A Job paperctl made (a listing, restore, unlock or drill), not a backup run.
    public static func isToolJob(_ job: Job) -> Bool {
        job.metadata.labels[managedByLabel] == managedBy && job.metadata.labels[purposeLabel] != nil
    }

    /// Where the data volume is mounted in the template's restic container (`/data`).
    public static func dataMountPath(cronJob: Data, claim: String?) -> String? {
        guard let root = (try? JSONSerialization.jsonObject(with: cronJob)) as? [String: Any],
              let podSpec = (((root["spec"] as? [String: Any])?["jobTemplate"] as? [String: Any])?["spec"] as? [String: Any])
                .flatMap({ ($0["template"] as? [String: Any])?["spec"] as? [String: Any] }),
              let containers = podSpec["containers"] as? [[String: Any]] else { return nil }
        let volumes = (podSpec["volumes"] as? [[String: Any]] ?? []).filter { v in
            guard let pvc = v["persistentVolumeClaim"] as? [String: Any] else { return false }
            return claim == nil || pvc["claimName"] as? String == claim
        }.compactMap { $0["name"] as? String }
        let container = containers.first { ($0["image"] as? String ?? "").contains("restic") } ?? containers.first
        let mounts = container?["volumeMounts"] as? [[String: Any]] ?? []
        return mounts.first { volumes.contains($0["name"] as? String ?? "") }?["mountPath"] as? String
    }

    /// The restic version in the template's restic image tag (`restic/restic:0.17.3`), or nil
    /// for a tag that is not a version (`latest`, a digest).
    public static func imageVersion(cronJob: Data) -> ResticVersion? {
        guard let root = (try? JSONSerialization.jsonObject(with: cronJob)) as? [String: Any],
              let podSpec = (((root["spec"] as? [String: Any])?["jobTemplate"] as? [String: Any])?["spec"] as? [String: Any])
                .flatMap({ ($0["template"] as? [String: Any])?["spec"] as? [String: Any] }),
              let containers = podSpec["containers"] as? [[String: Any]],
              let image = containers.first(where: { ($0["image"] as? String ?? "").contains("restic") })?["image"] as? String else { return nil }
        let reference = image.split(separator: "@").first.map(String.init) ?? image
        guard let colon = reference.lastIndex(of: ":"), !reference[colon...].contains("/") else { return nil }
        let tag = reference[reference.index(after: colon)...].drop { $0 == "v" }
        return ResticOutput.version(in: "restic \(tag)")
    }

    // MARK: Scripts

    /// Lists the snapshots, with restic's version first (the wizard picks flags by it).
    public static let snapshotsScript = "restic version && restic snapshots --json"

    /// One directory of a snapshot and its direct entries (`restic ls` without `--recursive`), so a
    /// large volume is browsed a level at a time instead of printed whole into a pod log.
    ///
    /// With `liveDirectory` (the same directory on the live volume, which the template mounts
    /// read-only), the Job then prints `paperctl-live: DIR` and `find`'s list of its direct
    /// entries, or `paperctl-live-missing` when find fails (the directory is gone live), so the
    /// browser can show what the snapshot has that the live volume lacks. Every value is
    /// single-quoted; printf prints the directory as data.
    public static func filesScript(snapshot: String, directory: String, liveDirectory: String? = nil) throws(BuildError) -> String {
        try checkText(snapshot, field: "the snapshot id")
        try checkText(directory, field: "the directory")
        var script = "restic version && restic ls --json \(quoted(snapshot)) \(quoted(directory))"
        if let live = liveDirectory {
            try checkText(live, field: "the live directory")
            script += liveListingTail(quoted(live))
        }
        return script
    }

    /// ` && printf 'paperctl-live: %s\n' Q && { find Q -mindepth 1 -maxdepth 1 || printf 'paperctl-live-missing\n'; }`.
    public static func liveListingTail(_ quotedDirectory: String) -> String {
        " && printf '\(ResticOutput.liveMarker)%s\\n' \(quotedDirectory) && { find \(quotedDirectory) -mindepth 1 -maxdepth 1 || printf '\(ResticOutput.liveMissingMarker)\\n'; }"
    }

    /// Everything a path selects in a snapshot, for the plan's "matches N files": `restic ls
    /// --json --recursive` of that one path (ls compares paths literally, as the restore's
    /// escaped `--include` matches them).
    public static func matchScript(snapshot: String, path: String) throws(BuildError) -> String {
        try checkText(snapshot, field: "the snapshot id")
        try checkPath(path, field: "--path")
        return "restic version && restic ls --json --recursive \(quoted(snapshot)) \(quoted(path))"
    }

    /// Removes stale locks only (`restic unlock` leaves a lock whose holder is alive).
    public static let unlockScript = "restic unlock"
    /// Removes every lock, live ones too: only once the holder is known to be gone.
    public static let unlockAllScript = "restic unlock --remove-all"

    /// Refuses a value that would reach the Job's script with a control character (a newline
    /// would end the command, ESC would reach the operator's terminal through the log), naming
    /// the flag or field it came from. Everything else is single-quoted and so never parsed.
    public static func checkText(_ value: String, field: String) throws(BuildError) {
        if let bad = value.unicodeScalars.first(where: { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }) {
            throw BuildError(description: "\(field) contains the control character U+\(String(format: "%04X", bad.value)): refused")
        }
    }

    /// A path inside a snapshot: no control characters, and no `.` or `..` part (restic cleans
    /// patterns, so `a/../b` would select `b`).
    public static func checkPath(_ path: String, field: String) throws(BuildError) {
        try checkText(path, field: field)
        if path.split(separator: "/").contains(where: { $0 == "." || $0 == ".." }) {
            throw BuildError(description: "\(field) has a '.' or '..' part: give the path inside the snapshot as it is listed")
        }
    }

    /// Restores `snapshot:root` (optionally only `path` within it, matched literally) into
    /// `target`; `verify` re-reads what was written; `json` gives progress lines and a summary
    /// with restic's own count of restored files (restic 0.16 and later). Whether anything was
    /// restored is judged from that count (`ResticOutput.restoredFiles`), not here.
    public static func restoreScript(snapshot: String, root: String, path: String?, target: String, verify: Bool, json: Bool) throws(BuildError) -> String {
        try checkText(snapshot, field: "--snapshot")
        try checkText(root, field: "the snapshot's path")
        try checkText(target, field: "the target directory")
        var words = ["restic", "restore", quoted("\(snapshot):\(root)"), "--target", quoted(target)]
        if let path {
            try checkPath(path, field: "--path")
            let clean = path.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
            if !clean.isEmpty { words += ["--include", quoted("/" + ResticPattern.literal(clean))] }
        }
        if verify { words.append("--verify") }
        if json { words.append("--json") }
        return "restic version && mkdir -p \(quoted(target)) && " + words.joined(separator: " ")
    }

    /// The template's own restic command line (command and args of its restic container).
    public static func templateScript(cronJob: Data) -> String? {
        guard let root = (try? JSONSerialization.jsonObject(with: cronJob)) as? [String: Any],
              let podSpec = (((root["spec"] as? [String: Any])?["jobTemplate"] as? [String: Any])?["spec"] as? [String: Any])
                .flatMap({ ($0["template"] as? [String: Any])?["spec"] as? [String: Any] }),
              let containers = podSpec["containers"] as? [[String: Any]] else { return nil }
        let container = containers.first { ($0["image"] as? String ?? "").contains("restic") } ?? containers.first
        let words = (container?["command"] as? [String] ?? []) + (container?["args"] as? [String] ?? [])
        return words.joined(separator: " ")
    }

    /// The host name of safety snapshots: their own forget group.
    public static let safetyHost = "paperctl-safety"

    /// A fresh backup of the live files before they are overwritten, tagged `paperctl-safety`
    /// and made as host `paperctl-safety`.
    ///
    /// It runs no `forget`, and its host puts it in a forget group of its own (restic groups by
    /// host and paths): with the template's host, the CronJob's next `forget --keep-daily 7`
    /// would keep it as the day's snapshot and remove the scheduled one of that day, which may
    /// be the very snapshot being restored. The same policy then keeps safety snapshots among
    /// themselves (the newest of each day, week and month it names).
    public static func safetyBackupScript(mount: String) throws(BuildError) -> String {
        try checkText(mount, field: "the data volume's mount path")
        return "restic version && " + ["restic", "backup", quoted(mount), "--tag", "paperctl-safety", "--host", safetyHost].joined(separator: " ")
    }

    /// The `--keep-*` flags of the template's `restic forget` (`--keep-daily 7 --keep-weekly 4`), or nil.
    public static func forgetPolicy(templateScript: String?) -> String? {
        let words = (templateScript ?? "").split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)
        guard let forget = words.indices.first(where: { words[$0] == "forget" && $0 > 0 && words[$0 - 1].hasSuffix("restic") }) else { return nil }
        var flags: [String] = []
        var i = forget + 1
        while i < words.count, words[i] != "&&", words[i] != ";" {
            if words[i].hasPrefix("--keep-") {
                if words[i].contains("=") { flags.append(words[i]) } else if i + 1 < words.count { flags.append("\(words[i]) \(words[i + 1])"); i += 1 }
            }
            i += 1
        }
        return flags.isEmpty ? nil : flags.joined(separator: " ")
    }

    /// The newest snapshot into a scratch directory with `--verify`, then what it holds. The
    /// directory is single-quoted inside the command substitutions and the message is printf's
    /// format, so no value is parsed by the shell.
    public static func drillScript(scratch: String) -> String {
        let dir = quoted(scratch)
        return "restic version && restic restore latest --target \(dir) --verify && "
            + "printf 'paperctl-drill: files=%s bytes=%s\\n' \"$(find \(dir) -type f | wc -l)\" \"$(du -sb \(dir) | cut -f1)\""
    }

    /// A word for `/bin/sh -c`, single-quoted when it is not plain.
    public static func quoted(_ word: String) -> String { KubectlCommand.shellQuoted(word) }
}
