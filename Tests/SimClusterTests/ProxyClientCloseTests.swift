import Foundation
import NIOCore
import NIOPosix
import PaperKube
import Synchronization
import Testing

/// Issue 20: the dashboard fell back to polling on about one start in three on a busy 2-core
/// machine, with "the connection broke (I/O on closed channel)". `kubectl proxy` answers a
/// `Connection: close` GET and closes as soon as it has read the request head; the client wrote
/// the head and the end of the request in two writes, and when the answer and the close arrived
/// between them the second write failed and the complete answer was thrown away.
///
/// The server here does what kubectl's (Go's net/http) does: it reads the head, answers, closes.
/// Every GET must return the answer, however the close and the client's writes interleave.
@Suite(.serialized, .timeLimit(.minutes(2))) struct ProxyClientCloseTests {
    /// Reads up to the end of the request head, answers (`{"ok":true}` by default) and closes.
    final class AnswerAndClose: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        let seen = Mutex(ByteBuffer())
        let answer: @Sendable () -> [String]

        init(answer: @escaping @Sendable () -> [String] = {
            let body = "{\"kind\":\"Status\",\"ok\":true}"
            return ["HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"]
        }) {
            self.answer = answer
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var chunk = unwrapInboundIn(data)
            let complete = seen.withLock { buffer -> Bool in
                buffer.writeBuffer(&chunk)
                return buffer.readableBytesView.firstRange(of: Array("\r\n\r\n".utf8)) != nil
            }
            guard complete else { return }
            // Close once everything is written (a close drops the writes still queued).
            let channel = context.channel
            var written = context.eventLoop.makeSucceededVoidFuture()
            for part in answer() { written = context.writeAndFlush(wrapOutboundOut(channel.allocator.buffer(string: part))) }
            written.whenComplete { _ in channel.close(promise: nil) }
        }
    }

    /// A server on a fresh socket answering every request with `answer`.
    static func serve(_ dir: String, answer: (@Sendable () -> [String])? = nil) async throws -> (Channel, String) {
        let socket = "\(dir)/kube-\(UUID().uuidString.prefix(4)).sock"
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(answer.map { AnswerAndClose(answer: $0) } ?? AnswerAndClose()) }
            }
            .bind(unixDomainSocketPath: socket).get()
        return (server, socket)
    }

    /// Issue 21: a stream's lines are split as they arrive whatever the chunking, a line that
    /// never ends is refused past the limit instead of growing without bound, and so is a body.
    @Test func streamedLinesAreSplitAndBoundedAndBodiesAreCapped() async throws {
        let dir = NSTemporaryDirectory() + "paperctl-bound-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n"
        // 300 lines sent a few bytes at a time, cut anywhere.
        let text = (0..<300).map { "{\"n\":\($0)}\n" }.joined()
        let (chunked, chunkedSocket) = try await Self.serve(dir) { [head] + stride(from: 0, to: text.count, by: 7).map { i in
            String(text.dropFirst(i).prefix(7))
        } }
        let lines = KubectlProxyTests.LinesSeen()
        let end = await ProxyClient(socketPath: chunkedSocket).stream("/watch") { lines.add($0) }
        #expect(end == .ended)
        #expect(lines.all.map { String(decoding: $0, as: UTF8.self) } == (0..<300).map { "{\"n\":\($0)}" })
        try await chunked.close()

        // A line longer than the limit, in 64 KiB chunks, and never a newline.
        let chunk = String(repeating: "x", count: 64 << 10)
        let (endless, endlessSocket) = try await Self.serve(dir) { [head] + Array(repeating: chunk, count: (ProxyClient.lineLimit >> 16) + 4) }
        let none = KubectlProxyTests.LinesSeen()
        let cut = await ProxyClient(socketPath: endlessSocket).stream("/watch") { none.add($0) }
        #expect(cut == .failed("kubectl proxy at \(endlessSocket): a streamed line is longer than 4 MiB"))
        #expect(none.all.isEmpty)
        try await endless.close()

        // A plain GET whose body passes the cap fails instead of taking all the memory.
        let (huge, hugeSocket) = try await Self.serve(dir) { [head] + Array(repeating: String(repeating: "y", count: 1 << 20), count: (ProxyClient.bodyLimit >> 20) + 2) }
        await #expect(throws: KubectlError.self) { _ = try await ProxyClient(socketPath: hugeSocket, timeout: 60).get("/api/v1/namespaces/x/events") }
        try await huge.close()
    }

    final class Flag: Sendable {
        private let value = Atomic<Bool>(true)
        var isSet: Bool { value.load(ordering: .relaxed) }
        func clear() { value.store(false, ordering: .relaxed) }
    }

    @Test func everyAnswerIsReadEvenWhenTheProxyClosesRightAfterIt() async throws {
        let dir = NSTemporaryDirectory() + "paperctl-close-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (server, socket) = try await Self.serve(dir)
        let client = ProxyClient(socketPath: socket, timeout: 30)
        // The dashboard at start decodes lists on the cooperative threads while it reads: keep
        // them busy, so that a task resumes late after a write, as it did there.
        let busy = Flag()
        let burners = (0..<4).map { _ in
            Task.detached {
                var x = 0
                while busy.isSet {
                    for i in 0..<20_000 { x &+= i }
                    await Task.yield()
                }
                return x
            }
        }
        defer {
            busy.clear()
            for burner in burners { burner.cancel() }
        }
        // Several requests at once, as the dashboard's lists and probes run: each must be answered.
        var failures: [String] = []
        for _ in 0..<25 {
            let results = await withTaskGroup(of: String?.self, returning: [String].self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        do {
                            let answer = try await client.get("/version")
                            return answer.status == 200 && String(decoding: answer.body, as: UTF8.self).contains("\"ok\":true") ? nil : "status \(answer.status)"
                        } catch {
                            return "\(error)"
                        }
                    }
                }
                var out: [String] = []
                for await result in group { if let result { out.append(result) } }
                return out
            }
            failures += results
        }
        try await server.close()
        #expect(failures.isEmpty, "\(failures.count) of 200 GETs lost a complete answer, e.g. \(failures.first ?? "")")
    }
}
