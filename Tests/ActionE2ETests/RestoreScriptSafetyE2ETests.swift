import Foundation
import PaperDomain
import PaperKube
import ProcessTestSupport
import SimCluster
import Subprocess
import Testing

/// The restore Jobs' scripts take no data as shell code, the restore path is matched literally and
/// judged by restic's own count, and safety snapshots keep out of the scheduled forget group
/// (issue 21, items 1, 7 and 8).
@Suite(.serialized, .timeLimit(.minutes(4))) struct RestoreScriptSafetyE2ETests {
    /// Shell metacharacters, quotes, a backslash and restic's pattern characters.
    static let payloads = ["$(touch PWN/pwned-subst)", "`touch PWN/pwned-backtick`", #""; touch PWN/pwned-dquote; echo ""#,
                           "'; touch PWN/pwned-squote; echo '", #"a\"b\\c"#, "invoice[1]", "star*", "what?", "${IFS}x$HOME"]

    /// Runs `script` with `sh -c` and a stub restic on PATH that records its argv; returns the
    /// recorded invocations (each an argv).
    static func runWithStubRestic(_ script: String, in dir: String) async throws -> (status: Int32, calls: [[String]]) {
        let log = "\(dir)/restic-argv"
        try? FileManager.default.removeItem(atPath: log)
        let stub = "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\036' \"$a\" >> '\(log)'; done\nprintf '\\035' >> '\(log)'\n"
        try FileManager.default.createDirectory(atPath: "\(dir)/bin", withIntermediateDirectories: true)
        try stub.write(toFile: "\(dir)/bin/restic", atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: "\(dir)/bin/restic")
        let run = try await runProcess("/bin/sh", ["-c", script], environment: ["PATH": "\(dir)/bin:/usr/bin:/bin", "HOME": dir], limit: 20)
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        let calls = text.split(separator: "\u{1D}", omittingEmptySubsequences: true).map { call in
            call.split(separator: "\u{1E}", omittingEmptySubsequences: false).dropLast().map(String.init)
        }
        return (run.status, calls)
    }

    @Test func theGeneratedScriptsPassShNAndRunNoInjectedCommandAgainstAStubRestic() async throws {
        let dir = NSTemporaryDirectory() + "paperctl-inject-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for raw in Self.payloads {
            let payload = raw.replacingOccurrences(of: "PWN", with: dir)
            let target = "\(dir)/target \(payload)"
            let scripts: [(String, [String]?)] = [
                (try ResticJob.restoreScript(snapshot: "4f2a9c1e", root: "/data", path: "media/\(payload).pdf", target: target, verify: true, json: true),
                 ["restore", "4f2a9c1e:/data", "--target", target, "--include", "/media/" + ResticPattern.literal("\(payload).pdf"), "--verify", "--json"]),
                (try ResticJob.filesScript(snapshot: "4f2a9c1e", directory: "/data/\(payload)"), ["ls", "--json", "4f2a9c1e", "/data/\(payload)"]),
                (try ResticJob.safetyBackupScript(mount: "/data/\(payload)"), ["backup", "/data/\(payload)", "--tag", "paperctl-safety", "--host", "paperctl-safety"]),
                (ResticJob.drillScript(scratch: "\(dir)/scratch \(payload)"), ["restore", "latest", "--target", "\(dir)/scratch \(payload)", "--verify"]),
            ]
            for (script, expected) in scripts {
                try script.write(toFile: "\(dir)/script.sh", atomically: true, encoding: .utf8)
                let syntax = try await runProcess("/bin/sh", ["-n", "\(dir)/script.sh"], limit: 10)
                #expect(syntax.status == 0, "sh -n refused the script for \(payload): \(syntax.stderr)\n\(script)")
                let run = try await Self.runWithStubRestic(script, in: dir)
                #expect(run.status == 0, "\(script)")
                #expect(run.calls.first == ["version"], "\(script)")
                #expect(run.calls.last == expected, "restic got other arguments for \(payload): \(run.calls)\n\(script)")
            }
            let planted = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasPrefix("pwned") }
            #expect(planted.isEmpty, "the payload \(payload) ran a command: \(planted)")
        }
        // A newline (or any control character) never reaches a script.
        #expect(throws: ResticJob.BuildError.self) { try ResticJob.restoreScript(snapshot: "4f2a9c1e", root: "/data", path: "a\ntouch x", target: "/data", verify: true, json: true) }
    }

    @Test func theSafetySnapshotSurvivesTheCronJobsForgetAndSoDoesTheDaysScheduledOne() async throws {
        let dir = NSTemporaryDirectory() + "paperctl-forget-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: "\(dir)/data", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let restic = try #require(ResticJobRunner.detect(stateDirectory: "\(dir)/state")?.executable, "restic is not on PATH (Tests/run-all.sh installs it)")
        let env: [Environment.Key: String] = ["PATH": "\(URL(fileURLWithPath: restic).deletingLastPathComponent().path):/usr/bin:/bin", "HOME": dir,
                                              "RESTIC_REPOSITORY": "\(dir)/repo", "RESTIC_PASSWORD": "pw", "RESTIC_CACHE_DIR": "\(dir)/cache"]
        try "live\n".write(toFile: "\(dir)/data/file", atomically: true, encoding: .utf8)
        #expect(try await runProcess(restic, ["init"], environment: env, limit: 60).status == 0)
        // The CronJob's own backup (its host), then the safety backup exactly as the Job runs it.
        #expect(try await runProcess(restic, ["backup", "\(dir)/data", "--host", "paperless-ngx", "--tag", "paperless-ngx"], environment: env, limit: 60).status == 0)
        let scheduled = try #require(try await Self.snapshotIDs(restic, env).first)
        try "changed\n".write(toFile: "\(dir)/data/file", atomically: true, encoding: .utf8)
        #expect(try await runProcess("/bin/sh", ["-c", try ResticJob.safetyBackupScript(mount: "\(dir)/data")], environment: env, limit: 60).status == 0)
        #expect(try await Self.snapshotIDs(restic, env).count == 2)
        // The CronJob's forget policy (Seed, and the deployment's), as its next run applies it.
        let forget = try await runProcess(restic, ["forget", "--keep-daily", "7", "--keep-weekly", "4", "--keep-monthly", "6", "--dry-run", "--json"], environment: env, limit: 60)
        #expect(forget.status == 0, "\(forget.stderr)")
        let groups = try #require(try JSONSerialization.jsonObject(with: Data(forget.stdout.utf8)) as? [[String: Any]])
        let kept = groups.flatMap { ($0["keep"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String } }
        let removed = groups.flatMap { ($0["remove"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String } }
        #expect(kept.contains(scheduled), "the day's scheduled snapshot would be removed: \(forget.stdout)")
        #expect(removed.isEmpty)
        #expect(groups.count == 2, "the safety snapshot is in a forget group of its own")
    }

    /// The file listing's live tail under a real /bin/sh and find: the live directory's entries
    /// after the marker, or the missing marker (exit 0) when it is gone; a hostile name is data.
    @Test func theListingsLiveTailListsTheLiveDirectoryOrSaysItIsMissingAndRunsNoInjectedCommand() async throws {
        let dir = NSTemporaryDirectory() + "paperctl-live-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: "\(dir)/bin", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "#!/bin/sh\nexit 0\n".write(toFile: "\(dir)/bin/restic", atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: "\(dir)/bin/restic")
        for raw in Self.payloads {
            let payload = raw.replacingOccurrences(of: "PWN", with: dir)
            let live = "\(dir)/live \(payload)"
            try FileManager.default.createDirectory(atPath: live, withIntermediateDirectories: true)
            for name in ["0000003.pdf", "\(payload).pdf"] { try Data().write(to: URL(fileURLWithPath: "\(live)/\(name.replacingOccurrences(of: "/", with: "_"))")) }
            let script = try ResticJob.filesScript(snapshot: "4f2a9c1e", directory: "/data/x", liveDirectory: live)
            let run = try await runProcess("/bin/sh", ["-c", script], environment: ["PATH": "\(dir)/bin:/usr/bin:/bin", "HOME": dir], limit: 20)
            #expect(run.status == 0, "\(run.stderr)\n\(script)")
            let listing = try #require(ResticOutput.liveListing(in: run.stdout), "\(run.stdout)")
            #expect(listing.directory == live && !listing.directoryMissing)
            #expect(listing.names == ["0000003.pdf", "\(payload).pdf".replacingOccurrences(of: "/", with: "_")], "\(run.stdout)")
            try FileManager.default.removeItem(atPath: live)
            let gone = try await runProcess("/bin/sh", ["-c", script], environment: ["PATH": "\(dir)/bin:/usr/bin:/bin", "HOME": dir], limit: 20)
            #expect(gone.status == 0, "a live directory that is gone is an answer, not a failed Job")
            #expect(ResticOutput.liveListing(in: gone.stdout)?.directoryMissing == true, "\(gone.stdout)")
            let planted = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasPrefix("pwned") }
            #expect(planted.isEmpty, "the payload \(payload) ran a command: \(planted)")
        }
    }

    @Test func anInPlaceRestoreOfInvoice1RestoresExactlyThatFileAndAPathThatMatchesNothingFails() async throws {
        let env = try await ActionEnv.start([.healthy], realRestic: true)
        defer { Task { await env.stop() } }
        let runner = try #require(env.restic)
        let volume = runner.volumeDirectory(claim: "paperless-ngx-data")
        // The first backup plants the volume; then the two names a glob confuses, backed up.
        #expect(try await env.paperctl(["backup", "files", "--wait", "--timeout", "60"]).status == 0)
        let originals = "\(volume)/media/documents/originals"
        try "invoice[1] as backed up\n".write(toFile: "\(originals)/invoice[1].pdf", atomically: true, encoding: .utf8)
        try "invoice1 as backed up\n".write(toFile: "\(originals)/invoice1.pdf", atomically: true, encoding: .utf8)
        #expect(try await env.paperctl(["backup", "files", "--wait", "--timeout", "60"]).status == 0)
        // Both damaged live; only invoice[1].pdf is restored.
        try "invoice[1] damaged\n".write(toFile: "\(originals)/invoice[1].pdf", atomically: true, encoding: .utf8)
        try "invoice1 damaged\n".write(toFile: "\(originals)/invoice1.pdf", atomically: true, encoding: .utf8)
        let run = try await env.paperctl(["restore", "files", "--snapshot", "latest", "--in-place", "--confirm-namespace", "paperless-ngx",
                                          "--path", "media/documents/originals/invoice[1].pdf", "--skip-safety-backup", "test of the literal include"], limit: 200)
        #expect(run.status == 0, "stdout: \(run.stdout)\nstderr: \(run.stderr)")
        #expect(try String(contentsOfFile: "\(originals)/invoice[1].pdf", encoding: .utf8) == "invoice[1] as backed up\n")
        #expect(try String(contentsOfFile: "\(originals)/invoice1.pdf", encoding: .utf8) == "invoice1 damaged\n", "the include matched another file")
        #expect(run.stdout.contains("restic restored 1 file"), "\(run.stdout)")
        // A path the snapshot lacks would restore nothing: restic ls counts 0 files for it (matched
        // literally, so invoice1.pdf does not count), and nothing is started.
        let missing = try await env.paperctl(["restore", "files", "--snapshot", "latest", "--path", "media/documents/originals/invoice[2].pdf", "--yes", "--wait"], limit: 150)
        #expect(missing.status == 1, "stdout: \(missing.stdout)")
        #expect(missing.stderr.contains("the path /media/documents/originals/invoice[2].pdf matches 0 files"), "stdout: \(missing.stdout)\nstderr: \(missing.stderr)")
        #expect(missing.stderr.contains("nothing was started"))
    }

    static func snapshotIDs(_ restic: String, _ env: [Environment.Key: String]) async throws -> [String] {
        let run = try await runProcess(restic, ["snapshots", "--json"], environment: env, limit: 60)
        let items = (try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [[String: Any]]) ?? []
        return items.compactMap { $0["id"] as? String }
    }
}
