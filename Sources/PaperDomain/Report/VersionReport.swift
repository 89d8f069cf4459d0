import Foundation
import PaperKube

// MARK: - VersionReport

/// What `paperctl-tui version` prints: this build's version and commit, the kubectl the other
/// commands would use (found by the same `KubectlLocator`) and that kubectl's client version,
/// asked through the same runner as every other kubectl call.
public struct VersionReport: Sendable, Equatable {
    /// How the kubectl lookup and its version call went.
    public enum Kubectl: Sendable, Equatable {
        /// Not found; the error lists every place that was tried.
        case notFound(KubectlError)
        /// Found at `path` by the rule `via`; `client` is its version or why it could not be read.
        case found(path: String, via: String, client: Result<KubectlClientVersion, KubectlError>)
    }

    public var version: String
    public var commit: String
    public var kubectl: Kubectl

    public init(version: String, commit: String, kubectl: Kubectl) {
        self.version = version
        self.commit = commit
        self.kubectl = kubectl
    }

    /// Finds kubectl as the dashboard and `check` do and runs `kubectl version --client -o json`
    /// through the runner `makeRunner` builds for that executable.
    public static func gather(
        version: String, commit: String, kubectlPath: String?, environment: [String: String],
        makeRunner: (String) -> any CommandRunning
    ) async -> VersionReport {
        let located: (path: String, via: String)
        do {
            located = try KubectlLocator(explicitPath: kubectlPath, environment: environment).locateExplained()
        } catch {
            return VersionReport(version: version, commit: commit, kubectl: .notFound(error))
        }
        let client: Result<KubectlClientVersion, KubectlError>
        do {
            let data = try await makeRunner(located.path).output(of: .clientVersion())
            client = .success(try KubectlClientVersion.parse(data))
        } catch {
            client = .failure(error)
        }
        return VersionReport(version: version, commit: commit, kubectl: .found(path: located.path, via: located.via, client: client))
    }

    /// The printed report, one fact a line.
    public var lines: [String] {
        var lines = ["paperctl-tui \(version)", "commit:          \(commit)"]
        switch kubectl {
        case .notFound(let error):
            lines.append("kubectl:         not found (\(Self.searched(error))); install kubectl \(Self.testedRange), or name it with --kubectl PATH or $PAPERCTL_KUBECTL")
        case .found(let path, let via, let client):
            lines.append("kubectl:         \(path) (from \(via))")
            switch client {
            case .success(let v):
                var text = v.gitVersion
                if let platform = v.platform { text += " (\(platform))" }
                if v.isTested == false {
                    text += "; not tested: paperctl-tui is tested with kubectl \(Self.testedRange)"
                }
                lines.append("kubectl client:  \(text)")
            case .failure(let error):
                lines.append("kubectl client:  unknown: \(error.description)")
            }
        }
        return lines
    }

    /// "1.28–1.33".
    static var testedRange: String {
        "1.\(KubectlClientVersion.testedMinors.lowerBound)–1.\(KubectlClientVersion.testedMinors.upperBound)"
    }

    private static func searched(_ error: KubectlError) -> String {
        if case .notInstalled(let searched) = error { return "looked in: " + searched.joined(separator: ", ") }
        return error.description
    }
}
