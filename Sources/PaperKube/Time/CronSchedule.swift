import Foundation

// MARK: - CronSchedule

/// A cron schedule as a Kubernetes CronJob or a CloudNativePG ScheduledBackup reads it,
/// evaluated in UTC or in a CronJob's `spec.timeZone`.
///
/// In a zone with daylight saving time, a wall-clock time that does not exist (the skipped
/// spring hour) never fires, and one that exists twice (the repeated autumn hour) fires at its
/// first occurrence.
///
/// Supports `*`, `?`, numbers, lists, ranges, steps (`*/15`, `1-30/5`), month and weekday names
/// and the `@hourly`/`@daily`/`@midnight`/`@weekly`/`@monthly`/`@yearly`/`@annually` macros.
public struct CronSchedule: Sendable, Equatable, CustomStringConvertible {
    /// Whose reading of the fields applies.
    public enum Dialect: Sendable, Equatable {
        /// A Kubernetes CronJob: exactly five fields, minute first.
        case kubernetes
        /// A CloudNativePG ScheduledBackup (robfig/cron v1 `Parse`): seconds first; six fields,
        /// or five when the day of week is left out. So `0 3 * * *` there means every hour at
        /// :03:00, not daily at 03:00: a classic mistake when copying a CronJob schedule.
        case cloudNativePG
    }

    public let source: String
    public let dialect: Dialect
    /// The zone the fields are read in; nil for UTC.
    public let timeZone: TimeZone?
    /// How many fields the text had (0 for a macro such as `@daily`).
    public let fieldsGiven: Int
    let seconds: Set<Int>
    let minutes: Set<Int>
    let hours: Set<Int>
    let daysOfMonth: Set<Int>
    let months: Set<Int>
    let daysOfWeek: Set<Int>
    let domRestricted: Bool
    let dowRestricted: Bool

    public var description: String { source }

