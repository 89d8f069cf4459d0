import PaperDomain
import Testing

@Suite struct LogLineTests {
    @Test func theStampIsSplitOffOnlyWhenItIsRFC3339() {
        let raw: Substring = "2026-11-29T20:00:01.123456789Z [ERROR] consumer: gone"
        let split = LogLine.split(raw)
        #expect(split?.stamp == "2026-11-29T20:00:01.123456789Z")
        #expect(split?.text == "[ERROR] consumer: gone")
        #expect(LogLine(parsing: raw) == LogLine(time: split?.time, text: "[ERROR] consumer: gone"))
        #expect(LogLine.split("plain line") == nil)
        #expect(LogLine.split("2026-11-29 plain") == nil)
        #expect(LogLine(parsing: "no-space-at-all") == LogLine(time: nil, text: "no-space-at-all"))
    }

    @Test(arguments: [
        ("[2026-11-29 11:58:00,000] [ERROR] [paperless.tasks] Document 12 failed", LogLevel.error),
        ("[2026-11-29 11:50:00,000: ERROR/MainProcess] consumer: Cannot connect", .error),
        ("[2026-11-29 11:58:00,000] [CRITICAL] [paperless] disk", .error),
        ("Traceback (most recent call last):", .mentionsError),
        ("redis.exceptions.ConnectionError: Error 111", .mentionsError),
        ("Fatal: wrong password or no key found", .mentionsError),
        ("[2026-11-29 11:50:00,000: WARNING/MainProcess] consumer: Connection to broker lost", .warn),
        ("[2026-11-29 11:59:00,000] [INFO] [paperless.consumer] Consuming invoice.pdf", .plain),
    ])
    func oneClassifierForEveryView(line: String, level: LogLevel) {
        #expect(LogLevel(classifying: line) == level)
        #expect(LogLine(time: nil, text: line).level == level)
        #expect(LogLevel(classifying: line).showsAsError == (level >= .mentionsError))
    }
}
