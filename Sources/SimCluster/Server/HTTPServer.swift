import Synchronization
import NIOCore
import NIOHTTP1
import NIOPosix

// MARK: - APIRequest / APIResponse

/// One HTTP request as the API handler sees it: no NIO types leak past this file.
public struct APIRequest: Sendable {
    public var method: String
    public var path: String
    public var query: [String: String]
    public var headers: [String: String]
    public var body: [UInt8]

    public init(method: String, uri: String, headers: [String: String] = [:], body: [UInt8] = []) {
        self.method = method
        self.headers = headers
        self.body = body
        let parts = uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        path = parts.first.map { percentDecode(String($0)) } ?? "/"
        var q: [String: String] = [:]
        if parts.count > 1 {
            for pair in parts[1].split(separator: "&") {
                let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let key = percentDecode(String(kv[0]))
                q[key] = kv.count > 1 ? percentDecode(String(kv[1])) : ""
            }
        }
        query = q
    }

    public func header(_ name: String) -> String? { headers[name.lowercased()] }
}

/// Writes chunks of a streaming response; throws once the client has gone.
public struct StreamSink: Sendable {
    let writeBytes: @Sendable ([UInt8]) async throws -> Void
    public func write(_ bytes: [UInt8]) async throws { try await writeBytes(bytes) }
    public func write(_ text: String) async throws { try await writeBytes(Array(text.utf8)) }
}

public enum APIResponse: Sendable {
    case full(status: Int, contentType: String, body: [UInt8])
    /// A chunked response (watch, `logs -f`) that ends when the producer returns or the client leaves.
    case stream(status: Int, contentType: String, producer: @Sendable (StreamSink) async -> Void)

    public static func json(_ value: JSONValue, status: Int = 200) -> APIResponse {
        .full(status: status, contentType: "application/json", body: value.serializedBytes())
    }

    public static func error(_ e: APIError) -> APIResponse { .json(e.status, status: e.code) }

    public static func text(_ text: String, status: Int = 200) -> APIResponse {
        .full(status: status, contentType: "text/plain", body: Array(text.utf8))
    }
}

/// Anything that answers API requests; the server is generic over it so tests can drive it directly.
public protocol APIHandling: Sendable {
    func handle(_ request: APIRequest) async -> APIResponse
}

func percentDecode(_ s: String) -> String {
    guard s.contains("%") || s.contains("+") else { return s }
    var bytes: [UInt8] = []
    let utf8 = Array(s.utf8)
    var i = 0
    while i < utf8.count {
        let c = utf8[i]
        if c == UInt8(ascii: "%"), i + 2 < utf8.count, let v = UInt8(String(decoding: utf8[(i + 1)...(i + 2)], as: UTF8.self), radix: 16) {
            bytes.append(v)
            i += 3
        } else if c == UInt8(ascii: "+") {
            bytes.append(UInt8(ascii: " "))
            i += 1
        } else {
            bytes.append(c)
            i += 1
        }
    }
    return String(decoding: bytes, as: UTF8.self)
}

// MARK: - HTTPServer

/// The loopback HTTP/1.1 server: SwiftNIO async channels, keep-alive, chunked streaming.
public final class HTTPServer: Sendable {
    public enum StartError: Error, CustomStringConvertible {
        case portInUse(Int)
        case bindFailed(Int, String)

        public var description: String {
            switch self {
            case .portInUse(let p): "port \(p) is already in use on 127.0.0.1; choose another with --port, or 0 for any free port"
            case .bindFailed(let p, let why): "cannot listen on 127.0.0.1:\(p): \(why)"
            }
        }
    }

    typealias Server = NIOAsyncChannel<NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>, Never>

    let handler: any APIHandling
    /// Serve only the user running the server, and no browser page (see `Admission`).
    let ownerOnly: Bool
    let group: MultiThreadedEventLoopGroup
    let server: Server
    public let port: Int
    /// The open connections, so that stopping can close them before the event loop goes.
    let connections: Connections

