import Foundation
import Testing
@testable import PaperUI

/// Themes are data: the files in `themes/` are the source of truth and the binary carries the same text.
@Suite struct ThemeTests {
    static var themesDirectory: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("themes").path
    }

    @Test func bundledCopiesMatchTheThemesDirectory() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.themesDirectory).filter { $0.hasSuffix(".yaml") }.sorted()
        #expect(files.count >= 5)
        #expect(Set(files.map { String($0.dropLast(5)) }) == Set(BundledThemes.files.keys), "run: bash Tests/sync-themes.sh")
        for file in files {
            let onDisk = try String(contentsOfFile: "\(Self.themesDirectory)/\(file)", encoding: .utf8)
            let name = String(file.dropLast(5))
            #expect(BundledThemes.files[name].map { $0 + "\n" } == onDisk, "themes/\(file) differs from the compiled copy; run: bash Tests/sync-themes.sh")
            #expect(throws: Never.self) { try Theme.parse(onDisk, file: "themes/\(file)") }
        }
    }

    @Test(arguments: [
        ("name: x\nroles:\n  okk: { fg: red }\n", "roles.okk", "unknown role"),
        ("name: x\npalette:\n  red: crimson\nroles: {}\n", "palette.red", "#rrggbb"),
        ("name: x\nroles:\n  ok: { fg: nope }\n", "roles.ok.fg", "not in the palette"),
        ("name: x\nroles:\n  ok: { bold: maybe }\n", "roles.ok.bold", "true or false"),
        ("name: x\ncolours: {}\nroles: {}\n", "colours", "unknown key"),
        ("roles: {}\n", "name", "required"),
        ("name: [unclosed\n", "(document)", "YAML"),
        ("name: x\nbackground: nope\nroles:\n  text: { fg: \"#000000\" }\n", "background", "not in the palette"),
        ("name: x\nbackground: [1]\nroles:\n  text: { fg: \"#000000\" }\n", "background", "terminal, a palette name"),
        ("name: x\nbackground: \"#ffffff\"\nroles:\n  ok: { fg: \"#008700\" }\n", "roles.text.fg", "paints its background"),
        // Strict hex: a sign, a space or a 0x is not a colour, though UInt32(_:radix:) would read it.
        ("name: x\npalette:\n  white: \"#+fffff\"\nroles: {}\n", "palette.white", "expected a colour \"#rrggbb\", got #+fffff"),
        ("name: x\nroles:\n  ok: { fg: \"#-00001\" }\n", "roles.ok.fg", "\"#-00001\" is not in the palette and not a \"#rrggbb\" colour"),
        ("name: x\nbackground: \"#0x1234\"\nroles:\n  text: { fg: \"#000000\" }\n", "background", "not a \"#rrggbb\" colour"),
        ("name: x\nroles:\n  ok: { fg: \"#ffffg0\" }\n", "roles.ok.fg", "not a \"#rrggbb\" colour"),
    ])
    func invalidThemesNameTheFileKeyAndReason(yaml: String, key: String, reason: String) {
        do {
            _ = try Theme.parse(yaml, file: "my.yaml")
            Issue.record("accepted an invalid theme")
        } catch {
            #expect(error.file == "my.yaml")
            #expect(error.key == key)
            #expect(error.description.contains(reason), "\(error.description)")
        }
    }

    @Test func loadByNameOrPath() throws {
        #expect(try Theme.load(nameOrPath: "light") { _ in nil }.name == "light")
        #expect(throws: Theme.LoadError.self) { try Theme.load(nameOrPath: "nonexistent") { _ in nil } }
        let custom = try Theme.load(nameOrPath: "/x/mine.yaml") { _ in "name: mine\nroles:\n  ok: { fg: \"#00ff00\" }\n" }
        #expect(custom.style(.ok).fg == RGB(0, 255, 0))
    }

    /// A painted background reaches every cell: roles without a colour take the background and the text colour.
    @Test func aPaintedBackgroundFillsEveryRole() throws {
        let theme = try Theme.parse("name: x\nbackground: paper\npalette:\n  paper: \"#fafafa\"\nroles:\n  text: { fg: \"#101010\" }\n  ok: { fg: \"#006000\" }\n  header: { reverse: true }\n", file: "x.yaml")
        #expect(theme.background == RGB(0xfa, 0xfa, 0xfa))
        #expect(theme.style(.ok) == Style(fg: RGB(0, 0x60, 0), bg: RGB(0xfa, 0xfa, 0xfa)))
        #expect(theme.style(.header) == Style(fg: RGB(0x10, 0x10, 0x10), bg: RGB(0xfa, 0xfa, 0xfa), reverse: true))
        for role in Role.allCases { #expect(theme.style(role).bg != nil && theme.style(role).fg != nil) }
        // No background key, or `terminal`: the terminal's own colours, as before.
        let follows = try Theme.parse("name: y\nbackground: terminal\nroles:\n  ok: { bold: true }\n", file: "y.yaml")
        #expect(follows.background == nil)
        #expect(follows.style(.text).bg == nil)
        #expect(try Theme.parse("name: z\nroles: {}\n", file: "z.yaml").background == nil)
    }

    @Test func coloursDegradeTo256And16And8() {
        let red = RGB(255, 0, 0)
        #expect(red.xterm256 == 196)
        #expect(red.ansi(bright: false) == 1)
        #expect(RGB(128, 128, 128).xterm256 >= 232)
    }
}
