import Foundation
import PaperKube
import Yams

// MARK: - DatabaseWindow

/// The recoverability window of the live cluster: from the first recoverability point to the
/// last archived WAL. A point-in-time recovery can only reach times inside it.
public struct DatabaseWindow: Sendable, Equatable {
    public var start: Double
    /// The newest time WAL covers. While archiving works this is now minus `archive_timeout`
    /// (WAL is shipped at least that often); while it fails, the moment it started failing.
    public var end: Double
    /// Why the end may be earlier than shown (archiving failing), or nil.
    public var unsafe: String?
    /// Where the window was read: the Cluster's status (in-tree) or the ObjectStore's.
    public var source: String

    public init(start: Double, end: Double, unsafe: String? = nil, source: String) {
        self.start = start
        self.end = end
        self.unsafe = unsafe
        self.source = source
    }

    public func contains(_ t: Double) -> Bool { t >= start && t <= end }

    public var text: String { "\(UTCTime.rfc3339(start)) … \(UTCTime.rfc3339(end))" }
}

// MARK: - RestorePoint

/// Where the database goes back to.
public enum RestorePoint: Sendable, Equatable {
    /// The end of the archived WAL.
    case latest
    case time(Double)
    /// A completed Backup of the live cluster, by name.
    case backup(String)

    public struct ParseError: Error, Equatable, CustomStringConvertible {
        public var description: String
    }

    /// `latest`, `backup:NAME`, RFC 3339 (`2026-11-29T14:00:00Z`, `…+01:00`), `YYYY-MM-DD HH:MM[:SS] ZONE`
    /// with an explicit zone (`UTC`, `+02:00`, `Europe/Berlin`), or relative (`-2h`, `-90m`, `-1d`, `-1h30m`).
    public static func parse(_ text: String, now: Double) throws(ParseError) -> RestorePoint {
        let t = text.trimmingCharacters(in: .whitespaces)
        if t == "latest" { return .latest }
        if t.hasPrefix("backup:") {
            let name = String(t.dropFirst(7))
            guard !name.isEmpty else { throw ParseError(description: "backup: needs the Backup's name, e.g. backup:paperless-ngx-db-daily-20261129030000") }
            return .backup(name)
        }
        if t.hasPrefix("-") { return .time(now - (try relative(String(t.dropFirst())))) }
        if let epoch = UTCTime.parse(t), t.count > 19 { return .time(epoch) }
        // "YYYY-MM-DD HH:MM[:SS] ZONE"
        let parts = t.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        // "HH:MM[:SS] ZONE": today, in that zone.
        if parts.count == 2, parts[0].contains(":"), !parts[0].contains("-"), let offset = zoneOffset(parts[1], at: now) {
            let today = String(UTCTime.rfc3339(now + Double(offset)).prefix(10))
            return try parse("\(today) \(parts[0]) \(parts[1])", now: now)
        }
        guard parts.count == 3 || parts.count == 2 else {
            throw ParseError(description: "\"\(t)\" is not a time: use latest, backup:NAME, RFC 3339 (2026-11-29T14:00:00Z), \"2026-11-29 14:00 Europe/Berlin\" or -2h")
        }
        guard parts.count == 3 else {
            throw ParseError(description: "\"\(t)\" has no zone: write it (UTC, +01:00 or Europe/Berlin); a time without one is read as UTC by PostgreSQL, which is rarely what was meant")
        }
        let clock = parts[1].count == 5 ? parts[1] + ":00" : parts[1]
        let zoneText = parts[2]
        let offset: Int
        if zoneText == "UTC" || zoneText == "Z" {
            offset = 0
        } else if let sign = zoneText.first, sign == "+" || sign == "-", let hh = Int(zoneText.dropFirst().prefix(2)), let mm = Int(zoneText.suffix(2)), zoneText.count == 6 {
            offset = (sign == "+" ? 1 : -1) * (hh * 3600 + mm * 60)
        } else if let zone = TimeZone(identifier: zoneText), let local = UTCTime.parse("\(parts[0])T\(clock)Z") {
            // The wall time in that zone: each offset the zone uses around that day gives a
            // candidate instant, valid when the zone really has that offset then. None: the time
            // falls in a spring-forward gap; two: it is the repeated hour of a fall-back.
            let offsets = Set([local - 86_400, local, local + 86_400].map { zone.secondsFromGMT(for: Date(timeIntervalSince1970: $0)) })
            let valid = offsets.map { local - Double($0) }.filter { zone.secondsFromGMT(for: Date(timeIntervalSince1970: $0)) == Int(local - $0) }.sorted()
            switch valid.count {
            case 1: return .time(valid[0])
            case 0: throw ParseError(description: "\(parts[0]) \(parts[1]) does not exist in \(zoneText) (the clocks jumped forward): give a time outside the gap, or an offset")
            default:
                let named = valid.map { UTCTime.rfc3339($0) }.joined(separator: " or ")
                throw ParseError(description: "\(parts[0]) \(parts[1]) happens twice in \(zoneText) (the clocks went back): \(named); give an offset (e.g. +02:00 or +01:00)")
            }
        } else {
            throw ParseError(description: "unknown zone \"\(zoneText)\": use UTC, an offset like +01:00, or a name like Europe/Berlin")
        }
        guard let wall = UTCTime.parse("\(parts[0])T\(clock)Z") else { throw ParseError(description: "\"\(parts[0]) \(parts[1])\" is not a date and time (YYYY-MM-DD HH:MM)") }
        return .time(wall - Double(offset))
    }

