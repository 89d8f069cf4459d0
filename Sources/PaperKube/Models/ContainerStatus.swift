// MARK: - ContainerStatus

/// `status.containerStatuses[]`: readiness, restarts, and current and last state.
public struct ContainerStatus: Sendable, Equatable, Decodable {
    public var name: String
    public var ready: Bool
    public var restartCount: Int
    public var image: String?
    public var state: ContainerState
    public var lastState: ContainerState

    public init(name: String, ready: Bool, restartCount: Int = 0, state: ContainerState = .running(startedAt: nil), lastState: ContainerState = .none) {
        self.name = name
        self.ready = ready
        self.restartCount = restartCount
        self.image = nil
        self.state = state
        self.lastState = lastState
    }

    enum CodingKeys: String, CodingKey { case name, ready, restartCount, image, state, lastState }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = c.string(.name) ?? ""
        ready = c.bool(.ready) ?? false
        restartCount = c.int(.restartCount) ?? 0
        image = c.string(.image)
        state = c.object(ContainerState.self, .state) ?? .none
        lastState = c.object(ContainerState.self, .lastState) ?? .none
    }
}

// MARK: - ContainerState

/// One of `waiting`, `running` or `terminated`, or nothing reported.
public enum ContainerState: Sendable, Equatable, Decodable {
    case none
    case waiting(reason: String?, message: String?)
    case running(startedAt: Double?)
    case terminated(exitCode: Int?, reason: String?, message: String?, finishedAt: Double?)

    enum CodingKeys: String, CodingKey { case waiting, running, terminated }
    enum DetailKeys: String, CodingKey { case reason, message, startedAt, exitCode, finishedAt }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        if let t = try? c.nestedContainer(keyedBy: DetailKeys.self, forKey: .terminated) {
            self = .terminated(exitCode: t.int(.exitCode), reason: t.string(.reason), message: t.string(.message), finishedAt: t.time(.finishedAt))
        } else if let w = try? c.nestedContainer(keyedBy: DetailKeys.self, forKey: .waiting) {
            self = .waiting(reason: w.string(.reason), message: w.string(.message))
        } else if let r = try? c.nestedContainer(keyedBy: DetailKeys.self, forKey: .running) {
            self = .running(startedAt: r.time(.startedAt))
        } else {
            self = .none
        }
    }

    /// The waiting reason, e.g. `CrashLoopBackOff`.
    public var waitingReason: String? {
        if case .waiting(let reason, _) = self { return reason }
        return nil
    }
}
