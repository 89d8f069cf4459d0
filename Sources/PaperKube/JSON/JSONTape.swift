import Foundation

// MARK: - JSONTape

/// A JSON document scanned once into a flat array of nodes ("tape"), for fast decoding.
///
/// `kubectl get -o json` output for a busy namespace runs to megabytes, and Foundation's
/// `JSONDecoder` builds a dictionary with a `String` for every key of every object it opens.
/// The tape keeps byte ranges instead: keys are compared byte by byte and strings are only
/// materialised when a model asks for them. Each node records where its subtree ends, so
/// skipping an unwanted value is one index jump.
public final class JSONTape: @unchecked Sendable {
    /// The kind of a node.
    enum Kind: UInt8 {
        case object, array, string, number, `true`, `false`, null
    }

    /// One value. For containers, `count` is the number of children (object: key/value pairs,
    /// each key a string node followed by its value). `next` is the index after the subtree.
    struct Node {
        var kind: Kind
        /// String: content without quotes; number: the literal; containers: unused.
        var start: Int32
        var end: Int32
        var next: Int32
        var count: Int32
        /// A string that contains backslash escapes.
        var escaped: Bool
    }

    /// Why the text is not JSON, with the byte offset.
    public struct SyntaxError: Error, Sendable, CustomStringConvertible {
        public let offset: Int
        public let reason: String
        public var description: String { "invalid JSON at byte \(offset): \(reason)" }
    }

    let bytes: [UInt8]
    /// Immutable after `init`, so reads need no exclusivity checks.
    let nodes: [Node]

    /// Scans `data`; throws `SyntaxError` for anything that is not a single JSON value.
    public init(_ data: Data) throws {
        guard data.count < Int(Int32.max) else { throw SyntaxError(offset: 0, reason: "document larger than 2 GiB") }
        let bytes = [UInt8](data)
        var nodes: [Node] = []
        nodes.reserveCapacity(bytes.count / 8)
        var parser = Parser(bytes: bytes)
        try parser.parseDocument(into: &nodes)
        self.bytes = bytes
        self.nodes = nodes
    }

    // MARK: - Access

    /// The string value of node `index` (unescaping when needed).
    func string(at index: Int) -> String {
        let node = nodes[index]
        let range = Int(node.start)..<Int(node.end)
        if !node.escaped { return String(decoding: bytes[range], as: UTF8.self) }
        return Self.unescape(bytes[range])
    }

    /// True when string node `index` equals `key`, compared as UTF-8 without allocating.
    func stringEquals(_ index: Int, _ key: String) -> Bool {
        let node = nodes[index]
        if node.escaped { return string(at: index) == key }
        var position = Int(node.start)
        let end = Int(node.end)
        for byte in key.utf8 {
            guard position < end, bytes[position] == byte else { return false }
            position += 1
        }
        return position == end
    }

    /// The number literal of node `index` as text.
    func literal(at index: Int) -> Substring {
        let node = nodes[index]
        return Substring(String(decoding: bytes[Int(node.start)..<Int(node.end)], as: UTF8.self))
    }

    /// An integer number node, parsed without going through `String`.
    func integer(at index: Int) -> Int64? {
        let node = nodes[index]
        var position = Int(node.start)
        let end = Int(node.end)
        var negative = false
        if position < end, bytes[position] == UInt8(ascii: "-") {
            negative = true
            position += 1
        }
        guard position < end else { return nil }
        var value: Int64 = 0
        while position < end {
            let byte = bytes[position]
            guard byte >= 48, byte <= 57 else { return nil }
            let (times, o1) = value.multipliedReportingOverflow(by: 10)
            let (plus, o2) = times.addingReportingOverflow(Int64(byte - 48))
            guard !o1, !o2 else { return nil }
            value = plus
            position += 1
        }
        return negative ? -value : value
    }

