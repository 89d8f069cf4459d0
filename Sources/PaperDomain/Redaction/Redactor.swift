import Foundation

// MARK: - Redactor

/// Removes credentials from text before it is printed: URL userinfo, `password=…`-style
/// pairs, Kubernetes env pairs whose name says secret, PEM private keys, Authorization headers,
/// bearer tokens, JWTs, vendor tokens (GitHub, GitLab, Slack, 1Password) and AWS keys.
///
/// `redis://:s3cret@paperless-ngx-redis:6379` becomes `redis://:***@paperless-ngx-redis:6379`.
/// Every reason, evidence line and log excerpt goes through `redact` before output.
///
/// Cost is linear and bounded: each line is first cut to `lineLimit` bytes, with a visible
/// `… [cut N bytes]` mark (`LineCap`), so a megabyte line costs what 8 KiB costs. The rules are
/// byte scanners (`KeyValue`, `EnvPair`, `PEMBlock`, `URLUserinfo`) and expressions that start
/// with a literal or are anchored at a word start, so no rule backtracks over a long run. To keep
/// up with a followed log (5,000 lines/s), `redact` first scans the line's UTF-8 bytes once for
/// what each rule needs in order to match (`Triggers`): a line without any of them is returned as
/// it is (cut), and a rule whose trigger is absent is skipped. `redactWithExpressions` runs every
/// rule unconditionally, with the URL rules as expressions; tests compare the two.
public enum Redactor {
    /// The mask that replaces a secret.
    public static let mask = "***"

    /// The most bytes of one line that are redacted and shown; the rest is cut with a visible mark.
    public static let lineLimit = 8192

    /// `text` with every recognised credential masked, each line cut to `lineLimit` bytes.
    public static func redact(_ text: String) -> String {
        redactWhole(LineCap.cap(text, limit: lineLimit))
    }

    /// `redact` without the cut: the rules on the whole text (the benchmark measures both, to
    /// show the rules are linear without the cut too). Never for output.
    @_spi(Benchmark) public static func redactWhole(_ text: String) -> String {
        let triggers = Triggers.scan(text)
        if triggers.isEmpty { return text }
        var result = text
        for step in steps where !step.trigger.isDisjoint(with: triggers) {
            result = step.apply(result, expressions: false)
        }
        return result
    }

    /// Every rule, each on the previous one's result, with no pre-filter and the URL rules as
    /// expressions: the reference `redact` must agree with.
    static func redactWithExpressions(_ text: String) -> String {
        var result = LineCap.cap(text, limit: lineLimit)
        for step in steps { result = step.apply(result, expressions: true) }
        return result
    }

    // MARK: Rules

    private struct Rule: @unchecked Sendable {
        let regex: NSRegularExpression
        let template: String

        func apply(to text: String) -> String {
            let range = NSRange(text.startIndex..<text.endIndex, in: text)
            return regex.stringByReplacingMatches(in: text, range: range, withTemplate: template)
        }
    }

    private static func compile(_ pattern: String, _ template: String) -> Rule? {
        (try? NSRegularExpression(pattern: pattern)).map { Rule(regex: $0, template: template) }
    }

    private static func compile(_ specs: [(String, String)]) -> [Rule] {
        specs.compactMap { compile($0.0, $0.1) }
    }

    /// One rule of the pipeline and the trigger it needs.
    private enum Kind: @unchecked Sendable {
        case pem, url, keyValue, envPair, awsSecret
        case expressions([Rule])
    }

    private struct Step: @unchecked Sendable {
        let kind: Kind
        let trigger: Triggers

        func apply(_ text: String, expressions: Bool) -> String {
            switch kind {
            case .pem: return PEMBlock.mask(text)
            case .url: return expressions ? urlRules.reduce(text) { $1.apply(to: $0) } : URLUserinfo.mask(text)
            case .keyValue: return KeyValue.mask(text)
            case .envPair: return EnvPair.mask(text)
            case .awsSecret: return AWSSecret.mask(text)
            case .expressions(let rules): return rules.reduce(text) { $1.apply(to: $0) }
            }
        }
    }