    /// The seconds east of UTC that `zone` (UTC, Z, ±HH:MM or an IANA name) has at `t`, or nil.
    static func zoneOffset(_ zone: String, at t: Double) -> Int? {
        if zone == "UTC" || zone == "Z" { return 0 }
        if let sign = zone.first, sign == "+" || sign == "-" {
            guard zone.count == 6, let hh = Int(zone.dropFirst().prefix(2)), let mm = Int(zone.suffix(2)) else { return nil }
            return (sign == "+" ? 1 : -1) * (hh * 3600 + mm * 60)
        }
        return TimeZone(identifier: zone)?.secondsFromGMT(for: Date(timeIntervalSince1970: t))
    }

    /// A typed time shown back in the zone it was typed in, with UTC beside it:
    /// `09:00 Europe/Berlin` → `2026-12-06 09:00 Europe/Berlin (08:00:00Z)`. nil when `text`
    /// names no zone (RFC 3339, a relative time, latest, a Backup).
    public static func echo(_ text: String, at t: Double) -> String? {
        let parts = text.trimmingCharacters(in: .whitespaces).split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        guard parts.count == 2 || parts.count == 3, let zone = parts.last, let offset = zoneOffset(zone, at: t) else { return nil }
        let local = UTCTime.rfc3339(t + Double(offset))  // YYYY-MM-DDTHH:MM:SSZ, the wall clock of that zone
        let seconds = local.dropLast().suffix(2) == "00" ? "" : String(local.dropLast().suffix(3))
        let utc = UTCTime.rfc3339(t)
        let utcShown = utc.prefix(10) == local.prefix(10) ? String(utc.dropFirst(11)) : utc
        return "\(local.prefix(10)) \(local.dropFirst(11).prefix(5))\(seconds) \(zone) (\(utcShown))"
    }

    /// "2h" → 7200, "1h30m" → 5400, "90m", "1d", "45s".
    static func relative(_ text: String) throws(ParseError) -> Double {
        var total = 0.0
        var number = ""
        for c in text {
            if c.isNumber {
                number.append(c)
            } else {
                guard let n = Double(number) else { throw ParseError(description: "-\(text) is not a duration: use -2h, -90m, -1d or -1h30m") }
                switch c {
                case "d": total += n * 86_400
                case "h": total += n * 3600
                case "m": total += n * 60
                case "s": total += n
                default: throw ParseError(description: "-\(text): unknown unit \(c) (use d, h, m, s)")
                }
                number = ""
            }
        }
        guard number.isEmpty, total > 0 else { throw ParseError(description: "-\(text) is not a duration: use -2h, -90m, -1d or -1h30m") }
        return total
    }
}

// MARK: - DatabaseRestorePlan

/// A new Cluster that recovers the live one's backups to a point: never the live cluster itself.
public struct DatabaseRestorePlan: Sendable, Equatable {
    public var name: String
    public var point: RestorePoint
    /// The recovery target as CloudNativePG reads it (`targetTime` with `+00:00`, or `backupID`), or nil for latest.
    public var target: String?
    /// The time the database will be at, for the RPO readout.
    public var recoveredTo: Double
    public var window: DatabaseWindow
    /// The manifest as JSON (what `kubectl create -f -` gets) and as YAML (what the operator reads).
    public var json: String
    public var yaml: String
    public var notes: [String]
    /// The Secret `bootstrap.recovery.secret` names, so the owner keeps the live password (nil: a drill).
    public var credentials: RecoveryCredentials?
    /// The new cluster's own backups (nil: a drill, which archives nothing).
    public var rearm: BackupRearm?
}

