import Foundation
import PaperKube

// MARK: - ResticSnapshot

/// One snapshot as `restic snapshots --json` lists it.
public struct ResticSnapshot: Sendable, Equatable {
    public var id: String
    public var shortID: String
    /// Seconds since the epoch.
    public var time: Double
    public var hostname: String
    public var paths: [String]
    public var tags: [String]
    /// `summary.total_bytes_processed` (restic 0.17 and later), the size a full restore needs.
    public var totalBytes: Int?

    public init(id: String, shortID: String? = nil, time: Double, hostname: String = "", paths: [String], tags: [String] = [], totalBytes: Int? = nil) {
        self.id = id
        self.shortID = shortID ?? String(id.prefix(8))
        self.time = time
        self.hostname = hostname
        self.paths = paths
        self.tags = tags
        self.totalBytes = totalBytes
    }

    /// The one path the snapshot holds, which is the volume's mount path in a Job of the CronJob.
    public var root: String? { paths.count == 1 ? paths[0] : nil }
}

// MARK: - ResticNode

/// One entry of `restic ls --json`.
public struct ResticNode: Sendable, Equatable {
    public var path: String
    public var isDirectory: Bool
    public var size: Int
    /// The file's modification time as the snapshot recorded it (seconds since the epoch).
    public var mtime: Double?

    public init(path: String, isDirectory: Bool, size: Int = 0, mtime: Double? = nil) {
        self.path = path
        self.isDirectory = isDirectory
        self.size = size
        self.mtime = mtime
    }

    /// The last part of the path.
    public var name: String { path.split(separator: "/").last.map(String.init) ?? path }
}

// MARK: - LiveListing

/// The live volume's entries of one directory, as the listing Job's `find` printed them, to
/// tell what the snapshot has that the live volume lacks.
public struct LiveListing: Sendable, Equatable {
    /// The directory as the Job saw it (`/data/media/documents/originals`).
    public var directory: String
    /// The names of its direct entries.
    public var names: Set<String>
    /// The directory itself does not exist on the live volume (so every entry of it is missing).
    public var directoryMissing: Bool

    public init(directory: String, names: Set<String>, directoryMissing: Bool = false) {
        self.directory = directory
        self.names = names
        self.directoryMissing = directoryMissing
    }

    /// The snapshot's entries of the same directory that the live volume lacks, by name.
    public func missing(_ nodes: [ResticNode]) -> [ResticNode] {
        directoryMissing ? nodes : nodes.filter { !names.contains($0.name) }
    }
}

// MARK: - PathMatch

/// What a path selects in a snapshot: `restic ls --json --recursive <snapshot> <path>` counted.
public struct PathMatch: Sendable, Equatable {
    /// The path inside the snapshot's root (`media/documents/originals`).
    public var path: String
    /// Entries that are not directories (files, symlinks), at the path or below it.
    public var files: Int
    public var bytes: Int

    public init(path: String, files: Int, bytes: Int) {
        self.path = path
        self.files = files
        self.bytes = bytes
    }

    /// "1 file (2.0 KiB)", "12 431 files (4.1 GiB)", "0 files".
    public var text: String {
        files == 0 ? "0 files" : "\(grouped(files)) file\(files == 1 ? "" : "s") (\(FileRestore.bytes(Int64(bytes))))"
    }

    /// 12431 → "12 431".
    public func grouped(_ n: Int) -> String {
        let digits = Array(String(n))
        var out = ""
        for (i, d) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out.append(" ") }
            out.append(d)
        }
        return out
    }
}

// MARK: - ResticVersion

/// `restic 0.17.3 compiled with go1.23.3 on linux/amd64`.
public struct ResticVersion: Sendable, Equatable, Comparable, CustomStringConvertible {
    public var major: Int
    public var minor: Int
    public var patch: Int

    public init(_ major: Int, _ minor: Int, _ patch: Int = 0) {
        self.major = major
        self.minor = minor
        self.patch = patch
    }

    public static func < (a: ResticVersion, b: ResticVersion) -> Bool { (a.major, a.minor, a.patch) < (b.major, b.minor, b.patch) }
    public var description: String { "\(major).\(minor).\(patch)" }

    /// `restore <snapshot>:<subfolder>` and `restore --json` progress came in 0.16.0.
    public var hasSubfolderRestore: Bool { self >= ResticVersion(0, 16) }
    /// `restore --delete` came in 0.17.0.
    public var hasRestoreDelete: Bool { self >= ResticVersion(0, 17) }
}

// MARK: - ResticOutput

/// Reads what restic printed in a Job's log: its version, the snapshot list, the file tree,
/// restore progress.
public enum ResticOutput {
    public struct ParseError: Error, Equatable, CustomStringConvertible {
        public var description: String
    }

    /// The version from `restic version`'s line, if the log has one.
    public static func version(in log: String) -> ResticVersion? {
        for line in log.split(whereSeparator: \.isNewline) where line.hasPrefix("restic ") {
            let parts = line.split(separator: " ")
            guard parts.count >= 2 else { continue }
            let numbers = parts[1].split(separator: ".").map { Int($0.prefix { $0.isNumber }) }
            if numbers.count >= 2, let major = numbers[0], let minor = numbers[1] {
                return ResticVersion(major, minor, numbers.count > 2 ? (numbers[2] ?? 0) : 0)
            }
        }
        return nil
    }

