// MARK: - Small text helpers (no Foundation in the simulator's hot paths)

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" || f == "\n" || f == "\r" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\n" || l == "\r" { s.removeLast() }
        return String(s)
    }
}

enum RandomName {
    static let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")

    /// A 5-character suffix like the ones Kubernetes controllers generate.
    static func suffix(_ count: Int = 5) -> String {
        var g = SystemRandomNumberGenerator()
        return String((0..<count).map { _ in alphabet[Int(g.next() % UInt64(alphabet.count))] })
    }

    static func uuid() -> String {
        var g = SystemRandomNumberGenerator()
        let hex = Array("0123456789abcdef")
        var chars = (0..<32).map { _ in hex[Int(g.next() % 16)] }
        chars[12] = "4"
        chars[16] = hex[8 + Int(g.next() % 4)]
        let s = String(chars)
        let a = s.prefix(8), b = s.dropFirst(8).prefix(4), c = s.dropFirst(12).prefix(4), d = s.dropFirst(16).prefix(4), e = s.dropFirst(20)
        return "\(a)-\(b)-\(c)-\(d)-\(e)"
    }
}
