import Foundation
import PaperKube
import Synchronization

// MARK: - FakeRunner

/// A `CommandRunning` that records every command and answers from a table (shared by the unit test targets).
public final class FakeRunner: CommandRunning, Sendable {
    public typealias Responder = @Sendable (KubectlCommand) throws(KubectlError) -> CommandOutput

    let recorded = Mutex<[KubectlCommand]>([])
    private let responder: Responder

    public init(_ responder: @escaping Responder) {
        self.responder = responder
    }

    public var commands: [KubectlCommand] { recorded.withLock { $0 } }
    public var argumentArrays: [[String]] { commands.map(\.arguments) }

    public func run(_ command: KubectlCommand) async throws(KubectlError) -> CommandOutput {
        recorded.withLock { $0.append(command) }
        return try responder(command)
    }
}

extension CommandOutput {
    public static func ok(_ text: String) -> CommandOutput { CommandOutput(stdout: Data(text.utf8)) }
    public static func ok(_ data: Data) -> CommandOutput { CommandOutput(stdout: data) }
    public static func failure(_ stderr: String, status: Int32 = 1, stdout: Data = Data()) -> CommandOutput {
        CommandOutput(stdout: stdout, stderr: stderr, exitStatus: status)
    }
}

// MARK: - Following

extension FakeRunner: CommandStreaming {
    /// Records the command, delivers nothing and ends: enough for the recording wrapper's tests.
    public func follow(_ command: KubectlCommand, deliver: @escaping @Sendable ([String]) -> Void) async -> FollowEnd {
        recorded.withLock { $0.append(command) }
        return .ended
    }
}
