import Foundation
import PaperKube
import Testing

// MARK: - The tape decoder agrees with JSONDecoder

@Suite("KubeJSON tape decoder")
struct TapeDecoderTests {
    @Test(arguments: ["get-all-healthy.json", "cnpg-plugin.json", "odd-objects.json"])
    func sameModelsAsFoundation(fixture: String) throws {
        let data = Fixtures.data(fixture)
        let fast = try KubeJSON.decode(KubeList.self, from: data)
        let reference = try JSONDecoder().decode(KubeList.self, from: data)
        #expect(fast == reference)
        #expect(!fast.items.isEmpty)
    }

    @Test func sameStatsAsFoundation() throws {
        let data = Fixtures.data("stats-summary.json")
        #expect(try KubeJSON.decode(KubeletStatsSummary.self, from: data) == JSONDecoder().decode(KubeletStatsSummary.self, from: data))
    }

    struct Sample: Decodable, Equatable {
        var text: String
        var numbers: [Int]
        var nested: [String: Double]
        var flag: Bool?
        var missing: String?
    }

    @Test(arguments: [
        #"{"text":"a\"b\\c\/d\nline\u00e9\ud83d\ude00","numbers":[1,-2,3],"nested":{"x":1.5,"y":-2e3},"flag":true}"#,
        " { \"text\" : \"plain\" , \"numbers\" : [ ] , \"nested\" : { } , \"flag\" : null , \"extra\" : [ {\"deep\" : [1, {\"a\": false}]} ] } ",
    ])
    func escapesNumbersAndWhitespaceMatchFoundation(json: String) throws {
        let data = Data(json.utf8)
        #expect(try KubeJSON.decode(Sample.self, from: data) == JSONDecoder().decode(Sample.self, from: data))
    }

    @Test func badElementsAndNonStringLabelsAreSkippedNotFatal() throws {
        let json = #"""
            {"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"j","labels":{"app":"paperless","n":3,"nested":{"x":"y"},"esc\/aped":"v\u00e9"}},
             "status":{"failed":"2","startTime":"2026-11-29T04:00:00Z","conditions":[5,null,{"type":"Failed","status":"True"},"text",{"type":7}]}}
            """#
        let data = Data(json.utf8)
        let object = try KubeJSON.decode(KubeObject.self, from: data)
        #expect(object == (try JSONDecoder().decode(KubeObject.self, from: data)))
        guard case .job(let job) = object else {
            Issue.record("decoded as \(object)")
            return
        }
        #expect(job.metadata.labels == ["app": "paperless", "esc/aped": "vé"])
        #expect(job.failed == 2)
        #expect(job.startTime == UTCTime.parse("2026-11-29T04:00:00Z"))
        // The number, null and string elements are dropped; the object with a numeric type keeps an empty one.
        #expect(job.conditions.map(\.type) == ["Failed", ""])
        #expect(job.outcome == .failed)
    }

    @Test(arguments: ["", "{", #"{"a":}"#, #"{"a":1,}"#, "[1 2]", #"{"a":tru}"#, #"{"a":"unterminated}"#, "{} {}", "Error from server (Forbidden)"])
    func invalidJSONIsRefused(text: String) {
        #expect(throws: JSONTape.SyntaxError.self) { try JSONTape(Data(text.utf8)) }
    }

    @Test func typeMismatchesAreDecodingErrors() {
        #expect(throws: DecodingError.self) { try KubeJSON.decode(Sample.self, from: Data(#"{"text":1,"numbers":[],"nested":{}}"#.utf8)) }
        #expect(throws: DecodingError.self) { try KubeJSON.decode(Sample.self, from: Data(#"{"numbers":[],"nested":{}}"#.utf8)) }
    }
}