    /// The URL userinfo rules; `URLUserinfo` implements them on bytes, these are their definition.
    /// A password runs to the last `@` before a blank or quote, so it may hold `/`, `:` and `@`;
    /// digits then `/` after the colon are a port and a path, not a password.
    private static let urlRules: [Rule] = compile([
        // scheme://user:password@host → scheme://user:***@host
        (#"([A-Za-z][A-Za-z0-9+.\-]*://)([^\s/@:'"]*):(?![0-9]*/)([^\s'"]+)@"#, "$1$2:***@"),
        // scheme://token@host → scheme://***@host
        (#"([A-Za-z][A-Za-z0-9+.\-]*://)([^\s/@:'"*]+)@"#, "$1***@"),
    ])

    /// In order. Masking only ever puts `***` where text was, so a rule applied earlier cannot
    /// create a trigger for a later one.
    private static let steps: [Step] = [
        Step(kind: .pem, trigger: .pem),
        Step(kind: .url, trigger: .url),
        // Authorization: Bearer xyz / Basic xyz / token
        Step(kind: .expressions(compile([(#"(?i)(authorization["']?\s*+[:=]\s*+["']?(?:bearer|basic|token|digest)?\s*+)[^\s"',;]+"#, "$1***")])), trigger: .authorization),
        // a bare bearer token
        Step(kind: .expressions(compile([(#"(?i)\b(bearer)\s++[A-Za-z0-9._~+/=\-]{8,}"#, "$1 ***")])), trigger: .bearer),
        // key=value, key: value, "key": "value", where the key names a secret
        Step(kind: .keyValue, trigger: [.keyEquals, .keyColon]),
        // {"name": "RESTIC_PASSWORD", "value": "…"} and its YAML form
        Step(kind: .envPair, trigger: .secretWord),
        // a command-line flag that takes a secret as its next word: kubectl --token X, --password X
        Step(kind: .expressions(compile([(#"(?i)(?<!--)(--(?:token|password|[a-z\-]*secret[a-z\-]*)\s++)(?!\*\*\*)([^\s"']+)"#, "$1***")])), trigger: .flag),
        // JSON web tokens
        Step(kind: .expressions(compile([(#"(?<![A-Za-z0-9_\-])eyJ[A-Za-z0-9_\-]{5,}\.[A-Za-z0-9_\-]{5,}\.[A-Za-z0-9_\-]{5,}"#, "***")])), trigger: .jwt),
        // GitHub, GitLab, Slack and 1Password tokens: the prefix stays, the rest goes
        Step(kind: .expressions(compile([
            (#"(?<![A-Za-z0-9_])(gh[pousr]_)[A-Za-z0-9]{20,}"#, "$1***"),
            (#"(?<![A-Za-z0-9_])(github_pat_)[A-Za-z0-9_]{20,}"#, "$1***"),
            (#"(?<![A-Za-z0-9_\-])(glpat-)[A-Za-z0-9_\-]{20,}"#, "$1***"),
            (#"(?<![A-Za-z0-9_\-])(xox[abposr]-)[A-Za-z0-9\-]{10,}"#, "$1***"),
            (#"(?<![A-Za-z0-9_])(ops_)[A-Za-z0-9+/=_\-]{20,}"#, "$1***"),
        ])), trigger: .vendorToken),
        // a 40-character secret access key on a line that names an access key id
        Step(kind: .awsSecret, trigger: .awsKey),
        // AWS access key ids
        Step(kind: .expressions(compile([(#"\b(AKIA|ASIA)[A-Z0-9]{16}\b"#, "$1***")])), trigger: .awsKey),
    ]

    /// A key (lower case, ASCII) names a secret.
    static let secretWords: [[UInt8]] = [
        "pass", "pwd", "secret", "token", "credential",
        "apikey", "api_key", "api-key", "accesskey", "access_key", "access-key",
        "privatekey", "private_key", "private-key",
    ].map { Array($0.utf8) }

    static func namesSecret(_ folded: [UInt8]) -> Bool {
        guard folded.count >= 3 else { return false }
        for start in 0..<folded.count {
            for word in secretWords where start + word.count <= folded.count {
                var equal = true
                for (k, w) in word.enumerated() where folded[start + k] != w { equal = false; break }
                if equal { return true }
            }
        }
        return false
    }

    // MARK: AWS secret access keys

    enum AWSSecret {
        private static let keyID = try? NSRegularExpression(pattern: #"\b(?:AKIA|ASIA)[A-Z0-9]{16}\b"#)
        private static let candidate = try? NSRegularExpression(pattern: #"(?<![A-Za-z0-9/+])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])"#)

        /// On a line with an access key id, every 40-character base64 run with upper and lower
        /// case letters (a git SHA has no upper case) is masked.
        static func mask(_ text: String) -> String {
            guard let keyID, let candidate else { return text }
            let whole = NSRange(text.startIndex..<text.endIndex, in: text)
            guard keyID.firstMatch(in: text, range: whole) != nil else { return text }
            var result = text
            for match in candidate.matches(in: text, range: whole).reversed() {
                guard let range = Range(match.range, in: result) else { continue }
                let run = result[range]
                guard run.contains(where: \.isLowercase), run.contains(where: \.isUppercase) else { continue }
                result.replaceSubrange(range, with: Redactor.mask)
            }
            return result
        }
    }
}

// MARK: - Triggers

/// What a line contains that some rule needs in order to match, found in one pass over its bytes.
/// Each trigger is a necessary condition of its rule: when it is absent the rule cannot match,
/// so skipping the rule changes nothing.
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
    /// `-----BEGIN`: a PEM block.
    static let pem = Triggers(rawValue: 1 << 8)
    /// A secret-naming word anywhere: an env pair's name.
    static let secretWord = Triggers(rawValue: 1 << 9)
    /// `gh?_`, `github_pat_`, `glpat-`, `xox?-`, `ops_`: a vendor token's prefix.
    static let vendorToken = Triggers(rawValue: 1 << 10)

    static let all: Triggers = [.url, .authorization, .bearer, .keyEquals, .keyColon, .flag, .jwt, .awsKey, .pem, .secretWord, .vendorToken]

    static func scan(_ text: String) -> Triggers {
        var text = text
        return text.withUTF8 { scan(bytes: $0) }
    }

    private static let authorizationWord = Array("authorization".utf8)
    private static let bearerWord = Array("bearer".utf8)
    private static let beginWord = Array("-----begin".utf8)
    private static let vendorPrefixes: [[UInt8]] = ["github_pat_", "glpat-", "ops_"].map { Array($0.utf8) }

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
                if i + 1 < n, b[i + 1] == UInt8(ascii: "-") {
                    doubleDash = true
                    if matches(b, i, beginWord) { found.insert(.pem) }
                }
            case UInt8(ascii: "e"):
                if i + 2 < n, b[i + 1] == UInt8(ascii: "y"), b[i + 2] == UInt8(ascii: "J") { found.insert(.jwt) }
            case UInt8(ascii: "A"):
                if i + 3 < n, b[i + 1] == UInt8(ascii: "K") || b[i + 1] == UInt8(ascii: "S"),
                   b[i + 2] == UInt8(ascii: "I"), b[i + 3] == UInt8(ascii: "A") { found.insert(.awsKey) }
            case UInt8(ascii: "g"), UInt8(ascii: "x"), UInt8(ascii: "o"):
                if i + 4 < n, c == UInt8(ascii: "g"), b[i + 1] == UInt8(ascii: "h"), b[i + 3] == UInt8(ascii: "_") { found.insert(.vendorToken) }
                if i + 4 < n, c == UInt8(ascii: "x"), b[i + 1] == UInt8(ascii: "o"), b[i + 2] == UInt8(ascii: "x"), b[i + 4] == UInt8(ascii: "-") { found.insert(.vendorToken) }
                for prefix in vendorPrefixes where prefix[0] == c && matches(b, i, prefix) { found.insert(.vendorToken) }
            case 0xC3, 0xC4, 0xC5, 0xE1, 0xE2:
                // Characters whose case folding reaches ASCII letters (ß, ẞ → ss; ſ → s; K → k; İ, ı):
                // the case-insensitive expressions may match through them, so every rule runs.
                if foldsToASCII(b, i) { return .all }
            default:
                break
            }
            switch c | 0x20 {
            case UInt8(ascii: "p"), UInt8(ascii: "s"), UInt8(ascii: "t"), UInt8(ascii: "c"), UInt8(ascii: "a"):
                for key in Redactor.secretWords where matches(b, i, key) {
                    if key[0] != UInt8(ascii: "c"), key[0] != UInt8(ascii: "a") { flagWord = true }
                    found.insert(.secretWord)
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
    static func matches(_ b: UnsafeBufferPointer<UInt8>, _ i: Int, _ word: [UInt8]) -> Bool {
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

    static func isKeyCharacter(_ c: UInt8) -> Bool {
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

// MARK: - Key characters

/// The characters of a key (`[A-Za-z0-9_.-]`, and ſ and K, which case-fold to `s` and `k`), lower-cased.
enum KeyCharacters {
    /// The key character at `i`: its length in bytes and its ASCII lower-case fold; nil if none.
    static func at(_ b: [UInt8], _ i: Int) -> (length: Int, folded: UInt8)? {
        let c = b[i]
        if Triggers.isKeyCharacter(c) { return (1, c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z") ? c | 0x20 : c) }
        if c == 0xC5, i + 1 < b.count, b[i + 1] == 0xBF { return (2, UInt8(ascii: "s")) }
        if c == 0xE2, i + 2 < b.count, b[i + 1] == 0x84, b[i + 2] == 0xAA { return (3, UInt8(ascii: "k")) }
        return nil
    }

    /// The run of key characters from `i`, folded into `folded`; returns where it ends.
    static func run(_ b: [UInt8], from i: Int, into folded: inout [UInt8]) -> Int {
        folded.removeAll(keepingCapacity: true)
        var end = i
        while end < b.count, let c = at(b, end) {
            folded.append(c.folded)
            end += c.length
        }
        return end
    }

    static func isBlank(_ c: UInt8) -> Bool { c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") }
    static func isQuote(_ c: UInt8) -> Bool { c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") }
    static let stars = Array(Redactor.mask.utf8)

    static func startsWithMask(_ b: [UInt8], _ i: Int) -> Bool {
        i + 2 < b.count && b[i] == UInt8(ascii: "*") && b[i + 1] == UInt8(ascii: "*") && b[i + 2] == UInt8(ascii: "*")
    }

    /// A quoted value from the opening quote at `i`: its content (to the closing quote, `\` escapes
    /// skipped, or to the end of the line) and where the closing quote is.
    static func quoted(_ b: [UInt8], _ i: Int) -> Range<Int> {
        let q = b[i]
        var k = i + 1
        while k < b.count, b[k] != q, b[k] != UInt8(ascii: "\n") {
            if b[k] == UInt8(ascii: "\\") { k += 1 }
            k += 1
        }
        return (i + 1)..<min(k, b.count)
    }

    /// Walks the text key by key (each whole run of key characters once): `body` gets the bytes,
    /// where the key ends and the key folded, and returns what to mask and where to go on, or nil.
    static func maskAfterKeys(_ text: String, _ body: (_ b: [UInt8], _ end: Int, _ folded: inout [UInt8]) -> (mask: Range<Int>, next: Int)?) -> String {
        let b = Array(text.utf8)
        var ranges: [Range<Int>] = []
        var folded: [UInt8] = []
        var i = 0
        while i < b.count {
            guard at(b, i) != nil else { i += 1; continue }
            let end = run(b, from: i, into: &folded)
            i = end
            guard let found = body(b, end, &folded) else { continue }
            ranges.append(found.mask)
            i = max(end, found.next)
        }
        return ranges.isEmpty ? text : masking(b, ranges)
    }

    /// `b` with each range (ascending, disjoint) replaced by `***`.
    static func masking(_ b: [UInt8], _ ranges: [Range<Int>]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(b.count)
        var copied = 0
        for r in ranges {
            out.append(contentsOf: b[copied..<r.lowerBound])
            out.append(contentsOf: stars)
            copied = r.upperBound
        }
        out.append(contentsOf: b[copied...])
        return String(decoding: out, as: UTF8.self)
    }
}

// MARK: - KeyValue

/// `key=value`, `key: value`, `"key": "value"` where the key names a secret, in one pass: a
/// key is a whole run of key characters, so no run is scanned twice.
///
/// After the key: an optional closing quote, blanks, `=` or `:`, blanks. A quoted value is
/// masked to its closing quote (spaces included, `\"` skipped) or to the end of the line; an
/// unquoted one to a blank, quote, `,`, `;` or `&`. A value starting with `{` or `[` (an object,
/// not a secret) or with `***` is left. With `:`, a plural or past key (`ExternalSecrets:`,
/// `passed:`) is prose, not a field; a key ending in `ss` (`PAPERLESS_DBPASS:`) is a field.
enum KeyValue {
    static func mask(_ text: String) -> String {
        KeyCharacters.maskAfterKeys(text) { b, end, folded in
            guard Redactor.namesSecret(folded), let value = value(b, after: end, colonAllowed: !isProse(folded)) else { return nil }
            return (value, value.upperBound)
        }
    }

    private static func isProse(_ key: [UInt8]) -> Bool {
        guard let last = key.last else { return false }
        let beforeLast = key.count >= 2 ? key[key.count - 2] : 0
        if last == UInt8(ascii: "s") { return beforeLast != UInt8(ascii: "s") }
        return last == UInt8(ascii: "d") && beforeLast == UInt8(ascii: "e")
    }

    private static func value(_ b: [UInt8], after end: Int, colonAllowed: Bool) -> Range<Int>? {
        var k = end
        if k < b.count, KeyCharacters.isQuote(b[k]) { k += 1 }
        while k < b.count, KeyCharacters.isBlank(b[k]) { k += 1 }
        guard k < b.count, b[k] == UInt8(ascii: "=") || (colonAllowed && b[k] == UInt8(ascii: ":")) else { return nil }
        k += 1
        while k < b.count, KeyCharacters.isBlank(b[k]) { k += 1 }
        guard k < b.count else { return nil }
        let range: Range<Int>
        if KeyCharacters.isQuote(b[k]) {
            range = KeyCharacters.quoted(b, k)
        } else {
            guard b[k] != UInt8(ascii: "{"), b[k] != UInt8(ascii: "[") else { return nil }
            var e = k
            while e < b.count, !endsValue(b[e]) { e += 1 }
            range = k..<e
        }
        guard !range.isEmpty, !KeyCharacters.startsWithMask(b, range.lowerBound) else { return nil }
        return range
    }

    private static func endsValue(_ c: UInt8) -> Bool {
        switch c {
        case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"), 0x0B, 0x0C,
             UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "&"):
            return true
        default:
            return false
        }
    }
}

// MARK: - EnvPair

/// A Kubernetes env entry whose name says secret, given a literal value:
/// `{"name": "RESTIC_PASSWORD", "value": "…"}` (one line or pretty-printed) and
/// `- name: RESTIC_PASSWORD` / `value: …` in YAML. The value is masked to its closing quote, or
/// unquoted to the end of its line.
enum EnvPair {
    private static let nameKey = Array("name".utf8)
    private static let valueKey = Array("value".utf8)

    static func mask(_ text: String) -> String {
        KeyCharacters.maskAfterKeys(text) { b, end, folded in
            guard folded == nameKey, let name = field(b, after: end) else { return nil }
            _ = KeyCharacters.run(b, from: name.range.lowerBound, into: &folded)
            guard Redactor.namesSecret(folded) else { return nil }
            var k = name.next
            while k < b.count, isSpace(b[k]) { k += 1 }
            if k < b.count, b[k] == UInt8(ascii: ",") { k += 1 }
            while k < b.count, isSpace(b[k]) { k += 1 }
            if k < b.count, KeyCharacters.isQuote(b[k]) { k += 1 }
            guard k < b.count, KeyCharacters.at(b, k) != nil else { return nil }
            let keyEnd = KeyCharacters.run(b, from: k, into: &folded)
            guard folded == valueKey, let value = field(b, after: keyEnd),
                  !value.range.isEmpty, !KeyCharacters.startsWithMask(b, value.range.lowerBound) else { return nil }
            return (value.range, value.next)
        }
    }

    /// After a key: an optional closing quote, blanks, `:`, blanks, then the value: quoted, or to the end of the line.
    private static func field(_ b: [UInt8], after end: Int) -> (range: Range<Int>, next: Int)? {
        var k = end
        if k < b.count, KeyCharacters.isQuote(b[k]) { k += 1 }
        while k < b.count, KeyCharacters.isBlank(b[k]) { k += 1 }
        guard k < b.count, b[k] == UInt8(ascii: ":") else { return nil }
        k += 1
        while k < b.count, KeyCharacters.isBlank(b[k]) { k += 1 }
        guard k < b.count else { return nil }
        if KeyCharacters.isQuote(b[k]) {
            let r = KeyCharacters.quoted(b, k)
            return (r, min(b.count, r.upperBound + 1))
        }
        var e = k
        while e < b.count, b[e] != UInt8(ascii: "\n"), b[e] != UInt8(ascii: "\r") { e += 1 }
        var trimmed = e
        while trimmed > k, KeyCharacters.isBlank(b[trimmed - 1]) { trimmed -= 1 }
        return (k..<trimmed, e)
    }

    private static func isSpace(_ c: UInt8) -> Bool {
        KeyCharacters.isBlank(c) || c == UInt8(ascii: "\n") || c == UInt8(ascii: "\r")
    }
}

// MARK: - PEMBlock

/// `-----BEGIN … PRIVATE KEY-----` to `-----END …`: the body is masked, across lines or with
/// literal `\n` in one line; without an END (a cut line), to the end of the text.
enum PEMBlock {
    private static let begin = Array("-----BEGIN ".utf8)
    private static let end = Array("-----END ".utf8)
    private static let dashes = Array("-----".utf8)
    private static let privateKey = Array("PRIVATE KEY".utf8)

    static func mask(_ text: String) -> String {
        let b = Array(text.utf8)
        var ranges: [Range<Int>] = []
        var i = 0
        while let start = find(b, begin, from: i) {
            let lineEnd = b[(start + begin.count)...].firstIndex(of: UInt8(ascii: "\n")) ?? b.count
            guard let close = find(b, dashes, from: start + begin.count, until: lineEnd),
                  find(b, privateKey, from: start + begin.count, until: close) != nil else { i = start + begin.count; continue }
            let bodyStart = close + dashes.count
            let bodyEnd = find(b, end, from: bodyStart) ?? b.count
            var lo = bodyStart, hi = bodyEnd
            while lo < hi, isSpace(b[lo]) { lo += 1 }
            while hi > lo, isSpace(b[hi - 1]) { hi -= 1 }
            if lo < hi, !KeyCharacters.startsWithMask(b, lo) { ranges.append(lo..<hi) }
            i = max(bodyEnd, bodyStart)
            if i >= b.count { break }
        }
        return ranges.isEmpty ? text : KeyCharacters.masking(b, ranges)
    }

    private static func isSpace(_ c: UInt8) -> Bool {
        KeyCharacters.isBlank(c) || c == UInt8(ascii: "\n") || c == UInt8(ascii: "\r")
    }

    /// The first `needle` starting in `from..<until` (naive: the needles are short).
    static func find(_ b: [UInt8], _ needle: [UInt8], from: Int, until: Int? = nil) -> Int? {
        let last = min(until ?? b.count, b.count) - needle.count
        guard from <= last else { return nil }
        var i = from
        while i <= last {
            if b[i] == needle[0] {
                var k = 1
                while k < needle.count, b[i + k] == needle[k] { k += 1 }
                if k == needle.count { return i }
            }
            i += 1
        }
        return nil
    }
}

// MARK: - LineCap

/// Cuts each line of a text to a number of UTF-8 bytes (at a character boundary), ending a cut
/// line with ` … [cut N bytes]` (after a space, so a masked value before it ends there): what is redacted, shown and kept is bounded, and the reader sees
/// that something was left out.
public enum LineCap {
    public static func cap(_ text: String, limit: Int) -> String {
        guard text.utf8.count > limit else { return text }
        var copy = text
        return copy.withUTF8 { b in
            var out: [UInt8] = []
            var changed = false
            var start = 0
            while start <= b.count {
                var end = start
                while end < b.count, b[end] != UInt8(ascii: "\n") { end += 1 }
                if end - start > limit {
                    var cut = start + max(0, limit)
                    while cut > start, b[cut] & 0xC0 == 0x80 { cut -= 1 }
                    out.append(contentsOf: b[start..<cut])
                    out.append(contentsOf: (" " + mark(end - cut)).utf8)
                    changed = true
                } else {
                    out.append(contentsOf: b[start..<end])
                }
                if end < b.count { out.append(UInt8(ascii: "\n")) }
                start = end + 1
            }
            return changed ? String(decoding: out, as: UTF8.self) : text
        }
    }

    /// The truncation mark for `bytes` cut bytes.
    public static func mark(_ bytes: Int) -> String { "… [cut \(bytes) bytes]" }
}

// MARK: - URLUserinfo

/// The two URL userinfo rules on UTF-8 bytes, exactly as their expressions match:
/// `([A-Za-z][A-Za-z0-9+.\-]*://)([^\s/@:'"]*):(?![0-9]*/)([^\s'"]+)@` → `$1$2:***@` (the password
/// runs to the last `@` before a blank or quote, unless it starts like a port and a path), then on that result
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
            var digits = secret
            while digits < b.count, b[digits] >= UInt8(ascii: "0"), b[digits] <= UInt8(ascii: "9") { digits += 1 }
            if digits < b.count, b[digits] == UInt8(ascii: "/") { i = sep + 1; continue }
            k = secret
            var lastAt = -1
            while k < b.count, !endsPassword(b, k) {
                if b[k] == UInt8(ascii: "@") { lastAt = k }
                k += utf8Length(b[k])
            }
            guard lastAt > secret else { i = sep + 1; continue }
            b.replaceSubrange(secret..<lastAt, with: stars)
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

    /// Whether the character at `i` ends a password: `\s` and quotes.
    private static func endsPassword(_ b: [UInt8], _ i: Int) -> Bool {
        switch b[i] {
        case UInt8(ascii: "\t"), UInt8(ascii: "\n"), 0x0C, UInt8(ascii: "\r"), UInt8(ascii: " "), UInt8(ascii: "'"), UInt8(ascii: "\""):
            return true
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
