import Foundation

// MARK: - Redactor

/// Removes credentials from text before it is printed: URL userinfo, `password=…`-style
/// pairs, Authorization headers, bearer tokens, JWTs and AWS access key ids.
///
/// `redis://:s3cret@paperless-ngx-redis:6379` becomes `redis://:***@paperless-ngx-redis:6379`.
/// Every reason, evidence line and log excerpt goes through `redact` before output.
///
/// The rules are the regular expressions in `rules`, applied in order. To keep up with a followed
/// log (5,000 lines/s), `redact` first scans the line's UTF-8 bytes once for what each rule needs
/// in order to match (`Triggers`): a line without any of them is returned as it is, and a rule
/// whose trigger is absent is skipped. The URL userinfo rules, the commonest credential in logs,
/// run as a hand-written byte scanner (`URLUserinfo`) that masks exactly what their expressions
/// mask. `redactWithExpressions` applies every expression unconditionally; tests compare the two.
public enum Redactor {
    /// The mask that replaces a secret.
    public static let mask = "***"

    /// `text` with every recognised credential masked.
    public static func redact(_ text: String) -> String {
        let triggers = Triggers.scan(text)
        if triggers.isEmpty { return text }
        var result = triggers.contains(.url) ? URLUserinfo.mask(text) : text
        for rule in rules where rule.trigger.map(triggers.contains) ?? false {
            result = rule.apply(to: result)
        }
        return result
    }

    /// Every rule's expression, each on the previous one's result, with no pre-filter: the
    /// reference `redact` must agree with.
    static func redactWithExpressions(_ text: String) -> String {
        var result = text
        for rule in urlRules + rules { result = rule.apply(to: result) }
        return result
    }

    // MARK: Rules

    private struct Rule: @unchecked Sendable {
        let regex: NSRegularExpression
        let template: String
        /// What the line must contain for the expression to match (nil: the URL rules, run by `URLUserinfo`).
        let trigger: Triggers?

        func apply(to text: String) -> String {
            let range = NSRange(text.startIndex..<text.endIndex, in: text)
            return regex.stringByReplacingMatches(in: text, range: range, withTemplate: template)
        }
    }

    private static func compile(_ specs: [(String, String, Triggers?)]) -> [Rule] {
        specs.compactMap { pattern, template, trigger in
            (try? NSRegularExpression(pattern: pattern)).map { Rule(regex: $0, template: template, trigger: trigger) }
        }
    }