    /// Binds 127.0.0.1:`port` (0 picks a free port). `ownerOnly`: a request from another user's
    /// process, or from a browser, is answered 403 and never reaches the handler (`Admission`).
    public init(port: Int, handler: any APIHandling, ownerOnly: Bool = true) async throws {
        self.handler = handler
        self.ownerOnly = ownerOnly
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        self.group = group
        let connections = Connections()
        self.connections = connections
        do {
            server = try await ServerBootstrap(group: group)
                .serverChannelOption(.backlog, value: 256)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
                .bind(host: "127.0.0.1", port: port) { channel in
                    connections.add(channel)
                    return channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                        return try NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>(wrappingChannelSynchronously: channel)
                    }
                }
        } catch let error as IOError where error.errnoCode == 98 || error.errnoCode == 48 {
            try? await group.shutdownGracefully()
            throw StartError.portInUse(port)
        } catch {
            try? await group.shutdownGracefully()
            throw StartError.bindFailed(port, "\(error)")
        }
        self.port = server.channel.localAddress?.port ?? port
    }

    /// Serves until the task is cancelled or `shutdown()` is called.
    public func run() async {
        let handler = self.handler
        let ownerOnly = self.ownerOnly
        let server = self.server
        // The accept loop runs in a task of its own, out of cancellation's reach: a cancelled loop
        // would drop connections already accepted but not yet handed out, and NIO traps
        // ("Deinited NIOAsyncWriter without calling finish()") on a NIOAsyncChannel that never
        // went through executeThenClose: the demo dashboard crashed that way on quit. Cancelling
        // closes the listening socket instead; the loop hands out what it accepted, then ends.
        let loop = Task {
            do {
                try await server.executeThenClose { inbound in
                    try await withThrowingDiscardingTaskGroup { group in
                        for try await connection in inbound {
                            group.addTask { await Self.serve(connection, handler: handler, ownerOnly: ownerOnly) }
                        }
                    }
                }
            } catch {
                // Listening socket closed: normal shutdown.
            }
        }
        await withTaskCancellationHandler {
            await loop.value
        } onCancel: {
            server.channel.close(promise: nil)
        }
    }

    /// Stops listening and closes every connection: the serving tasks then end.
    public func close() async {
        try? await server.channel.close()
        for channel in connections.all() { try? await channel.close() }
    }

    public func shutdown() async {
        await close()
        try? await group.shutdownGracefully()
    }

    /// The API's answer to a request it does not admit.
    static func forbiddenResponse(_ why: String) -> APIResponse {
        .json(["kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Failure", "message": .string("paperctl demo cluster: \(why)"),
               "reason": "Forbidden", "code": 403], status: 403)
    }

    static func serve(_ connection: NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>, handler: any APIHandling, ownerOnly: Bool = true) async {
        let channel = connection.channel
        // Who is on the other end is decided once per connection, before any request is read.
        let admission = ownerOnly ? Admission(serverPort: channel.localAddress?.port ?? 0) : nil
        let peerRefusal = admission?.refusal(peerPort: channel.remoteAddress?.port)
        /// Returns once the client has gone (or the caller is cancelled).
        @Sendable func clientGone() async {
            while channel.isActive && !Task.isCancelled {
                try? await Task.sleep(nanoseconds: 200_000_000)
            }
        }
        try? await connection.executeThenClose { inbound, outbound in
            var head: HTTPRequestHead?
            var body: [UInt8] = []
            var refusal: String?
            for try await part in inbound {
                switch part {
                case .head(let h):
                    head = h
                    body = []
                    refusal = peerRefusal ?? admission?.refusal(host: h.headers.first(name: "host"), browser: Admission.browserHeaders.contains { h.headers.contains(name: $0) })
                case .body(var buffer):
                    // A refused request is not even buffered.
                    if refusal == nil, let bytes = buffer.readBytes(length: buffer.readableBytes) { body.append(contentsOf: bytes) }
                case .end:
                    guard let h = head else { continue }
                    var headers: [String: String] = [:]
                    for (name, value) in h.headers { headers[name.lowercased()] = value }
                    let request = APIRequest(method: h.method.rawValue, uri: h.uri, headers: headers, body: body)
                    let refused = refusal
                    let response = await withTaskGroup(of: APIResponse?.self) { g -> APIResponse? in
                        g.addTask {
                            if let refused { return Self.forbiddenResponse(refused) }
                            return await handler.handle(request)
                        }
                        g.addTask {
                            await clientGone()
                            return nil
                        }
                        let first = await g.next() ?? nil
                        g.cancelAll()
                        return first
                    }
                    guard let response else { return }
                    let keepAlive = h.isKeepAlive
                    switch response {
                    case .full(let status, let contentType, let bytes):
                        var responseHead = HTTPResponseHead(version: h.version, status: HTTPResponseStatus(statusCode: status))
                        responseHead.headers.add(name: "Content-Type", value: contentType)
                        responseHead.headers.add(name: "Content-Length", value: String(bytes.count))
                        responseHead.headers.add(name: "Cache-Control", value: "no-cache, private")
                        if !keepAlive { responseHead.headers.add(name: "Connection", value: "close") }
                        try await outbound.write(.head(responseHead))
                        try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: bytes))))
                        try await outbound.write(.end(nil))
                        if !keepAlive { return }
                    case .stream(let status, let contentType, let producer):
                        var responseHead = HTTPResponseHead(version: h.version, status: HTTPResponseStatus(statusCode: status))
                        responseHead.headers.add(name: "Content-Type", value: contentType)
                        responseHead.headers.add(name: "Transfer-Encoding", value: "chunked")
                        responseHead.headers.add(name: "Cache-Control", value: "no-cache, private")
                        try await outbound.write(.head(responseHead))
                        let sink = StreamSink { bytes in
                            try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: bytes))))
                        }
                        await withTaskGroup(of: Void.self) { g in
                            g.addTask { await producer(sink) }
                            g.addTask { await clientGone() }
                            await g.next()
                            g.cancelAll()
                        }
                        try? await outbound.write(.end(nil))
                        return
                    }
                    head = nil
                    body = []
                }
            }
        }
    }
}

/// The server's open connections.
final class Connections: Sendable {
    private let open = Mutex<[ObjectIdentifier: any Channel]>([:])

    func add(_ channel: any Channel) {
        let id = ObjectIdentifier(channel)
        open.withLock { $0[id] = channel }
        channel.closeFuture.whenComplete { [self] _ in _ = open.withLock { $0.removeValue(forKey: id) } }
    }

    func all() -> [any Channel] { open.withLock { Array($0.values) } }
}
