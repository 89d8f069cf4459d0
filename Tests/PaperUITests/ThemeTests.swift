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

    @Test func coloursDegradeTo256And16And8() {
        let red = RGB(255, 0, 0)
        #expect(red.xterm256 == 196)
        #expect(red.ansi(bright: false) == 1)
        #expect(RGB(128, 128, 128).xterm256 >= 232)
    }
}
