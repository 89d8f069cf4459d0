import Foundation
import ProcessTestSupport
import SimCluster
import Testing
import Yams

/// Issue 24 item 5: what is previewed is what is POSTed. For each `restore` path the product's
/// own stdout is parsed (the plan's here-documents, and the "runs exactly: … (Job NAME: SCRIPT, …)"
/// lines) and compared, as JSON values, with the body the simulator received for the same name
/// (`RecordedWrite.sent`: the request body before admission and defaults). Every object the run
/// created must have been previewed, and everything previewed must have been created.
///
/// Masked display values, accounted for explicitly: a Job's plan shows literal env values
/// (except `EnvDisplay.shownNames`) as `***`. Such a value is accepted only at
/// `spec.template.spec.containers[i].env[j].value` (or initContainers), where the POSTed body
/// holds a non-empty string; every other `***` fails the comparison.
@Suite(.serialized, .timeLimit(.minutes(5))) struct PreviewEqualsPostE2ETests {
    static let ns = "paperless-ngx"

    // MARK: What the product previewed

    /// Every here-document in `stdout`, parsed as JSON, else as YAML (the recovery Cluster is shown
    /// as YAML). The indent of the `<<'EOF'` line is stripped from the body.
    static func hereDocuments(_ stdout: String) throws -> [JSONValue] {
        let lines = stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var out: [JSONValue] = []
        var i = 0
        while i < lines.count {
            let line = lines[i]
            i += 1
            guard line.hasSuffix("<<'EOF'") else { continue }
            let indent = line.prefix { $0 == " " }.count
            var body: [String] = []
            while i < lines.count, lines[i].trimmingCharacters(in: .whitespaces) != "EOF" {
                body.append(String(lines[i].dropFirst(min(indent, lines[i].prefix { $0 == " " }.count))))
                i += 1
            }
            i += 1
            out.append(try parse(body.joined(separator: "\n")))
        }
        return out
    }

    /// JSON text, else YAML (timestamps kept as strings, as kubectl sends them).
    static func parse(_ text: String) throws -> JSONValue {
        if let json = try? JSONValue(parsing: text) { return json }
        let loaded = try Yams.load(yaml: text, Resolver.default.removing(.timestamp))
        let data = try JSONSerialization.data(withJSONObject: try #require(loaded, "an empty here-document"), options: [.fragmentsAllowed])
        return try JSONValue(parsing: String(decoding: data, as: UTF8.self))
    }

    /// The YAML manifest `restore db` prints between "New cluster NAME (…):" and the dry run's verdict.
    static func printedManifest(_ stdout: String) throws -> JSONValue {
        let lines = stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let start = try #require(lines.firstIndex { $0.hasPrefix("New cluster ") && $0.hasSuffix("is not touched):") }, "\(stdout)")
        let end = try #require(lines[(start + 1)...].firstIndex { $0.hasPrefix("kubectl create --dry-run=server") }, "\(stdout)")
        return try parse(lines[(start + 1)..<end].joined(separator: "\n"))
    }

    /// The Jobs named in "runs exactly: … (Job NAME: SCRIPT, from CronJob …'s template)" lines.
    static func runsExactly(_ stdout: String) -> [(name: String, script: String)] {
        stdout.split(separator: "\n").compactMap { line -> (String, String)? in
            guard line.contains("run exactly: ") || line.contains("runs exactly: "),
                  let open = line.range(of: "   (Job "), let colon = line[open.upperBound...].range(of: ": "),
                  let from = line.range(of: ", from CronJob ", options: .backwards), colon.upperBound <= from.lowerBound else { return nil }
            return (String(line[open.upperBound..<colon.lowerBound]), String(line[colon.upperBound..<from.lowerBound]))
        }
    }

    // MARK: Comparison

    /// `previewed` with each accounted-for `***` replaced by the POSTed value; the paths replaced.
    static func unmasked(_ previewed: JSONValue, like sent: JSONValue, path: [String] = []) -> (JSONValue, [String]) {
        switch (previewed, sent) {
        case (.object(let p), .object(let s)):
            var out: [String: JSONValue] = [:]
            var paths: [String] = []
            for (k, v) in p {
                guard let sv = s[k] else { out[k] = v; continue }
                let (u, more) = unmasked(v, like: sv, path: path + [k])
                out[k] = u
                paths += more
            }
            return (.object(out), paths)
        case (.array(let p), .array(let s)) where p.count == s.count:
            var paths: [String] = []
            let items = zip(p, s).enumerated().map { i, pair in
                let (u, more) = unmasked(pair.0, like: pair.1, path: path + ["\(i)"])
                paths += more
                return u
            }
            return (.array(items), paths)
        case (.string("***"), .string(let value)) where !value.isEmpty && (isEnvValue(path) || path.count == 2 && path[0] == "data"):
            return (sent, [path.joined(separator: ".")])
        default:
            return (previewed, [])
        }
    }

    /// `spec.template.spec.(init)containers.N.env.M.value`
    static func isEnvValue(_ path: [String]) -> Bool {
        path.count == 8 && path[0] == "spec" && path[1] == "template" && path[2] == "spec" && ["containers", "initContainers"].contains(path[3])
            && Int(path[4]) != nil && path[5] == "env" && Int(path[6]) != nil && path[7] == "value"
    }

    struct Created {
        var kind: String
        var name: String
        var sent: JSONValue
        var script: String? {
            guard case .array(let containers)? = sent.value(at: "spec.template.spec.containers") else { return nil }
            return containers.lazy.compactMap { c -> String? in
                guard case .array(let command)? = c["command"], command.count == 3, command[0] == .string("/bin/sh"), command[1] == .string("-c") else { return nil }
                return command[2].stringValue
            }.first
        }
    }

    /// The Jobs, Clusters and Backups the run POSTed (creates after `from`, Leases aside).
    static func created(_ env: ActionEnv, from: Int) throws -> [Created] {
        try env.sim.store.recordedWrites.dropFirst(from).filter { $0.verb == "create" && $0.namespace == ns }.compactMap { w in
            let sent = try #require(w.sent, "the simulator kept no request body for \(w.resource)/\(w.name)")
            let kind = sent["kind"]?.stringValue ?? ""
            return kind == "Lease" ? nil : Created(kind: kind, name: w.name, sent: sent)
        }
    }

    /// Everything created was previewed, field for field, and everything previewed was created.
    /// Returns the created objects and the env paths whose masked display was accounted for.
    @discardableResult
    static func expectPreviewIsPost(_ run: ProcessRun, _ env: ActionEnv, from: Int, manifest: JSONValue? = nil,
                                    sourceLocation: SourceLocation = #_sourceLocation) throws -> (created: [Created], masked: [String]) {
        let bodies = try hereDocuments(run.stdout) + (manifest.map { [$0] } ?? [])
        let named = runsExactly(run.stdout)
        let created = try created(env, from: from)
        var masked: [String] = []
        #expect(!created.isEmpty, "nothing was created:\n\(run.stdout)\n\(run.stderr)", sourceLocation: sourceLocation)
        for object in created {
            if let body = bodies.first(where: { $0.value(at: "metadata.name")?.stringValue == object.name && $0["kind"]?.stringValue == object.kind }) {
                let (shown, paths) = unmasked(body, like: object.sent)
                masked += paths.map { "\(object.kind)/\(object.name): \($0)" }
                #expect(shown == object.sent, "\(object.kind) \(object.name): the body POSTed is not the one previewed", sourceLocation: sourceLocation)
            } else if let line = named.first(where: { $0.name == object.name }) {
                #expect(object.kind == "Job" && object.script == line.script,
                        "Job \(object.name): POSTed with script \(object.script ?? "none"), previewed with \(line.script)", sourceLocation: sourceLocation)
            } else {
                Issue.record("\(object.kind) \(object.name) was created but never previewed:\n\(run.stdout)", sourceLocation: sourceLocation)
            }
        }
        for body in bodies {
            let name = body.value(at: "metadata.name")?.stringValue ?? ""
            #expect(created.contains { $0.name == name && $0.kind == body["kind"]?.stringValue }, "\(name) was previewed but never created", sourceLocation: sourceLocation)
        }
        for line in named {
            #expect(created.contains { $0.name == line.name }, "Job \(line.name) was named in a 'runs exactly' line but never created", sourceLocation: sourceLocation)
        }
        return (created, masked)
    }

    static func purposes(_ created: [Created]) -> [String] {
        created.compactMap { $0.sent.value(at: "metadata.labels")?["paperctl.io/purpose"]?.stringValue }
    }

    // MARK: Tests

    @Test func sideBySideAndPathScopedRestoresPostTheListingCountAndRestoreJobsTheyPreviewed() async throws {
        let env = try await ActionEnv.start([.healthy], realRestic: true)
        defer { Task { await env.stop() } }
        #expect(try await env.paperctl(["backup", "files", "--wait", "--timeout", "60"]).status == 0)

        var from = env.sim.store.recordedWrites.count
        let run = try await env.paperctl(["restore", "files", "--snapshot", "latest", "--yes", "--wait"], limit: 150)
        #expect(run.status == 0, "stdout: \(run.stdout)\nstderr: \(run.stderr)")
        let whole = try Self.expectPreviewIsPost(run, env, from: from)
        #expect(Self.purposes(whole.created) == ["restic-snapshots", "restic-restore"], "\(whole.created.map(\.name))")
        #expect(try Self.hereDocuments(run.stdout).count == 1, "the restore Job's body is in the plan")

        from = env.sim.store.recordedWrites.count
        let scoped = try await env.paperctl(["restore", "files", "--snapshot", "latest", "--path", "media/documents/originals", "--yes", "--wait"], limit: 150)
        #expect(scoped.status == 0, "stdout: \(scoped.stdout)\nstderr: \(scoped.stderr)")
        let path = try Self.expectPreviewIsPost(scoped, env, from: from)
        #expect(Self.purposes(path.created) == ["restic-snapshots", "restic-ls", "restic-restore"], "\(path.created.map(\.name))")
        #expect(Self.runsExactly(scoped.stdout).count == 2, "the listing and the ls count Jobs are named with their scripts")
    }

    @Test func anInPlaceRestorePostsTheSafetyBackupAndRestoreJobsItPreviewed() async throws {
        let env = try await ActionEnv.start([.healthy], realRestic: true)
        defer { Task { await env.stop() } }
        #expect(try await env.paperctl(["backup", "files", "--wait", "--timeout", "60"]).status == 0)
        let from = env.sim.store.recordedWrites.count
        let run = try await env.paperctl(["restore", "files", "--snapshot", "latest", "--in-place", "--confirm-namespace", Self.ns, "--wait"], limit: 200)
        #expect(run.status == 0, "stdout: \(run.stdout)\nstderr: \(run.stderr)")
        let result = try Self.expectPreviewIsPost(run, env, from: from)
        #expect(Self.purposes(result.created) == ["restic-snapshots", "restic-safety-backup", "restic-restore"], "\(result.created.map(\.name))")
        #expect(try Self.hereDocuments(run.stdout).count == 2)
    }

    @Test func aDrillAndAnUnlockPostTheJobsTheyNamedWithTheirScripts() async throws {
        let env = try await ActionEnv.start([.healthy], realRestic: true)
        defer { Task { await env.stop() } }
        #expect(try await env.paperctl(["backup", "files", "--wait", "--timeout", "60"]).status == 0)
        let from = env.sim.store.recordedWrites.count
        let drill = try await env.paperctl(["restore", "drill", "files"], limit: 120)
        #expect(drill.status == 0, "\(drill.stdout)\n\(drill.stderr)")
        let drilled = try Self.expectPreviewIsPost(drill, env, from: from)
        #expect(Self.purposes(drilled.created) == ["restic-drill"])

        let locked = try await ActionEnv.start([.resticLocked], realRestic: false)
        defer { Task { await locked.stop() } }
        let before = locked.sim.store.recordedWrites.count
        let unlock = try await locked.paperctl(["restore", "unlock", "--remove-all", "--confirm-namespace", Self.ns])
        #expect(unlock.status == 0, "\(unlock.stdout)\n\(unlock.stderr)")
        let unlocked = try Self.expectPreviewIsPost(unlock, locked, from: before)
        #expect(Self.purposes(unlocked.created) == ["restic-unlock"])
        #expect(unlocked.created.first?.script?.contains("restic unlock --remove-all") == true)
    }

    @Test func restoreDbPostsTheRecoveryClusterItPrintedAsYAML() async throws {
        let env = try await ActionEnv.start([.healthy], realRestic: false)
        defer { Task { await env.stop() } }
        let from = env.sim.store.recordedWrites.count
        let run = try await env.paperctl(["restore", "db", "--to", "latest", "--name", "ppreview", "--yes"], limit: 120)
        #expect(run.status == 0, "stdout: \(run.stdout)\nstderr: \(run.stderr)")
        let manifest = try Self.printedManifest(run.stdout)
        let result = try Self.expectPreviewIsPost(run, env, from: from, manifest: manifest)
        // The owner's credentials Secret first: its password is the one thing not shown.
        #expect(result.created.map { "\($0.kind)/\($0.name)" } == ["Secret/ppreview-owner", "Cluster/ppreview"])
        #expect(result.masked == ["Secret/ppreview-owner: data.password"], "the Cluster has nothing masked, the Secret only its password: \(result.masked)")
    }

    @Test func restoreBothPostsTheClusterTheSafetyBackupAndTheRestoreJobItPlanned() async throws {
        let env = try await ActionEnv.start([.healthy], realRestic: true)
        defer { Task { await env.stop() } }
        #expect(try await env.paperctl(["backup", "files", "--wait", "--timeout", "60"]).status == 0)
        // "latest" for the database is now − archive_timeout: the files' snapshot must be older (as in RestoreCommandE2ETests).
        let runner = try #require(env.restic)
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        formatter.timeZone = .current
        _ = try await RestoreCommandE2ETests.restic(env, ["backup", runner.volumeDirectory(claim: "paperless-ngx-data"), "--time", formatter.string(from: Date().addingTimeInterval(-900))])
        let from = env.sim.store.recordedWrites.count
        let run = try await env.paperctl(["restore", "both", "--to", "latest", "--name", "pboth", "--confirm-namespace", Self.ns, "--timeout", "90"], limit: 300)
        #expect(run.status == 0, "stdout: \(run.stdout)\nstderr: \(run.stderr)")
        // The snapshot listing Job is named in a "runs exactly" line like every other.
        let result = try Self.expectPreviewIsPost(run, env, from: from)
        // Beside the files' Jobs: the safety Backup, the credentials Secret, the Cluster, its ScheduledBackup and first Backup.
        #expect(result.created.map(\.kind).sorted() == ["Backup", "Backup", "Cluster", "Job", "Job", "Job", "ScheduledBackup", "Secret"], "\(result.created.map { "\($0.kind)/\($0.name)" })")
        #expect(result.created.contains { $0.kind == "Cluster" && $0.name == "pboth" })
        #expect(Self.purposes(result.created) == ["restic-snapshots", "restic-safety-backup", "restic-restore", "db-restore-credentials", "db-restore", "db-restore"], "\(result.created.map(\.name))")
        let listing = result.created.filter { $0.sent.value(at: "metadata.labels")?["paperctl.io/purpose"]?.stringValue == "restic-snapshots" }.map(\.name)
        #expect(!listing.isEmpty && listing.allSatisfy { name in Self.runsExactly(run.stdout).contains { $0.name == name } }, "\(listing)")
    }
}
