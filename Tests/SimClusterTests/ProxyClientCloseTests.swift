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
    /// Reads up to the end of the request head, answers `{"ok":N}` and closes.
    final class AnswerAndClose: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        let seen = Mutex(ByteBuffer())

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var chunk = unwrapInboundIn(data)
            let complete = seen.withLock { buffer -> Bool in
                buffer.writeBuffer(&chunk)
                return buffer.readableBytesView.firstRange(of: Array("\r\n\r\n".utf8)) != nil
            }
            guard complete else { return }
            let body = "{\"kind\":\"Status\",\"ok\":true}"
            let answer = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
            context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(string: answer)), promise: nil)
            context.close(promise: nil)
        }
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
        let socket = "\(dir)/kube.sock"
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(AnswerAndClose()) }
            }
            .bind(unixDomainSocketPath: socket).get()
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
