import Synchronization

// MARK: - PodLogs

/// One line of container output with the time the kubelet stamped on it.
public struct PodLogLine: Sendable, Equatable {
    public let time: Double
    public let text: String
}

/// Container logs per pod, bounded, with live followers for `kubectl logs -f`.
public final class PodLogs: Sendable {
    struct Follower {
        let key: String
        let continuation: AsyncStream<PodLogLine>.Continuation
    }

    struct State {
        var lines: [String: [PodLogLine]] = [:]
        var followers: [Int: Follower] = [:]
        var nextID = 1
    }

    private let state = Mutex(State())
    public static let limitPerContainer = 20_000

    public init() {}

    static func key(_ namespace: String, _ pod: String, _ container: String) -> String { "\(namespace)/\(pod)/\(container)" }

    public func append(namespace: String, pod: String, container: String, time: Double, _ text: String) {
        let k = Self.key(namespace, pod, container)
        let line = PodLogLine(time: time, text: text)
        state.withLock { s in
            s.lines[k, default: []].append(line)
            if let count = s.lines[k]?.count, count > Self.limitPerContainer {
                s.lines[k]?.removeFirst(count - Self.limitPerContainer)
            }
            for f in s.followers.values where f.key == k { f.continuation.yield(line) }
        }
    }

    public func lines(namespace: String, pod: String, container: String) -> [PodLogLine] {
        state.withLock { $0.lines[Self.key(namespace, pod, container)] ?? [] }
    }

    /// The existing lines and a stream of the ones still to come, taken atomically so none is lost or repeated.
    public func follow(namespace: String, pod: String, container: String) -> (id: Int, existing: [PodLogLine], stream: AsyncStream<PodLogLine>) {
        let (stream, continuation) = AsyncStream<PodLogLine>.makeStream(bufferingPolicy: .bufferingNewest(50_000))
        let k = Self.key(namespace, pod, container)
        return state.withLock { s in
            let id = s.nextID
            s.nextID += 1
            s.followers[id] = Follower(key: k, continuation: continuation)
            return (id, s.lines[k] ?? [], stream)
        }
    }

    public func unfollow(_ id: Int) {
        let f = state.withLock { $0.followers.removeValue(forKey: id) }
        f?.continuation.finish()
    }

    /// Ends every follow of a pod's containers (the pod was deleted) and forgets its logs.
    public func removePod(namespace: String, pod: String) {
        let prefix = "\(namespace)/\(pod)/"
        let ended = state.withLock { s -> [Follower] in
            for k in s.lines.keys where k.hasPrefix(prefix) { s.lines.removeValue(forKey: k) }
            let ids = s.followers.filter { $0.value.key.hasPrefix(prefix) }.map(\.key)
            return ids.compactMap { s.followers.removeValue(forKey: $0) }
        }
        for f in ended { f.continuation.finish() }
    }

    /// Ends every follow of a pod (its containers stopped), keeping the lines for later reads.
    public func endFollowers(namespace: String, pod: String) {
        let prefix = "\(namespace)/\(pod)/"
        let ended = state.withLock { s -> [Follower] in
            let ids = s.followers.filter { $0.value.key.hasPrefix(prefix) }.map(\.key)
            return ids.compactMap { s.followers.removeValue(forKey: $0) }
        }
        for f in ended { f.continuation.finish() }
    }

    public var followerCount: Int { state.withLock { $0.followers.count } }
}