    /// The snapshots of `restic snapshots --json` (one JSON array on a line of its own), newest first.
    public static func snapshots(in log: String) throws(ParseError) -> [ResticSnapshot] {
        guard let line = log.split(whereSeparator: \.isNewline).first(where: { $0.first == "[" }) else {
            throw ParseError(description: "no snapshot list (a JSON array) in the output")
        }
        guard let array = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [[String: Any]] else {
            throw ParseError(description: "the snapshot list is not valid JSON")
        }
        var out: [ResticSnapshot] = []
        for item in array {
            guard let id = item["id"] as? String, let timeText = item["time"] as? String, let time = UTCTime.parse(timeText) else { continue }
            let summary = item["summary"] as? [String: Any]
            out.append(ResticSnapshot(id: id, shortID: item["short_id"] as? String, time: time, hostname: item["hostname"] as? String ?? "",
                                      paths: item["paths"] as? [String] ?? [], tags: item["tags"] as? [String] ?? [],
                                      totalBytes: (summary?["total_bytes_processed"] as? NSNumber)?.intValue))
        }
        return out.sorted { $0.time > $1.time }
    }

    /// The nodes of `restic ls --json` (JSON lines: a snapshot object first, `"struct_type":"snapshot"`,
    /// then one object per node, `"struct_type":"node"` with name, type, path, size and mtime;
    /// restic 0.17 adds `"message_type"` to both). The snapshot line and other lines are skipped.
    public static func nodes(in log: String) -> [ResticNode] {
        log.split(whereSeparator: \.isNewline).compactMap { line in
            guard line.first == "{", let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any],
                  object["struct_type"] as? String == "node" || object["message_type"] as? String == "node",
                  let path = object["path"] as? String else { return nil }
            return ResticNode(path: path, isDirectory: object["type"] as? String == "dir", size: (object["size"] as? NSNumber)?.intValue ?? 0,
                              mtime: (object["mtime"] as? String).flatMap(UTCTime.parse))
        }
    }

    /// The marker the listing Job prints before the live directory's `find` output.
    public static let liveMarker = "paperctl-live: "
    /// What it prints when `find` failed (the directory does not exist live).
    public static let liveMissingMarker = "paperctl-live-missing"

    /// The live listing the Job printed after `liveMarker`, or nil when it printed none.
    public static func liveListing(in log: String) -> LiveListing? {
        let lines = log.split(whereSeparator: \.isNewline)
        guard let start = lines.lastIndex(where: { $0.hasPrefix(liveMarker) }) else { return nil }
        let directory = String(lines[start].dropFirst(liveMarker.count))
        var names = Set<String>()
        var failed = false
        for line in lines[(start + 1)...] {
            if line == liveMissingMarker { failed = true; continue }
            guard line.hasPrefix(directory + "/") else { continue }
            let name = line.dropFirst(directory.count + 1)
            if !name.isEmpty, !name.contains("/") { names.insert(String(name)) }
        }
        // find fails on a missing directory, and also when it cannot read an entry: only an empty
        // listing that failed means the directory is gone.
        return LiveListing(directory: directory, names: names, directoryMissing: failed && names.isEmpty)
    }

    /// What `path` (relative to `root`) selects among the nodes of `restic ls --json --recursive`:
    /// the path itself when it is a file, everything below it when it is a directory, matched literally.
    public static func pathMatch(in log: String, root: String, path: String) -> PathMatch {
        let absolute = root.hasSuffix("/") ? root + path : root + "/" + path
        var files = 0
        var bytes = 0
        for node in nodes(in: log) where !node.isDirectory && (node.path == absolute || node.path.hasPrefix(absolute + "/")) {
            files += 1
            bytes += node.size
        }
        return PathMatch(path: path, files: files, bytes: bytes)
    }

    /// How many files restic says a restore selected: `total_files` of the `--json` summary
    /// (restic 0.16 and later; 0 when left out), else `finished verifying N files` of `--verify`.
    /// Nil when restic printed neither, so nothing shows that the restore restored anything.
    public static func restoredFiles(in log: String) -> Int? {
        for line in log.split(whereSeparator: \.isNewline).reversed() {
            if line.first == "{", line.contains("\"summary\""),
               let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any], object["message_type"] as? String == "summary" {
                return (object["total_files"] as? NSNumber)?.intValue ?? 0
            }
            if line.hasPrefix("finished verifying ") {
                let words = line.split(separator: " ")
                if words.count > 3, words[3] == "files", let n = Int(words[2]) { return n }
            }
        }
        return nil
    }

    /// How far a restore is: a `--json` status line (restic 0.16 and later), or nil.
    public static func restoreProgress(line: String) -> RestoreProgress? {
        guard line.first == "{", let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] else { return nil }
        let type = object["message_type"] as? String
        guard type == "status" || type == "summary" else { return nil }
        func int(_ key: String) -> Int { (object[key] as? NSNumber)?.intValue ?? 0 }
        let fraction = (object["percent_done"] as? NSNumber)?.doubleValue ?? (type == "summary" ? 1 : 0)
        return RestoreProgress(fraction: min(1, max(0, fraction)), filesRestored: int("files_restored"), totalFiles: int("total_files"),
                               bytesRestored: int("bytes_restored"), totalBytes: int("total_bytes"))
    }
}

