import Testing
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
