import Yams

// MARK: - RGB

/// A 24-bit colour.
public struct RGB: Sendable, Equatable, Hashable {
    public var r: UInt8
    public var g: UInt8
    public var b: UInt8

    public init(_ r: UInt8, _ g: UInt8, _ b: UInt8) {
        self.r = r
        self.g = g
        self.b = b
    }

    /// `#rrggbb`
    public init?(hex: String) {
        // Exactly six hex digits: UInt32(_:radix:) alone would take a sign ("#+fffff", "#-00001").
        let digits = hex.utf8.dropFirst()
        guard hex.utf8.count == 7, hex.first == "#", digits.allSatisfy({ (48...57).contains($0) || (65...70).contains($0) || (97...102).contains($0) }),
              let v = UInt32(String(decoding: digits, as: UTF8.self), radix: 16) else { return nil }
        self.init(UInt8(v >> 16 & 0xff), UInt8(v >> 8 & 0xff), UInt8(v & 0xff))
    }

    /// The nearest colour of the xterm 256-colour cube or grey ramp.
    public var xterm256: Int {
        func level(_ c: UInt8) -> Int { c < 48 ? 0 : c < 115 ? 1 : (Int(c) - 35) / 40 }
        let (ri, gi, bi) = (level(r), level(g), level(b))
        let steps = [0, 95, 135, 175, 215, 255]
        let cube = 16 + 36 * ri + 6 * gi + bi
        let cubeColor = (steps[ri], steps[gi], steps[bi])
        let avg = (Int(r) + Int(g) + Int(b)) / 3
        let greyIndex = avg > 238 ? 23 : max(0, (avg - 3) / 10)
        let grey = 8 + greyIndex * 10
        func dist(_ c: (Int, Int, Int)) -> Int {
            (c.0 - Int(r)) * (c.0 - Int(r)) + (c.1 - Int(g)) * (c.1 - Int(g)) + (c.2 - Int(b)) * (c.2 - Int(b))
        }
        return dist((grey, grey, grey)) < dist(cubeColor) ? 232 + greyIndex : cube
    }

    /// The nearest of the 8 basic ANSI colours (0 black … 7 white), bright ones as 8–15 when allowed.
    public func ansi(bright: Bool) -> Int {
        let bits = (r > 127 ? 1 : 0) | (g > 127 ? 2 : 0) | (b > 127 ? 4 : 0)
        let lum = (Int(r) + Int(g) + Int(b)) / 3
        if bright && lum > 200 && bits != 0 { return bits + 8 }
        return bits
    }
}

// MARK: - Style

/// How one role looks.
public struct Style: Sendable, Equatable, Hashable {
    public var fg: RGB?
    public var bg: RGB?
    public var bold = false
    public var reverse = false
    public var underline = false
    public var dim = false

    public init(fg: RGB? = nil, bg: RGB? = nil, bold: Bool = false, reverse: Bool = false, underline: Bool = false, dim: Bool = false) {
        self.fg = fg
        self.bg = bg
        self.bold = bold
        self.reverse = reverse
        self.underline = underline
        self.dim = dim
    }
}

// MARK: - Theme

/// A palette mapped onto semantic roles, loaded from a YAML file in `themes/`.
///
/// A theme either paints its own background (`background: <colour>`: every cell gets it unless its
/// role sets another, and a role without a foreground takes `text`'s), so it reads the same on a dark
/// and a light terminal, or follows the terminal's (`background: terminal`, the default when the key
/// is absent): cells without a colour show the terminal's own foreground and background.
public struct Theme: Sendable, Equatable {
    public var name: String
    public var styles: [Role: Style]
    /// The background painted under every cell; nil when the theme follows the terminal's.
    public var background: RGB? = nil

    public func style(_ role: Role) -> Style { styles[role] ?? Style() }

    /// Why a theme file was refused: the file, the key and the reason.
    public struct LoadError: Error, Sendable, Equatable, CustomStringConvertible {
        public let file: String
        public let key: String
        public let reason: String
        public var description: String { "\(file): \(key): \(reason)" }
    }