// MARK: - DatabaseRestore

/// Plans point-in-time recoveries into a new CloudNativePG cluster, as pure functions.
public enum DatabaseRestore {
    public struct Refusal: Error, Equatable, CustomStringConvertible {
        public var description: String
        public init(_ description: String) { self.description = description }
    }

    public static let managedBy = ResticJob.managedBy
    public static let purposeLabel = ResticJob.purposeLabel

    /// The window from the Cluster's status (in-tree) or the plugin's ObjectStore; nil when it
    /// cannot be known (no backup yet, or the status is not readable).
    public static func window(cluster: CNPGCluster, objectStores: [BarmanObjectStore], archiveTimeout: Double, now: Double) -> DatabaseWindow? {
        var start: Double?
        var source: String
        switch cluster.backupConfiguration {
        case .plugin(_, let store, _):
            let server = cluster.backupServerName
            start = objectStores.first { $0.metadata.name == store }?.serverRecoveryWindow[server]?.firstRecoverabilityPoint
            source = "ObjectStore \(store ?? "?") status.serverRecoveryWindow[\(server)]"
        default:
            start = cluster.firstRecoverabilityPoint
            source = "Cluster \(cluster.metadata.name) status.firstRecoverabilityPoint"
        }
        guard let start else { return nil }
        let archiving = cluster.conditions[type: "ContinuousArchiving"]
        if archiving?.status == "False" {
            let since = archiving?.lastTransitionTime ?? now
            let message = archiving?.message ?? "no message"
            let cause = CNPGDiagnosis.diagnose(message, source: "Cluster \(cluster.metadata.name) condition ContinuousArchiving", context: .live(timeline: cluster.timeline))
            return DatabaseWindow(start: start, end: max(start, since),
                                  unsafe: "WAL archiving is failing since \(UTCTime.rfc3339(since)): \(cause.map { "\($0.kind): \($0.evidence)" } ?? message); nothing after that can be recovered", source: source)
        }
        return DatabaseWindow(start: start, end: max(start, now - archiveTimeout), source: source + "; end = now − archive_timeout (\(Int(archiveTimeout)) s)")
    }

    /// `archive_timeout` from the live spec (`5min`, `300s`, `300`), default 5 minutes.
    public static func archiveTimeout(clusterJSON: [String: Any]) -> Double {
        let text = (((clusterJSON["spec"] as? [String: Any])?["postgresql"] as? [String: Any])?["parameters"] as? [String: Any])?["archive_timeout"] as? String ?? "5min"
        let digits = Double(text.prefix { $0.isNumber }) ?? 300
        if text.hasSuffix("min") { return digits * 60 }
        if text.hasSuffix("h") { return digits * 3600 }
        if text.hasSuffix("ms") { return digits / 1000 }
        return digits
    }

    /// `paperless-ngx-db-restore-202611291400` (UTC, to the minute).
    public static func name(live: String, now: Double, drill: Bool = false) -> String {
        let c = UTCTime.rfc3339(now).filter { $0.isNumber }.prefix(12)
        return "\(live)-\(drill ? "drill" : "restore")-\(c)"
    }

