// MARK: - Lease

/// A `coordination.k8s.io/v1` Lease: who holds it, since when, until when.
public struct Lease: Sendable, Equatable, Decodable {
    public var metadata: ObjectMeta
    public var holderIdentity: String?
    public var leaseDurationSeconds: Int?
    public var acquireTime: Double?
    public var renewTime: Double?

    public init(metadata: ObjectMeta, holderIdentity: String?, leaseDurationSeconds: Int?, acquireTime: Double?, renewTime: Double?) {
        self.metadata = metadata
        self.holderIdentity = holderIdentity
        self.leaseDurationSeconds = leaseDurationSeconds
        self.acquireTime = acquireTime
        self.renewTime = renewTime
    }

    enum CodingKeys: String, CodingKey { case metadata, spec }
    enum SpecKeys: String, CodingKey { case holderIdentity, leaseDurationSeconds, acquireTime, renewTime }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        metadata = c.object(ObjectMeta.self, .metadata) ?? ObjectMeta(name: "")
        let spec = try? c.nestedContainer(keyedBy: SpecKeys.self, forKey: .spec)
        holderIdentity = spec?.string(.holderIdentity)
        leaseDurationSeconds = spec?.int(.leaseDurationSeconds)
        acquireTime = spec?.time(.acquireTime)
        renewTime = spec?.time(.renewTime)
    }

    /// When the Lease lapses unless renewed: the last renewal (or acquisition) plus its duration.
    public var expiresAt: Double? {
        guard let from = renewTime ?? acquireTime, let duration = leaseDurationSeconds else { return nil }
        return from + Double(duration)
    }

    /// Held by someone at `now`: a holder, and not yet lapsed. `margin` seconds are added to the
    /// lapse: `renewTime` is the holder's clock and `now` ours, and kubectl gives no server time.
    public func isHeld(at now: Double, margin: Double = 0) -> Bool {
        guard let holder = holderIdentity, !holder.isEmpty else { return false }
        return (expiresAt ?? .infinity) + margin > now
    }
}
