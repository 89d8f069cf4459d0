import Foundation

// MARK: - UTCTime

/// Civil-time arithmetic in UTC, without a calendar or a locale: Kubernetes timestamps are
/// RFC 3339 in UTC, cron schedules here are evaluated in UTC, and the checks must give the same
/// answer on any machine.
public struct CivilTime: Sendable, Equatable {
    public var year: Int
    public var month: Int  // 1...12
    public var day: Int  // 1...31
    public var hour: Int
    public var minute: Int
    public var second: Int
    public var nanosecond: Int = 0

    public init(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0, nanosecond: Int = 0) {
        self.year = year
        self.month = month
        self.day = day
        self.hour = hour
        self.minute = minute
        self.second = second
        self.nanosecond = nanosecond
    }

    /// Day of the week, 0 = Sunday, as cron counts.
    public var weekday: Int {
        let days = UTCTime.daysFromCivil(year: year, month: month, day: day)
        return Int(((days % 7) + 11) % 7)  // 1970-01-01 was a Thursday (4)
    }
}

public enum UTCTime {
    /// Days since 1970-01-01 for a proleptic Gregorian date (H. Hinnant's algorithm).
    public static func daysFromCivil(year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let m = Int64(month)
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    public static func civilFromDays(_ z0: Int64) -> (year: Int, month: Int, day: Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (Int(m <= 2 ? y + 1 : y), Int(m), Int(d))
    }

    public static func civil(_ epoch: Double) -> CivilTime {
        let whole = Int64(epoch.rounded(.down))
        let nanos = Int(((epoch - Double(whole)) * 1e9).rounded(.down))
        let days = whole >= 0 ? whole / 86_400 : (whole - 86_399) / 86_400
        let secs = Int(whole - days * 86_400)
        let (y, m, d) = civilFromDays(days)
        return CivilTime(year: y, month: m, day: d, hour: secs / 3600, minute: secs % 3600 / 60, second: secs % 60, nanosecond: nanos)
    }

    public static func epoch(_ c: CivilTime) -> Double {
        let days = daysFromCivil(year: c.year, month: c.month, day: c.day)
        return Double(days * 86_400 + Int64(c.hour * 3600 + c.minute * 60 + c.second)) + Double(c.nanosecond) / 1e9
    }

    // MARK: RFC 3339

    /// `2026-11-29T03:00:00Z`, the form Kubernetes uses for `metav1.Time`.
    public static func rfc3339(_ epoch: Double) -> String {
        let c = civil(epoch)
        return "\(pad(c.year, 4))-\(pad(c.month, 2))-\(pad(c.day, 2))T\(pad(c.hour, 2)):\(pad(c.minute, 2)):\(pad(c.second, 2))Z"
    }

    /// `2026-11-29T07:00:00Z (2026-11-29 08:00 CET)`: UTC, then the wall clock of `zone` (the
    /// operator's, from `TZ`); UTC alone when the zone is UTC.
    public static func withLocal(_ epoch: Double, zone: TimeZone = .current) -> String {
        let date = Date(timeIntervalSince1970: epoch)
        let offset = zone.secondsFromGMT(for: date)
        guard offset != 0 else { return rfc3339(epoch) }
        let local = rfc3339(epoch + Double(offset)).dropLast().replacingOccurrences(of: "T", with: " ")
        return "\(rfc3339(epoch)) (\(local.prefix(16)) \(zone.abbreviation(for: date) ?? zone.identifier))"
    }

    /// `2026-11-29T03:00:00.123456789Z`, the form of `kubectl logs --timestamps`.
    public static func rfc3339Nano(_ epoch: Double) -> String {
        let c = civil(epoch)
        return "\(pad(c.year, 4))-\(pad(c.month, 2))-\(pad(c.day, 2))T\(pad(c.hour, 2)):\(pad(c.minute, 2)):\(pad(c.second, 2)).\(pad(c.nanosecond, 9))Z"
    }

    /// Parses RFC 3339 with optional fractional seconds and a `Z` or `±hh:mm` offset.
    public static func parse(_ text: String) -> Double? {
        let chars = Array(text.utf8)
        func num(_ from: Int, _ count: Int) -> Int? {
            guard from + count <= chars.count else { return nil }
            var v = 0
            for i in from..<(from + count) {
                let c = chars[i]
                guard c >= 48, c <= 57 else { return nil }
                v = v * 10 + Int(c - 48)
            }
            return v
        }
        guard chars.count >= 20,
            let year = num(0, 4), chars[4] == 45, let month = num(5, 2), chars[7] == 45, let day = num(8, 2),
            chars[10] == 84 || chars[10] == 116 || chars[10] == 32,
            let hour = num(11, 2), chars[13] == 58, let minute = num(14, 2), chars[16] == 58, let second = num(17, 2),
            (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        var i = 19
        var fraction = 0.0
        if i < chars.count, chars[i] == 46 {
            i += 1
            var scale = 0.1
            while i < chars.count, chars[i] >= 48, chars[i] <= 57 {
                fraction += Double(chars[i] - 48) * scale
                scale /= 10
                i += 1
            }
        }
        guard i < chars.count else { return nil }
        var offset = 0
        if chars[i] == 90 || chars[i] == 122 {
            i += 1
        } else if chars[i] == 43 || chars[i] == 45, let oh = num(i + 1, 2), chars.count > i + 3, chars[i + 3] == 58, let om = num(i + 4, 2) {
            offset = (oh * 3600 + om * 60) * (chars[i] == 43 ? 1 : -1)
            i += 6
        } else {
            return nil
        }
        guard i == chars.count else { return nil }
        let base = epoch(CivilTime(year: year, month: month, day: day, hour: hour, minute: minute, second: second))
        return base + fraction - Double(offset)
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let s = String(value)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }

    /// "3d4h", "2h5m", "45s": the compact age kubectl prints.
    public static func humanDuration(_ seconds: Double) -> String {
        let s = Int(max(0, seconds).rounded(.down))
        if s < 120 { return "\(s)s" }
        let m = s / 60
        if m < 60 { return s % 60 == 0 || m >= 10 ? "\(m)m" : "\(m)m\(s % 60)s" }
        let h = m / 60
        if h < 48 { return m % 60 == 0 || h >= 8 ? "\(h)h" : "\(h)h\(m % 60)m" }
        let d = h / 24
        if d < 8 { return h % 24 == 0 ? "\(d)d" : "\(d)d\(h % 24)h" }
        if d < 365 * 2 { return "\(d)d" }
        return "\(d / 365)y\(d % 365)d"
    }
}