    /// The plan: the window checked, the manifest built from the live cluster's spec.
    public static func plan(_ point: RestorePoint, clusterJSON: Data, cluster: CNPGCluster, backups: [CNPGBackup], objectStores: [BarmanObjectStore],
                            namespace: String, name: String? = nil, drill: Bool = false, now: Double,
                            carryOver: CarryOver? = nil) throws(Refusal) -> DatabaseRestorePlan {
        guard let live = (try? JSONSerialization.jsonObject(with: clusterJSON)) as? [String: Any], let spec = live["spec"] as? [String: Any] else {
            throw Refusal("the live Cluster is not valid JSON")
        }
        let liveName = cluster.metadata.name
        guard let window = window(cluster: cluster, objectStores: objectStores, archiveTimeout: archiveTimeout(clusterJSON: live), now: now) else {
            throw Refusal("the recoverability window of \(liveName) is not known (no completed base backup, or its status is unreadable): there is nothing to recover from")
        }
        var recoveryTarget: [String: Any]?
        var recoveredTo: Double
        var notes: [String] = []
        switch point {
        case .latest:
            recoveredTo = window.end
            notes.append("latest: CloudNativePG replays all archived WAL (no recoveryTarget)")
        case .time(let t):
            guard window.contains(t) else {
                throw Refusal("\(UTCTime.rfc3339(t)) is outside the recoverability window \(window.text) (\(window.source)); nothing was created")
            }
            recoveredTo = t
            recoveryTarget = ["targetTime": UTCTime.rfc3339(t).replacingOccurrences(of: "Z", with: "+00:00")]
        case .backup(let backupName):
            guard let backup = backups.first(where: { $0.metadata.name == backupName }) else {
                throw Refusal("Backup \(backupName) not found in namespace \(namespace)")
            }
            guard backup.phase == .completed, let id = backup.backupID, let at = backup.stoppedAt else {
                throw Refusal("Backup \(backupName) is \(backup.phase == .none ? "queued" : "\(backup.phase)") (or has no backupId): only a completed Backup can be recovered")
            }
            guard backup.clusterName == liveName else { throw Refusal("Backup \(backupName) belongs to cluster \(backup.clusterName ?? "?"), not \(liveName)") }
            recoveredTo = at
            recoveryTarget = ["backupID": id]
        }
        if let unsafe = window.unsafe { notes.append("UNSAFE window: \(unsafe)") }
        // Where the live cluster archives: the recovery reads exactly there, under the live serverName.
        let server = cluster.backupServerName
        var origin: [String: Any] = ["name": "origin"]
        switch cluster.backupConfiguration {
        case .plugin(let pluginName, let store, _):
            origin["plugin"] = ["name": pluginName, "parameters": ["barmanObjectName": store ?? "", "serverName": server]]
        case .barmanObjectStore:
            guard var store = (spec["backup"] as? [String: Any])?["barmanObjectStore"] as? [String: Any] else {
                throw Refusal("\(liveName) has no spec.backup.barmanObjectStore to recover from")
            }
            // The live cluster archives under its store's serverName, which defaults to its own name.
            store["serverName"] = (store["serverName"] as? String).flatMap { $0.isEmpty ? nil : $0 } ?? liveName
            // Reading only: no retention or data settings from the live store.
            store.removeValue(forKey: "data")
            origin["barmanObjectStore"] = store
        case .volumeSnapshot, .none:
            throw Refusal("\(liveName) backs up with volume snapshots or not at all: a point-in-time recovery needs an object store")
        }
        let newName = name ?? Self.name(live: liveName, now: now, drill: drill)
        guard newName != liveName else { throw Refusal("the new cluster cannot be named like the live one: CloudNativePG recovers into a new cluster") }
        var recovery: [String: Any] = ["source": "origin"]
        if let recoveryTarget { recovery["recoveryTarget"] = recoveryTarget }
        let initdb = (spec["bootstrap"] as? [String: Any])?["initdb"] as? [String: Any]
        if let initdb {
            if let db = initdb["database"] { recovery["database"] = db }
            if let owner = initdb["owner"] { recovery["owner"] = owner }
        }
        var credentials: RecoveryCredentials?
        if carryOver != nil, !drill {
            // The owner keeps the live password: CNPG otherwise resets it to a fresh random one.
            let owner = initdb?["owner"] as? String ?? "app"
            if let secret = (initdb?["secret"] as? [String: Any])?["name"] as? String, !secret.isEmpty {
                credentials = RecoveryCredentials(secretName: secret, source: .initdbSecret, owner: owner, live: liveName)
            } else {
                credentials = RecoveryCredentials(secretName: "\(newName)-owner", source: .copy(from: "\(liveName)-app"), owner: owner, live: liveName)
            }
            recovery["secret"] = ["name": credentials?.secretName ?? ""]
            notes.append("credentials: " + (credentials?.summary ?? ""))
        }
        var newSpec: [String: Any] = ["bootstrap": ["recovery": recovery], "externalClusters": [origin]]
        for key in ["instances", "imageName", "storage", "walStorage", "resources", "affinity"] { if let v = spec[key] { newSpec[key] = v } }
        if let parameters = (spec["postgresql"] as? [String: Any])?["parameters"] { newSpec["postgresql"] = ["parameters": parameters] }
        var rearm: BackupRearm?
        if let carryOver, !drill, let method = ManualBackup.databaseMethod(for: cluster) {
            // The live backup configuration under a serverName of the lineage: never the live one's.
            let server = lineage(liveServer: server, used: carryOver.usedServerNames.union([server]))
            if let (key, value) = rearmedSpec(liveSpec: spec, server: server) { newSpec[key] = value }
            let live = carryOver.scheduledBackups.first { $0.clusterName == liveName && !$0.suspend } ?? carryOver.scheduledBackups.first { $0.clusterName == liveName }
            let scheduled = live.flatMap { scheduledBackup(live: $0, liveCluster: liveName, newCluster: newName, namespace: namespace) }
            let backupName = ManualBackup.databaseBackupName(cluster: newName, now: now)
            var objectStore: String?
            if case .plugin(_, let store, _) = cluster.backupConfiguration { objectStore = store }
            rearm = BackupRearm(serverName: server, objectStore: objectStore, scheduledBackupName: scheduled?.name, schedule: live?.schedule,
                                scheduledBackupJSON: scheduled?.json, scheduledBackupYAML: scheduled?.yaml, firstBackupName: backupName,
                                firstBackupJSON: ManualBackup.databaseBackupJSON(name: backupName, cluster: newName, namespace: namespace, method: method))
            notes.append(rearm?.summary ?? "")
            notes.append("the new cluster archives WAL under serverName \(server), its own (the live one archives under \(cluster.backupServerName)): a shared serverName fails with \"Expected empty archive\"")
        } else {
            // No spec.backup and no spec.plugins: the new cluster archives nowhere, so it can never write
            // to the live cluster's serverName (CNPG would stop it with "Expected empty archive").
            notes.append("the new cluster archives no WAL (no spec.backup, no spec.plugins): add a backup configuration with a serverName of its own once it is verified")
        }
        let manifest: [String: Any] = [
            "apiVersion": "postgresql.cnpg.io/v1",
            "kind": "Cluster",
            "metadata": [
                "name": newName,
                "namespace": namespace,
                "labels": [ResticJob.managedByLabel: managedBy, purposeLabel: drill ? "db-drill" : "db-restore", "paperctl.io/restored-from": liveName],
                // JSON, as kubectl and CNPG print it (not a Swift dictionary's description).
                "annotations": ["paperctl.io/recovery-target": recoveryTarget.flatMap { try? JSONSerialization.data(withJSONObject: $0, options: [.sortedKeys, .withoutEscapingSlashes]) }
                    .map { String(decoding: $0, as: UTF8.self) } ?? "latest"],
            ] as [String: Any],
            "spec": newSpec,
        ]
        guard let data = try? JSONSerialization.data(withJSONObject: manifest, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]) else {
            throw Refusal("the manifest could not be written")
        }
        let json = String(decoding: data, as: UTF8.self) + "\n"
        let yaml = (try? Yams.dump(object: try? Yams.load(yaml: json), sortKeys: true)) ?? json
        let target = recoveryTarget.flatMap { ($0["targetTime"] ?? $0["backupID"]) as? String }
        return DatabaseRestorePlan(name: newName, point: point, target: target, recoveredTo: recoveredTo, window: window, json: json, yaml: yaml, notes: notes,
                                   credentials: credentials, rearm: rearm)
    }

    /// What the operator does after the new cluster is healthy; the tool does none of it. The
    /// commands carry the session's `--kubeconfig`/`--context`: pasted into a shell whose
    /// current context is another cluster, they still act on this one.
    /// The step that creates the new cluster of `plan` (its dry run first) and follows it until healthy.
    public static func recoverStep(_ plan: DatabaseRestorePlan, target: KubeTarget) -> RestoreStep {
        RestoreStep(kind: .recoverCluster(name: plan.name), title: "Recover the database into the new cluster \(plan.name), and wait until healthy",
                    command: createCommand(json: plan.json, name: plan.name, target: target), display: plan.yaml)
    }

    /// `kubectl create -f -` of a new cluster's manifest.
    public static func createCommand(json: String, name: String, target: KubeTarget) -> KubectlCommand {
        KubectlCommand(arguments: target.connectionArguments + ["create", "-f", "-", "-n", target.namespace],
                       logPolicy: .action(title: "Create recovery cluster \(name)"), stdin: Data(json.utf8))
    }

    public static func cutover(newName: String, live: String, target: KubeTarget, argoManaged: Bool = false, deployment: String = "paperless-ngx",
                               credentials: RecoveryCredentials? = nil) -> [String] {
        let scaleDown = KubectlCommand(arguments: target.connectionArguments + ["scale", "deployment/\(deployment)", "--replicas=0", "-n", target.namespace])
        // CloudNativePG sets the owner's password at recovery: to the Secret the recovery names, or
        // (none named) to a fresh random one in \(newName)-app, which the app does not have.
        let password = credentials.map { "the owner \($0.owner) kept the live password (bootstrap.recovery.secret \($0.secretName)), so the app's current PAPERLESS_DBPASS works against \(newName)" }
            ?? "CloudNativePG gave the owner a NEW random password, in Secret \(newName)-app: point the app's PAPERLESS_DBPASS at it, or its login fails with \"password authentication failed\""
        var steps = [
            "Scale the app down during the switch: \(scaleDown.displayLine)",
            "Point the app's database host (PAPERLESS_DBHOST) at \(newName)-rw instead of \(live)-rw; \(password)",
            "Scale the app back up and check it, then keep \(live) until \(newName) has been verified: this tool never modifies or deletes it",
        ]
        if argoManaged {
            steps.insert("Argo CD manages \(deployment): a live edit is reverted. Either change the database host in git, or pause auto-sync first (argocd app set <app> --sync-policy none)", at: 1)
        }
        return steps
    }
}

