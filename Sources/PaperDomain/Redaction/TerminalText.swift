// MARK: - TerminalText

/// Text from the cluster made safe for a terminal: the one function every exit uses (the
/// `check` table and `--json`, the journal, the CLI's output, the curses screen).
///
/// C0 controls (U+0000–U+001F, except a newline where the caller keeps newlines), DEL, C1
/// (U+0080–U+009F) and the bidi controls (U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069)
/// are shown as `\u{HEX}` (Swift's notation): ESC is `\u{1B}`, a C1 CSI `\u{9B}`, a
/// right-to-left override `\u{202E}`, a tab `\u{9}`. The function is idempotent (what it
/// returns has nothing left to escape), so the exits can apply it again safely; the price is
/// that a text that already said `\u{1B}` literally looks the same as an escaped ESC.
/// Nothing of an escape sequence reaches the terminal, so a cluster message cannot set the
/// title, write the clipboard (OSC 52), move the cursor or reorder what is shown.
public enum TerminalText {
    /// `text` with every control character shown as `\u{HEX}`; `newlines` keeps line feeds.
    public static func safe(_ text: String, newlines: Bool = false) -> String {
        guard needsEscaping(text, newlines: newlines) else { return text }
        var out = String.UnicodeScalarView()
        for s in text.unicodeScalars {
            if (s == "\n" && newlines) || !isControl(s.value) {
                out.append(s)
            } else {
                out.append(contentsOf: "\\u{\(String(s.value, radix: 16, uppercase: true))}".unicodeScalars)
            }
        }
        return String(out)
    }

    /// A JSON document with DEL, C1 and the bidi controls escaped as `\uXXXX` (JSON encoders
    /// escape C0 and leave the rest raw). They can only stand inside strings, so the document
    /// means the same; only its bytes are safe to print.
    public static func json(_ json: String) -> String {
        guard json.unicodeScalars.contains(where: { $0.value >= 0x7F && isControl($0.value) }) else { return json }
        var out = String.UnicodeScalarView()
        for s in json.unicodeScalars {
            if s.value >= 0x7F && isControl(s.value) {
                let hex = String(s.value, radix: 16)
                out.append(contentsOf: ("\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex).unicodeScalars)
            } else {
                out.append(s)
            }
        }
        return String(out)
    }

    /// Whether a scalar is shown as an escape.
    public static func isControl(_ v: UInt32) -> Bool {
        v < 0x20 || (0x7F...0x9F).contains(v) || v == 0x061C || v == 0x200E || v == 0x200F
            || (0x202A...0x202E).contains(v) || (0x2066...0x2069).contains(v)
    }

    /// One pass over the bytes: whether anything must change.
    private static func needsEscaping(_ text: String, newlines: Bool) -> Bool {
        var copy = text
        return copy.withUTF8 { b in
            let n = b.count
            var i = 0
            while i < n {
                let c = b[i]
                switch c {
                case UInt8(ascii: "\n"):
                    if !newlines { return true }
                case 0..<0x20, 0x7F:
                    return true
                case 0xC2:
                    if i + 1 < n, (0x80...0x9F).contains(b[i + 1]) { return true }
                case 0xD8:
                    if i + 1 < n, b[i + 1] == 0x9C { return true }
                case 0xE2:
                    if i + 2 < n {
                        let (c1, c2) = (b[i + 1], b[i + 2])
                        if c1 == 0x80, c2 == 0x8E || c2 == 0x8F || (0xAA...0xAE).contains(c2) { return true }
                        if c1 == 0x81, (0xA6...0xA9).contains(c2) { return true }
                    }
                default:
                    break
                }
                i += 1
            }
            return false
        }
    }

    // MARK: Display width

    /// The terminal cells a character takes: 2 for East Asian wide and full-width characters
    /// and emoji, 1 otherwise (a control character never gets here: `safe` escaped it).
    public static func width(_ ch: Character) -> Int {
        guard let first = ch.unicodeScalars.first else { return 1 }
        let v = first.value
        if v < 0x1100 { return 1 }
        if ch.unicodeScalars.contains(where: { $0.value == 0xFE0F }) { return 2 }
        return isWide(v) ? 2 : 1
    }

    /// The cells a text takes once made safe.
    public static func width(_ text: String) -> Int {
        var total = 0
        for ch in text { total += width(ch) }
        return total
    }

    private static let wideRanges: [ClosedRange<UInt32>] = [
        0x1100...0x115F, 0x231A...0x231B, 0x2329...0x232A, 0x23E9...0x23EC, 0x23F0...0x23F0, 0x23F3...0x23F3,
        0x25FD...0x25FE, 0x2614...0x2615, 0x2648...0x2653, 0x267F...0x267F, 0x2693...0x2693, 0x26A1...0x26A1,
        0x26AA...0x26AB, 0x26BD...0x26BE, 0x26C4...0x26C5, 0x26CE...0x26CE, 0x26D4...0x26D4, 0x26EA...0x26EA,
        0x26F2...0x26F3, 0x26F5...0x26F5, 0x26FA...0x26FA, 0x26FD...0x26FD, 0x2705...0x2705, 0x270A...0x270B,
        0x2728...0x2728, 0x274C...0x274C, 0x274E...0x274E, 0x2753...0x2755, 0x2757...0x2757, 0x2795...0x2797,
        0x27B0...0x27B0, 0x27BF...0x27BF, 0x2B1B...0x2B1C, 0x2B50...0x2B50, 0x2B55...0x2B55,
        0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF, 0xA960...0xA97F,
        0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE10...0xFE19, 0xFE30...0xFE6F, 0xFF00...0xFF60, 0xFFE0...0xFFE6,
        0x16FE0...0x16FE4, 0x17000...0x18CFF, 0x1B000...0x1B2FF, 0x1F004...0x1F004, 0x1F0CF...0x1F0CF,
        0x1F18E...0x1F18E, 0x1F191...0x1F19A, 0x1F200...0x1F251, 0x1F300...0x1F320, 0x1F32D...0x1F335,
        0x1F337...0x1F37C, 0x1F37E...0x1F393, 0x1F3A0...0x1F3CA, 0x1F3CF...0x1F3D3, 0x1F3E0...0x1F3F0,
        0x1F3F4...0x1F3F4, 0x1F3F8...0x1F43E, 0x1F440...0x1F440, 0x1F442...0x1F4FC, 0x1F4FF...0x1F53D,
        0x1F54B...0x1F54E, 0x1F550...0x1F567, 0x1F57A...0x1F57A, 0x1F595...0x1F596, 0x1F5A4...0x1F5A4,
        0x1F5FB...0x1F64F, 0x1F680...0x1F6C5, 0x1F6CC...0x1F6CC, 0x1F6D0...0x1F6D2, 0x1F6D5...0x1F6D7,
        0x1F6DC...0x1F6DF, 0x1F6EB...0x1F6EC, 0x1F6F4...0x1F6FC, 0x1F7E0...0x1F7EB, 0x1F7F0...0x1F7F0,
        0x1F90C...0x1F93A, 0x1F93C...0x1F945, 0x1F947...0x1F9FF, 0x1FA70...0x1FAFF, 0x20000...0x2FFFD, 0x30000...0x3FFFD,
    ]

    private static func isWide(_ v: UInt32) -> Bool {
        var lo = 0, hi = wideRanges.count - 1
        while lo <= hi {
            let mid = (lo + hi) / 2
            let r = wideRanges[mid]
            if v < r.lowerBound { hi = mid - 1 } else if v > r.upperBound { lo = mid + 1 } else { return true }
        }
        return false
    }
}