    /// The node index of the value for `key` in object node `object`, or `nil`.
    func value(forKey key: String, inObject object: Int) -> Int? {
        let node = nodes[object]
        var child = object + 1
        for _ in 0..<node.count {
            let valueIndex = child + 1
            if stringEquals(child, key) { return valueIndex }
            child = Int(nodes[valueIndex].next)
        }
        return nil
    }

    static func unescape(_ slice: ArraySlice<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(slice.count)
        var i = slice.startIndex
        while i < slice.endIndex {
            let byte = slice[i]
            guard byte == UInt8(ascii: "\\"), i + 1 < slice.endIndex else {
                out.append(byte)
                i += 1
                continue
            }
            let esc = slice[i + 1]
            i += 2
            switch esc {
            case UInt8(ascii: "n"): out.append(10)
            case UInt8(ascii: "t"): out.append(9)
            case UInt8(ascii: "r"): out.append(13)
            case UInt8(ascii: "b"): out.append(8)
            case UInt8(ascii: "f"): out.append(12)
            case UInt8(ascii: "u"):
                var scalar = hex4(slice, i)
                i += 4
                if let high = scalar, (0xD800...0xDBFF).contains(high), i + 6 <= slice.endIndex,
                   slice[i] == UInt8(ascii: "\\"), slice[i + 1] == UInt8(ascii: "u"),
                   let low = hex4(slice, i + 2), (0xDC00...0xDFFF).contains(low) {
                    scalar = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
                    i += 6
                }
                let char = scalar.flatMap(Unicode.Scalar.init) ?? "\u{FFFD}"
                out.append(contentsOf: Array(String(Character(char)).utf8))
            default: out.append(esc)  // \" \\ \/
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func hex4(_ slice: ArraySlice<UInt8>, _ at: Int) -> UInt32? {
        guard at + 4 <= slice.endIndex else { return nil }
        var value: UInt32 = 0
        for k in at..<(at + 4) {
            let c = slice[k]
            let digit: UInt32
            switch c {
            case 48...57: digit = UInt32(c - 48)
            case 65...70: digit = UInt32(c - 55)
            case 97...102: digit = UInt32(c - 87)
            default: return nil
            }
            value = value << 4 | digit
        }
        return value
    }
}

// MARK: - Parser

/// A recursive-descent scanner that appends nodes in document order.
private struct Parser {
    let bytes: [UInt8]
    var position = 0
    var depth = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    mutating func parseDocument(into nodes: inout [JSONTape.Node]) throws {
        skipSpace()
        try parseValue(into: &nodes)
        skipSpace()
        guard position == bytes.count else { throw fail("trailing characters after the JSON value") }
    }

    func fail(_ reason: String) -> JSONTape.SyntaxError { JSONTape.SyntaxError(offset: position, reason: reason) }

    mutating func skipSpace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x0A, 0x0D, 0x09: position += 1
            default: return
            }
        }
    }

    mutating func parseValue(into nodes: inout [JSONTape.Node]) throws {
        guard position < bytes.count else { throw fail("unexpected end of input") }
        switch bytes[position] {
        case UInt8(ascii: "{"): try parseObject(into: &nodes)
        case UInt8(ascii: "["): try parseArray(into: &nodes)
        case UInt8(ascii: "\""): try parseString(into: &nodes)
        case UInt8(ascii: "t"): try literal("true", .true, into: &nodes)
        case UInt8(ascii: "f"): try literal("false", .false, into: &nodes)
        case UInt8(ascii: "n"): try literal("null", .null, into: &nodes)
        case UInt8(ascii: "-"), 48...57: try parseNumber(into: &nodes)
        default: throw fail("unexpected character")
        }
    }

    mutating func literal(_ word: StaticString, _ kind: JSONTape.Kind, into nodes: inout [JSONTape.Node]) throws {
        let length = word.utf8CodeUnitCount
        guard position + length <= bytes.count else { throw fail("unexpected end of input") }
        let matches = word.withUTF8Buffer { buffer in
            (0..<length).allSatisfy { bytes[position + $0] == buffer[$0] }
        }
        guard matches else { throw fail("invalid literal") }
        let start = Int32(position)
        position += length
        nodes.append(.init(kind: kind, start: start, end: Int32(position), next: Int32(nodes.count + 1), count: 0, escaped: false))
    }