// MARK: - Recovery outcome

extension DatabaseRestore {
    /// What a failed recovery's message means and what to change, from CloudNativePG's own words
    /// (through the one classifier, `CNPGDiagnosis`, read as a recovery).
    public static func explain(_ message: String) -> String {
        CNPGDiagnosis.diagnose(message, source: "full-recovery Job", context: .recovery)?.nextStep ?? "read the full-recovery Job's log"
    }
}

extension RestoreExecutor {
    /// Follows a new Cluster until "Cluster in healthy state", or until its full-recovery Job fails
    /// (with CNPG's message and what to change), or the step timeout passes.
    public func waitForCluster(_ name: String, report: @escaping @Sendable (Progress) -> Void) async -> Outcome {
        await poll("cluster \(name) to be healthy", report: report) { () async throws(KubectlError) -> Outcome? in
            let cluster = try await read(["get", ResourceKind.cnpgCluster.qualifiedName, name, "-o", "json"], as: CNPGCluster.self)
            report(Progress("\(name): \(cluster.phase ?? "no phase yet")" + (cluster.phaseReason.map { " (\($0))" } ?? "")))
            if cluster.phase == "Cluster in healthy state" { return .done("\(name) is healthy: Cluster in healthy state") }
            let job = "\(name)-1-full-recovery"
            if let recovery = try? await read(["get", "jobs.batch", job, "-o", "json"], as: Job.self), recovery.outcome == .failed {
                let log = (try? await text(["logs", "-l", "job-name=\(job)", "--tail=50", "--all-containers=true"])) ?? ""
                let line = log.split(whereSeparator: \.isNewline).last { $0.lowercased().contains("error") || $0.contains("FATAL") }.map(String.init) ?? "the full-recovery Job failed"
                return .failed("\(Redactor.redact(line)); what to change: \(DatabaseRestore.explain(line))")
            }
            return nil
        }
    }
}

