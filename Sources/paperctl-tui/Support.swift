#if canImport(Glibc)
import Glibc
#endif

/// `$TMPDIR` or /tmp.
enum TemporaryDirectory {
    static var path: String {
        if let t = getenv("TMPDIR"), let s = String(validatingCString: t), !s.isEmpty { return s }
        return "/tmp"
    }
}

/// Writes a text file (mode 0600: kubeconfigs carry tokens).
enum FileText {
    struct WriteError: Error, CustomStringConvertible {
        let path: String
        let errno: Int32
        var description: String { "\(path): \(String(cString: strerror(errno)))" }
    }

    static func write(_ text: String, to path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
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
