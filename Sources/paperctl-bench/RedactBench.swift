import ArgumentParser
import Foundation
@_spi(Benchmark) import PaperDomain

/// `paperctl-bench redact`: what redaction costs on hostile lines, in this process (build with
/// -c release). The budget: a 1 MB line containing `token=` redacted in under 50 ms.
struct RedactBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "redact",
        abstract: "Time Redactor.redact on 1 MB and 40 KB lines built to be slow (budget: 1 MB with token= under 50 ms).")

    @Option(name: .long, help: "Runs per case; the median is reported.")
    var runs = 7

    func run() throws {
        let mb = 1 << 20
        let letters = String(repeating: "abcdefghijklmnopqrstuvwxyz", count: mb / 26 + 1)
        let cases: [(String, String)] = [
            ("token= + 1 MB of letters", "token=abc" + letters.prefix(mb)),
            ("token= + 40 KB of letters (the drill record)", "token=abc" + letters.prefix(40 << 10)),
            ("password: + 1 MB of letters", "password: " + letters.prefix(mb)),
            ("1 MB of key=value pairs", String(repeating: "api_key=x1 token: y2 ", count: mb / 21)),
            ("1 MB of dashes with --secret", "--secret " + String(repeating: "-", count: mb)),
            ("1 MB of eyJ", String(repeating: "eyJ", count: mb / 3)),
            ("1 MB of scheme://", String(repeating: "a://", count: mb / 4) + "@"),
        ]
        print("case                                            redact (cut at \(Redactor.lineLimit) B)   whole line, no cut")
        var budgetMet = true
        for (index, (name, line)) in cases.enumerated() {
            let capped = median { _ = Redactor.redact(line) }
            let whole = index == 0 || index == 2 || index == 3 ? median { _ = Redactor.redactWhole(line) } : nil
            if index == 0 { budgetMet = capped < 0.050 }
            print(name.padding(toLength: 48, withPad: " ", startingAt: 0)
                  + String(format: "%10.2f ms", capped * 1000).padding(toLength: 30, withPad: " ", startingAt: 0)
                  + (whole.map { String(format: "%10.2f ms", $0 * 1000) } ?? "         -"))
        }
        print(budgetMet ? "PASS: 1 MB line with token= redacted in under 50 ms" : "FAIL: 1 MB line with token= took 50 ms or more")
        if !budgetMet { throw ExitCode(1) }
    }

    private func median(_ body: () -> Void) -> Double {
        var times: [Double] = []
        for _ in 0..<max(1, runs) {
            let start = DispatchTime.now().uptimeNanoseconds
            body()
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        return times.sorted()[times.count / 2]
    }
}