// MARK: - DatabaseTimeline

/// What the wizard's timeline shows: the database's recoverability window and completed Backups,
/// and the restic snapshots of the files, on one line of time.
public struct DatabaseTimeline: Sendable, Equatable {
    public var clusterJSON: Data
    public var cluster: CNPGCluster
    public var window: DatabaseWindow?
    /// Completed Backups of the live cluster, newest first.
    public var backups: [CNPGBackup]
    public var objectStores: [BarmanObjectStore]
    public var snapshots: [ResticSnapshot]
    public var snapshotsFailure: String?
    /// The restic CronJob (for "both": the file restore's Jobs) and the image's restic, when read.
    public var cronJob: Data?
    public var resticVersion: ResticVersion?
    /// The live ScheduledBackups and the serverNames in use, for the new cluster's own backups (nil: not read).
    public var carryOver: DatabaseRestore.CarryOver?

    public init(clusterJSON: Data, cluster: CNPGCluster, window: DatabaseWindow?, backups: [CNPGBackup], objectStores: [BarmanObjectStore],
                snapshots: [ResticSnapshot] = [], snapshotsFailure: String? = nil) {
        self.clusterJSON = clusterJSON
        self.cluster = cluster
        self.window = window
        self.backups = backups
        self.objectStores = objectStores
        self.snapshots = snapshots
        self.snapshotsFailure = snapshotsFailure
    }

    /// The newest file snapshot at or before `point`, and how far before it is.
    public func nearestSnapshot(atOrBefore point: Double) -> (snapshot: ResticSnapshot, gap: Double)? {
        snapshots.filter { $0.time <= point }.max { $0.time < $1.time }.map { ($0, point - $0.time) }
    }

