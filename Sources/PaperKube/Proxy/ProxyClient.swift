import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

// MARK: - ProxyClient

/// A small HTTP/1.1 client for `kubectl proxy` on a unix socket: one connection per request,
/// GET only (the proxy refuses every write method anyway).
///
/// kubectl keeps every credential; this client only ever talks to the socket in a directory
/// only the user can open. Bodies are returned as bytes; streamed bodies (watches, a followed
/// log) are handed over line by line as they arrive.
public struct ProxyClient: Sendable {
    /// The proxy's socket.
    public var socketPath: String
    /// Seconds a plain GET may take before it fails as a timeout (the watchdog of this path).
    public var timeout: Double

    public init(socketPath: String, timeout: Double = 10) {
        self.socketPath = socketPath
        self.timeout = timeout
    }

    /// One response: its status code, body and wall time.
    public struct Response: Sendable, Equatable {
        public var status: Int
        public var body: Data
        public var duration: Double

        public init(status: Int, body: Data, duration: Double) {
            self.status = status
            self.body = body
            self.duration = duration
        }
    }

    /// How a streamed GET ended.
    public enum StreamEnd: Sendable, Equatable {
        /// The server closed the stream after a 2xx answer (a watch timing out, a pod going away).
        case ended
        /// The answer was not 2xx: the status and its body.
        case status(Int, Data)
        /// The connection failed or broke (the proxy is gone).
        case failed(String)
        /// The calling task was cancelled.
        case cancelled
    }

    typealias Connection = NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>

