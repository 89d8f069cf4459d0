// MARK: - Quantity

/// Kubernetes resource quantities (`10Gi`, `500M`, `1.5Gi`, `1e9`) as byte counts.
public enum Quantity {
    /// Bytes for a storage quantity, or `nil` when the text is not a quantity.
    public static func bytes(_ text: String) -> Int64? {
        let suffixes: [(String, Double)] = [
            ("Ki", 1024), ("Mi", 1_048_576), ("Gi", 1_073_741_824), ("Ti", 1_099_511_627_776), ("Pi", 1_125_899_906_842_624),
            ("Ei", 1_152_921_504_606_846_976), ("k", 1e3), ("M", 1e6), ("G", 1e9), ("T", 1e12), ("P", 1e15), ("E", 1e18), ("m", 1e-3),
        ]
        let trimmed = text.trimmingSpaces
        for (suffix, factor) in suffixes where trimmed.hasSuffix(suffix) {
            guard let value = Double(trimmed.dropLast(suffix.count)) else { return nil }
            return Int64((value * factor).rounded(.up))
        }
        guard let value = Double(trimmed), value.isFinite else { return nil }
        return Int64(value.rounded(.up))
    }

    /// `10737418240` → `10.0Gi`: binary units, one decimal.
    public static func format(bytes: Int64) -> String {
        let units = ["B", "Ki", "Mi", "Gi", "Ti", "Pi"]
        var value = Double(bytes)
        var index = 0
        while value >= 1024, index < units.count - 1 {
            value /= 1024
            index += 1
        }
        if index == 0 { return "\(bytes)B" }
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)\(units[index])"
    }
}

extension Quantity {
    /// `5Gi` → `10Gi`: the same unit, twice the number; nil when the text is not `<integer><unit>`.
    public static func doubled(_ text: String) -> String? {
        let trimmed = text.trimmingSpaces
        let digits = trimmed.prefix { $0.isNumber }
        guard let number = Int(digits), number > 0, bytes(trimmed) != nil else { return nil }
        return "\(number * 2)\(trimmed.dropFirst(digits.count))"
    }
}
