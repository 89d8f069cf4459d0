// MARK: - GoDuration

/// Go `time.Duration` strings (`1h`, `15m`, `1h30m`, `90s`, `500ms`, `0`) as seconds.
public enum GoDuration {
    public static func seconds(_ text: String) -> Double? {
        let s = text.trimmingSpaces
        if s == "0" { return 0 }
        var total = 0.0
        var number = ""
        var unit = ""
        var sawAny = false
        func flush() -> Bool {
            guard !number.isEmpty, let value = Double(number) else { return false }
            let factor: Double
            switch unit {
            case "h": factor = 3600
            case "m": factor = 60
            case "s": factor = 1
            case "ms": factor = 0.001
            case "us", "µs": factor = 0.000_001
            case "ns": factor = 0.000_000_001
            default: return false
            }
            total += value * factor
            number = ""
            unit = ""
            sawAny = true
            return true
        }
        for ch in s {
            if ch.isNumber || ch == "." {
                if !unit.isEmpty { guard flush() else { return nil } }
                number.append(ch)
            } else {
                unit.append(ch)
            }
        }
        guard flush(), sawAny else { return nil }
        return total
    }
}
