import Testing
@testable import PaperUI
@testable import PaperTerminal

/// Themes degrade with the terminal: NO_COLOR, 8, 16, 256 colours and direct truecolour.
@Suite struct ColorModeTests {
    @Test(arguments: [
        ([:], true, 16_777_216, ColorMode.direct),
        ([:], true, 256, .xterm256),
        ([:], true, 16, .ansi16),
        ([:], true, 8, .ansi8),
        ([:], false, 256, .none),
        (["NO_COLOR": "1"], true, 256, .none),
    ] as [([String: String], Bool, Int, ColorMode)])
    func detection(environment: [String: String], hasColors: Bool, colors: Int, expected: ColorMode) {
        #expect(ColorMode.detect(environment: environment, hasColors: hasColors, colors: colors) == expected)
    }

    @Test func colourNumbersPerMode() {
        let orange = RGB(0xff, 0x87, 0x00)
        #expect(ColorMode.direct.index(orange) == 0xff8700)
        #expect(ColorMode.xterm256.index(orange) == 208)
        #expect(ColorMode.ansi8.index(orange) == 3)
        #expect(ColorMode.none.index(orange) == -1)
        #expect(ColorMode.direct.index(nil) == -1)
    }
}
