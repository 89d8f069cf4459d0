import Synchronization
import PaperKube

// MARK: - WatchEvent

/// One event of a watch stream (`{"type":"ADDED","object":{…}}`).
public struct WatchEvent: Sendable {
    public let type: String
    public let object: JSONValue
    public let resourceVersion: Int
    let storageKey: String
    let namespace: String
}

/// A write the simulator accepted, kept so tests can assert what a client really sent.
public struct RecordedWrite: Sendable {
    public let verb: String
    public let resource: String
    public let namespace: String
    public let name: String
    public let contentType: String
    public let object: JSONValue
    /// The body as the client sent it, before admission and defaults (an audit log's request
    /// object): what a test compares with what the product previewed.
    public let sent: JSONValue?

    init(verb: String, resource: String, namespace: String, name: String, contentType: String, object: JSONValue, sent: JSONValue? = nil) {
        self.verb = verb
        self.resource = resource
        self.namespace = namespace
        self.name = name
        self.contentType = contentType
        self.object = object
        self.sent = sent
    }
}

// MARK: - ObjectStore

/// The simulated etcd: every object by resource and namespace/name, a global resource version,
/// a bounded event history for watches that resume, and live watchers.
public final class ObjectStore: Sendable {
    struct Watcher {
        let storageKey: String
        let namespace: String?
        let continuation: AsyncStream<WatchEvent>.Continuation
    }

    struct State {
        var collections: [String: [String: JSONValue]] = [:]
        var resourceVersion = 1000
        var history: [WatchEvent] = []
        var watchers: [Int: Watcher] = [:]
        var nextWatcherID = 1
        var writes: [RecordedWrite] = []
    }

    private let state = Mutex(State())
    let clock: SimClock
    static let historyLimit = 5000

    public init(clock: SimClock) {
        self.clock = clock
    }

    static func key(_ namespace: String, _ name: String) -> String { "\(namespace)/\(name)" }

    // MARK: Reads

    public func list(_ kind: ServedResource, namespace: String?) -> (items: [JSONValue], resourceVersion: Int) {
        state.withLock { s in
            let all = s.collections[kind.storageKey] ?? [:]
            let prefix = namespace.map { "\($0)/" }
            let keys = all.keys.filter { prefix == nil || $0.hasPrefix(prefix ?? "") }.sorted()
            return (keys.compactMap { all[$0] }, s.resourceVersion)
        }
    }

    public func get(_ kind: ServedResource, namespace: String, name: String) -> JSONValue? {
        state.withLock { $0.collections[kind.storageKey]?[Self.key(namespace, name)] }
    }

    public var resourceVersion: Int { state.withLock { $0.resourceVersion } }

    public var recordedWrites: [RecordedWrite] { state.withLock { $0.writes } }

    func record(_ write: RecordedWrite) {
        state.withLock { s in
            s.writes.append(write)
            if s.writes.count > 1000 { s.writes.removeFirst(s.writes.count - 1000) }
        }
    }

    // MARK: Writes

    /// Creates an object, filling in what the API server owns (uid, resourceVersion, timestamps).
    @discardableResult
    public func create(_ kind: ServedResource, namespace: String, object input: JSONValue, creationTime: Double? = nil, manager: FieldManager? = nil) throws(APIError) -> JSONValue {
        var object = input
        var name = object.value(at: "metadata.name")?.stringValue ?? ""
        if name.isEmpty, let generate = object.value(at: "metadata.generateName")?.stringValue, !generate.isEmpty {
            name = generate + RandomName.suffix()
            object.set("metadata.name", to: .string(name))
        }
        guard !name.isEmpty else {
            throw APIError.invalid(kind, "", "metadata.name: Required value: name or generateName is required")
        }
        let now = clock.now()
        object["apiVersion"] = .string(kind.apiVersion(kind.preferredVersion))
        object["kind"] = .string(kind.kind)
        if kind.namespaced { object.set("metadata.namespace", to: .string(namespace)) } else { object.set("metadata.namespace", to: nil) }
        if object.value(at: "metadata.uid")?.stringValue?.isEmpty ?? true {
            object.set("metadata.uid", to: .string(RandomName.uuid()))
        }
        object.set("metadata.creationTimestamp", to: .string(UTCTime.rfc3339(creationTime ?? now)))
        object.set("metadata.generation", to: 1)
        object.set("metadata.managedFields", to: nil)
        if let manager { ManagedFields.record(&object, old: nil, writer: manager, time: UTCTime.rfc3339(creationTime ?? now)) }
        let ns = kind.namespaced ? namespace : ""
        return try state.withLock { s throws(APIError) -> JSONValue in
            if s.collections[kind.storageKey]?[Self.key(ns, name)] != nil { throw APIError.alreadyExists(kind, name) }
            s.resourceVersion += 1
            object.set("metadata.resourceVersion", to: .string(String(s.resourceVersion)))
            s.collections[kind.storageKey, default: [:]][Self.key(ns, name)] = object
            Self.emit(&s, WatchEvent(type: "ADDED", object: object, resourceVersion: s.resourceVersion, storageKey: kind.storageKey, namespace: ns))
            return object
        }
    }

