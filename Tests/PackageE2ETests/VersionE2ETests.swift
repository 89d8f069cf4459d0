import Foundation
import ProcessTestSupport
import Subprocess
import Testing

/// `paperctl-tui --version` and `paperctl-tui version`, run as the built binary.
@Suite(.serialized, .timeLimit(.minutes(2))) struct VersionE2ETests {
    /// `0.0.0-dev (<40 hex>[-dirty])`, `1.2.0 (…)` or `… (unknown commit)`.
    static var versionLine: Regex<(Substring, Substring, Substring, Substring?)> { #/^([0-9][A-Za-z0-9._+~-]*) \(([0-9a-f]{40}(-dirty)?|unknown commit)\)$/# }

    func environment(path: String, extra: [Environment.Key: String] = [:]) -> [Environment.Key: String] {
        ["PATH": path, "HOME": FileManager.default.temporaryDirectory.path].merging(extra) { $1 }
    }

    @Test func versionFlagPrintsTheVersionAndCommitAndExitsZero() async throws {
        let run = try await runProcess(Paths.binary, ["--version"], environment: environment(path: "/usr/bin:/bin"), limit: 30)
        #expect(run.status == 0, "stderr: \(run.stderr)")
        let line = run.stdout.trimmingCharacters(in: .newlines)
        let match = try #require(line.wholeMatch(of: Self.versionLine), "--version printed \(line)")
        // The commit is git's HEAD when the tests run from a git checkout (run-all.sh builds first).
        let head = try await runProcess("git", ["-C", Paths.repo, "rev-parse", "HEAD"], limit: 10)
        if head.status == 0 {
            #expect(match.output.2.hasPrefix(head.stdout.trimmingCharacters(in: .whitespacesAndNewlines)), "HEAD is \(head.stdout)")
        }
    }

    @Test func versionCommandNamesTheKubectlItWouldUseAndItsClientVersion() async throws {
        let flag = try await runProcess(Paths.binary, ["--version"], environment: environment(path: "/usr/bin:/bin"), limit: 30)
        let version = String(flag.stdout.trimmingCharacters(in: .newlines).prefix { $0 != " " })
        let kubectl = try #require(["/usr/local/bin/kubectl", "/usr/bin/kubectl"].first { FileManager.default.isExecutableFile(atPath: $0) }, "kubectl is installed by run-all.sh")
        let run = try await runProcess(Paths.binary, ["version"], environment: environment(path: "/nonexistent:\((kubectl as NSString).deletingLastPathComponent):/bin"), limit: 30)
        #expect(run.status == 0, "stderr: \(run.stderr)")
        let lines = run.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 4, "\(run.stdout)")
        #expect(lines.first == "paperctl-tui \(version)")
        #expect(lines.dropFirst().first?.hasPrefix("commit:          ") == true)
        #expect(lines.contains("kubectl:         \(kubectl) (from PATH)"), "\(run.stdout)")
        // The real kubectl's answer, as `kubectl version --client -o json` gives it.
        let own = try await runProcess(kubectl, ["version", "--client", "-o", "json"], limit: 30)
        let gitVersion = try #require(own.stdout.firstMatch(of: #/"gitVersion": "([^"]+)"/#)?.output.1, "\(own.stdout)")
        #expect(lines.last?.hasPrefix("kubectl client:  \(gitVersion)") == true, "\(run.stdout)")
    }

    @Test func versionWithoutKubectlSaysWhereItLookedAndStillExitsZero() async throws {
        let run = try await runProcess(Paths.binary, ["version"], environment: environment(path: "/nonexistent-a:/nonexistent-b"), limit: 30)
        #expect(run.status == 0, "stderr: \(run.stderr)")
        #expect(run.stdout.contains("kubectl:         not found (looked in: PATH:/nonexistent-a, PATH:/nonexistent-b)"), "\(run.stdout)")
        #expect(!run.stdout.contains("kubectl client:"))
    }

    @Test func aHangingKubectlIsKilledByTheRunnersWatchdog() async throws {
        let dir = try Paths.temporaryDirectory("version-hang")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let fake = "\(dir)/kubectl"
        try "#!/bin/sh\nsleep 60\n".write(toFile: fake, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: fake)
        let run = try await runProcess(Paths.binary, ["version", "--kubectl", fake, "--timeout", "1"], environment: environment(path: "/usr/bin:/bin"), limit: 30)
        #expect(run.status == 0, "stderr: \(run.stderr)")
        #expect(run.stdout.contains("kubectl:         \(fake) (from --kubectl)"))
        #expect(run.stdout.contains("kubectl client:  unknown: kubectl timed out after 1 s and was killed"), "\(run.stdout)")
        #expect(run.elapsed < .seconds(15))
    }
}