    /// The URL userinfo rules; `URLUserinfo` implements them on bytes, these are their definition.
    private static let urlRules: [Rule] = compile([
        // scheme://user:password@host → scheme://user:***@host
        (#"([A-Za-z][A-Za-z0-9+.\-]*://)([^\s/@:'"]*):([^\s/@'"]+)@"#, "$1$2:***@", nil),
        // scheme://token@host → scheme://***@host
        (#"([A-Za-z][A-Za-z0-9+.\-]*://)([^\s/@:'"*]+)@"#, "$1***@", nil),
    ])

    private static let rules: [Rule] = compile([
        // Authorization: Bearer xyz / Basic xyz / token
        (#"(?i)(authorization["']?\s*[:=]\s*["']?(?:bearer|basic|token|digest)?\s*)[^\s"',;]+"#, "$1***", .authorization),
        // a bare bearer token
        (#"(?i)\b(bearer)\s+[A-Za-z0-9._~+/=\-]{8,}"#, "$1 ***", .bearer),
        // key=value where the key names a secret
        (#"(?i)([A-Za-z0-9_.\-]*(?:pass|pwd|secret|token|api[_\-]?key|access[_\-]?key|credential)[A-Za-z0-9_.\-]*["']?[ \t]*=[ \t]*["']?)(?!\*\*\*)(?![{\[])([^\s"',;&]+)"#, "$1***", .keyEquals),
        // key: value / "key": "value"; a plural key ("ExternalSecrets: …") is prose, not a field
        (#"(?i)([A-Za-z0-9_.\-]*(?:pass|pwd|secret|token|api[_\-]?key|access[_\-]?key|credential)[A-Za-z0-9_.\-]*(?<![sS])(?<!ed)["']?[ \t]*:[ \t]*["']?)(?!\*\*\*)(?![{\[])([^\s"',;&]+)"#, "$1***", .keyColon),
        // a command-line flag that takes a secret as its next word: kubectl --token X, --password X
        (#"(?i)(--(?:token|password|[a-z\-]*secret[a-z\-]*)\s+)(?!\*\*\*)([^\s"']+)"#, "$1***", .flag),
        // JSON web tokens
        (#"eyJ[A-Za-z0-9_\-]{5,}\.[A-Za-z0-9_\-]{5,}\.[A-Za-z0-9_\-]{5,}"#, "***", .jwt),
        // AWS access key ids
        (#"\b(AKIA|ASIA)[A-Z0-9]{16}\b"#, "$1***", .awsKey),
    ])
}

// MARK: - Triggers

/// What a line contains that some rule needs in order to match, found in one pass over its bytes.
/// Each trigger is a necessary condition of its rule's expression: when it is absent the expression
/// cannot match, so skipping the rule changes nothing. Masking only ever puts `***` where text was,
/// so a rule applied earlier cannot create a trigger for a later one.
struct Triggers: OptionSet, Sendable {
    let rawValue: UInt16

    /// `://` and `@`: URL userinfo.
    static let url = Triggers(rawValue: 1 << 0)
    /// `authorization`, any case.
    static let authorization = Triggers(rawValue: 1 << 1)
    /// `bearer`, any case.
    static let bearer = Triggers(rawValue: 1 << 2)
    /// A secret-naming key (`pass`, `pwd`, `secret`, `token`, `api_key`, `access-key`, `credential`, …)
    /// followed by more key characters, an optional quote, blanks and `=`.
    static let keyEquals = Triggers(rawValue: 1 << 3)
    /// The same followed by `:`.
    static let keyColon = Triggers(rawValue: 1 << 4)
    /// `--` and one of `token`, `pass`, `secret`: a flag that takes a secret.
    static let flag = Triggers(rawValue: 1 << 5)
    /// `eyJ`: a JSON web token.
    static let jwt = Triggers(rawValue: 1 << 6)
    /// `AKIA` or `ASIA`.
    static let awsKey = Triggers(rawValue: 1 << 7)

    static let all: Triggers = [.url, .authorization, .bearer, .keyEquals, .keyColon, .flag, .jwt, .awsKey]

    static func scan(_ text: String) -> Triggers {
        var text = text
        return text.withUTF8 { scan(bytes: $0) }
    }

    private static let secretKeys: [[UInt8]] = [
        "pass", "pwd", "secret", "token", "credential",
        "apikey", "api_key", "api-key", "accesskey", "access_key", "access-key",
    ].map { Array($0.utf8) }
    private static let authorizationWord = Array("authorization".utf8)
    private static let bearerWord = Array("bearer".utf8)

    static func scan(bytes b: UnsafeBufferPointer<UInt8>) -> Triggers {
        var found: Triggers = []
        var separator = false, at = false, doubleDash = false, flagWord = false
        let n = b.count
        var i = 0
        while i < n {
            let c = b[i]
            switch c {
            case UInt8(ascii: ":"):
                if i + 2 < n, b[i + 1] == UInt8(ascii: "/"), b[i + 2] == UInt8(ascii: "/") { separator = true }
            case UInt8(ascii: "@"):
                at = true
            case UInt8(ascii: "-"):
                if i + 1 < n, b[i + 1] == UInt8(ascii: "-") { doubleDash = true }
            case UInt8(ascii: "e"):
                if i + 2 < n, b[i + 1] == UInt8(ascii: "y"), b[i + 2] == UInt8(ascii: "J") { found.insert(.jwt) }
            case UInt8(ascii: "A"):
                if i + 3 < n, b[i + 1] == UInt8(ascii: "K") || b[i + 1] == UInt8(ascii: "S"),
                   b[i + 2] == UInt8(ascii: "I"), b[i + 3] == UInt8(ascii: "A") { found.insert(.awsKey) }
            case 0xC3, 0xC4, 0xC5, 0xE1, 0xE2:
                // Characters whose case folding reaches ASCII letters (ß, ẞ → ss; ſ → s; K → k; İ, ı):
                // the case-insensitive expressions may match through them, so every rule runs.
                if foldsToASCII(b, i) { return .all }
            default:
                break
            }
            switch c | 0x20 {
            case UInt8(ascii: "p"), UInt8(ascii: "s"), UInt8(ascii: "t"), UInt8(ascii: "c"), UInt8(ascii: "a"):
                for key in secretKeys where matches(b, i, key) {
                    if key[0] != UInt8(ascii: "c"), key[0] != UInt8(ascii: "a") { flagWord = true }
                    found.formUnion(separatorAfterKey(b, i + key.count))
                }
                if matches(b, i, authorizationWord) { found.insert(.authorization) }
            case UInt8(ascii: "b"):
                if matches(b, i, bearerWord) { found.insert(.bearer) }
            default:
                break
            }
            i += 1
        }
        if separator && at { found.insert(.url) }
        if doubleDash && flagWord { found.insert(.flag) }
        return found
    }

    /// `word` (lower case) at `i`, letters compared without case.
    private static func matches(_ b: UnsafeBufferPointer<UInt8>, _ i: Int, _ word: [UInt8]) -> Bool {
        guard i + word.count <= b.count else { return false }
        for (k, w) in word.enumerated() {
            let c = b[i + k]
            if w >= UInt8(ascii: "a") && w <= UInt8(ascii: "z") {
                if c | 0x20 != w { return false }
            } else if c != w {
                return false
            }
        }
        return true
    }

    /// After a secret-naming key ending at `i`: key characters, an optional quote, blanks, then `=` or `:`.
    private static func separatorAfterKey(_ b: UnsafeBufferPointer<UInt8>, _ start: Int) -> Triggers {
        var k = start
        while k < b.count, isKeyCharacter(b[k]) { k += 1 }
        if k < b.count, b[k] == UInt8(ascii: "\"") || b[k] == UInt8(ascii: "'") { k += 1 }
        while k < b.count, b[k] == UInt8(ascii: " ") || b[k] == UInt8(ascii: "\t") { k += 1 }
        guard k < b.count else { return [] }
        if b[k] == UInt8(ascii: "=") { return .keyEquals }
        if b[k] == UInt8(ascii: ":") { return .keyColon }
        return []
    }

    private static func isKeyCharacter(_ c: UInt8) -> Bool {
        switch c {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "-"):
            return true
        default:
            return false
        }
    }

    /// ß (C3 9F), İ (C4 B0), ı (C4 B1), ſ (C5 BF), ẞ (E1 BA 9E), K (E2 84 AA) at `i`.
    private static func foldsToASCII(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> Bool {
        func at(_ k: Int) -> UInt8 { i + k < b.count ? b[i + k] : 0 }
        switch b[i] {
        case 0xC3: return at(1) == 0x9F
        case 0xC4: return at(1) == 0xB0 || at(1) == 0xB1
        case 0xC5: return at(1) == 0xBF
        case 0xE1: return at(1) == 0xBA && at(2) == 0x9E
        case 0xE2: return at(1) == 0x84 && at(2) == 0xAA
        default: return false
        }
    }
}

// MARK: - URLUserinfo

/// The two URL userinfo rules on UTF-8 bytes, exactly as their expressions match:
/// `([A-Za-z][A-Za-z0-9+.\-]*://)([^\s/@:'"]*):([^\s/@'"]+)@` → `$1$2:***@`, then on that result
/// `([A-Za-z][A-Za-z0-9+.\-]*://)([^\s/@:'"*]+)@` → `$1***@`. `\s` is ICU's: tab, line feed,
/// form feed, carriage return and the Unicode space separators (`\p{Z}`).
enum URLUserinfo {
    static func mask(_ text: String) -> String {
        var bytes = Array(text.utf8)
        let passwords = maskPasswords(&bytes)
        let tokens = maskTokens(&bytes)
        guard passwords || tokens else { return text }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static let stars = Array("***".utf8)

    /// `scheme://user:password@` → `scheme://user:***@`. True when anything changed.
    static func maskPasswords(_ b: inout [UInt8]) -> Bool {
        var changed = false
        var i = 0
        while let sep = nextSeparator(b, from: i) {
            var k = sep + 3
            while k < b.count, !isExcluded(b, k, colon: true, star: false) { k += utf8Length(b[k]) }
            guard k < b.count, b[k] == UInt8(ascii: ":") else { i = sep + 1; continue }
            let secret = k + 1
            k = secret
            while k < b.count, !isExcluded(b, k, colon: false, star: false) { k += utf8Length(b[k]) }
            guard k > secret, k < b.count, b[k] == UInt8(ascii: "@") else { i = sep + 1; continue }
            b.replaceSubrange(secret..<k, with: stars)
            changed = true
            i = secret + stars.count + 1
        }
        return changed
    }

    /// `scheme://token@` → `scheme://***@`. True when anything changed.
    static func maskTokens(_ b: inout [UInt8]) -> Bool {
        var changed = false
        var i = 0
        while let sep = nextSeparator(b, from: i) {
            let token = sep + 3
            var k = token
            while k < b.count, !isExcluded(b, k, colon: true, star: true) { k += utf8Length(b[k]) }
            guard k > token, k < b.count, b[k] == UInt8(ascii: "@") else { i = sep + 1; continue }
            b.replaceSubrange(token..<k, with: stars)
            changed = true
            i = token + stars.count + 1
        }
        return changed
    }

    /// The next `://` at or after `from` whose scheme is valid: the run of `[A-Za-z0-9+.-]` before it holds a letter.
    private static func nextSeparator(_ b: [UInt8], from: Int) -> Int? {
        var i = from
        while i + 2 < b.count {
            if b[i] == UInt8(ascii: ":"), b[i + 1] == UInt8(ascii: "/"), b[i + 2] == UInt8(ascii: "/") {
                var k = i - 1
                while k >= 0, isSchemeCharacter(b[k]) {
                    if isLetter(b[k]) { return i }
                    k -= 1
                }
            }
            i += 1
        }
        return nil
    }

    private static func isLetter(_ c: UInt8) -> Bool {
        (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z"))
    }

    private static func isSchemeCharacter(_ c: UInt8) -> Bool {
        isLetter(c) || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")) || c == UInt8(ascii: "+") || c == UInt8(ascii: ".") || c == UInt8(ascii: "-")
    }

    /// Whether the character at `i` ends a userinfo part: `\s`, `/`, `@`, quotes, and `:` or `*` when asked.
    private static func isExcluded(_ b: [UInt8], _ i: Int, colon: Bool, star: Bool) -> Bool {
        switch b[i] {
        case UInt8(ascii: "\t"), UInt8(ascii: "\n"), 0x0C, UInt8(ascii: "\r"), UInt8(ascii: " "),
             UInt8(ascii: "/"), UInt8(ascii: "@"), UInt8(ascii: "'"), UInt8(ascii: "\""):
            return true
        case UInt8(ascii: ":"):
            return colon
        case UInt8(ascii: "*"):
            return star
        case 0xC2, 0xE1, 0xE2, 0xE3:
            return isUnicodeSpace(b, i)
        default:
            return false
        }
    }

    /// `\p{Z}` beyond ASCII: U+00A0, U+1680, U+2000–U+200A, U+2028, U+2029, U+202F, U+205F, U+3000.
    private static func isUnicodeSpace(_ b: [UInt8], _ i: Int) -> Bool {
        func at(_ k: Int) -> UInt8 { i + k < b.count ? b[i + k] : 0 }
        switch b[i] {
        case 0xC2: return at(1) == 0xA0
        case 0xE1: return at(1) == 0x9A && at(2) == 0x80
        case 0xE2:
            if at(1) == 0x80 { return (0x80...0x8A).contains(at(2)) || at(2) == 0xA8 || at(2) == 0xA9 || at(2) == 0xAF }
            return at(1) == 0x81 && at(2) == 0x9F
        case 0xE3: return at(1) == 0x80 && at(2) == 0x80
        default: return false
        }
    }

    /// The length of the UTF-8 sequence a lead byte starts (1 for ASCII and stray continuation bytes).
    private static func utf8Length(_ lead: UInt8) -> Int {
        lead < 0xC0 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4
    }
}
