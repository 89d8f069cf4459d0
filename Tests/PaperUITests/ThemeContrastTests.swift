import Foundation
import Testing
@testable import PaperTerminal
@testable import PaperUI

/// Every bundled theme is readable whatever the terminal's own colours: each role's text against the
/// background it is drawn on reaches WCAG 2.x's 4.5:1, borders 3:1, on a dark and on a light terminal,
/// with exact colours (direct colour) and with the 256 colours most terminals get.
///
/// Colour numbers are turned into RGB with xterm's default palette (0–15 as xterm ships them, the
/// 6×6×6 cube 16–231 with levels 0, 95, 135, 175, 215, 255, the grey ramp 232–255 from 8 in steps
/// of 10). Real terminals let users change these, so this proves readability on the standard
/// palette, not on every configured one. 8- and 16-colour terminals are not checked: their
/// nearest-colour mapping is too coarse (see README).
@Suite struct ThemeContrastTests {
    /// A terminal's own default colours: what a cell without a theme colour shows.
    struct Terminal: CustomStringConvertible, Sendable {
        var name: String
        var fg: RGB
        var bg: RGB
        var description: String { name }
    }

    static let terminals = [
        Terminal(name: "dark terminal (light grey on black)", fg: RGB(0xe5, 0xe5, 0xe5), bg: RGB(0, 0, 0)),
        Terminal(name: "light terminal (black on white)", fg: RGB(0, 0, 0), bg: RGB(0xff, 0xff, 0xff)),
    ]

    /// xterm's default colour for a colour number.
    static func xtermPalette(_ n: Int) -> RGB {
        let basic: [RGB] = [
            RGB(0x00, 0x00, 0x00), RGB(0xcd, 0x00, 0x00), RGB(0x00, 0xcd, 0x00), RGB(0xcd, 0xcd, 0x00),
            RGB(0x00, 0x00, 0xee), RGB(0xcd, 0x00, 0xcd), RGB(0x00, 0xcd, 0xcd), RGB(0xe5, 0xe5, 0xe5),
            RGB(0x7f, 0x7f, 0x7f), RGB(0xff, 0x00, 0x00), RGB(0x00, 0xff, 0x00), RGB(0xff, 0xff, 0x00),
            RGB(0x5c, 0x5c, 0xff), RGB(0xff, 0x00, 0xff), RGB(0x00, 0xff, 0xff), RGB(0xff, 0xff, 0xff),
        ]
        if n < 16 { return basic[max(0, n)] }
        if n < 232 {
            let levels: [UInt8] = [0, 95, 135, 175, 215, 255]
            let i = n - 16
            return RGB(levels[i / 36], levels[i / 6 % 6], levels[i % 6])
        }
        let grey = UInt8(8 + (n - 232) * 10)
        return RGB(grey, grey, grey)
    }

    /// What the terminal shows for a theme colour in a colour mode; nil: the terminal's default.
    static func shown(_ rgb: RGB?, _ mode: ColorMode) -> RGB? {
        let n = Int(mode.index(rgb))
        guard n >= 0 else { return nil }
        switch mode {
        case .direct: return RGB(UInt8(n >> 16 & 0xff), UInt8(n >> 8 & 0xff), UInt8(n & 0xff))
        default: return xtermPalette(n)
        }
    }

    /// WCAG 2.x relative luminance and contrast ratio.
    static func luminance(_ c: RGB) -> Double {
        func channel(_ v: UInt8) -> Double {
            let s = Double(v) / 255
            return s <= 0.03928 ? s / 12.92 : pow((s + 0.055) / 1.055, 2.4)
        }
        return 0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b)
    }

    static func contrast(_ a: RGB, _ b: RGB) -> Double {
        let (la, lb) = (luminance(a), luminance(b))
        return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)
    }

    /// The colours a role's cells really get: the theme's, else the terminal's; reverse swaps them;
    /// dim is taken as half way to the background (what common terminals draw).
    static func effective(_ style: Style, on terminal: Terminal, mode: ColorMode) -> (fg: RGB, bg: RGB) {
        var fg = shown(style.fg, mode) ?? terminal.fg
        var bg = shown(style.bg, mode) ?? terminal.bg
        if style.reverse { swap(&fg, &bg) }
        if style.dim {
            fg = RGB(UInt8((Int(fg.r) + Int(bg.r)) / 2), UInt8((Int(fg.g) + Int(bg.g)) / 2), UInt8((Int(fg.b) + Int(bg.b)) / 2))
        }
        return (fg, bg)
    }

    /// Borders (lines, not letters) need 3:1; every other role is text (verdict words, bars drawn in
    /// verdict colours, titles, hints, banners) and needs 4.5:1.
    static func required(_ role: Role) -> Double { role == .border ? 3 : 4.5 }

    @Test func everyBundledThemeLoads() {
        #expect(Theme.bundled.map(\.name) == BundledThemes.order)
    }

    @Test(arguments: terminals, [ColorMode.direct, .xterm256])
    func everyBundledThemeIsReadable(on terminal: Terminal, mode: ColorMode) {
        var failures: [String] = []
        for theme in Theme.bundled {
            for role in Role.allCases {
                let (fg, bg) = Self.effective(theme.style(role), on: terminal, mode: mode)
                let ratio = Self.contrast(fg, bg)
                if ratio < Self.required(role) {
                    failures.append("\(theme.name).\(role.rawValue): \(fg) on \(bg) is \((ratio * 100).rounded() / 100):1, needs \(Self.required(role)):1")
                }
            }
        }
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
    }

    /// The rule: a theme with colours paints its own background under every cell; only a theme with
    /// no colours at all (monochrome) follows the terminal's.
    @Test func colourThemesPaintTheirBackgroundAndOnlyColourlessOnesFollowTheTerminal() {
        for theme in Theme.bundled {
            let coloured = Role.allCases.contains { theme.style($0).fg != nil || theme.style($0).bg != nil }
            if theme.background == nil {
                #expect(!coloured, "\(theme.name) follows the terminal's background but sets colours")
            } else {
                for role in Role.allCases {
                    #expect(theme.style(role).fg != nil && theme.style(role).bg != nil, "\(theme.name).\(role.rawValue) leaves a colour to the terminal")
                }
            }
        }
    }

    /// The report that started this: `t` on a dark terminal switched to `light`, whose near-black
    /// text had no background of its own.
    @Test func lightPaintsItsOwnWhiteBackground() throws {
        let light = try Theme.load(nameOrPath: "light") { _ in nil }
        #expect(light.background == RGB(0xff, 0xff, 0xff))
        let dark = Self.terminals[0]
        let (fg, bg) = Self.effective(light.style(.text), on: dark, mode: .xterm256)
        #expect(bg == RGB(0xff, 0xff, 0xff))
        #expect(Self.contrast(fg, bg) >= 4.5)
    }

    @Test func theContrastFormulaMatchesWCAG() {
        #expect(abs(Self.contrast(RGB(0, 0, 0), RGB(255, 255, 255)) - 21) < 0.01)
        #expect(abs(Self.contrast(RGB(0x76, 0x76, 0x76), RGB(255, 255, 255)) - 4.54) < 0.01)
        #expect(Self.xtermPalette(196) == RGB(255, 0, 0))
        #expect(Self.xtermPalette(244) == RGB(128, 128, 128))
    }
}
