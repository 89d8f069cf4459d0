import Foundation
import PaperKube
import Testing

#if canImport(Glibc)
import Glibc
#endif

// MARK: - The real runner against fake kubectl scripts

@Suite("KubectlRunner with fake kubectl executables")
struct KubectlRunnerTests {
    @Test func aHangingKubectlAndItsChildAreKilledByTheWatchdog() async throws {
        let dir = try ScriptDirectory()
        defer { dir.cleanUp() }
        // Like kubectl stuck on a black-holed API server, with a child (an exec credential plugin).
        // The script writes its own pid, then the child's.
        let kubectl = try dir.script("kubectl", "echo $$ > \"$1\"\nsleep 600 &\necho $! >> \"$1\"\nwait")
        let pidFile = "\(dir.path)/pids"
        let runner = KubectlRunner(executable: kubectl, timeout: 1)
        let start = ContinuousClock.now
        await #expect(throws: KubectlError.timeout(seconds: 1)) {
            _ = try await runner.run(KubectlCommand(arguments: [pidFile]))
        }
        // The behaviour: the error says timeout and the whole process group is gone. The bound
        // only tells a watchdog that fired (1 s) from none (600 s), with room for a busy machine.
        let elapsed = start.duration(to: .now)
        #expect(elapsed < .seconds(30), "took \(elapsed)")
        let pids = String(decoding: FileManager.default.contents(atPath: pidFile) ?? Data(), as: UTF8.self).split(separator: "\n").compactMap { Int32($0) }
        try #require(pids.count == 2, "the script did not start its child: \(pids)")
        for pid in pids {
            #expect(await ProcessProbe.isGone(pid), "\(pid == pids[0] ? "kubectl" : "its child sleep") \(pid) survived the watchdog")
        }
    }

    @Test func outputExitStatusAndStderrAreReturned() async throws {
        let dir = try ScriptDirectory()
        defer { dir.cleanUp() }
        let kubectl = try dir.script("kubectl", #"""
            printf '{"kind":"List","items":[]}'
            echo 'Error from server (Forbidden): backups.postgresql.cnpg.io is forbidden: User "v" cannot list resource "backups" in API group "postgresql.cnpg.io" in the namespace "n"' >&2
            exit 1
            """#)
        let runner = KubectlRunner(executable: kubectl, timeout: 5)
        let output = try await runner.run(KubectlCommand(arguments: ["get", "backups.postgresql.cnpg.io", "-o", "json"]))
        #expect(output.exitStatus == 1)
        #expect(String(decoding: output.stdout, as: UTF8.self) == #"{"kind":"List","items":[]}"#)
        #expect(output.stderr.contains("cannot list resource"))
        await #expect(throws: KubectlError.self) { _ = try await runner.output(of: KubectlCommand(arguments: [])) }
    }

    @Test func argumentsArriveVerbatimWithoutAShell() async throws {
        let dir = try ScriptDirectory()
        defer { dir.cleanUp() }
        let kubectl = try dir.script("kubectl", #"for a in "$@"; do printf '[%s]' "$a"; done"#)
        let runner = KubectlRunner(executable: kubectl, timeout: 5)
        let data = try await runner.output(of: KubectlCommand(arguments: ["--context", "my ctx", "$(touch /tmp/pwned)", "a;b", "*"]))
        #expect(String(decoding: data, as: UTF8.self) == "[--context][my ctx][$(touch /tmp/pwned)][a;b][*]")
    }

    @Test func aCommandsEnvironmentIsAddedToTheInheritedOne() async throws {
        let dir = try ScriptDirectory()
        defer { dir.cleanUp() }
        let kubectl = try dir.script("kubectl", #"printf '%s|%s' "${GOMAXPROCS:-unset}" "${HOME:-unset}""#)
        let runner = KubectlRunner(executable: kubectl, timeout: 5)
        let home = ProcessInfo.processInfo.environment["HOME"] ?? "unset"
        let tuned = try await runner.output(of: KubectlCommand(arguments: ["version"]).singleThreaded())
        #expect(String(decoding: tuned, as: UTF8.self) == "1|\(home)")
        let plain = try await runner.output(of: KubectlCommand(arguments: ["version"]))
        #expect(String(decoding: plain, as: UTF8.self) == "\(ProcessInfo.processInfo.environment["GOMAXPROCS"] ?? "unset")|\(home)")
        // The variable tunes the process; the command the operator sees is unchanged.
        #expect(KubectlCommand(arguments: ["version"]).singleThreaded().displayLine == "kubectl version")
    }

    @Test func megabytesOfOutputAndStderrDoNotDeadlock() async throws {
        let dir = try ScriptDirectory()
        defer { dir.cleanUp() }
        // Both pipes far beyond the 64 KiB pipe buffer, written at the same time.
        let kubectl = try dir.script("kubectl", "head -c 3000000 /dev/zero | tr '\\0' 'x' &\nhead -c 200000 /dev/zero | tr '\\0' 'e' >&2\nwait")
        let output = try await KubectlRunner(executable: kubectl, timeout: 10).run(KubectlCommand(arguments: []))
        #expect(output.stdout.count == 3_000_000)
        #expect(output.stderr.count == 200_000)
    }

    @Test func aMissingExecutableIsNotInstalled() async {
        let runner = KubectlRunner(executable: "/nonexistent/kubectl", timeout: 5)
        await #expect(throws: KubectlError.notInstalled(searched: ["/nonexistent/kubectl"])) {
            _ = try await runner.run(KubectlCommand(arguments: ["version"]))
        }
    }

    @Test func locatorOrderIsFlagThenEnvironmentThenPath() throws {
        let dir = try ScriptDirectory()
        defer { dir.cleanUp() }
        let onPath = try dir.script("kubectl", "exit 0")
        let other = try dir.script("my-kubectl", "exit 0")
        let env = ["PATH": "/nonexistent:\(dir.path)", "PAPERCTL_KUBECTL": other]
        #expect(try KubectlLocator(explicitPath: onPath, environment: env).locate() == onPath)
        #expect(try KubectlLocator(explicitPath: nil, environment: env).locate() == other)
        #expect(try KubectlLocator(explicitPath: nil, environment: ["PATH": "/nonexistent:\(dir.path)"]).locate() == onPath)
        #expect(throws: KubectlError.notInstalled(searched: ["--kubectl /nope/kubectl"])) {
            try KubectlLocator(explicitPath: "/nope/kubectl", environment: env).locate()
        }
        #expect(throws: KubectlError.notInstalled(searched: ["PATH:/nonexistent"])) {
            try KubectlLocator(explicitPath: nil, environment: ["PATH": "/nonexistent"]).locate()
        }
    }
}
