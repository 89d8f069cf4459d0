import Foundation

// MARK: - ProxyRunner

/// Runs raw reads (`kubectl get --raw PATH`) through the dashboard's `kubectl proxy` instead of
/// starting a kubectl process: the same request, the same bytes, and errors in the words kubectl
/// would print, so the callers (the snapshot's stats and log reads, the live watches) and the
/// command log cannot tell the difference except in cost.
///
/// Only `get --raw` commands can be carried; anything else fails at once, so an action can never
/// slip through the read-only path by mistake.
public struct ProxyRunner: CommandRunning, CommandStreaming {
    public var client: ProxyClient

    public init(client: ProxyClient) { self.client = client }

    public func run(_ command: KubectlCommand) async throws(KubectlError) -> CommandOutput {
        guard let path = command.rawReadPath else {
            throw .failed(exitStatus: -1, stderr: "not a raw read, so not carried by the read-only proxy: \(command.displayLine)")
        }
        let response = try await client.get(path)
        guard (200..<300).contains(response.status) else {
            return CommandOutput(stdout: Data(), stderr: Self.stderr(status: response.status, body: response.body), exitStatus: 1, duration: response.duration)
        }
        return CommandOutput(stdout: response.body, duration: response.duration)
    }

    public func follow(_ command: KubectlCommand, deliver: @escaping @Sendable ([String]) -> Void) async -> FollowEnd {
        guard let path = command.rawReadPath else {
            return .failed(.failed(exitStatus: -1, stderr: "not a raw read, so not carried by the read-only proxy: \(command.displayLine)"))
        }
        let end = await client.stream(path) { lines in deliver(lines.map { String(decoding: $0, as: UTF8.self) }) }
        switch end {
        case .ended: return .ended
        case .cancelled: return .cancelled
        case .failed(let detail): return .failed(.unreachable(detail: detail))
        case .status(let status, let body): return .failed(KubectlErrorClassifier.classify(stderr: Self.stderr(status: status, body: body), exitStatus: 1))
        }
    }

    /// What `kubectl get --raw` prints for a refused request: `Error from server (Reason): message`,
    /// from the API's Status object, or from the proxy's own plain-text answer.
    public static func stderr(status: Int, body: Data) -> String {
        struct Status: Decodable { var reason: String?; var message: String? }
        let text = String(decoding: body.prefix(4096), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if let s = try? JSONDecoder().decode(Status.self, from: body), let message = s.message {
            return "Error from server (\(s.reason ?? Self.reason(status))): \(message)"
        }
        return "Error from server (\(Self.reason(status))): \(text.isEmpty ? "status \(status)" : text)"
    }

    static func reason(_ status: Int) -> String {
        switch status {
        case 400: "BadRequest"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "NotFound"
        case 410: "Expired"
        case 429: "TooManyRequests"
        case 500: "InternalError"
        case 503: "ServiceUnavailable"
        case 504: "Timeout"
        default: "status \(status)"
        }
    }
}

extension KubectlError {
    /// A watch or list refused because its resourceVersion is too old (410): list again.
    public var isExpiredResourceVersion: Bool {
        let text = "\(self)"
        return text.contains("(Expired)") || text.contains("(Gone)") || text.contains("too old resource version")
    }
}

extension KubectlCommand {
    /// `kubectl get --raw PATH`: one request to the API path (with its query), as kubectl sends it.
    public static func rawGet(_ path: String, target: KubeTarget) -> KubectlCommand {
        KubectlCommand(arguments: target.connectionArguments + ["get", "--raw", path])
    }

    /// The path of a `get --raw PATH` command, nil for any other command.
    public var rawReadPath: String? {
        guard let raw = arguments.firstIndex(of: "--raw"), raw + 1 < arguments.count, arguments[..<raw].contains("get"), stdin == nil else { return nil }
        let path = arguments[raw + 1]
        return path.hasPrefix("/") ? path : nil
    }
}
