import Testing
@testable import SimCluster

/// Selectors, patches, JSON and protobuf: the pieces kubectl's requests go through.
@Suite struct StoreLogicTests {
    @Test(arguments: [
        ("app=web", ["app": "web"], true),
        ("app=web", ["app": "db"], false),
        ("app!=web", ["app": "db"], true),
        ("app in (web,db),tier", ["app": "db", "tier": "x"], true),
        ("app in (web,db),tier", ["app": "db"], false),
        ("app notin (web)", ["app": "db"], true),
        ("!legacy", ["app": "db"], true),
        ("!legacy", ["legacy": "1"], false),
    ])
    func labelSelectorMatches(selector: String, labels: [String: String], expected: Bool) throws {
        #expect(try LabelSelector(parsing: selector).matches(labels) == expected)
    }

    @Test func fieldSelectorReadsAnyPath() throws {
        let pod: JSONValue = ["metadata": ["name": "a"], "status": ["phase": "Running"]]
        #expect(try FieldSelector(parsing: "status.phase=Running,metadata.name=a").matches(pod))
        #expect(try !FieldSelector(parsing: "status.phase!=Running").matches(pod))
    }

    @Test func mergePatchDeletesWithNullAndMergesObjects() {
        let base: JSONValue = ["metadata": ["labels": ["a": "1", "b": "2"]], "spec": ["replicas": 1]]
        let out = Patcher.mergePatch(base, ["metadata": ["labels": ["a": nil, "c": "3"]], "spec": ["replicas": 0]])
        #expect(out.value(at: "metadata.labels") == ["b": "2", "c": "3"])
        #expect(out.value(at: "spec.replicas") == 0)
    }

    @Test func strategicMergeMergesContainersByName() {
        let base: JSONValue = ["spec": ["containers": [["name": "app", "image": "v1"], ["name": "proxy", "image": "p1"]]]]
        let out = Patcher.strategicMerge(base, ["spec": ["containers": [["name": "app", "image": "v2"]]]])
        #expect(out.value(at: "spec.containers")?.arrayValue?.count == 2)
        #expect(out.value(at: "spec.containers.0.image") == "v2")
        #expect(out.value(at: "spec.containers.1.image") == "p1")
    }

    @Test func jsonPatchAppliesOperationsAndRejectsMissingPaths() throws {
        let base: JSONValue = ["metadata": ["labels": ["a": "1"]], "items": [1, 2]]
        let out = try Patcher.jsonPatch(base, [
            ["op": "add", "path": "/metadata/labels/b~1c", "value": "x"],
            ["op": "replace", "path": "/items/0", "value": 9],
            ["op": "remove", "path": "/metadata/labels/a"],
            ["op": "add", "path": "/items/-", "value": 3],
        ])
        #expect(out.value(at: "metadata.labels") == ["b/c": "x"])
        #expect(out["items"] == [9, 2, 3])
        #expect(throws: PatchError.self) { try Patcher.jsonPatch(base, [["op": "remove", "path": "/nope"]]) }
    }

    @Test func jsonRoundTripKeepsTypesAndEscapes() throws {
        let text = #"{"a":[1,2.5,true,null,"x\ny\u00e9"],"b":{"c":-3}}"#
        let value = try JSONValue(parsing: text)
        #expect(value.value(at: "a.0") == 1)
        #expect(value.value(at: "a.1") == .double(2.5))
        #expect(value.value(at: "a.4") == "x\nyé")
        #expect(try JSONValue(parsing: value.serialized()) == value)
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: "{\"a\": }") }
    }

    @Test func unknownScenarioErrorListsTheValidOnes() throws {
        do {
            _ = try Scenario.parse(["healthy,nope"])
            Issue.record("an unknown scenario was accepted")
        } catch {
            #expect(error.description.contains("unknown scenario \"nope\""))
            for s in Scenario.allCases { #expect(error.description.contains(s.rawValue)) }
        }
        #expect(try Scenario.parse(["redis-errors", "pvc-nearly-full"]) == [.redisErrors, .pvcNearlyFull])
    }

    @Test func protobufJobEnvelopeIsReadFieldByField() throws {
        // runtime.Unknown{typeMeta{apiVersion,kind}, raw=Job{metadata{name, labels, annotations, ownerRefs}}}
        func varint(_ v: Int) -> [UInt8] {
            var out: [UInt8] = []
            var v = v
            repeat {
                out.append(UInt8(v & 0x7f) | (v > 0x7f ? 0x80 : 0))
                v >>= 7
            } while v > 0
            return out
        }
        func field(_ n: Int, _ bytes: [UInt8]) -> [UInt8] { varint(n << 3 | 2) + varint(bytes.count) + bytes }
        func str(_ n: Int, _ s: String) -> [UInt8] { field(n, Array(s.utf8)) }
        let owner = str(1, "CronJob") + str(3, "paperless-ngx-backup") + str(4, "uid-1") + str(5, "batch/v1") + [6 << 3, 1]
        let meta = str(1, "manual-backup-42") + field(11, str(1, "app") + str(2, "backup"))
            + field(12, str(1, "cronjob.kubernetes.io/instantiate") + str(2, "manual")) + field(13, owner)
        let job = field(1, meta)
        let unknown = field(1, str(1, "batch/v1") + str(2, "Job")) + field(2, job)
        let reader = ProtoReader(bytes: unknown)
        let raw = try #require(reader.message(2))
        let m = try #require(raw.message(1))
        #expect(m.string(1) == "manual-backup-42")
        #expect(m.stringMap(11) == ["app": "backup"])
        #expect(m.stringMap(12)["cronjob.kubernetes.io/instantiate"] == "manual")
        #expect(m.messages(13).first?.string(3) == "paperless-ngx-backup")
        #expect(m.messages(13).first?.varint(6) == 1)
        #expect(ProtoReader(bytes: [0xff]).fields() == nil)
    }
}
