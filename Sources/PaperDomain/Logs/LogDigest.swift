// MARK: - LogDigest

/// App log lines in a time window, grouped by signature, counted, newest first, redacted.
public struct LogDigest: Sendable, Equatable {
    /// One group of similar lines.
    public struct Group: Sendable, Equatable {
        public var id: String
        public var title: String
        public var verdict: Verdict
        public var count: Int
        public var newest: Double?
        /// The newest line of the group, redacted.
        public var example: String
        /// Up to three differently shaped lines of the group (redacted), newest first.
        public var variants: [String]
        public var hint: String?
    }

    public var groups: [Group]
    public var linesInWindow: Int

    /// Groups the error lines of `lines` newer than `now - window`.
    public init(lines: [LogLine], now: Double, window: Double) {
        var byID: [String: Group] = [:]
        var order: [String] = []
        var inWindow = 0
        var samples: [String: [LogLine]] = [:]
        for line in lines {
            if let time = line.time, now - time > window { continue }
            inWindow += 1
            let group: Group
            if let signature = LogSignature.match(line.text) {
                group = Group(id: signature.id, title: signature.title, verdict: signature.verdict, count: 1, newest: line.time, example: line.text, variants: [], hint: signature.hint)
            } else if line.level == .error {  // logged at ERROR/CRITICAL; a bare traceback header is context
                let key = "error:" + LogSignature.genericKey(line.text)
                group = Group(id: key, title: "other error", verdict: .warn, count: 1, newest: line.time, example: line.text, variants: [], hint: nil)
            } else {
                continue
            }
            if var existing = byID[group.id] {
                existing.count += 1
                if (line.time ?? -Double.infinity) >= (existing.newest ?? -Double.infinity) {
                    existing.newest = line.time ?? existing.newest
                    existing.example = line.text
                }
                byID[group.id] = existing
            } else {
                byID[group.id] = group
                order.append(group.id)
            }
            samples[group.id, default: []].append(line)
        }
        groups = order.compactMap { byID[$0] }
            .map { group in
                var g = group
                g.example = Redactor.redact(g.example)
                g.variants = Self.variants(of: samples[g.id] ?? [])
                return g
            }
            .sorted { ($0.newest ?? 0, $0.count) > ($1.newest ?? 0, $1.count) }
        linesInWindow = inWindow
    }

    /// Distinct shapes among `lines` (numbers and stamps folded), redacted, newest first, at most three.
    ///
    /// Shapes are compared before redacting, so a group of a thousand alike lines costs a few
    /// redactions, not a thousand; the redacted texts are compared again, since lines that
    /// differed only in a secret look alike once it is masked.
    static func variants(of lines: [LogLine]) -> [String] {
        var seenRaw = Set<String>()
        var seen = Set<String>()
        var result: [String] = []
        for line in lines.sorted(by: { ($0.time ?? 0) > ($1.time ?? 0) }) {
            guard seenRaw.insert(LogSignature.genericKey(line.text)).inserted else { continue }
            let redacted = Redactor.redact(line.text)
            guard seen.insert(LogSignature.genericKey(redacted)).inserted else { continue }
            result.append(redacted)
            if result.count == 3 { break }
        }
        return result
    }
}
