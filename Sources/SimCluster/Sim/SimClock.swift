import Synchronization
import PaperKube

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// MARK: - SimClock

/// Simulated time: starts at wall-clock now and runs `speed` times faster; tests can also jump
/// it forward. Every timestamp the simulator writes comes from here.
public final class SimClock: Sendable {
    struct State {
        var realStart: Double
        var simStart: Double
        var speed: Double
        var offset: Double
    }

    private let state: Mutex<State>

    public init(start: Double? = nil, speed: Double = 1) {
        let real = SimClock.wallNow()
        state = Mutex(State(realStart: real, simStart: start ?? real, speed: max(0, speed), offset: 0))
    }

    /// Current simulated time in seconds since the epoch.
    public func now() -> Double {
        state.withLock { s in s.simStart + (SimClock.wallNow() - s.realStart) * s.speed + s.offset }
    }

    public var speed: Double { state.withLock { $0.speed } }

    /// Jumps simulated time forward.
    public func advance(by seconds: Double) {
        state.withLock { $0.offset += seconds }
    }

    public func setSpeed(_ speed: Double) {
        let current = now()
        state.withLock { s in
            s.realStart = SimClock.wallNow()
            s.simStart = current
            s.offset = 0
            s.speed = max(0, speed)
        }
    }

    public static func wallNow() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    public func rfc3339(offset: Double = 0) -> String { UTCTime.rfc3339(now() + offset) }
}
