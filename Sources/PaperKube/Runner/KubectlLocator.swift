import Foundation

// MARK: - KubectlLocator

/// Finds the kubectl executable: `--kubectl PATH`, then `$PAPERCTL_KUBECTL`, then `PATH`.
public struct KubectlLocator: Sendable {
    public var explicitPath: String?
    public var environment: [String: String]

    public init(explicitPath: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.explicitPath = explicitPath
        self.environment = environment
    }

    /// The executable to run, or `.notInstalled` listing every place that was tried.
    public func locate() throws(KubectlError) -> String {
        try locateExplained().path
    }

    /// The executable to run and the rule that chose it (`--kubectl`, `$PAPERCTL_KUBECTL` or
    /// `PATH`), or `.notInstalled` listing every place that was tried.
    public func locateExplained() throws(KubectlError) -> (path: String, via: String) {
        var searched: [String] = []
        if let explicitPath, !explicitPath.isEmpty {
            if Self.isExecutable(explicitPath) { return (explicitPath, "--kubectl") }
            throw .notInstalled(searched: ["--kubectl \(explicitPath)"])
        }
        if let fromEnv = environment["PAPERCTL_KUBECTL"], !fromEnv.isEmpty {
            if Self.isExecutable(fromEnv) { return (fromEnv, "$PAPERCTL_KUBECTL") }
            throw .notInstalled(searched: ["$PAPERCTL_KUBECTL=\(fromEnv)"])
        }
        for dir in (environment["PATH"] ?? "").split(separator: ":") where !dir.isEmpty {
            let candidate = "\(dir)/kubectl"
            if Self.isExecutable(candidate) { return (candidate, "PATH") }
            searched.append(String(dir))
        }
        throw .notInstalled(searched: searched.isEmpty ? ["PATH (empty)"] : searched.map { "PATH:\($0)" })
    }

    static func isExecutable(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else { return false }
        return FileManager.default.isExecutableFile(atPath: path)
    }
}
