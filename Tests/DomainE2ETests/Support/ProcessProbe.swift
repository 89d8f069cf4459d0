import Foundation

#if canImport(Glibc)
import Glibc
#endif

// MARK: - ProcessProbe

enum ProcessProbe {
    /// True once `pid` no longer exists or is a zombie waiting for a reaper; false when it still
    /// runs after 10 s (a SIGKILLed process is gone in milliseconds, even on a busy machine).
    static func isGone(_ pid: Int32) async -> Bool {
        for _ in 0..<200 {
            if kill(pid, 0) != 0 { return true }
            if let stat = FileManager.default.contents(atPath: "/proc/\(pid)/stat"),
               let text = String(data: stat, encoding: .utf8), let close = text.lastIndex(of: ")"),
               text[text.index(after: close)...].trimmingCharacters(in: .whitespaces).hasPrefix("Z") {
                return true
            }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return false
    }
}
