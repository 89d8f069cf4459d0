import Foundation
import PaperDomain
import PaperUI
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// MARK: - JournalFile

/// Today's append-only incident journal (Markdown, mode 0600 in a 0700 directory), redacted
/// and made terminal-safe entry by entry; each entry is written with one `write(2)` as it happens.
///
/// The file is opened `O_WRONLY|O_APPEND|O_CREAT|O_NOFOLLOW|O_CLOEXEC` for every entry (two
/// writers append, neither overwrites), and `fstat` must show a regular file of ours: a planted
/// symlink or another user's file is refused. The directory is made 0700, or must be ours and
/// is tightened to 0700. Without `XDG_STATE_HOME` or `HOME` there is no journal (no `/tmp`
/// fallback). A write that fails returns why, and the journal remembers it for the exit report.
public struct JournalFile: Sendable {
    /// Where the journal is; empty when there is none (see `unavailable`).
    public let path: String
    /// Why there is no journal at all (neither `XDG_STATE_HOME` nor `HOME` set).
    public let unavailable: String?
    private let failures = JournalFailures()
    /// A new file starts with the `# paperctl incident journal DAY` heading (not the command log file).
    private var heading = true

    public init(path: String) {
        self.path = path
        unavailable = nil
    }

    /// A file written the same way, without the journal's heading (the command log beside it).
    init(path: String, unavailable: String?, heading: Bool) {
        self.path = path
        self.unavailable = unavailable
        self.heading = heading
    }

    /// `$XDG_STATE_HOME/paperctl/YYYY-MM-DD.md` (`~/.local/state/…` without XDG).
    public init(environment: [String: String], now: Double) {
        switch Journal.location(environment: environment, now: now) {
        case .success(let path):
            self.path = path
            unavailable = nil
        case .failure(let reason):
            path = ""
            unavailable = reason.description
        }
    }

    /// Appends one entry; nil when it was written, else why not (also kept for `lastFailure`).
    @discardableResult
    public func append(_ text: String) -> String? {
        let reason = store(Journal.entry(text))
        if let reason { failures.record(reason) }
        return reason
    }

    /// The last reason an entry was not written, and how many were not.
    public var lastFailure: (reason: String, count: Int)? { failures.last }

    private func store(_ entry: String) -> String? {
        if let unavailable { return unavailable }
        let dir = (path as NSString).deletingLastPathComponent
        if let problem = Self.prepareDirectory(dir) { return problem }
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            let code = errno
            return code == ELOOP ? "\(path) is a symbolic link; refused" : "cannot open \(path): \(Self.describe(code))"
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { return "cannot stat \(path): \(Self.describe(errno))" }
        guard info.st_mode & S_IFMT == S_IFREG else { return "\(path) is not a regular file; refused" }
        guard info.st_uid == geteuid() else { return "\(path) belongs to uid \(info.st_uid), not to us; refused" }
        if info.st_mode & 0o077 != 0 { _ = fchmod(fd, 0o600) }
        var bytes = Array(entry.utf8)
        if info.st_size == 0, heading {
            bytes = Array("# paperctl incident journal \((path as NSString).lastPathComponent.replacingOccurrences(of: ".md", with: ""))\n\n".utf8) + bytes
        }
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                return "cannot write \(path): \(Self.describe(errno))"
            }
            offset += n
        }
        return nil
    }

    /// Makes the directory 0700 (with its missing parents), or checks that it is ours and tightens it.
    static func prepareDirectory(_ dir: String) -> String? {
        var info = stat()
        if lstat(dir, &info) != 0 {
            guard errno == ENOENT else { return "cannot check \(dir): \(describe(errno))" }
            do {
                try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                return "cannot create \(dir): \(error.localizedDescription)"
            }
            guard lstat(dir, &info) == 0 else { return "cannot check \(dir): \(describe(errno))" }
        }
        guard info.st_mode & S_IFMT == S_IFDIR else { return "\(dir) is not a directory (a symbolic link?); refused" }
        guard info.st_uid == geteuid() else { return "\(dir) belongs to uid \(info.st_uid), not to us; refused" }
        if info.st_mode & 0o077 != 0, chmod(dir, 0o700) != 0 { return "cannot make \(dir) private: \(describe(errno))" }
        return nil
    }

    private static func describe(_ code: Int32) -> String { String(cString: strerror(code)) }

    /// The path, a blank line, then the last 5,000 lines (or why there is no journal).
    public func read() -> [String] {
        if let unavailable { return ["No incident journal: \(unavailable)."] }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return ["No journal entries yet today (\(path))."] }
        return ["\(path)", ""] + text.split(separator: "\n", omittingEmptySubsequences: false).suffix(5000).map(String.init)
    }

    public var exists: Bool { unavailable == nil && FileManager.default.fileExists(atPath: path) }
}

/// The journal's failed writes, shared by the copies of one `JournalFile`.
final class JournalFailures: Sendable {
    private let state = Mutex<(reason: String, count: Int)?>(nil)

    func record(_ reason: String) {
        state.withLock { $0 = (reason, ($0?.count ?? 0) + 1) }
    }

    var last: (reason: String, count: Int)? { state.withLock { $0 } }
}