// MARK: - RestoreProgress

public struct RestoreProgress: Sendable, Equatable {
    public var fraction: Double
    public var filesRestored: Int
    public var totalFiles: Int
    public var bytesRestored: Int
    public var totalBytes: Int

    public init(fraction: Double, filesRestored: Int = 0, totalFiles: Int = 0, bytesRestored: Int = 0, totalBytes: Int = 0) {
        self.fraction = fraction
        self.filesRestored = filesRestored
        self.totalFiles = totalFiles
        self.bytesRestored = bytesRestored
        self.totalBytes = totalBytes
    }
}

// MARK: - ResticDiagnosis

/// Why a restic run failed, read from restic's own words first and its exit code second:
/// restic up to 0.16 exits 1 for a lock or a wrong password, 0.17 exits 11 and 12.
public struct ResticDiagnosis: Sendable, Equatable {
    public enum Cause: String, Sendable, Equatable {
        case locked = "repository locked"
        case wrongPassword = "wrong password or no key"
        case repositoryMissing = "repository not found or not initialised"
        case storageAccess = "object storage refused or unreachable"
        case outOfMemory = "out of memory"
        case partial = "incomplete snapshot"
        case interrupted = "interrupted"
        case other = "failed"
    }

    public var cause: Cause
    /// restic's own line (redacted), or the exit code.
    public var evidence: String
    public var nextStep: String

    public init(cause: Cause, evidence: String, nextStep: String) {
        self.cause = cause
        self.evidence = evidence
        self.nextStep = nextStep
    }

    public static func diagnose(log: String, exitCode: Int?) -> ResticDiagnosis {
        let lines = log.split(whereSeparator: \.isNewline).map(String.init)
        func find(_ needles: [String]) -> String? {
            lines.last { line in let l = line.lowercased(); return needles.contains { l.contains($0) } }.map(Redactor.redact)
        }
        if let line = find(["already locked", "unable to create lock"]) {
            return ResticDiagnosis(cause: .locked, evidence: line,
                                   nextStep: "make sure no backup Job is running, then remove the stale lock with `restic unlock` in a Job from the CronJob")
        }
        if let line = find(["wrong password", "no key found"]) {
            return ResticDiagnosis(cause: .wrongPassword, evidence: line,
                                   nextStep: "the password in the restic Secret does not open the repository (or the repository path is wrong): check the paperless-ngx-restic ExternalSecret and RESTIC_REPOSITORY")
        }
        if let line = find(["repository does not exist", "unable to open config file", "is there a repository"]) {
            return ResticDiagnosis(cause: .repositoryMissing, evidence: line, nextStep: "check RESTIC_REPOSITORY (bucket and path); the repository may never have been initialised")
        }
        if let line = find(["access denied", "accessdenied", "nosuchbucket", "the specified bucket does not exist", "i/o timeout", "no such host", "connection refused", "forbidden"]) {
            return ResticDiagnosis(cause: .storageAccess, evidence: line, nextStep: "check the S3 credentials in the restic Secret, the bucket, and the backup NetworkPolicy's egress to 443")
        }
        switch exitCode {
        case 137?:
            return ResticDiagnosis(cause: .outOfMemory, evidence: "exit 137 (OOMKilled)", nextStep: "raise the Job's memory limit in the CronJob's template")
        case 3?:
            return ResticDiagnosis(cause: .partial, evidence: find(["can not read", "cannot read", "permission denied", "error:"]) ?? "exit 3", nextStep: "some files could not be read: see them in the Job's log")
        case 130?:
            return ResticDiagnosis(cause: .interrupted, evidence: "exit 130", nextStep: "the run was stopped (watchdog or deleted pod): start it again")
        case 11?:
            return ResticDiagnosis(cause: .locked, evidence: "exit 11", nextStep: "make sure no backup Job is running, then run `restic unlock` in a Job from the CronJob")
        case 12?:
            return ResticDiagnosis(cause: .wrongPassword, evidence: "exit 12", nextStep: "check the paperless-ngx-restic ExternalSecret")
        case 10?:
            return ResticDiagnosis(cause: .repositoryMissing, evidence: "exit 10", nextStep: "check RESTIC_REPOSITORY")
        default:
            let last = find(["fatal", "error"]) ?? exitCode.map { "exit \($0)" } ?? "no exit code"
            return ResticDiagnosis(cause: .other, evidence: last, nextStep: "read the Job's log")
        }
    }

    /// "repository locked: Fatal: unable to create lock …".
    public var summary: String { "\(cause.rawValue): \(evidence)" }
}
