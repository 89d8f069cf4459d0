// MARK: - LogSignature

/// A known kind of error line in the paperless-ngx log, with its severity and runbook step.
public struct LogSignature: Sendable, Equatable {
    public var id: String
    public var title: String
    public var verdict: Verdict
    /// Lower-case substrings; a line matches when it contains any of them.
    public var needles: [String]
    public var hint: String

    /// Known Celery, Redis, worker and consumer failures, most specific first.
    public static let known: [LogSignature] = [
        LogSignature(id: "celery-broker-unreachable", title: "Celery cannot connect to the Redis broker", verdict: .critical,
                     needles: ["cannot connect to redis", "cannot connect to rediss", "failed to connect to redis"],
                     hint: "Redis is down or unreachable: check the paperless-ngx-redis pod, its password ExternalSecret and the NetworkPolicy (6379/TCP)"),
        LogSignature(id: "redis-connection-error", title: "Redis connection errors", verdict: .critical,
                     needles: ["redis.exceptions.connectionerror", "connecting to paperless-ngx-redis", "error while reading from socket", "redis ping #"],
                     hint: "check the Redis pod and the PAPERLESS_REDIS URL"),
        LogSignature(id: "redis-misconf", title: "Redis refuses writes (MISCONF)", verdict: .critical,
                     needles: ["misconf redis"],
                     hint: "Redis cannot persist and stopped accepting writes; restart it (no persistence is needed)"),
        LogSignature(id: "celery-broker-lost", title: "Celery lost its broker connection", verdict: .warn,
                     needles: ["connection to broker lost"],
                     hint: "repeated reconnects point at Redis restarts or an idle timeout"),
        LogSignature(id: "celery-worker-killed", title: "Celery worker killed (likely OOM)", verdict: .critical,
                     needles: ["workerlosterror", "exited with 'signal 9", "sigkill", "perhaps out of memory"],
                     hint: "the worker ran out of memory: raise the pod's memory limit"),
        LogSignature(id: "celery-time-limit", title: "Celery task hit its time limit", verdict: .warn,
                     needles: ["timelimitexceeded", "hard time limit"],
                     hint: "a document took longer than PAPERLESS_WORKER_TIMEOUT (1800 s)"),
        LogSignature(id: "database-connection", title: "The app cannot reach PostgreSQL", verdict: .critical,
                     needles: ["operationalerror", "could not connect to server", "connection to server at", "failed to connect to database"],
                     hint: "check the CNPG cluster and the paperless-ngx-db-rw service"),
        LogSignature(id: "consumer-error", title: "Document consumption failed", verdict: .warn,
                     needles: ["error occurred while consuming document", "consumererror", "unexpected error while consuming"],
                     hint: "read the task log for the document; OCR or storage errors"),
        LogSignature(id: "permission-denied", title: "Permission denied on the data volume", verdict: .warn,
                     needles: ["permission denied"],
                     hint: "file ownership on the PVC does not match USERMAP_UID/GID (often after a restore)"),
    ]

    /// The first known signature `line` matches.
    public static func match(_ line: String) -> LogSignature? {
        // Byte search on UTF-8: Foundation's `contains` bridges every line to NSString, and this
        // runs over the whole hour of log on every refresh.
        let lower = Array(line.lowercased().utf8)
        return knownBytes.first { _, needles in needles.contains { lower.containsBytes($0) } }?.signature
    }

    /// `known` with its needles as UTF-8, made once.
    static let knownBytes: [(signature: LogSignature, needles: [[UInt8]])] = known.map { ($0, $0.needles.map { Array($0.utf8) }) }

    /// A stable key for an unknown error line: digits, hex ids and quoted values folded away.
    public static func genericKey(_ line: String) -> String {
        var text = Substring(line)
        // Drop a leading "[2025-03-24 08:13:29,888] " Python log timestamp.
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") { text = text[text.index(after: close)...] }
        var key = ""
        var lastWasHash = false
        for ch in text.prefix(120) {
            if ch.isNumber || (ch.isHexDigit && lastWasHash) {
                if !lastWasHash { key.append("#") }
                lastWasHash = true
            } else {
                key.append(ch)
                lastWasHash = false
            }
        }
        return key.trimmingSpaces
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return String(s)
    }
}

extension Array where Element == UInt8 {
    /// True when `needle` occurs in these bytes.
    func containsBytes(_ needle: [UInt8]) -> Bool {
        guard let first = needle.first, needle.count <= count else { return needle.isEmpty }
        var i = 0
        let last = count - needle.count
        while i <= last {
            if self[i] == first {
                var j = 1
                while j < needle.count, self[i + j] == needle[j] { j += 1 }
                if j == needle.count { return true }
            }
            i += 1
        }
        return false
    }
}
