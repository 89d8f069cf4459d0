import ArgumentParser
import PaperRuntime
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

/// The demo cluster's kubeconfig: written 0600 as a new file
/// (`O_EXCL|O_NOFOLLOW`), by default in a private 0700 directory made with `mkdtemp`, and
/// removed when the demo stops.
struct DemoKubeconfig {
    let path: String
    /// The private directory made for it (removed with it), or nil for `--write-kubeconfig PATH`.
    let directory: String?

    static func write(_ text: String, to explicitPath: String?) throws -> DemoKubeconfig {
        if let explicitPath {
            do {
                try FileText.write(text, to: explicitPath, exclusive: true)
            } catch let error as FileText.WriteError where error.errno == EEXIST {
                throw ValidationError("\(explicitPath) already exists: the demo writes its kubeconfig only as a new file; remove it or choose another path")
            }
            return DemoKubeconfig(path: explicitPath, directory: nil)
        }
        var template = Array("\(TemporaryDirectory.path)/paperctl-demo-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { buffer -> String? in
            guard let base = buffer.baseAddress, mkdtemp(base) != nil else { return nil }
            return String(cString: base)
        }
        guard let directory = made else {
            throw FileText.WriteError(path: "\(TemporaryDirectory.path)/paperctl-demo-XXXXXX", errno: errno)
        }
        let path = "\(directory)/kubeconfig"
        do {
            try FileText.write(text, to: path, exclusive: true)
        } catch {
            rmdir(directory)
            throw error
        }
        return DemoKubeconfig(path: path, directory: directory)
    }

    func remove() {
        unlink(path)
        if let directory { rmdir(directory) }
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
