import ArgumentParser
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

/// `--timeout` (seconds a wait may take) and `--kubectl-timeout` (seconds one kubectl call may
/// take), checked the same way by every subcommand that runs actions.
enum ActionTimeouts {
    static func validate(timeout: Double, kubectlTimeout: Double?) throws {
        guard timeout > 0, timeout <= 86_400 else { throw ValidationError("--timeout must be between 0 and 86400 seconds") }
        if let kubectlTimeout, !(kubectlTimeout > 0 && kubectlTimeout <= 600) {
            throw ValidationError("--kubectl-timeout must be between 0 and 600 seconds")
        }
    }
}