    /// Parses a theme. Every role must be known; missing roles fall back to the default theme's.
    public static func parse(_ yaml: String, file: String) throws(LoadError) -> Theme {
        let node: Node?
        do { node = try Yams.compose(yaml: yaml) } catch {
            throw LoadError(file: file, key: "(document)", reason: "not valid YAML: \(error)")
        }
        guard let root = node?.mapping else { throw LoadError(file: file, key: "(document)", reason: "expected a mapping with name, palette and roles") }
        for (k, _) in root {
            guard let key = k.string, ["name", "background", "palette", "roles"].contains(key) else {
                throw LoadError(file: file, key: k.string ?? "?", reason: "unknown key (expected name, background, palette, roles)")
            }
        }
        guard let name = root["name"]?.string, !name.isEmpty else { throw LoadError(file: file, key: "name", reason: "required, a non-empty string") }
        var palette: [String: RGB] = [:]
        if let p = root["palette"] {
            guard let map = p.mapping else { throw LoadError(file: file, key: "palette", reason: "expected a mapping of name: \"#rrggbb\"") }
            for (k, v) in map {
                let key = k.string ?? "?"
                guard let hex = v.string, let rgb = RGB(hex: hex) else {
                    throw LoadError(file: file, key: "palette.\(key)", reason: "expected a colour \"#rrggbb\", got \(v.string ?? "a non-string")")
                }
                palette[key] = rgb
            }
        }
        var background: RGB?
        if let b = root["background"] {
            guard let text = b.string else {
                throw LoadError(file: file, key: "background", reason: "expected terminal, a palette name or \"#rrggbb\"")
            }
            if text != "terminal" {
                guard let c = palette[text] ?? RGB(hex: text) else {
                    throw LoadError(file: file, key: "background", reason: "\"\(text)\" is not terminal, not in the palette and not a \"#rrggbb\" colour")
                }
                background = c
            }
        }
        var styles = Theme.fallback.styles
        guard let roles = root["roles"]?.mapping else { throw LoadError(file: file, key: "roles", reason: "required, a mapping of role: {fg, bg, bold, …}") }
        for (k, v) in roles {
            let key = k.string ?? "?"
            guard let role = Role(rawValue: key) else {
                throw LoadError(file: file, key: "roles.\(key)", reason: "unknown role (known: \(Role.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            guard let attrs = v.mapping else { throw LoadError(file: file, key: "roles.\(key)", reason: "expected a mapping such as { fg: red, bold: true }") }
            var style = Style()
            for (ak, av) in attrs {
                let attr = ak.string ?? "?"
                let path = "roles.\(key).\(attr)"
                switch attr {
                case "fg", "bg":
                    guard let text = av.string else { throw LoadError(file: file, key: path, reason: "expected a palette name, \"#rrggbb\" or default") }
                    let color: RGB?
                    if text == "default" {
                        color = nil
                    } else if let c = palette[text] ?? RGB(hex: text) {
                        color = c
                    } else {
                        throw LoadError(file: file, key: path, reason: "\"\(text)\" is not in the palette and not a \"#rrggbb\" colour")
                    }
                    if attr == "fg" { style.fg = color } else { style.bg = color }
                case "bold", "reverse", "underline", "dim":
                    guard let b = av.bool else { throw LoadError(file: file, key: path, reason: "expected true or false") }
                    switch attr {
                    case "bold": style.bold = b
                    case "reverse": style.reverse = b
                    case "underline": style.underline = b
                    default: style.dim = b
                    }
                default:
                    throw LoadError(file: file, key: path, reason: "unknown attribute (expected fg, bg, bold, reverse, underline, dim)")
                }
            }
            styles[role] = style
        }
        if let background {
            guard let text = styles[.text]?.fg else {
                throw LoadError(file: file, key: "roles.text.fg", reason: "required when the theme paints its background: the terminal's own text colour may be unreadable on it")
            }
            for role in Role.allCases {
                var style = styles[role] ?? Style()
                style.fg = style.fg ?? text
                style.bg = style.bg ?? background
                styles[role] = style
            }
        }
        return Theme(name: name, styles: styles, background: background)
    }

    /// Attributes only: the last resort when nothing else loads.
    public static let fallback = Theme(name: "fallback", styles: [
        .focus: Style(bold: true), .title: Style(bold: true), .header: Style(reverse: true), .selection: Style(reverse: true),
        .warn: Style(bold: true), .critical: Style(bold: true, reverse: true), .unknown: Style(underline: true),
        .banner: Style(bold: true, reverse: true), .production: Style(bold: true, reverse: true), .muted: Style(dim: true),
    ])

    /// The bundled themes in cycling order (default first).
    public static var bundled: [Theme] {
        BundledThemes.order.compactMap { name in
            BundledThemes.files[name].flatMap { try? Theme.parse($0, file: "themes/\(name).yaml") }
        }
    }

    /// A bundled theme by name, or a theme file by path.
    public static func load(nameOrPath: String, readFile: (String) -> String?) throws(LoadError) -> Theme {
        if let text = BundledThemes.files[nameOrPath] { return try parse(text, file: "themes/\(nameOrPath).yaml") }
        guard nameOrPath.contains("/") || nameOrPath.hasSuffix(".yaml") || nameOrPath.hasSuffix(".yml") else {
            throw LoadError(file: nameOrPath, key: "--theme", reason: "no bundled theme of that name (bundled: \(BundledThemes.order.joined(separator: ", "))) and not a path")
        }
        guard let text = readFile(nameOrPath) else { throw LoadError(file: nameOrPath, key: "(file)", reason: "cannot be read") }
        return try parse(text, file: nameOrPath)
    }
}
