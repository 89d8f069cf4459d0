import PaperKube

// MARK: - Protobuf wire reading

/// A minimal protobuf wire-format reader: enough to read the `runtime.Unknown` envelope and the
/// Job metadata that `kubectl create job --from=cronjob/…` sends (its typed client POSTs protobuf).
struct ProtoReader {
    enum Field {
        case varint(UInt64)
        case bytes([UInt8])
        case fixed
    }

    let bytes: [UInt8]

    /// All fields as (number, value) in order; nil when the bytes are not a valid message.
    func fields() -> [(Int, Field)]? {
        var out: [(Int, Field)] = []
        var i = 0
        func varint() -> UInt64? {
            var result: UInt64 = 0
            var shift: UInt64 = 0
            while i < bytes.count, shift < 64 {
                let b = bytes[i]
                i += 1
                result |= UInt64(b & 0x7f) << shift
                if b & 0x80 == 0 { return result }
                shift += 7
            }
            return nil
        }
        while i < bytes.count {
            guard let key = varint() else { return nil }
            let number = Int(key >> 3)
            switch key & 7 {
            case 0:
                guard let v = varint() else { return nil }
                out.append((number, .varint(v)))
            case 1:
                guard i + 8 <= bytes.count else { return nil }
                i += 8
                out.append((number, .fixed))
            case 2:
                guard let len = varint(), i + Int(len) <= bytes.count else { return nil }
                out.append((number, .bytes(Array(bytes[i..<(i + Int(len))]))))
                i += Int(len)
            case 5:
                guard i + 4 <= bytes.count else { return nil }
                i += 4
                out.append((number, .fixed))
            default:
                return nil
            }
        }
        return out
    }

    func string(_ n: Int) -> String? {
        for (num, f) in fields() ?? [] where num == n { if case .bytes(let b) = f { return String(decoding: b, as: UTF8.self) } }
        return nil
    }

    func message(_ n: Int) -> ProtoReader? {
        for (num, f) in fields() ?? [] where num == n { if case .bytes(let b) = f { return ProtoReader(bytes: b) } }
        return nil
    }

    func messages(_ n: Int) -> [ProtoReader] {
        (fields() ?? []).compactMap { num, f in
            if num == n, case .bytes(let b) = f { return ProtoReader(bytes: b) }
            return nil
        }
    }

    func varint(_ n: Int) -> UInt64? {
        for (num, f) in fields() ?? [] where num == n { if case .varint(let v) = f { return v } }
        return nil
    }

    /// A `map<string,string>` field (repeated entries of key=1, value=2).
    func stringMap(_ n: Int) -> [String: JSONValue] {
        var out: [String: JSONValue] = [:]
        for entry in messages(n) { if let k = entry.string(1) { out[k] = .string(entry.string(2) ?? "") } }
        return out
    }
}

// MARK: - ProtobufJob

/// Reads a protobuf batch/v1 Job.
///
/// The metadata (name, labels, annotations, owner references) is decoded field by field. The
/// pod template is not: the simulator takes `spec` from the CronJob the owner reference names,
/// which is exactly what kubectl copied into the Job (`cronJob.Spec.JobTemplate.Spec`). A protobuf
/// Job without a CronJob owner is refused with 415 and a message asking for JSON.
enum ProtobufJob {
    static let magic: [UInt8] = [0x6b, 0x38, 0x73, 0x00]

    static func decodeCreate(_ body: [UInt8], kind: ServedResource, namespace: String, store: ObjectStore) throws(APIError) -> JSONValue {
        guard body.count > 4, Array(body.prefix(4)) == magic else {
            throw APIError.badRequest("the body of the request was not a Kubernetes protobuf message (missing k8s magic prefix)")
        }
        let unknown = ProtoReader(bytes: Array(body.dropFirst(4)))
        guard unknown.fields() != nil, let raw = unknown.message(2) else {
            throw APIError.badRequest("the protobuf envelope (runtime.Unknown) could not be decoded")
        }
        let typeMeta = unknown.message(1)
        let apiVersion = typeMeta?.string(1) ?? ""
        let kindName = typeMeta?.string(2) ?? ""
        guard kind.plural == "jobs", kindName == "Job" || kindName.isEmpty else {
            throw APIError.unsupportedMediaType("application/vnd.kubernetes.protobuf for \(kindName.isEmpty ? kind.kind : kindName) (the simulator decodes protobuf only for Jobs created from a CronJob; send JSON)")
        }
        guard raw.fields() != nil, let meta = raw.message(1) else { throw APIError.badRequest("the protobuf Job has no metadata") }
        var metadata: [String: JSONValue] = [:]
        if let name = meta.string(1) { metadata["name"] = .string(name) }
        if let generateName = meta.string(2) { metadata["generateName"] = .string(generateName) }
        let labels = meta.stringMap(11)
        if !labels.isEmpty { metadata["labels"] = .object(labels) }
        let annotations = meta.stringMap(12)
        if !annotations.isEmpty { metadata["annotations"] = .object(annotations) }
        var owners: [JSONValue] = []
        var cronJobName: String?
        var cronJobUID: String?
        for ref in meta.messages(13) {
            var o: [String: JSONValue] = [:]
            o["kind"] = .string(ref.string(1) ?? "")
            o["name"] = .string(ref.string(3) ?? "")
            o["uid"] = .string(ref.string(4) ?? "")
            o["apiVersion"] = .string(ref.string(5) ?? "")
            if let c = ref.varint(6) { o["controller"] = .bool(c != 0) }
            if let b = ref.varint(7) { o["blockOwnerDeletion"] = .bool(b != 0) }
            owners.append(.object(o))
            if ref.string(1) == "CronJob" {
                cronJobName = ref.string(3)
                cronJobUID = ref.string(4)
            }
        }
        if !owners.isEmpty { metadata["ownerReferences"] = .array(owners) }
        guard let cronJobName, let cronJob = store.get(Catalogue.cronJobs, namespace: namespace, name: cronJobName),
            cronJob.value(at: "metadata.uid")?.stringValue == cronJobUID, let spec = cronJob.value(at: "spec.jobTemplate.spec")
        else {
            throw APIError.unsupportedMediaType("application/vnd.kubernetes.protobuf Job without a CronJob owner (the simulator reads protobuf Jobs only from `kubectl create job --from=cronjob/…`; send JSON)")
        }
        var job: JSONValue = ["apiVersion": .string(apiVersion.isEmpty ? "batch/v1" : apiVersion), "kind": "Job", "metadata": .object(metadata), "spec": spec]
        // Scalars of JobSpec that kubectl could have changed are honoured.
        if let jobSpec = raw.message(2) {
            if let backoff = jobSpec.varint(7) { job.set("spec.backoffLimit", to: .int(Int(backoff))) }
            if let ttl = jobSpec.varint(8) { job.set("spec.ttlSecondsAfterFinished", to: .int(Int(ttl))) }
            if let suspend = jobSpec.varint(10) { job.set("spec.suspend", to: .bool(suspend != 0)) }
        }
        return job
    }
}
