import PaperKube

// MARK: - KubeAPI

/// The Kubernetes API surface kubectl needs: discovery, OpenAPI, CRUD, watch, Table, logs,
/// scale, the kubelet stats proxy, and clear refusals for exec and port-forward.
public final class KubeAPI: APIHandling {
    public let store: ObjectStore
    public let logs: PodLogs
    public let clock: SimClock
    let config: ServingConfig
    let statsSummary: @Sendable (String) -> JSONValue?
    let requestCount = RequestCounter()

    public init(store: ObjectStore, logs: PodLogs, clock: SimClock, config: ServingConfig,
                statsSummary: @escaping @Sendable (String) -> JSONValue?) {
        self.store = store
        self.logs = logs
        self.clock = clock
        self.config = config
        self.statsSummary = statsSummary
    }

    /// A parsed resource path.
    struct Target {
        var kind: ServedResource
        var version: String
        var namespace: String?
        var name: String?
        var subresource: String?
        var subpath: [String] = []
    }

    public func handle(_ request: APIRequest) async -> APIResponse {
        let response = await route(request)
        if config.logRequests {
            let status: Int
            switch response {
            case .full(let code, _, _): status = code
            case .stream(let code, _, _): status = code
            }
            let query = request.query.isEmpty ? "" : "?" + request.query.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "&")
            RequestLog.write("\(UTCTime.rfc3339(clock.now())) \(request.method) \(request.path)\(query) -> \(status) [\(request.header("content-type") ?? "-")]\n")
        }
        return response
    }

    func route(_ request: APIRequest) async -> APIResponse {
        requestCount.increment()
        if config.unresponsive {
            // Accept, then never answer: what a wedged API server looks like to kubectl.
            while !Task.isCancelled { try? await Task.sleep(nanoseconds: 1_000_000_000) }
            return .error(APIError(code: 504, reason: "Timeout", message: "request timed out"))
        }
        if config.latency > 0 { try? await Task.sleep(nanoseconds: UInt64(config.latency * 1e9)) }
        if config.unauthorized { return .error(.unauthorized) }
        let segments = request.path.split(separator: "/").map(String.init)
        do {
            if request.path == Self.accessReviewPath { return try accessReviewResponse(request) }
            if let discovery = try discoveryResponse(segments, request) { return discovery }
            guard let target = try resolve(segments) else { return .error(.pathNotFound()) }
            return try await dispatch(request, target)
        } catch let error as APIError {
            return .error(error)
        } catch {
            return .error(APIError(code: 500, reason: "InternalError", message: "\(error)"))
        }
    }

    // MARK: Routing

    func resolve(_ segments: [String]) throws(APIError) -> Target? {
        var rest: ArraySlice<String>
        var group = ""
        var version: String
        if segments.first == "api", segments.count >= 2 {
            version = segments[1]
            rest = segments[2...]
        } else if segments.first == "apis", segments.count >= 3 {
            group = segments[1]
            version = segments[2]
            rest = segments[3...]
        } else {
            return nil
        }
        guard config.kinds.contains(where: { $0.group == group && $0.versions.contains(version) }) else { return nil }
        var namespace: String?
        if rest.first == "namespaces", rest.count >= 3 {
            namespace = rest[rest.startIndex + 1]
            rest = rest.dropFirst(2)
        }
        guard let plural = rest.first else { return nil }
        guard let kind = config.kinds.first(where: { $0.group == group && $0.plural == plural && $0.versions.contains(version) }) else {
            return nil
        }
        rest = rest.dropFirst()
        var target = Target(kind: kind, version: version, namespace: namespace)
        if let name = rest.first {
            target.name = name
            rest = rest.dropFirst()
        }
        if let sub = rest.first {
            guard kind.subresources.contains(sub) else { return nil }
            target.subresource = sub
            target.subpath = Array(rest.dropFirst())
        }
        if kind.namespaced, target.name != nil, namespace == nil { return nil }
        if !kind.namespaced, namespace != nil { return nil }
        return target
    }

    func verb(_ request: APIRequest, _ target: Target) -> String {
        switch request.method {
        case "GET": target.name == nil ? (isWatch(request) ? "watch" : "list") : "get"
        case "POST": target.subresource != nil ? "create" : "create"
        case "PUT": "update"
        case "PATCH": "patch"
        case "DELETE": target.name == nil ? "deletecollection" : "delete"
        default: request.method.lowercased()
        }
    }

    func isWatch(_ request: APIRequest) -> Bool {
        let w = request.query["watch"] ?? ""
        return w == "true" || w == "1"
    }

    func dispatch(_ request: APIRequest, _ target: Target) async throws -> APIResponse {
        let verb = verb(request, target)
        if config.isForbidden(verb, target.kind.group, target.kind.plural, target.subresource) {
            throw APIError.forbidden(user: config.user, verb: verb, group: target.kind.group, resource: target.kind.plural,
                                     subresource: target.subresource, namespace: target.kind.namespaced ? target.namespace : nil, name: target.name)
        }
        switch (request.method, target.subresource) {
        case (_, "exec"?), (_, "attach"?), (_, "portforward"?):
            throw APIError(code: 403, reason: "Forbidden",
                           message: "pods \"\(target.name ?? "")\" is forbidden: \(target.subresource ?? "exec") is not available on the paperctl-tui simulated cluster (paperctl-tui never needs it)",
                           details: ["name": .string(target.name ?? ""), "kind": "pods"])
        case ("GET", "log"?):
            return try logResponse(request, target)
        case (_, "proxy"?):
            return try proxyResponse(request, target)
        case (_, "scale"?):
            return try scaleResponse(request, target)
        case ("GET", _):
            if target.name == nil {
                return isWatch(request) ? try watchResponse(request, target) : try listResponse(request, target)
            }
            return try getResponse(request, target)
        case ("POST", nil):
            return try createResponse(request, target)
        case ("PUT", _):
            return try replaceResponse(request, target)
        case ("PATCH", _):
            return try patchResponse(request, target)
        case ("DELETE", nil):
            return try deleteResponse(request, target)
        default:
            throw APIError.methodNotAllowed(request.method)
        }
    }

    /// How many requests were served (for benchmarks and tests).
    public var requestsServed: Int { requestCount.value }
}

import Synchronization

final class RequestCounter: Sendable {
    private let count = Atomic<Int>(0)
    func increment() { count.add(1, ordering: .relaxed) }
    var value: Int { count.load(ordering: .relaxed) }
}

#if canImport(Glibc)
import Glibc
#endif

/// Request logging to stderr for `demo-cluster --log-requests`.
enum RequestLog {
    static func write(_ line: String) {
        let bytes = Array(line.utf8)
        bytes.withUnsafeBytes { _ = Glibc.write(2, $0.baseAddress, $0.count) }
    }
}
