import Foundation
import PaperKube
import Synchronization
import Testing
@testable import PaperDomain

// MARK: - A fake API behind the proxy

/// Answers `get --raw` reads from a table of lists and plays watch streams the test feeds, the
/// way the API server behind `kubectl proxy` does: lists carry a resourceVersion and items
/// without `kind`; a watch stays open until the test ends it.
final class FakeProxyAPI: CommandRunning, CommandStreaming, Sendable {
    enum StreamItem: Sendable { case lines([String]), end(FollowEnd) }

    struct State {
        var groups = #"{"groups":[{"name":"postgresql.cnpg.io","preferredVersion":{"version":"v1"}},{"name":"external-secrets.io","preferredVersion":{"version":"v1beta1"}}]}"#
        var lists: [String: String] = [:]
        var refusals: [String: CommandOutput] = [:]
        var reads: [String] = []
        var watches: [String: AsyncStream<StreamItem>.Continuation] = [:]
        var watchPaths: [String] = []
    }

    let state = Mutex(State())

    /// `items` (JSON objects) as the list at `path`, at resourceVersion `version`.
    func list(_ path: String, version: Int, _ items: [String]) {
        state.withLock { $0.lists[path] = #"{"kind":"List","metadata":{"resourceVersion":"\#(version)"},"items":[\#(items.joined(separator: ","))]}"# }
    }

    func refuse(_ path: String, _ output: CommandOutput) { state.withLock { $0.refusals[path] = output } }

    var reads: [String] { state.withLock { $0.reads } }
    var watchPaths: [String] { state.withLock { $0.watchPaths } }

    /// Sends lines on the open watch of `resource` (a path suffix such as `/jobs`).
    func send(_ resource: String, _ lines: [String]) {
        state.withLock { s in _ = s.watches.first { $0.key.hasSuffix(resource) }?.value.yield(.lines(lines)) }
    }

    func end(_ resource: String, _ how: FollowEnd) {
        state.withLock { s in
            guard let (key, continuation) = s.watches.first(where: { $0.key.hasSuffix(resource) }) else { return }
            continuation.yield(.end(how))
            s.watches[key] = nil
        }
    }

    func isWatching(_ resource: String) -> Bool { state.withLock { s in s.watches.keys.contains { $0.hasSuffix(resource) } } }

    func run(_ command: KubectlCommand) async throws(KubectlError) -> CommandOutput {
        guard let path = command.rawReadPath else { throw .failed(exitStatus: -1, stderr: "not a raw read") }
        return state.withLock { s in
            s.reads.append(path)
            if let refusal = s.refusals[path] { return refusal }
            if path == "/apis" { return CommandOutput(stdout: Data(s.groups.utf8)) }
            if let list = s.lists[path] { return CommandOutput(stdout: Data(list.utf8)) }
            return CommandOutput(stdout: Data(#"{"kind":"List","metadata":{"resourceVersion":"1"},"items":[]}"#.utf8))
        }
    }

    func follow(_ command: KubectlCommand, deliver: @escaping @Sendable ([String]) -> Void) async -> FollowEnd {
        guard let path = command.rawReadPath, let base = path.split(separator: "?").first.map(String.init) else { return .failed(.failed(exitStatus: -1, stderr: "not raw")) }
        let (stream, continuation) = AsyncStream<StreamItem>.makeStream()
        state.withLock { s in
            s.watches[base] = continuation
            s.watchPaths.append(path)
        }
        for await item in stream {
            switch item {
            case .lines(let lines): deliver(lines)
            case .end(let how): return how
            }
        }
        return .cancelled
    }
}

/// Waits until `condition` holds, polling; a wait that times out fails the test.
func eventually(_ what: String, timeout: Double = 10, _ condition: @Sendable () async -> Bool) async throws {
    let deadline = ContinuousClock.now + .seconds(timeout)
    while ContinuousClock.now < deadline {
        if await condition() { return }
        try await Task.sleep(for: .milliseconds(10))
    }
    Issue.record("timed out after \(timeout) s waiting for \(what)")
    throw CancellationError()
}

// MARK: - Tests

@Suite("LiveObjects: list once, then watch")
struct LiveObjectsTests {
    static let target = KubeTarget(namespace: "paperless-ngx")
    static let jobs = "/apis/batch/v1/namespaces/paperless-ngx/jobs"
    static func job(_ name: String, rv: Int, failed: Bool = false) -> String {
        let status = failed ? #"{"failed":1,"conditions":[{"type":"Failed","status":"True"}]}"# : #"{"active":1}"#
        return #"{"metadata":{"name":"\#(name)","namespace":"paperless-ngx","resourceVersion":"\#(rv)","creationTimestamp":"2026-11-30T04:00:00Z"},"spec":{},"status":\#(status)}"#
    }
    static func event(_ type: String, _ object: String) -> String { #"{"type":"\#(type)","object":\#(object)}"# }

    final class Changes: Sendable {
        let count = Atomic<Int>(0)
        func bump() { count.add(1, ordering: .relaxed) }
        var value: Int { count.load(ordering: .relaxed) }
    }

    static func start(_ api: FakeProxyAPI, changes: Changes = Changes()) -> (LiveObjects, Task<KubectlError?, Never>) {
        let live = LiveObjects(reader: api, target: target, pollInterval: 5, clock: { 1000 }) { changes.bump() }
        return (live, Task { await live.run() })
    }

    static func jobNames(_ live: LiveObjects, now: Double = 0) async -> [String]? {
        await live.objects(now: now)?.items.compactMap { if case .job(let j) = $0 { j.metadata.name } else { nil } }
    }

    @Test func everyTypeIsListedOnceThenWatchedFromTheListsVersion() async throws {
        let api = FakeProxyAPI()
        api.list(Self.jobs, version: 40, [Self.job("paperless-ngx-backup-1", rv: 39)])
        let (live, task) = Self.start(api)
        defer { task.cancel() }
        try await eventually("the Jobs watch") { api.isWatching("/jobs") }
        #expect(await Self.jobNames(live) == ["paperless-ngx-backup-1"])
        #expect(api.watchPaths.contains("\(Self.jobs)?watch=1&allowWatchBookmarks=true&resourceVersion=40"))
        // One list per type (discovery first), the operators' groups at the server's preferred version.
        let reads = api.reads
        #expect(reads.first == "/apis")
        #expect(reads.filter { $0 == Self.jobs }.count == 1)
        #expect(reads.contains("/apis/external-secrets.io/v1beta1/namespaces/paperless-ngx/externalsecrets"))
        #expect(reads.contains("/apis/external-secrets.io/v1beta1/clustersecretstores"))
        // The cluster-wide stores are polled, not watched.
        #expect(!api.watchPaths.contains { $0.contains("clustersecretstores") })
    }

    @Test func watchEventsChangeTheObjectsAndAskForOneRecompute() async throws {
        let api = FakeProxyAPI()
        api.list(Self.jobs, version: 40, [Self.job("a", rv: 39)])
        let changes = Changes()
        let (live, task) = Self.start(api, changes: changes)
        defer { task.cancel() }
        try await eventually("the Jobs watch") { api.isWatching("/jobs") }
        _ = await live.objects(now: 0)  // the recompute of the lists: changes are announced again after it
        let before = changes.value
        api.send("/jobs", [Self.event("ADDED", Self.job("b", rv: 41)), Self.event("MODIFIED", Self.job("a", rv: 42, failed: true))])
        try await eventually("job b") { await Self.jobNames(live)?.contains("b") == true }
        let objects = await live.objects(now: 0)?.items ?? []
        let a = objects.compactMap { if case .job(let j) = $0, j.metadata.name == "a" { j } else { nil } }.first
        #expect(a?.outcome == .failed, "the MODIFIED event replaced job a")
        #expect(changes.value > before)
        api.send("/jobs", [Self.event("DELETED", Self.job("b", rv: 43))])
        try await eventually("job b gone") { await Self.jobNames(live) == ["a"] }
    }

    @Test func a410ExpiredListsAgainAndResumesFromTheNewList() async throws {
        let api = FakeProxyAPI()
        api.list(Self.jobs, version: 40, [Self.job("old", rv: 39)])
        let (live, task) = Self.start(api)
        defer { task.cancel() }
        try await eventually("the Jobs watch") { api.isWatching("/jobs") }
        // Meanwhile the server compacted its history: the watch is refused with an ERROR event.
        api.list(Self.jobs, version: 900, [Self.job("new", rv: 899)])
        api.send("/jobs", [Self.event("ERROR", #"{"kind":"Status","code":410,"reason":"Expired","message":"too old resource version: 40 (800)"}"#)])
        api.end("/jobs", .ended)
        try await eventually("the relisted Jobs") { await Self.jobNames(live) == ["new"] }
        try await eventually("the watch from the new list") { api.watchPaths.contains("\(Self.jobs)?watch=1&allowWatchBookmarks=true&resourceVersion=900") }
    }

    @Test func aWatchThatEndsResumesFromTheNewestVersionSeen() async throws {
        let api = FakeProxyAPI()
        api.list(Self.jobs, version: 40, [])
        let (_, task) = Self.start(api)
        defer { task.cancel() }
        try await eventually("the Jobs watch") { api.isWatching("/jobs") }
        api.send("/jobs", [Self.event("ADDED", Self.job("x", rv: 55)), #"{"type":"BOOKMARK","object":{"metadata":{"resourceVersion":"70"}}}"#])
        api.end("/jobs", .ended)  // the server's watch timeout
        try await eventually("the resumed watch") { api.watchPaths.contains("\(Self.jobs)?watch=1&allowWatchBookmarks=true&resourceVersion=70") }
    }

    @Test func aBrokenProxyEndsTheWatchesAndSaysWhy() async throws {
        let api = FakeProxyAPI()
        let (live, task) = Self.start(api)
        try await eventually("the Jobs watch") { api.isWatching("/jobs") }
        api.end("/jobs", .failed(.unreachable(detail: "kubectl proxy at /run/x/kube.sock: connection refused")))
        let error = await task.value
        #expect(error == .unreachable(detail: "kubectl proxy at /run/x/kube.sock: connection refused"))
        #expect(await live.objects(now: 0) == nil, "no snapshot from watches that stopped: the dashboard polls")
    }

    @Test func aServerThatStopsAnsweringEndsTheWatchesAtTheNextPoll() async throws {
        let api = FakeProxyAPI()
        let (live, task) = Self.start(api)
        try await eventually("the Jobs watch") { api.isWatching("/jobs") }
        #expect(await live.objects(now: 1000) != nil)
        // The watches are quiet; the poll of the stores (the probe) times out.
        api.refuse("/apis/external-secrets.io/v1beta1/clustersecretstores", .failure("Error from server (Timeout): the server was unable to return a response in the time allotted"))
        #expect(await live.objects(now: 1005) == nil, "a server that does not answer is not live")
        #expect(await task.value == .timeout(seconds: 0))
    }

    @Test func aForbiddenTypeIsMarkedAndPolledAndAMissingGroupIsNotServed() async throws {
        let api = FakeProxyAPI()
        let leases = "/apis/coordination.k8s.io/v1/namespaces/paperless-ngx/leases"
        api.refuse(leases, .failure(#"Error from server (Forbidden): leases.coordination.k8s.io is forbidden: User "ops" cannot list resource "leases" in API group "coordination.k8s.io" in the namespace "paperless-ngx""#))
        let (live, task) = Self.start(api)
        defer { task.cancel() }
        try await eventually("the Jobs watch") { api.isWatching("/jobs") }
        let current = try #require(await live.objects(now: 0))
        #expect(current.unreadable[.lease]?.code == "forbidden")
        #expect(!api.watchPaths.contains { $0.hasPrefix(leases) }, "a refused type is not watched")
        // The Barman Cloud plugin's group is not served here.
        #expect(current.unreadable[.barmanObjectStore] == .resourceTypeNotServed(resource: "objectstores.barmancloud.cnpg.io"))
        // Listed again when a snapshot asks after the poll interval.
        let before = api.reads.filter { $0 == leases }.count
        _ = await live.objects(now: 1010)
        #expect(api.reads.filter { $0 == leases }.count == before + 1)
    }
}
