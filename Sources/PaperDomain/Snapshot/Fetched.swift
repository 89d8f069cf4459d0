import PaperKube

// MARK: - Fetched

/// Data that was either read, could not be read (and why), or was not attempted (and why).
public enum Fetched<Value: Sendable>: Sendable {
    case ok(Value)
    case failed(KubectlError)
    case skipped(String)

    /// The value when it was read.
    public var value: Value? {
        if case .ok(let value) = self { return value }
        return nil
    }

    /// Why there is no value, in words; `nil` when there is one.
    public var whyMissing: String? {
        switch self {
        case .ok: nil
        case .failed(let error): error.description
        case .skipped(let reason): reason
        }
    }
}

extension Fetched: Equatable where Value: Equatable {}
