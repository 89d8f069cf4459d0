import PaperKube

// MARK: - The restore facts the report reads back

extension ResticSnapshot {
    /// `abcd1234 taken 2026-12-06T03:00:00Z`: how a restore's journal entry names its snapshot,
    /// so the report knows the files' restore point (their RPO, the gap to the database's).
    public var journalName: String { "\(shortID) taken \(UTCTime.rfc3339(time))" }
}

extension DatabaseRestorePlan {
    /// `point 2026-12-06T07:55:00Z` (`point about …` for latest: the end of the window when
    /// planned): the database's restore point in UTC, for the report's RPO.
    public var journalPoint: String { "point \(target == nil ? "about " : "")\(UTCTime.rfc3339(recoveredTo))" }
}
