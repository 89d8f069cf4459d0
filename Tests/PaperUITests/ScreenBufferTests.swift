import Testing
import PaperDomain
@testable import PaperUI

@Suite struct ScreenBufferTests {
    @Test func putClipsAtTheEdgeAndTruncatesWithEllipsis() {
        var b = ScreenBuffer(width: 10, height: 2)
        #expect(b.put("hello world", x: 3, y: 0, role: .text) == 7)
        #expect(b.lines[0] == "   hello w")
        b.putTruncated("abcdefgh", x: 0, y: 1, role: .text, width: 5)
        #expect(b.lines[1].hasPrefix("abcd…"))
    }

    @Test func changedRunsListOnlyDifferingCells() {
        var a = ScreenBuffer(width: 8, height: 2)
        a.put("abc", x: 0, y: 0, role: .text)
        var b = a
        b.put("X", x: 1, y: 0, role: .text)
        b.put("YZ", x: 5, y: 1, role: .warn)
        let runs = b.changedRuns(since: a)
        #expect(runs.count == 2)
        #expect(runs[0] == (y: 0, x: 1, length: 1))
        #expect(runs[1] == (y: 1, x: 5, length: 2))
        #expect(b.changedRuns(since: nil).count == 2, "no previous frame: every row is flushed")
    }
}

@Suite struct ScreenBufferSafetyTests {
    @Test func controlCharactersAreShownEscapedAndNeverStoredRaw() {
        var b = ScreenBuffer(width: 40, height: 1)
        let used = b.put("a\u{1B}[2Jb\u{9B}c", x: 0, y: 0, role: .text)
        #expect(b.lines[0].hasPrefix(#"a\u{1B}[2Jb\u{9B}c"#))
        #expect(used == #"a\u{1B}[2Jb\u{9B}c"#.count)
        #expect(b.cells.allSatisfy { cell in !cell.char.unicodeScalars.contains { TerminalText.isControl($0.value) } || cell.isContinuation })
    }

    @Test func wideCharactersTakeTwoCellsAndStopAtTheLimit() {
        var b = ScreenBuffer(width: 10, height: 1)
        #expect(b.put("日本語x", x: 0, y: 0, role: .text, maxWidth: 7) == 7)
        #expect(b.lines[0] == "日本語x   ")
        #expect(b[1, 0].isContinuation && b[3, 0].isContinuation && b[6, 0].char == "x")
        // A wide character that does not fit whole is left out, not half drawn.
        var c = ScreenBuffer(width: 10, height: 1)
        #expect(c.put("ab日", x: 0, y: 0, role: .text, maxWidth: 3) == 2)
        #expect(c.lines[0] == "ab        ")
    }

    @Test func overwritingHalfAWideCharacterBlanksTheOtherHalf() {
        var b = ScreenBuffer(width: 6, height: 1)
        b.put("日本語", x: 0, y: 0, role: .text)
        b.put("|", x: 3, y: 0, role: .border)  // the right half of 本
        #expect(b.lines[0] == "日 |語")
        b.put("-", x: 4, y: 0, role: .border)  // the left half of 語
        #expect(b.lines[0] == "日 |- ")
        #expect(!b[5, 0].isContinuation)
    }

    @Test func truncationCountsDisplayWidth() {
        var b = ScreenBuffer(width: 10, height: 1)
        #expect(b.putTruncated("日本語日本語", x: 0, y: 0, role: .text, width: 6) == 5)
        #expect(b.lines[0] == "日本…     ")
    }
}

@Suite struct HostileTextFrameTests {
    /// The hostile dashboard frame: no control character in any cell, every row exactly the
    /// screen's width in display cells, the panel borders where they belong, and no password.
    @Test(arguments: [(80, 24), (200, 60)])
    func hostileTextNeitherEscapesNorMovesTheLayout(width: Int, height: Int) {
        let buffer = render(GoldenFrameTests.state("dashboard-hostile", width: width, height: height))
        for cell in buffer.cells where !cell.isContinuation {
            #expect(!cell.char.unicodeScalars.contains { TerminalText.isControl($0.value) }, "raw control in a cell: \(cell.char.unicodeScalars.map(\.value))")
        }
        for (y, line) in buffer.lines.enumerated() {
            #expect(TerminalText.width(line) == width, "row \(y) is \(TerminalText.width(line)) cells: \(line)")
        }
        // The panels' frames are where the layout put them: the hostile text moved no corner.
        for (panel, r) in PanelLayout.rects(in: GoldenFrameTests.state("dashboard-hostile", width: width, height: height)) where r.height >= 3 {
            #expect(buffer[r.x, r.y].char == "┌" && buffer[r.x + r.width - 1, r.y].char == "┐", "\(panel) top corners")
            #expect(buffer[r.x, r.y + r.height - 1].char == "└" && buffer[r.x + r.width - 1, r.y + r.height - 1].char == "┘", "\(panel) bottom corners")
        }
        #expect(!buffer.text.contains("hunter2"))
        #expect(buffer.text.contains(#"\u{1B}]52;c;"#) || width < 100, "the clipboard write is shown, escaped")
        #expect(buffer.lines[height - 2].contains("journal NOT written"), "on the notice line, above the keys")
        #expect(buffer.lines[height - 1].hasSuffix("? help  q quit "))
    }
}
