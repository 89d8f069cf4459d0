import Foundation
import PaperUI

// MARK: - JournalFile

/// Today's append-only incident journal (Markdown, mode 0600 in a 0700 directory), redacted
/// entry by entry; each entry is written with one `write(2)` as it happens.
public struct JournalFile: Sendable {
    public let path: String

    public init(path: String) { self.path = path }

    /// `$XDG_STATE_HOME/paperctl/YYYY-MM-DD.md` (`~/.local/state/…` without XDG).
    public init(environment: [String: String], now: Double) {
        path = Journal.path(environment: environment, now: now)
    }

    public func append(_ text: String) {
        let fm = FileManager.default
        let dir = (path as NSString).deletingLastPathComponent
        try? fm.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        var entry = Journal.entry(text)
        if !fm.fileExists(atPath: path) {
            entry = "# paperctl incident journal \((path as NSString).lastPathComponent.replacingOccurrences(of: ".md", with: ""))\n\n" + entry
            _ = fm.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600])
        }
        guard let handle = FileHandle(forWritingAtPath: path) else { return }
        defer { try? handle.close() }
        _ = try? handle.seekToEnd()
        try? handle.write(contentsOf: Data(entry.utf8))
    }

    /// The path, a blank line, then the last 5,000 lines.
    public func read() -> [String] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return ["No journal entries yet today (\(path))."] }
        return ["\(path)", ""] + text.split(separator: "\n", omittingEmptySubsequences: false).suffix(5000).map(String.init)
    }

    public var exists: Bool { FileManager.default.fileExists(atPath: path) }
}
