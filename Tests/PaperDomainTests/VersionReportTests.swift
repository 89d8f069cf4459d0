import Foundation
import PaperDomain
import PaperKube
import Testing
import TestSupport

/// `paperctl-tui version`: the kubectl found as the other commands find it, its client version
/// asked through the runner, and every way that can go wrong said on the kubectl lines.
@Suite struct VersionReportTests {
    static let clientJSON = """
        {"clientVersion":{"major":"1","minor":"32+","gitVersion":"v1.32.4-dispatcher","platform":"linux/amd64"},"kustomizeVersion":"v5.5.0"}
        """

    /// A directory holding an executable file named kubectl.
    static func directoryWithKubectl() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("paperctl-version-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = dir + "/kubectl"
        _ = FileManager.default.createFile(atPath: path, contents: Data("#!/bin/sh\n".utf8), attributes: [.posixPermissions: 0o755])
        return dir
    }

    @Test func kubectlOnPathIsRunWithClientVersionThroughTheRunner() async throws {
        let dir = try Self.directoryWithKubectl()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let runner = FakeRunner { _ in .ok(Self.clientJSON) }
        var executables: [String] = []
        let report = await VersionReport.gather(version: "1.2.3", commit: "abc123", kubectlPath: nil, environment: ["PATH": "/nonexistent:\(dir)"]) {
            executables.append($0)
            return runner
        }
        #expect(executables == ["\(dir)/kubectl"])
        #expect(runner.argumentArrays == [["version", "--client", "-o", "json"]])
        #expect(report.lines == [
            "paperctl-tui 1.2.3",
            "commit:          abc123",
            "kubectl:         \(dir)/kubectl (from PATH)",
            "kubectl client:  v1.32.4-dispatcher (linux/amd64)",
        ])
    }

    @Test func explicitKubectlWinsAndAnUntestedVersionIsSaid() async throws {
        let dir = try Self.directoryWithKubectl()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let old = #"{"clientVersion":{"major":"1","minor":"20","gitVersion":"v1.20.2"}}"#
        let report = await VersionReport.gather(version: "1.2.3", commit: "abc123", kubectlPath: "\(dir)/kubectl", environment: ["PATH": "/usr/bin"]) { _ in
            FakeRunner { _ in .ok(old) }
        }
        #expect(report.lines[2] == "kubectl:         \(dir)/kubectl (from --kubectl)")
        #expect(report.lines[3] == "kubectl client:  v1.20.2; not tested: paperctl-tui is tested with kubectl 1.28–1.33")
    }

    @Test func missingKubectlListsWhereItLookedAndRunsNothing() async {
        let report = await VersionReport.gather(version: "1.2.3", commit: "unknown", kubectlPath: nil, environment: ["PATH": "/nonexistent-a:/nonexistent-b"]) { _ in
            Issue.record("no runner without a kubectl")
            return FakeRunner { _ in .ok("") }
        }
        #expect(report.lines.count == 3)
        #expect(report.lines[2].hasPrefix("kubectl:         not found (looked in: PATH:/nonexistent-a, PATH:/nonexistent-b)"))
    }

    @Test func aFailingOrGarbledVersionCallIsReportedNotThrown() async throws {
        let dir = try Self.directoryWithKubectl()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let timedOut = await VersionReport.gather(version: "1", commit: "c", kubectlPath: nil, environment: ["PATH": dir]) { _ in
            FakeRunner { _ throws(KubectlError) in throw .timeout(seconds: 10) }
        }
        #expect(timedOut.lines[3] == "kubectl client:  unknown: kubectl timed out after 10 s and was killed")
        let garbled = await VersionReport.gather(version: "1", commit: "c", kubectlPath: nil, environment: ["PATH": dir]) { _ in
            FakeRunner { _ in .ok("Client Version: v1.30.0") }
        }
        #expect(garbled.lines[3].hasPrefix("kubectl client:  unknown: unparseable kubectl output"))
    }

    @Test func vendorMinorVersionsKeepTheirDigits() throws {
        let v = try KubectlClientVersion.parse(Data(Self.clientJSON.utf8))
        #expect(v.major == 1 && v.minor == 32 && v.isTested == true)
    }
}