    public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        public let schedule: String
        public let reason: String
        public var description: String { "invalid cron schedule \"\(schedule)\": \(reason)" }
    }

    /// - Parameter timeZone: an IANA zone name (a CronJob's `spec.timeZone`); nil or empty for UTC.
    ///   An unknown name is a parse error, as the API server's validation would make it.
    public init(parsing text: String, dialect: Dialect, timeZone zoneName: String? = nil) throws(ParseError) {
        source = text
        self.dialect = dialect
        if let zoneName, !zoneName.isEmpty, !["UTC", "Etc/UTC"].contains(zoneName) {
            guard let zone = TimeZone(identifier: zoneName) else {
                throw ParseError(schedule: text, reason: "unknown time zone \"\(zoneName)\"")
            }
            timeZone = zone
        } else {
            timeZone = nil
        }
        let expr = text.trimmingSpaces
        var fields: [String]
        switch expr {
        case "@yearly", "@annually": fields = ["0", "0", "0", "1", "1", "*"]
        case "@monthly": fields = ["0", "0", "0", "1", "*", "*"]
        case "@weekly": fields = ["0", "0", "0", "*", "*", "0"]
        case "@daily", "@midnight": fields = ["0", "0", "0", "*", "*", "*"]
        case "@hourly": fields = ["0", "0", "*", "*", "*", "*"]
        default:
            if expr.hasPrefix("@") { throw ParseError(schedule: text, reason: "unsupported macro \(expr)") }
            fields = expr.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        }
        fieldsGiven = expr.hasPrefix("@") ? 0 : fields.count
        switch (dialect, fieldsGiven) {
        case (_, 0): break
        case (.kubernetes, 5): fields.insert("0", at: 0)
        case (.kubernetes, _):
            throw ParseError(schedule: text, reason: "a CronJob schedule has 5 fields (minute hour day-of-month month day-of-week), found \(fields.count)")
        case (.cloudNativePG, 6): break
        case (.cloudNativePG, 5): fields.append("*")
        case (.cloudNativePG, _):
            throw ParseError(schedule: text, reason: "a ScheduledBackup schedule has 6 fields, seconds first (second minute hour day-of-month month day-of-week), found \(fields.count)")
        }
        let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
        let days = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]
        seconds = try Self.field(fields[0], 0...59, name: "seconds", schedule: text)
        minutes = try Self.field(fields[1], 0...59, name: "minutes", schedule: text)
        hours = try Self.field(fields[2], 0...23, name: "hours", schedule: text)
        daysOfMonth = try Self.field(fields[3], 1...31, name: "day of month", schedule: text)
        self.months = try Self.field(fields[4], 1...12, name: "month", schedule: text, names: months, nameBase: 1)
        var dow = try Self.field(fields[5], 0...7, name: "day of week", schedule: text, names: days, nameBase: 0)
        if dow.contains(7) { dow.remove(7); dow.insert(0) }
        daysOfWeek = dow
        domRestricted = !(fields[3] == "*" || fields[3] == "?")
        dowRestricted = !(fields[5] == "*" || fields[5] == "?")
    }

    private static func field(
        _ text: String, _ range: ClosedRange<Int>, name: String, schedule: String, names: [String] = [], nameBase: Int = 0
    ) throws(ParseError) -> Set<Int> {
        var result = Set<Int>()
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            var rangePart = Substring(part)
            var step = 1
            if let slash = part.firstIndex(of: "/") {
                rangePart = part[part.startIndex..<slash]
                guard let s = Int(part[part.index(after: slash)...]), s > 0 else {
                    throw ParseError(schedule: schedule, reason: "bad step in \(name) field \"\(text)\"")
                }
                step = s
            }
            func value(_ token: Substring) throws(ParseError) -> Int {
                if let v = Int(token) { return v }
                if let i = names.firstIndex(of: token.lowercased()) { return i + nameBase }
                throw ParseError(schedule: schedule, reason: "bad value \"\(token)\" in \(name) field")
            }
            var lo = range.lowerBound
            var hi = range.upperBound
            if rangePart == "*" || rangePart == "?" {
                // full range
            } else if let dash = rangePart.firstIndex(of: "-") {
                lo = try value(rangePart[rangePart.startIndex..<dash])
                hi = try value(rangePart[rangePart.index(after: dash)...])
            } else {
                lo = try value(rangePart)
                hi = step > 1 ? range.upperBound : lo
            }
            guard range.contains(lo), range.contains(hi), lo <= hi else {
                throw ParseError(schedule: schedule, reason: "\(name) value out of range \(range.lowerBound)-\(range.upperBound) in \"\(text)\"")
            }
            for v in stride(from: lo, through: hi, by: step) { result.insert(v) }
        }
        return result
    }

    private func dayMatches(_ c: CivilTime) -> Bool {
        guard months.contains(c.month) else { return false }
        let domOK = daysOfMonth.contains(c.day)
        let dowOK = daysOfWeek.contains(c.weekday)
        // Vixie cron: when both are restricted, either may match.
        if domRestricted && dowRestricted { return domOK || dowOK }
        return domOK && dowOK
    }

    /// The latest fire time at or before `epoch`, searching back at most `maxDays` days.
    public func previous(atOrBefore epoch: Double, maxDays: Int = 400) -> Double? {
        guard let zone = timeZone else { return wallPrevious(atOrBefore: epoch, maxDays: maxDays) }
        // Search wall-clock times, then map each candidate back to an instant.
        var wall = epoch + Double(zone.secondsFromGMT(for: Date(timeIntervalSince1970: epoch)))
        for _ in 0..<8 {
            guard let candidate = wallPrevious(atOrBefore: wall, maxDays: maxDays) else { return nil }
            if let instant = Self.instant(ofWall: candidate, in: zone), instant <= epoch { return instant }
            wall = candidate - 1
        }
        return nil
    }

    /// The earliest fire time strictly after `epoch`, searching forward at most `maxDays` days.
    public func next(after epoch: Double, maxDays: Int = 400) -> Double? {
        guard let zone = timeZone else { return wallNext(after: epoch, maxDays: maxDays) }
        var wall = epoch + Double(zone.secondsFromGMT(for: Date(timeIntervalSince1970: epoch)))
        for _ in 0..<8 {
            guard let candidate = wallNext(after: wall, maxDays: maxDays) else { return nil }
            if let instant = Self.instant(ofWall: candidate, in: zone), instant > epoch { return instant }
            wall = candidate
        }
        return nil
    }

    /// The first instant whose wall-clock time in `zone` is `wall` (seconds since the epoch,
    /// read as a UTC civil time), or nil when that wall time is skipped by a DST change.
    static func instant(ofWall wall: Double, in zone: TimeZone) -> Double? {
        // The offset can only be one of the offsets around `wall`; try both and keep the earliest that round-trips.
        let offsets = Set([wall - 86_400, wall, wall + 86_400].map { zone.secondsFromGMT(for: Date(timeIntervalSince1970: $0)) })
        let instants = offsets.map { wall - Double($0) }.filter { instant in
            instant + Double(zone.secondsFromGMT(for: Date(timeIntervalSince1970: instant))) == wall
        }
        return instants.min()
    }

    /// `previous(atOrBefore:)` on UTC civil times.
    private func wallPrevious(atOrBefore epoch: Double, maxDays: Int) -> Double? {
        let start = UTCTime.civil(epoch)
        let startDay = UTCTime.daysFromCivil(year: start.year, month: start.month, day: start.day)
        let sortedH = hours.sorted(by: >)
        let sortedM = minutes.sorted(by: >)
        let sortedS = seconds.sorted(by: >)
        for offset in 0...Int64(maxDays) {
            let (y, m, d) = UTCTime.civilFromDays(startDay - offset)
            let day = CivilTime(year: y, month: m, day: d)
            guard dayMatches(day) else { continue }
            let limit = offset == 0 ? start.hour * 3600 + start.minute * 60 + start.second : 86_399
            for h in sortedH where h * 3600 <= limit {
                for mi in sortedM where h * 3600 + mi * 60 <= limit {
                    for s in sortedS where h * 3600 + mi * 60 + s <= limit {
                        return UTCTime.epoch(CivilTime(year: y, month: m, day: d, hour: h, minute: mi, second: s))
                    }
                }
            }
        }
        return nil
    }

    /// `next(after:)` on UTC civil times.
    private func wallNext(after epoch: Double, maxDays: Int) -> Double? {
        let start = UTCTime.civil(epoch)
        let startDay = UTCTime.daysFromCivil(year: start.year, month: start.month, day: start.day)
        let sortedH = hours.sorted()
        let sortedM = minutes.sorted()
        let sortedS = seconds.sorted()
        for offset in 0...Int64(maxDays) {
            let (y, m, d) = UTCTime.civilFromDays(startDay + offset)
            let day = CivilTime(year: y, month: m, day: d)
            guard dayMatches(day) else { continue }
            let floor = offset == 0 ? start.hour * 3600 + start.minute * 60 + start.second : -1
            for h in sortedH where h * 3600 + 3599 > floor {
                for mi in sortedM where h * 3600 + mi * 60 + 59 > floor {
                    for s in sortedS where h * 3600 + mi * 60 + s > floor {
                        return UTCTime.epoch(CivilTime(year: y, month: m, day: d, hour: h, minute: mi, second: s))
                    }
                }
            }
        }
        return nil
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" || f == "\n" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\n" { s.removeLast() }
        return String(s)
    }
}
