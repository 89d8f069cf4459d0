// MARK: - Role

/// What a cell means; the theme decides how it looks. A verdict is never carried by colour alone.
public enum Role: String, Sendable, CaseIterable, Hashable {
    case text, muted, border, focus, title, header, selection
    case ok, warn, critical, unknown
    case keyHint = "key_hint"
    case logError = "log_error"
    case logWarn = "log_warn"
    case banner, production
}

// MARK: - Cell

/// One character cell of the screen.
public struct Cell: Sendable, Equatable {
    public var char: Character
    public var role: Role

    public init(_ char: Character = " ", _ role: Role = .text) {
        self.char = char
        self.role = role
    }
}

// MARK: - ScreenBuffer

/// An in-memory grid of cells: views render here, a backend copies it to a terminal, tests read it as text.
public struct ScreenBuffer: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public private(set) var cells: [Cell]

    public init(width: Int, height: Int) {
        self.width = max(0, width)
        self.height = max(0, height)
        cells = Array(repeating: Cell(), count: self.width * self.height)
    }

    public subscript(x: Int, y: Int) -> Cell {
        get { x >= 0 && y >= 0 && x < width && y < height ? cells[y * width + x] : Cell() }
        set { if x >= 0 && y >= 0 && x < width && y < height { cells[y * width + x] = newValue } }
    }

    /// Writes text from (x, y), clipped to the buffer and to `maxWidth` columns; returns the columns used.
    @discardableResult
    public mutating func put(_ text: String, x: Int, y: Int, role: Role, maxWidth: Int? = nil) -> Int {
        guard y >= 0, y < height else { return 0 }
        let limit = min(width - x, maxWidth ?? Int.max)
        guard limit > 0 else { return 0 }
        var col = 0
        for ch in text {
            if col >= limit { break }
            let c: Character = (ch == "\n" || ch == "\t" || ch == "\r") ? " " : ch
            if x + col >= 0 { self[x + col, y] = Cell(c, role) }
            col += 1
        }
        return col
    }

    /// Writes text, ending with "…" when it does not fit.
    @discardableResult
    public mutating func putTruncated(_ text: String, x: Int, y: Int, role: Role, width w: Int, ellipsis: Character = "…") -> Int {
        guard w > 0 else { return 0 }
        if text.count <= w { return put(text, x: x, y: y, role: role, maxWidth: w) }
        put(String(text.prefix(max(0, w - 1))), x: x, y: y, role: role, maxWidth: w)
        put(String(ellipsis), x: x + w - 1, y: y, role: role, maxWidth: 1)
        return w
    }

    public mutating func fill(x: Int, y: Int, width w: Int, height h: Int, char: Character = " ", role: Role = .text) {
        guard w > 0, h > 0 else { return }
        for row in max(0, y)..<min(height, y + h) {
            for col in max(0, x)..<min(width, x + w) { self[col, row] = Cell(char, role) }
        }
    }

    /// Draws a frame with an optional title in its top edge.
    public mutating func box(x: Int, y: Int, width w: Int, height h: Int, role: Role, glyphs: Glyphs) {
        guard w >= 2, h >= 2 else { return }
        for col in (x + 1)..<(x + w - 1) {
            self[col, y] = Cell(glyphs.horizontal, role)
            self[col, y + h - 1] = Cell(glyphs.horizontal, role)
        }
        for row in (y + 1)..<(y + h - 1) {
            self[x, row] = Cell(glyphs.vertical, role)
            self[x + w - 1, row] = Cell(glyphs.vertical, role)
        }
        self[x, y] = Cell(glyphs.topLeft, role)
        self[x + w - 1, y] = Cell(glyphs.topRight, role)
        self[x, y + h - 1] = Cell(glyphs.bottomLeft, role)
        self[x + w - 1, y + h - 1] = Cell(glyphs.bottomRight, role)
    }

    /// The text of each row (trailing spaces kept), for tests and the `TERM=dumb` fallback.
    public var lines: [String] {
        (0..<height).map { y in String(cells[(y * width)..<((y + 1) * width)].map(\.char)) }
    }

    /// All text, rows joined by newlines, trailing spaces trimmed.
    public var text: String {
        lines.map { line in
            var s = Substring(line)
            while s.last == " " { s.removeLast() }
            return String(s)
        }.joined(separator: "\n")
    }

    /// Positions of cells that differ from `other` (same size), row-major: the backend flushes only these.
    public func changedRuns(since other: ScreenBuffer?) -> [(y: Int, x: Int, length: Int)] {
        guard let other, other.width == width, other.height == height else {
            return (0..<height).map { (y: $0, x: 0, length: width) }
        }
        var runs: [(y: Int, x: Int, length: Int)] = []
        for y in 0..<height {
            var x = 0
            while x < width {
                if cells[y * width + x] != other.cells[y * width + x] {
                    let start = x
                    while x < width, cells[y * width + x] != other.cells[y * width + x] { x += 1 }
                    runs.append((y, start, x - start))
                } else {
                    x += 1
                }
            }
        }
        return runs
    }
}

// MARK: - Glyphs

/// Box and verdict symbols: Unicode for UTF-8 terminals, ASCII otherwise.
public struct Glyphs: Sendable, Equatable {
    public var horizontal: Character
    public var vertical: Character
    public var topLeft: Character
    public var topRight: Character
    public var bottomLeft: Character
    public var bottomRight: Character
    public var barFull: Character
    public var barEmpty: Character
    public var ellipsis: Character
    public var ok: String
    public var warn: String
    public var critical: String
    public var unknown: String

    public static let unicode = Glyphs(horizontal: "─", vertical: "│", topLeft: "┌", topRight: "┐", bottomLeft: "└", bottomRight: "┘",
                                       barFull: "█", barEmpty: "░", ellipsis: "…", ok: "✔", warn: "▲", critical: "✖", unknown: "?")
    public static let ascii = Glyphs(horizontal: "-", vertical: "|", topLeft: "+", topRight: "+", bottomLeft: "+", bottomRight: "+",
                                     barFull: "#", barEmpty: ".", ellipsis: "~", ok: "+", warn: "!", critical: "X", unknown: "?")
}
