import Foundation

// MARK: - KubectlError

/// Why a kubectl call did not produce usable data, in words an operator can act on.
///
/// Every case carries enough to print a useful line; none of them reduces to "exit 1".
public enum KubectlError: Error, Sendable, Equatable, Hashable, CustomStringConvertible {
    /// No kubectl executable was found; `searched` lists where we looked, in order.
    case notInstalled(searched: [String])
    /// The API server could not be reached (refused, DNS, TLS handshake, no route).
    case unreachable(detail: String)
    /// The credentials were rejected or have expired (401, exec credential plugin failed).
    case unauthorized(detail: String)
    /// RBAC refused one verb on one resource, e.g. `list` on `backups.postgresql.cnpg.io`.
    case forbidden(verb: String, resource: String, detail: String)
    /// The server does not serve this resource type, typically because the CRD is not installed.
    case resourceTypeNotServed(resource: String)
    /// The named object or raw path does not exist.
    case notFound(detail: String)
    /// The call took longer than the watchdog allowed (or the server reported a timeout).
    case timeout(seconds: Double)
    /// kubectl succeeded but its output could not be decoded.
    case unparseableOutput(detail: String)
    /// Anything else: the exit status and the first meaningful stderr line.
    case failed(exitStatus: Int32, stderr: String)

    /// A stable short code for JSON output and tests.
    public var code: String {
        switch self {
        case .notInstalled: "not-installed"
        case .unreachable: "unreachable"
        case .unauthorized: "unauthorized"
        case .forbidden: "forbidden"
        case .resourceTypeNotServed: "not-served"
        case .notFound: "not-found"
        case .timeout: "timeout"
        case .unparseableOutput: "unparseable"
        case .failed: "failed"
        }
    }

    public var description: String {
        switch self {
        case .notInstalled(let searched):
            return "kubectl not found (looked in: \(searched.joined(separator: ", ")))"
        case .unreachable(let detail):
            return "cluster unreachable: \(detail)"
        case .unauthorized(let detail):
            return "not authorized, credentials rejected or expired: \(detail)"
        case .forbidden(let verb, let resource, _):
            return "forbidden: no permission to \(verb) \(resource)"
        case .resourceTypeNotServed(let resource):
            return "resource type \(resource) is not served by the cluster (CRD not installed?)"
        case .notFound(let detail):
            return "not found: \(detail)"
        case .timeout(let seconds):
            if seconds <= 0 { return "the API server timed out" }
            return "kubectl timed out after \(Self.format(seconds)) s and was killed"
        case .unparseableOutput(let detail):
            return "unparseable kubectl output: \(detail)"
        case .failed(let status, let stderr):
            let text = stderr.isEmpty ? "no error text" : stderr
            return "kubectl exited with status \(status): \(text)"
        }
    }

    private static func format(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? String(Int(seconds)) : String(format: "%.1f", seconds)
    }
}
