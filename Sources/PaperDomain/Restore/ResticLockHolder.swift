import Foundation
import PaperKube

// MARK: - ResticLockHolder

/// Who holds a restic lock, as restic names it ("locked exclusively by PID 27 on HOST by root"),
/// and whether a pod of that hostname still exists in the namespace: a pod's hostname is its
/// name, so a holder whose pod is gone (or has ended) cannot be running restic any more.
public struct ResticLockHolder: Sendable, Equatable {
    public enum Pod: Sendable, Equatable {
        /// A pod of that name runs (or is about to): its restic may still be working.
        case alive(phase: String)
        /// A pod of that name exists but has ended: its restic is not running.
        case ended(phase: String)
        /// No pod of that name in the namespace.
        case absent
        /// The pods could not be read.
        case unknown(String)
    }

    public var pid: Int?
    public var host: String
    public var pod: Pod

    public init(pid: Int?, host: String, pod: Pod) {
        self.pid = pid
        self.host = host
        self.pod = pod
    }

    /// The holder restic names in a log: `by PID 27 on HOST`.
    public static func parse(_ log: String) -> (pid: Int?, host: String)? {
        for line in log.split(whereSeparator: \.isNewline).reversed() {
            guard let on = line.range(of: " on "), let by = line.range(of: "by PID ") ?? line.range(of: "locked by ") else { continue }
            guard by.upperBound <= on.lowerBound else { continue }
            let pid = Int(line[by.upperBound..<on.lowerBound].trimmingCharacters(in: .whitespaces))
            let host = line[on.upperBound...].split(separator: " ").first.map(String.init) ?? ""
            guard !host.isEmpty, host.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." || $0 == "_" }) else { continue }
            return (pid, host)
        }
        return nil
    }

    /// Where the holder's pod stands among `pods` of the namespace.
    public static func pod(named host: String, in pods: [PaperKube.Pod]) -> Pod {
        guard let pod = pods.first(where: { $0.metadata.name == host }) else { return .absent }
        switch pod.phase {
        case .succeeded, .failed: return .ended(phase: pod.phase.description)
        default: return .alive(phase: pod.phase.description)
        }
    }

    /// The holder is gone: no pod of its name, or the pod has ended.
    public var isGone: Bool {
        switch pod {
        case .absent, .ended: true
        case .alive, .unknown: false
        }
    }

    /// "the lock is held by PID 27 on HOST; no pod HOST in namespace NS: the holder is gone".
    public func summary(namespace: String) -> String {
        let who = "PID \(pid.map(String.init) ?? "?") on \(host)"
        switch pod {
        case .absent: return "the lock is held by \(who); no pod \(host) in namespace \(namespace): the holder is gone"
        case .ended(let phase): return "the lock is held by \(who); pod \(host) has ended (\(phase)): its restic is not running"
        case .alive(let phase): return "the lock is held by \(who); pod \(host) exists (\(phase)): its restic may still be working"
        case .unknown(let why): return "the lock is held by \(who); whether pod \(host) exists is unknown (\(why))"
        }
    }
}