    /// The RPO readout for a point: the database exact inside the window; the files at the nearest snapshot.
    public func rpo(for point: Double) -> [String] {
        var lines: [String] = []
        if let window, window.contains(point) {
            lines.append("database: exactly \(UTCTime.rfc3339(point)) (inside the window)" + (window.unsafe != nil ? ", but the window is UNSAFE" : ""))
        } else {
            lines.append("database: \(UTCTime.rfc3339(point)) is OUTSIDE the window: refused")
        }
        if let (s, gap) = nearestSnapshot(atOrBefore: point) {
            lines.append("files: snapshot \(s.shortID) at \(UTCTime.rfc3339(s.time)), \(UTCTime.humanDuration(gap)) before the point: documents added in that gap are in the database but not on the volume")
        } else {
            lines.append("files: no restic snapshot at or before this point" + (snapshotsFailure.map { " (\($0))" } ?? ""))
        }
        return lines
    }
}

/// The timeline, or why it could not be read.
public enum DatabaseTimelineResult: Sendable, Equatable {
    case timeline(DatabaseTimeline)
    case failed(String)
}

extension RestoreToolkit {
    /// Reads the live cluster, its Backups and (with the plugin) its ObjectStore, and lists the
    /// restic snapshots (a Job; a failed listing leaves the timeline without them). `listing`: the
    /// listing Job already built and shown, to run instead of one built here.
    public func databaseTimeline(_ facts: ActionFacts, listFiles: Bool = true, listing job: ResticJob? = nil) async -> DatabaseTimelineResult {
        let target = executor.target
        let config = facts.config
        do {
            let clusterJSON = try await executor.runner.output(of: ManualBackup.readCluster(config: config, target: target))
            let cluster = try KubeJSON.decode(CNPGCluster.self, from: clusterJSON)
            let backupsJSON = try await executor.runner.output(of: ManualBackup.readBackups(target: target))
            let backups = try KubeJSON.decode(KubeList.self, from: backupsJSON).items
                .compactMap { if case .cnpgBackup(let b) = $0, b.clusterName == cluster.metadata.name, b.phase == .completed { b } else { nil } }
                .sorted { ($0.stoppedAt ?? 0) > ($1.stoppedAt ?? 0) }
            var stores: [BarmanObjectStore] = []
            if case .plugin = cluster.backupConfiguration {
                let list = try await executor.runner.output(of: KubectlCommand(arguments: target.globalArguments + ["get", ResourceKind.barmanObjectStore.qualifiedName, "-o", "json"]))
                stores = try KubeJSON.decode(KubeList.self, from: list).items.compactMap { if case .barmanObjectStore(let s) = $0 { s } else { nil } }
            }
            let live = (try? JSONSerialization.jsonObject(with: clusterJSON)) as? [String: Any] ?? [:]
            let window = DatabaseRestore.window(cluster: cluster, objectStores: stores, archiveTimeout: DatabaseRestore.archiveTimeout(clusterJSON: live), now: executor.now())
            var timeline = DatabaseTimeline(clusterJSON: clusterJSON, cluster: cluster, window: window, backups: backups, objectStores: stores)
            timeline.carryOver = await carryOver(backupsJSON: backupsJSON, objectStores: stores)
            if !listFiles {
                timeline.snapshotsFailure = "not listed"
            } else if let cron = RestorePreflight.command(.cronJob, facts: facts), let cronJob = try? await executor.runner.output(of: cron) {
                let listing = if let job { await listSnapshots(job) } else { await listSnapshots(cronJob: cronJob) }
                timeline.snapshots = listing.snapshots
                timeline.snapshotsFailure = listing.failure
                timeline.cronJob = cronJob
                timeline.resticVersion = listing.version
            } else {
                timeline.snapshotsFailure = "the restic CronJob could not be read"
            }
            return .timeline(timeline)
        } catch {
            return .failed("cannot read cluster \(config.database.cluster), its Backups or its ObjectStore: \(Redactor.redact("\(error)"))")
        }
    }

    /// The window and the Backups only (the drill does not need the file snapshots).
    public func databaseTimelineWithoutFiles(config: PaperConfig) async -> DatabaseTimelineResult {
        var facts = ActionFacts(config: config, target: executor.target)
        facts.cronJob = nil
        return await databaseTimeline(facts, listFiles: false)
    }

    /// `kubectl create --dry-run=server -f -`: what the API server says of the manifest.
    public func dryRun(_ json: String) async -> RestoreExecutor.Outcome { await executor.dryRun(json) }

    /// `kubectl create -f -` of the new cluster, then following it until healthy or failed.
    public func createCluster(_ json: String, name: String, report: @escaping @Sendable (RestoreExecutor.Progress) -> Void) async -> RestoreExecutor.Outcome {
        if let failure = await executor.execute(DatabaseRestore.createCommand(json: json, name: name, target: executor.target), report: report) { return failure }
        return await executor.waitForCluster(name, report: report)
    }
}

