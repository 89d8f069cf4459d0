import PaperDomain

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

    /// The right half of a wide character (the cell before it holds the character): a backend
    /// draws nothing for it, the text of a row leaves it out.
    public static let continuation: Character = "\u{0}"

    public var isContinuation: Bool { char == Cell.continuation }
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

    /// A cell. Writing keeps wide characters whole: overwriting either half of one blanks the other.
    public subscript(x: Int, y: Int) -> Cell {
        get { x >= 0 && y >= 0 && x < width && y < height ? cells[y * width + x] : Cell() }
        set {
            guard x >= 0 && y >= 0 && x < width && y < height else { return }
            let i = y * width + x
            if cells[i].isContinuation, !newValue.isContinuation, x > 0 { cells[i - 1].char = " " }
            if x + 1 < width, cells[i + 1].isContinuation { cells[i + 1].char = " " }
            cells[i] = newValue
        }
    }

    /// Text as cells: line breaks and tabs become spaces, other control characters their visible
    /// escapes (`TerminalText.safe`), so nothing but printable characters reaches the terminal.
    public static func cellText(_ text: String) -> String {
        let flat = text.utf8.contains { $0 == 0x0A || $0 == 0x09 || $0 == 0x0D }
            ? String(String.UnicodeScalarView(text.unicodeScalars.map { $0 == "\n" || $0 == "\t" || $0 == "\r" ? " " : $0 }))
            : text
        return TerminalText.safe(flat)
    }

    /// The columns `text` takes on the screen: wide characters two, escapes their length.
    public static func displayWidth(_ text: String) -> Int { TerminalText.width(cellText(text)) }

    /// Writes text from (x, y), clipped to the buffer and to `maxWidth` columns; returns the columns used.
    /// Control characters are shown escaped and a wide character takes two cells, so no text moves
    /// what is drawn after it; a wide character that does not fit whole is left out.
    @discardableResult
    public mutating func put(_ text: String, x: Int, y: Int, role: Role, maxWidth: Int? = nil) -> Int {
        guard y >= 0, y < height else { return 0 }
        let limit = min(width - x, maxWidth ?? Int.max)
        guard limit > 0 else { return 0 }
        var col = 0
        for ch in Self.cellText(text) {
            let w = TerminalText.width(ch)
            if col + w > limit { break }
            if x + col >= 0 {
                self[x + col, y] = Cell(ch, role)
                if w == 2 { self[x + col + 1, y] = Cell(Cell.continuation, role) }
            } else if w == 2, x + col + 1 == 0 {
                self[0, y] = Cell(" ", role)
            }
            col += w
        }
        return col
    }

    /// Writes text, ending with "…" when it does not fit.
    @discardableResult
    public mutating func putTruncated(_ text: String, x: Int, y: Int, role: Role, width w: Int, ellipsis: Character = "…") -> Int {
        guard w > 0 else { return 0 }
        if Self.displayWidth(text) <= w { return put(text, x: x, y: y, role: role, maxWidth: w) }
        let used = put(text, x: x, y: y, role: role, maxWidth: w - 1)
        put(String(ellipsis), x: x + used, y: y, role: role, maxWidth: 1)
        return used + 1
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
        (0..<height).map { y in String(cells[(y * width)..<((y + 1) * width)].filter { !$0.isContinuation }.map(\.char)) }
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
