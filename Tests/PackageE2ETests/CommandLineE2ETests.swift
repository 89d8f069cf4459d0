import Foundation
import ProcessTestSupport
import Subprocess
import Testing

/// What the built binary says and exits with when its command line or its config is refused:
/// the documented 0–3, never argument-parser's 64; one line naming the file and the key.
@Suite(.serialized, .timeLimit(.minutes(2))) struct CommandLineE2ETests {
    static func environment(_ home: String) -> [Environment.Key: String] {
        ["PATH": "/usr/bin:/bin", "HOME": home, "XDG_STATE_HOME": "\(home)/state", "XDG_CACHE_HOME": "\(home)/cache"]
    }

    @Test(arguments: [
        (["backup", "files", "--bogus"], Int32(1), "Unknown option '--bogus'"),
        (["restore", "files"], Int32(1), "Missing expected argument '--snapshot <snapshot>'"),
        (["restore", "files", "--snapshot", "1a2b", "--side", "--in-place"], Int32(1), "--side and --in-place exclude each other"),
        (["restore", "db", "--to", "latest", "--timeout", "0"], Int32(1), "--timeout must be between"),
        (["version", "--timeout", "0"], Int32(1), "--timeout must be between 0 and 600 seconds"),
        (["check", "--bogus"], Int32(3), "Unknown option '--bogus'"),
        (["report", "--format", "pdf"], Int32(1), "The value 'pdf' is invalid for '--format <format>'"),
        (["report", "--force"], Int32(1), "--force only applies with -o FILE"),
        (["report", "--until", "2h"], Int32(1), "--until takes a time, not a duration"),
        (["report", "--since", "yesterday"], Int32(1), "--since: \"yesterday\" is not a time"),
        (["--refresh", "0"], Int32(3), "--refresh must be between 1 and 3600 seconds"),
        (["dashboard", "--refresh", "0"], Int32(3), "--refresh must be between 1 and 3600 seconds"),
    ])
    func aRefusedCommandLineExitsWithTheDocumentedStatus(arguments: [String], status: Int32, message: String) async throws {
        let home = try Paths.temporaryDirectory("cli-usage")
        defer { try? FileManager.default.removeItem(atPath: home) }
        let run = try await runProcess(Paths.binary, arguments, environment: Self.environment(home), limit: 30)
        #expect(run.status == status, "\(arguments): \(run.stderr)")
        #expect(run.stderr.contains(message), "\(run.stderr)")
    }

    @Test func helpStillExitsZero() async throws {
        let home = try Paths.temporaryDirectory("cli-help")
        defer { try? FileManager.default.removeItem(atPath: home) }
        let run = try await runProcess(Paths.binary, ["restore", "files", "--help"], environment: Self.environment(home), limit: 30)
        #expect(run.status == 0 && run.stdout.contains("--snapshot"), "\(run.stderr)")
    }

    /// `restore --help` describes every subcommand, the database recovery included.
    @Test func restoreHelpDescribesEverySubcommand() async throws {
        let home = try Paths.temporaryDirectory("cli-restore-help")
        defer { try? FileManager.default.removeItem(atPath: home) }
        let run = try await runProcess(Paths.binary, ["restore", "--help"], environment: Self.environment(home), limit: 30)
        #expect(run.status == 0, "\(run.stderr)")
        let text = run.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")  // unwrapped
        #expect(text.contains("OVERVIEW: Restore files, the database or both to one point, prove that restores work, or remove a stale restic lock."), "\(run.stdout)")
        for line in ["files Restore the data volume's files", "db Point-in-time recovery of the database into a NEW CloudNativePG cluster",
                     "both Restore the database to a point (a NEW cluster) and the files in place to the newest snapshot at or before it",
                     "drill Prove restores work", "unlock Remove stale restic locks"] {
            #expect(text.contains(line), "restore --help lacks \(line):\n\(run.stdout)")
        }
    }

    @Test(arguments: ["", "  "])
    func anEmptySnapshotIsRefusedBeforeAnythingRuns(snapshot: String) async throws {
        let home = try Paths.temporaryDirectory("cli-snapshot")
        defer { try? FileManager.default.removeItem(atPath: home) }
        // The kubectl named does not exist: the refusal must come before any cluster is asked.
        let run = try await runProcess(Paths.binary, ["restore", "files", "--snapshot", snapshot, "--yes", "--kubectl", "\(home)/no-kubectl"],
                                       environment: Self.environment(home), limit: 30)
        #expect(run.status == 1, "\(run.stderr)")
        #expect(run.stderr.contains("--snapshot is empty: give a snapshot id (or a prefix of one) or latest; an empty id would match every snapshot"), "\(run.stderr)")
    }

    @Test(arguments: [(["--config"], Int32(3)), (["dashboard", "--config"], Int32(3)), (["check", "--config"], Int32(3)), (["backup", "files", "--config"], Int32(1))])
    func aRefusedConfigIsOneLineNamingTheFileLineAndKeyWithoutTheUsage(arguments: [String], status: Int32) async throws {
        let home = try Paths.temporaryDirectory("cli-config")
        defer { try? FileManager.default.removeItem(atPath: home) }
        let config = "\(home)/config.yaml"
        try "namespace: docs\nthresholds:\n  storageWarnPercent: lots\n".write(toFile: config, atomically: true, encoding: .utf8)
        let run = try await runProcess(Paths.binary, arguments + [config], environment: Self.environment(home), limit: 30)
        #expect(run.status == status, "\(run.stderr)")
        let lines = run.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(run.stderr)")
        #expect(run.stderr.contains("config refused: \(config):3: thresholds.storageWarnPercent: expected a number"), "\(run.stderr)")
        #expect(!run.stderr.contains("USAGE") && !run.stderr.contains("Usage"), "\(run.stderr)")
    }
}
