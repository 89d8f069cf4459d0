import Foundation
import PaperRuntime
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Where the dashboard's proxy socket lives (issues 20 and 21): a private directory of this user,
/// never one another user prepared, and never swept away from under a proxy that is starting.
@Suite struct ProxySocketDirectoryTests {
    static func scratch() throws -> String {
        let dir = NSTemporaryDirectory() + "paperctl-sockdir-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        return dir
    }

    static func mode(_ path: String) -> mode_t {
        var info = stat()
        return lstat(path, &info) == 0 ? info.st_mode & 0o777 : 0
    }

    @Test func aFreshDirectoryIsPrivateAndNamesItsOwnerFromTheStart() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let env = ["XDG_RUNTIME_DIR": "\(dir)/run", "HOME": "\(dir)/home"]
        try FileManager.default.createDirectory(atPath: "\(dir)/run", withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let made = try ProxySocketDirectory.create(environment: env)
        #expect(made.hasPrefix("\(dir)/run/paperctl/proxy-"))
        #expect(Self.mode(made) == 0o700 && Self.mode("\(dir)/run/paperctl") == 0o700)
        let owner = try String(contentsOfFile: "\(made)/owner", encoding: .utf8)
        #expect(owner.hasPrefix("\(getpid()) "), "the owner file names this process")
        // Nothing half-made is left beside it, and a sweep leaves a live owner's directory alone.
        #expect(try FileManager.default.contentsOfDirectory(atPath: "\(dir)/run/paperctl") == [(made as NSString).lastPathComponent])
        #expect(ProxySocketDirectory.sweep(environment: env).isEmpty)
        #expect(FileManager.default.fileExists(atPath: made))
    }

    @Test func aSweepRemovesAKilledDashboardsDirectoryButNotOneBeingMade() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let env = ["XDG_RUNTIME_DIR": dir, "HOME": "\(dir)/home"]
        let parent = "\(dir)/paperctl"
        try FileManager.default.createDirectory(atPath: "\(parent)/proxy-dead01", withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try "999999999 1\n".write(toFile: "\(parent)/proxy-dead01/owner", atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: "\(parent)/.new-abcdef", withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        #expect(ProxySocketDirectory.sweep(environment: env) == ["\(parent)/proxy-dead01"])
        #expect(FileManager.default.fileExists(atPath: "\(parent)/.new-abcdef"), "a directory still being made is not swept")
    }

    @Test func aSocketParentAnotherUserCouldEnterIsNotUsed() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // As another user would leave /tmp/paperctl-<uid> for us: there, but open to others.
        let env = ["TMPDIR": "\(dir)/tmp", "HOME": "\(dir)/home"]
        try FileManager.default.createDirectory(atPath: "\(dir)/tmp/paperctl-\(getuid())", withIntermediateDirectories: true, attributes: [.posixPermissions: 0o777])
        chmod("\(dir)/tmp/paperctl-\(getuid())", 0o777)
        let made = try ProxySocketDirectory.create(environment: env)
        #expect(made.hasPrefix("\(dir)/home/.cache/paperctl/run/proxy-"), "\(made)")
        #expect(Self.mode("\(dir)/home/.cache/paperctl/run") == 0o700)
        #expect(try FileManager.default.contentsOfDirectory(atPath: "\(dir)/tmp/paperctl-\(getuid())").isEmpty)
        // Without a home there is nowhere private to go: the error names the directory.
        #expect(throws: ProxySocketDirectory.Failure.self) { try ProxySocketDirectory.create(environment: ["TMPDIR": "\(dir)/tmp"]) }
    }
}