// MARK: - Both

/// The database to a point and the files to the nearest snapshot at or before it, in one plan:
/// safety backups of both, the CronJob suspended, the app scaled down once, the files restored in
/// place, the new cluster recovered, then the cutover steps. The app stays at 0 until the operator
/// switches it to the new cluster (the tool never does).
public enum BothRestore {
    public struct Plan: Sendable, Equatable {
        public var steps: FileRestorePlan
        public var database: DatabaseRestorePlan
        public var snapshot: ResticSnapshot
        public var rpo: [String]
    }

    /// `name`: the new cluster's (default <cluster>-restore-<UTC yyyymmddhhmm>). `skipSafetyBackup`:
    /// why the files' fresh safety backup is skipped (journaled); the database's always runs.
    public static func plan(_ point: RestorePoint, timeline: DatabaseTimeline, facts: ActionFacts, cronJob: Data, resticVersion: ResticVersion?,
                            now: Double, name: String? = nil, skipSafetyBackup: String? = nil) throws(DatabaseRestore.Refusal) -> Plan {
        let ns = facts.target.namespace
        let db = try DatabaseRestore.plan(point, timeline: timeline, namespace: ns, name: name, now: now)
        guard let (snapshot, _) = timeline.nearestSnapshot(atOrBefore: db.recoveredTo) else {
            throw DatabaseRestore.Refusal("no file snapshot at or before \(UTCTime.rfc3339(db.recoveredTo)): restore the database alone, or pick a later point")
        }
        let files: FileRestorePlan
        do {
            files = try FileRestore.plan(FileRestoreRequest(snapshot: snapshot, target: .inPlace, skipSafetyBackup: skipSafetyBackup, resticVersion: resticVersion), facts: facts, cronJob: cronJob, neededBytes: nil, now: now)
        } catch {
            throw DatabaseRestore.Refusal(error.description)
        }
        var steps: [RestoreStep] = []
        // 1. The safety backups of both: a CNPG Backup of the live cluster, then the restic one.
        // The live cluster as just read; in-flight Backups from the last refresh block it.
        switch ManualBackup.planDatabase(cluster: timeline.cluster, backups: facts.backups, config: facts.config, target: facts.target, now: now) {
        case .plan(let backup):
            steps.append(RestoreStep(kind: .databaseBackup(backup), title: "Safety backup of the live database now (a CNPG Backup), and wait for it to complete",
                                     command: backup.command, display: backup.stdin))
        case .refuse(let why):
            throw DatabaseRestore.Refusal("the database safety backup cannot start: \(why)")
        }
        let fileSteps = files.steps.filter { if case .postCheck = $0.kind { false } else { true } }
        // 2. The files' safety backup, the CronJob suspended, the app down once, the files restored.
        steps += fileSteps.filter { step in
            switch step.kind {
            case .scaleUp: false
            case .suspendCronJob(_, let suspend): suspend
            default: true
            }
        }
        // 3. The new cluster.
        steps += db.steps(target: facts.target)
        // 4. Guidance: the app stays down until it points at the new cluster.
        let resume = fileSteps.first { if case .suspendCronJob(_, false) = $0.kind { true } else { false } }?.command?.displayLine
        var guidance = DatabaseRestore.cutover(newName: db.name, live: timeline.cluster.metadata.name, target: facts.target,
                                               argoManaged: facts.deployment?.metadata.annotations.keys.contains { $0.hasPrefix("argocd.argoproj.io") } ?? false,
                                               deployment: facts.config.app.deployment, credentials: db.credentials)
        guidance.removeFirst()  // it is already down
        if let resume { guidance.append("Resume the file backups: \(resume)") }
        steps.append(RestoreStep(kind: .guidance(guidance), title: "Cutover: the app stays at 0 until you point it at \(db.name) (the tool does not switch it)", command: nil))
        // The window as the plan computed it: "latest" is its end, which a window read earlier ends before.
        var planned = timeline
        planned.window = db.window
        let rpo = planned.rpo(for: db.recoveredTo)
        let combined = FileRestorePlan(request: files.request, steps: steps, targetDirectory: files.targetDirectory,
                                       notes: rpo + db.notes + files.notes.filter { !$0.contains("safety backup runs no") })
        return Plan(steps: combined, database: db, snapshot: snapshot, rpo: rpo)
    }
}