    mutating func parseNumber(into nodes: inout [JSONTape.Node]) throws {
        let start = position
        if bytes[position] == UInt8(ascii: "-") { position += 1 }
        var digits = 0
        while position < bytes.count {
            let c = bytes[position]
            if (48...57).contains(c) || c == UInt8(ascii: ".") || c == UInt8(ascii: "e") || c == UInt8(ascii: "E")
                || ((c == UInt8(ascii: "+") || c == UInt8(ascii: "-")) && position > start && (bytes[position - 1] | 0x20) == UInt8(ascii: "e")) {
                if (48...57).contains(c) { digits += 1 }
                position += 1
            } else {
                break
            }
        }
        guard digits > 0 else { throw fail("invalid number") }
        nodes.append(.init(kind: .number, start: Int32(start), end: Int32(position), next: Int32(nodes.count + 1), count: 0, escaped: false))
    }

    mutating func parseString(into nodes: inout [JSONTape.Node]) throws {
        position += 1  // opening quote
        let start = position
        var escaped = false
        while position < bytes.count {
            let c = bytes[position]
            if c == UInt8(ascii: "\"") {
                nodes.append(.init(kind: .string, start: Int32(start), end: Int32(position), next: Int32(nodes.count + 1), count: 0, escaped: escaped))
                position += 1
                return
            }
            if c == UInt8(ascii: "\\") {
                escaped = true
                position += 2
                continue
            }
            guard c >= 0x20 else { throw fail("control character in string") }
            position += 1
        }
        throw fail("unterminated string")
    }

    mutating func parseObject(into nodes: inout [JSONTape.Node]) throws {
        depth += 1
        guard depth <= 512 else { throw fail("nesting too deep") }
        defer { depth -= 1 }
        let index = nodes.count
        nodes.append(.init(kind: .object, start: Int32(position), end: 0, next: 0, count: 0, escaped: false))
        position += 1
        skipSpace()
        var count: Int32 = 0
        if position < bytes.count, bytes[position] == UInt8(ascii: "}") {
            position += 1
        } else {
            while true {
                skipSpace()
                guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else { throw fail("expected a key string") }
                try parseString(into: &nodes)
                skipSpace()
                guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else { throw fail("expected ':'") }
                position += 1
                skipSpace()
                try parseValue(into: &nodes)
                count += 1
                skipSpace()
                guard position < bytes.count else { throw fail("unterminated object") }
                if bytes[position] == UInt8(ascii: ",") { position += 1; continue }
                if bytes[position] == UInt8(ascii: "}") { position += 1; break }
                throw fail("expected ',' or '}'")
            }
        }
        nodes[index].count = count
        nodes[index].end = Int32(position)
        nodes[index].next = Int32(nodes.count)
    }

    mutating func parseArray(into nodes: inout [JSONTape.Node]) throws {
        depth += 1
        guard depth <= 512 else { throw fail("nesting too deep") }
        defer { depth -= 1 }
        let index = nodes.count
        nodes.append(.init(kind: .array, start: Int32(position), end: 0, next: 0, count: 0, escaped: false))
        position += 1
        skipSpace()
        var count: Int32 = 0
        if position < bytes.count, bytes[position] == UInt8(ascii: "]") {
            position += 1
        } else {
            while true {
                skipSpace()
                try parseValue(into: &nodes)
                count += 1
                skipSpace()
                guard position < bytes.count else { throw fail("unterminated array") }
                if bytes[position] == UInt8(ascii: ",") { position += 1; continue }
                if bytes[position] == UInt8(ascii: "]") { position += 1; break }
                throw fail("expected ',' or ']'")
            }
        }
        nodes[index].count = count
        nodes[index].end = Int32(position)
        nodes[index].next = Int32(nodes.count)
    }
}
