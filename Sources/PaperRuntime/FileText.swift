#if canImport(Glibc)
import Glibc
#endif

// MARK: - FileText

/// Writes a text file (mode 0600: kubeconfigs carry tokens, reports carry the incident).
public enum FileText {
    public struct WriteError: Error, CustomStringConvertible {
        public let path: String
        public let errno: Int32
        public var description: String { "\(path): \(String(cString: strerror(errno)))" }

        public init(path: String, errno: Int32) {
            self.path = path
            self.errno = errno
        }
    }

    /// `exclusive`: a new file only (`O_EXCL|O_NOFOLLOW`): an existing file or a planted symlink is refused.
    public static func write(_ text: String, to path: String, exclusive: Bool = false) throws {
        let flags = exclusive ? O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC : O_WRONLY | O_CREAT | O_TRUNC
        let fd = open(path, flags, 0o600)
        guard fd >= 0 else { throw WriteError(path: path, errno: errno) }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            guard n > 0 else { throw WriteError(path: path, errno: errno) }
            offset += n
        }
    }
}
