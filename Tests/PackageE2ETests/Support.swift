import Foundation
import ProcessTestSupport
import Subprocess

// MARK: - Paths

enum Paths {
    /// The repository: three levels above this file (Tests/PackageE2ETests/Support.swift).
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    static var installScript: String { "\(repo)/Sources/packaging/install.sh" }

    /// What `install.sh build` staged (Tests/run-all.sh stages the debug build before the tests).
    static var stage: String { "\(repo)/.build/packaging/stage" }
    static var stagedBinary: String { "\(stage)/bin/paperctl-tui" }

    /// The built binary sits next to the test bundle in `.build/<config>/`.
    static var binary: String {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        if dir.lastPathComponent.hasSuffix(".xctest") || dir.path.contains(".xctest/") {
            while dir.path.contains(".xctest") { dir.deleteLastPathComponent() }
        }
        return dir.appendingPathComponent("paperctl-tui").path
    }

    /// A new empty directory under the temporary directory.
    static func temporaryDirectory(_ label: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("paperctl-\(label)-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func isExecutable(_ name: String) -> Bool {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        let directories: [String] = path.split(separator: ":").map(String.init) + ["/usr/sbin", "/sbin"]
        return directories.contains { FileManager.default.isExecutableFile(atPath: "\($0)/\(name)") }
    }
}

// MARK: - Host

/// What this machine allows: the package test installs into /usr, so it runs only as root (or
/// with passwordless sudo) where dpkg is, and never over a paperctl-tui someone installed.
enum Host {
    static let isRoot = getuid() == 0

    /// `sudo -n` when not root and passwordless sudo works; nil when neither.
    static let privilegePrefix: [String]? = {
        if isRoot { return [] }
        guard Paths.isExecutable("sudo") else { return nil }
        return runSync("sudo", ["-n", "true"]) == 0 ? ["sudo", "-n"] : nil
    }()

    static let missingDpkgTools = ["dpkg", "dpkg-deb", "dpkg-shlibdeps"].filter { !Paths.isExecutable($0) }
    static var hasDpkg: Bool { missingDpkgTools.isEmpty }

    static var canInstallPackages: Bool { privilegePrefix != nil && hasDpkg }

    /// Why the package test does not run here, for its skip message.
    static var packageTestSkipReason: String {
        "needs root or passwordless sudo, and dpkg, dpkg-deb and dpkg-shlibdeps (uid \(getuid()), missing: \(missingDpkgTools.isEmpty ? "none" : missingDpkgTools.joined(separator: ", ")))"
    }

    /// Runs a command to its end, for the guards above (no async there).
    static func runSync(_ name: String, _ arguments: [String]) -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [name] + arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return -1 }
        process.waitUntilExit()
        return process.terminationStatus
    }
}

/// Runs `command` through bash with `arguments` as $1…, inheriting the environment plus `extra`.
func bash(_ script: String, _ arguments: [String] = [], extra: [String: String] = [:], limit: Double = 120) async throws -> ProcessRun {
    var environment: [Environment.Key: String] = [:]
    for (key, value) in ProcessInfo.processInfo.environment.merging(extra, uniquingKeysWith: { $1 }) {
        if let k = Environment.Key(rawValue: key) { environment[k] = value }
    }
    return try await runProcess("/bin/bash", ["-c", script, "bash"] + arguments, environment: environment, limit: limit)
}

/// An exclusive lock on a file for the duration of `body`: two work trees running their suites
/// on one machine would otherwise install and remove the same package under each other.
func withFileLock<T>(_ path: String, _ body: () async throws -> T) async throws -> T {
    let fd = open(path, O_RDWR | O_CREAT, 0o666)
    guard fd >= 0 else { throw POSIXError(.EACCES) }
    defer { close(fd) }
    // Never a blocking flock on a cooperative thread: poll, and give up (failing) after 5 minutes.
    let deadline = Date().addingTimeInterval(300)
    while flock(fd, LOCK_EX | LOCK_NB) != 0 {
        guard errno == EWOULDBLOCK, Date() < deadline else { throw POSIXError(.ETIMEDOUT) }
        try await Task.sleep(for: .milliseconds(200))
    }
    defer { _ = flock(fd, LOCK_UN) }
    return try await body()
}