    /// Replaces an object through a transform; a precondition on resourceVersion gives 409 like the real server.
    @discardableResult
    public func update(
        _ kind: ServedResource, namespace: String, name: String, expectedResourceVersion: String? = nil,
        bumpGeneration: Bool = true, manager: FieldManager? = nil, _ transform: (inout JSONValue) throws(APIError) -> Void
    ) throws(APIError) -> JSONValue {
        let time = UTCTime.rfc3339(clock.now())
        let ns = kind.namespaced ? namespace : ""
        return try state.withLock { s throws(APIError) -> JSONValue in
            guard let old = s.collections[kind.storageKey]?[Self.key(ns, name)] else { throw APIError.notFound(kind, name) }
            if let expected = expectedResourceVersion, !expected.isEmpty, old.value(at: "metadata.resourceVersion")?.stringValue != expected {
                throw APIError.conflict(kind, name)
            }
            var object = old
            try transform(&object)
            // The server owns identity fields.
            for field in ["uid", "creationTimestamp", "name", "namespace"] {
                object.set(["metadata", field], to: old.value(at: ["metadata", field]))
            }
            object["apiVersion"] = old["apiVersion"]
            object["kind"] = old["kind"]
            // The server owns managedFields: a client's copy is replaced by the record of this write
            // (the simulator's own controllers write them directly).
            if let manager { ManagedFields.record(&object, old: old, writer: manager, time: time) }
            if object == old { return old }
            if bumpGeneration, object["spec"] != old["spec"] {
                object.set("metadata.generation", to: .int((old.value(at: "metadata.generation")?.intValue ?? 1) + 1))
            }
            s.resourceVersion += 1
            object.set("metadata.resourceVersion", to: .string(String(s.resourceVersion)))
            s.collections[kind.storageKey, default: [:]][Self.key(ns, name)] = object
            Self.emit(&s, WatchEvent(type: "MODIFIED", object: object, resourceVersion: s.resourceVersion, storageKey: kind.storageKey, namespace: ns))
            return object
        }
    }

    /// Removes an object and tells watchers; returns what was deleted.
    @discardableResult
    public func delete(_ kind: ServedResource, namespace: String, name: String) throws(APIError) -> JSONValue {
        let ns = kind.namespaced ? namespace : ""
        return try state.withLock { s throws(APIError) -> JSONValue in
            guard var old = s.collections[kind.storageKey]?.removeValue(forKey: Self.key(ns, name)) else {
                throw APIError.notFound(kind, name)
            }
            s.resourceVersion += 1
            old.set("metadata.resourceVersion", to: .string(String(s.resourceVersion)))
            Self.emit(&s, WatchEvent(type: "DELETED", object: old, resourceVersion: s.resourceVersion, storageKey: kind.storageKey, namespace: ns))
            return old
        }
    }

    private static func emit(_ s: inout State, _ event: WatchEvent) {
        s.history.append(event)
        if s.history.count > historyLimit { s.history.removeFirst(s.history.count - historyLimit) }
        for w in s.watchers.values where w.storageKey == event.storageKey && (w.namespace == nil || w.namespace == event.namespace) {
            w.continuation.yield(event)
        }
    }

    // MARK: Watch

    /// Opens a watch. With no resourceVersion (or "0") the current objects come first as ADDED,
    /// as the real server does; with one, the history after it is replayed (410 Gone if too old).
    public func watch(_ kind: ServedResource, namespace: String?, since resourceVersion: Int?) throws(APIError) -> (id: Int, stream: AsyncStream<WatchEvent>) {
        let (stream, continuation) = AsyncStream<WatchEvent>.makeStream(bufferingPolicy: .bufferingNewest(10_000))
        let ns = kind.namespaced ? namespace : nil
        return try state.withLock { s throws(APIError) -> (id: Int, stream: AsyncStream<WatchEvent>) in
            if let rv = resourceVersion, rv > 0 {
                if let oldest = s.history.first?.resourceVersion, rv < oldest - 1, s.resourceVersion > rv {
                    throw APIError(code: 410, reason: "Expired", message: "too old resource version: \(rv) (\(oldest - 1))")
                }
                for e in s.history where e.resourceVersion > rv && e.storageKey == kind.storageKey && (ns == nil || e.namespace == ns) {
                    continuation.yield(e)
                }
            } else {
                let all = s.collections[kind.storageKey] ?? [:]
                for key in all.keys.sorted() where ns == nil || key.hasPrefix("\(ns ?? "")/") {
                    if let obj = all[key] {
                        continuation.yield(WatchEvent(type: "ADDED", object: obj, resourceVersion: s.resourceVersion, storageKey: kind.storageKey, namespace: ns ?? ""))
                    }
                }
            }
            let id = s.nextWatcherID
            s.nextWatcherID += 1
            s.watchers[id] = Watcher(storageKey: kind.storageKey, namespace: ns, continuation: continuation)
            return (id, stream)
        }
    }

    public func stopWatch(_ id: Int) {
        let w = state.withLock { $0.watchers.removeValue(forKey: id) }
        w?.continuation.finish()
    }

    public var watcherCount: Int { state.withLock { $0.watchers.count } }
}