    func connect() async throws -> Connection {
        try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(2))
            .connect(unixDomainSocketPath: socketPath) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    return try Connection(wrappingChannelSynchronously: channel)
                }
            }
    }

    static func head(_ path: String) -> HTTPRequestHead {
        var head = HTTPRequestHead(version: .http1_1, method: .GET, uri: path)
        head.headers.add(name: "Host", value: "localhost")
        head.headers.add(name: "Accept", value: "application/json, */*")
        head.headers.add(name: "User-Agent", value: "paperctl-tui")
        head.headers.add(name: "Connection", value: "close")
        return head
    }

    /// Writes the request, head and end in one write, and returns the write's error instead of
    /// throwing it: the caller reads the answer either way.
    ///
    /// With `Connection: close` the proxy answers and closes as soon as it has read the head. Two
    /// separate writes (head, then end) raced that close: when the answer and the close arrived
    /// before the task wrote the end, the second write threw `I/O on closed channel` and a
    /// complete answer sitting in the inbound buffer was thrown away as "the connection broke".
    /// On a busy 2-core machine that happened on roughly one dashboard start in three (issue 20).
    static func send(_ path: String, on outbound: NIOAsyncChannelOutboundWriter<HTTPClientRequestPart>) async -> (any Error)? {
        do {
            try await outbound.write(contentsOf: [.head(head(path)), .end(nil)])
            return nil
        } catch {
            return error
        }
    }

    // MARK: - GET

    /// GETs `path` (with its query) and returns the whole answer; throws `.timeout` past
    /// `timeout` seconds and `.unreachable` when the proxy cannot be reached.
    public func get(_ path: String) async throws(KubectlError) -> Response {
        let start = ContinuousClock.now
        let socket = socketPath
        let deadline = timeout
        let result: Result<(Int, Data), KubectlError> = await withTaskGroup(of: Result<(Int, Data), KubectlError>?.self) { group in
            group.addTask {
                do {
                    let connection = try await connect()
                    return .success(try await connection.executeThenClose { inbound, outbound in
                        let written = await Self.send(path, on: outbound)
                        var status = 0
                        var body = ByteBuffer()
                        for try await part in inbound {
                            switch part {
                            case .head(let h): status = Int(h.status.code)
                            case .body(var chunk):
                                guard body.readableBytes + chunk.readableBytes <= Self.bodyLimit else { throw ProxyFailure.tooLarge }
                                body.writeBuffer(&chunk)
                            case .end: return (status, Data(body.readableBytesView))
                            }
                        }
                        throw written ?? ProxyFailure.closedEarly
                    })
                } catch {
                    if Task.isCancelled { return nil }
                    return .failure(.unreachable(detail: "kubectl proxy at \(socket): \(Self.describe(error))"))
                }
            }
            group.addTask {
                try? await Task.sleep(for: .seconds(deadline))
                return Task.isCancelled ? nil : .failure(.timeout(seconds: deadline))
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first ?? .failure(.timeout(seconds: deadline))
        }
        let (status, body) = try result.get()
        return Response(status: status, body: body, duration: Self.seconds(start.duration(to: .now)))
    }

    // MARK: - Streams

    /// GETs `path` and hands the body over line by line (without the newline) as it arrives,
    /// until the server closes it, the connection breaks or the task is cancelled. An answer
    /// that is not 2xx is not streamed: its status and body are returned.
    public func stream(_ path: String, onLines: @escaping @Sendable ([Data]) -> Void) async -> StreamEnd {
        let connection: Connection
        do {
            connection = try await connect()
        } catch {
            return Task.isCancelled ? .cancelled : .failed("kubectl proxy at \(socketPath): \(Self.describe(error))")
        }
        do {
            return try await withTaskCancellationHandler {
                try await connection.executeThenClose { inbound, outbound -> StreamEnd in
                    let written = await Self.send(path, on: outbound)
                    var status = 0
                    var pending = ByteBuffer()
                    // Where the search for the next newline goes on: only the bytes that came since.
                    var searched = 0
                    for try await part in inbound {
                        switch part {
                        case .head(let h):
                            status = Int(h.status.code)
                        case .body(var chunk):
                            guard (200..<300).contains(status) else {
                                if pending.readableBytes < Self.bodyLimit { pending.writeBuffer(&chunk) }
                                continue
                            }
                            pending.writeBuffer(&chunk)
                            var lines: [Data] = []
                            while let newline = pending.readableBytesView.dropFirst(searched).firstIndex(of: UInt8(ascii: "\n")) {
                                let length = newline - pending.readerIndex
                                if let bytes = pending.readBytes(length: length) { lines.append(Data(bytes)) }
                                pending.moveReaderIndex(forwardBy: 1)
                                searched = 0
                            }
                            searched = pending.readableBytes
                            pending.discardReadBytes()
                            if !lines.isEmpty { onLines(lines) }
                            // A line that never ends (a broken or hostile server) is not buffered forever.
                            guard pending.readableBytes <= Self.lineLimit else { throw ProxyFailure.lineTooLong }
                        case .end:
                            guard (200..<300).contains(status) else { return .status(status, Data(pending.readableBytesView)) }
                            if pending.readableBytes > 0 { onLines([Data(pending.readableBytesView)]) }
                            return .ended
                        }
                    }
                    if Task.isCancelled { return .cancelled }
                    if let written { throw written }
                    return .failed("kubectl proxy closed the stream")
                }
            } onCancel: {
                connection.channel.close(promise: nil)
            }
        } catch {
            return Task.isCancelled ? .cancelled : .failed("kubectl proxy at \(socketPath): \(Self.describe(error))")
        }
    }

    // MARK: - Helpers

    /// The largest answer a plain GET takes (a list of a very large namespace is a few MiB).
    public static let bodyLimit = 64 << 20
    /// The longest line a stream takes (a watch event carries one object; the API server's
    /// own limit for an object is about 1.5 MiB).
    public static let lineLimit = 4 << 20

    enum ProxyFailure: Error { case closedEarly, tooLarge, lineTooLong }

    static func describe(_ error: any Error) -> String {
        switch error {
        case ProxyFailure.closedEarly: "the connection closed before the answer ended"
        case ProxyFailure.tooLarge: "the answer is larger than \(bodyLimit >> 20) MiB"
        case ProxyFailure.lineTooLong: "a streamed line is longer than \(lineLimit >> 20) MiB"
        case let io as IOError: io.description
        case is ChannelError: "the connection broke (\(error))"
        default: "\(error)"
        }
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }
}
