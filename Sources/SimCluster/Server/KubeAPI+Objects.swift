import PaperKube

// MARK: - Reads, writes, watch and Table

extension KubeAPI {
    func wantsTable(_ request: APIRequest) -> Bool {
        (request.header("accept") ?? "").contains("as=Table")
    }

    func selectors(_ request: APIRequest) throws(APIError) -> (LabelSelector?, FieldSelector?) {
        do {
            var label: LabelSelector?
            var field: FieldSelector?
            if let text = request.query["labelSelector"], !text.isEmpty { label = try LabelSelector(parsing: text) }
            if let text = request.query["fieldSelector"], !text.isEmpty { field = try FieldSelector(parsing: text) }
            return (label, field)
        } catch {
            throw APIError.badRequest(error.description)
        }
    }

    /// Labels the stored object with the version the client asked for (ExternalSecret v1 vs v1beta1).
    func present(_ object: JSONValue, _ target: Target) -> JSONValue {
        var o = object
        o["apiVersion"] = .string(target.kind.apiVersion(target.version))
        return o
    }

    func matching(_ request: APIRequest, _ target: Target) throws(APIError) -> ([JSONValue], Int) {
        let (label, field) = try selectors(request)
        let (items, rv) = store.list(target.kind, namespace: target.kind.namespaced ? target.namespace : nil)
        let filtered = items.filter { obj in
            (label?.matches(obj.labels) ?? true) && (field?.matches(obj) ?? true)
        }
        return (filtered.map { present($0, target) }, rv)
    }

    func listResponse(_ request: APIRequest, _ target: Target) throws(APIError) -> APIResponse {
        let (items, rv) = try matching(request, target)
        if wantsTable(request) { return .json(table(items, target, resourceVersion: rv, withColumns: true)) }
        return .json([
            "kind": .string("\(target.kind.kind)List"), "apiVersion": .string(target.kind.apiVersion(target.version)),
            "metadata": ["resourceVersion": .string(String(rv))], "items": .array(items),
        ])
    }

    func getResponse(_ request: APIRequest, _ target: Target) throws(APIError) -> APIResponse {
        guard let name = target.name, let obj = store.get(target.kind, namespace: target.namespace ?? "", name: name) else {
            throw APIError.notFound(target.kind, target.name ?? "")
        }
        let presented = present(obj, target)
        if wantsTable(request) { return .json(table([presented], target, resourceVersion: store.resourceVersion, withColumns: true)) }
        return .json(presented)
    }

    /// The server-side Table that plain `kubectl get` prints.
    func table(_ items: [JSONValue], _ target: Target, resourceVersion: Int, withColumns: Bool) -> JSONValue {
        let now = clock.now()
        let columns = target.kind.columns.isEmpty ? [TableColumn.name, .age] : target.kind.columns
        let defs: [JSONValue] = columns.map { c in
            ["name": .string(c.name), "type": .string(c.type), "format": .string(c.format), "description": .string(c.description), "priority": .int(c.priority)]
        }
        let rows: [JSONValue] = items.map { obj in
            ["cells": .array(columns.map { $0.cell(obj, now) }), "object": obj]
        }
        return ["kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": ["resourceVersion": .string(String(resourceVersion))],
                "columnDefinitions": withColumns ? .array(defs) : .array([]), "rows": .array(rows)]
    }

    // MARK: Watch

    func watchResponse(_ request: APIRequest, _ target: Target) throws(APIError) -> APIResponse {
        let (label, field) = try selectors(request)
        let since = request.query["resourceVersion"].flatMap { Int($0) }
        let (id, stream) = try store.watch(target.kind, namespace: target.kind.namespaced ? target.namespace : nil, since: since)
        let timeout = request.query["timeoutSeconds"].flatMap(Double.init)
        let asTable = wantsTable(request)
        let store = self.store
        return .stream(status: 200, contentType: "application/json") { [self] sink in
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    var first = true
                    for await event in stream {
                        guard (label?.matches(event.object.labels) ?? true) && (field?.matches(event.object) ?? true) else { continue }
                        var object = self.present(event.object, target)
                        if asTable {
                            object = self.table([object], target, resourceVersion: event.resourceVersion, withColumns: first)
                            first = false
                        }
                        let line: JSONValue = ["type": .string(event.type), "object": object]
                        do { try await sink.write(line.serialized() + "\n") } catch { break }
                    }
                }
                if let timeout {
                    group.addTask { try? await Task.sleep(nanoseconds: UInt64(max(0, timeout) * 1e9)) }
                }
                await group.next()
                group.cancelAll()
            }
            store.stopWatch(id)
        }
    }

    // MARK: Writes

    func decodeBody(_ request: APIRequest, _ target: Target) throws(APIError) -> JSONValue {
        let type = request.header("content-type") ?? "application/json"
        if type.hasPrefix("application/vnd.kubernetes.protobuf") {
            return try ProtobufJob.decodeCreate(request.body, kind: target.kind, namespace: target.namespace ?? "", store: store)
        }
        guard type.hasPrefix("application/json") || type.contains("+json") || type.hasPrefix("*/*") else {
            throw APIError.unsupportedMediaType(type)
        }
        do {
            return try JSONValue(parsing: request.body)
        } catch {
            throw APIError.badRequest("the body of the request could not be decoded: \(error.description)")
        }
    }

    func record(_ verb: String, _ request: APIRequest, _ target: Target, _ object: JSONValue, sent: JSONValue? = nil) {
        store.record(RecordedWrite(verb: verb, resource: target.kind.storageKey, namespace: target.namespace ?? "",
                                   name: object.value(at: "metadata.name")?.stringValue ?? target.name ?? "",
                                   contentType: request.header("content-type") ?? "", object: object, sent: sent))
    }

    func isDryRun(_ request: APIRequest) -> Bool { request.query["dryRun"] == "All" }

    /// The writer the server records in `managedFields`: `fieldManager`, else the user agent's
    /// program name (`kubectl`), as the real server derives it.
    func fieldManager(_ request: APIRequest, _ target: Target) -> FieldManager {
        let agent = (request.header("user-agent") ?? "").split(separator: "/").first.map(String.init)
        let name = request.query["fieldManager"].flatMap { $0.isEmpty ? nil : $0 } ?? agent.flatMap { $0.isEmpty ? nil : $0 } ?? "unknown"
        return FieldManager(name, subresource: target.subresource)
    }

    func createResponse(_ request: APIRequest, _ target: Target) throws(APIError) -> APIResponse {
        var object = try decodeBody(request, target)
        let sent = object
        guard case .object = object else { throw APIError.badRequest("the body of the request must be a JSON object") }
        if let kindName = object["kind"]?.stringValue, kindName != target.kind.kind {
            throw APIError.badRequest("the API version in the data (\(object["apiVersion"]?.stringValue ?? "")) does not match the expected API version (\(target.kind.apiVersion(target.version))), or kind \(kindName) is not \(target.kind.kind)")
        }
        if let bodyNS = object.value(at: "metadata.namespace")?.stringValue, !bodyNS.isEmpty, target.kind.namespaced, bodyNS != target.namespace {
            throw APIError.badRequest("the namespace of the provided object does not match the namespace sent on the request")
        }
        object.set("metadata.uid", to: nil)
        object.set("metadata.resourceVersion", to: nil)
        try Validation.validate(object, kind: target.kind)
        try checkSchema(&object, request, target, includeStatus: true)
        if target.kind.plural == "jobs" {
            object.set("metadata.namespace", to: .string(target.namespace ?? ""))
            JobFactory.admit(&object, uid: RandomName.uuid())
        }
        if isDryRun(request) {
            // The server's dry run runs admission and storage checks: a taken name is a 409 there too.
            if let name = object.value(at: "metadata.name")?.stringValue, store.get(target.kind, namespace: target.namespace ?? "", name: name) != nil {
                throw APIError.alreadyExists(target.kind, name)
            }
            return .json(present(object, target), status: 201)
        }
        let created = try store.create(target.kind, namespace: target.namespace ?? "", object: object, manager: fieldManager(request, target))
        record("create", request, target, created, sent: sent)
        return .json(present(created, target), status: 201)
    }

    /// Custom resources with a vendored CRD are checked against its schema, as the API server does:
    /// with `fieldValidation=Strict` (kubectl's default) unknown fields are a 400; otherwise they are
    /// pruned. Any other violation is a 422 with one cause per field. Writes to the main resource
    /// leave `status` alone (the server keeps the stored one), so only status writes check it.
    func checkSchema(_ object: inout JSONValue, _ request: APIRequest, _ target: Target, includeStatus: Bool) throws(APIError) {
        guard case .success(let crd)? = VendoredCRDs.crd(for: target.kind), let schema = crd.versions[target.version] else { return }
        let status = object["status"]
        if !includeStatus { object["status"] = nil }
        let result = SchemaValidator.check(object, against: schema)
        let mode = request.query["fieldValidation"] ?? "Warn"
        if mode == "Strict", !result.unknownFields.isEmpty {
            throw APIError.strictDecoding(target.kind, version: target.version, unknownFields: result.unknownFields)
        }
        if !result.causes.isEmpty {
            let name = object.value(at: "metadata.name")?.stringValue ?? target.name ?? ""
            throw APIError.invalid(target.kind, name, causes: result.causes)
        }
        object = result.pruned
        if !includeStatus { object["status"] = status }
    }

    func replaceResponse(_ request: APIRequest, _ target: Target) throws(APIError) -> APIResponse {
        guard let name = target.name else { throw APIError.methodNotAllowed("PUT") }
        var incoming = try decodeBody(request, target)
        try Validation.validate(incoming, kind: target.kind)
        try checkSchema(&incoming, request, target, includeStatus: target.subresource == "status")
        let expected = incoming.value(at: "metadata.resourceVersion")?.stringValue
        let statusOnly = target.subresource == "status"
        let updated = try store.update(target.kind, namespace: target.namespace ?? "", name: name, expectedResourceVersion: expected,
                                       manager: fieldManager(request, target)) { obj throws(APIError) in
            if statusOnly {
                obj["status"] = incoming["status"]
            } else {
                try Validation.transition(from: obj, to: incoming, kind: target.kind)
                let status = obj["status"]
                obj = incoming
                obj["status"] = status
            }
        }
        record("update", request, target, updated)
        return .json(present(updated, target))
    }

    func patchResponse(_ request: APIRequest, _ target: Target) throws(APIError) -> APIResponse {
        guard let name = target.name else { throw APIError.methodNotAllowed("PATCH") }
        let type = (request.header("content-type") ?? "").split(separator: ";").first.map(String.init) ?? ""
        guard let kind = PatchKind(rawValue: type) else { throw APIError.unsupportedMediaType(type) }
        if kind == .strategic, !target.kind.group.isEmpty, !["apps", "batch", "networking.k8s.io"].contains(target.kind.group) {
            throw APIError.unsupportedMediaType("\(type) (strategic merge patch is not supported for custom resources; use --type=merge)")
        }
        let patch: JSONValue
        do { patch = try JSONValue(parsing: request.body) } catch {
            throw APIError.badRequest("error decoding patch: \(error.description)")
        }
        let statusOnly = target.subresource == "status"
        let manager = isDryRun(request) ? nil : fieldManager(request, target)
        let updated = try store.update(target.kind, namespace: target.namespace ?? "", name: name, manager: manager) { obj throws(APIError) in
            var patched: JSONValue
            do { patched = try Patcher.apply(kind, patch: patch, to: obj) } catch {
                throw APIError(code: 422, reason: "Invalid", message: "\(target.kind.kind) \"\(name)\" is invalid: \(error)")
            }
            guard case .object = patched else { throw APIError.badRequest("the patch did not produce an object") }
            try Validation.validate(patched, kind: target.kind)
            try Validation.transition(from: obj, to: patched, kind: target.kind)
            try checkSchema(&patched, request, target, includeStatus: statusOnly)
            if statusOnly {
                obj["status"] = patched["status"]
            } else {
                let status = obj["status"]
                obj = patched
                obj["status"] = status
                if target.kind.plural == "pods" || kind == .json { obj["status"] = patched["status"] ?? status }
            }
        }
        if isDryRun(request) { return .json(present(updated, target)) }
        record("patch", request, target, updated)
        return .json(present(updated, target))
    }

    func deleteResponse(_ request: APIRequest, _ target: Target) throws(APIError) -> APIResponse {
        guard let name = target.name else {
            // deletecollection
            let (items, rv) = try matching(request, target)
            for item in items {
                if let n = item.value(at: "metadata.name")?.stringValue { _ = try? cascadeDelete(target.kind, namespace: target.namespace ?? "", name: n) }
            }
            return .json(["kind": .string("\(target.kind.kind)List"), "apiVersion": .string(target.kind.apiVersion(target.version)),
                          "metadata": ["resourceVersion": .string(String(rv))], "items": .array(items)])
        }
        if isDryRun(request) {
            guard let obj = store.get(target.kind, namespace: target.namespace ?? "", name: name) else { throw APIError.notFound(target.kind, name) }
            return .json(present(obj, target))
        }
        let deleted = try cascadeDelete(target.kind, namespace: target.namespace ?? "", name: name)
        record("delete", request, target, deleted)
        return .json(present(deleted, target))
    }

    /// Deletes an object and, like the garbage collector, everything it owns.
    @discardableResult
    public func cascadeDelete(_ kind: ServedResource, namespace: String, name: String) throws(APIError) -> JSONValue {
        let deleted = try store.delete(kind, namespace: namespace, name: name)
        if kind.plural == "pods" { logs.removePod(namespace: namespace, pod: name) }
        guard let uid = deleted.value(at: "metadata.uid")?.stringValue else { return deleted }
        for k in config.kinds {
            for obj in store.list(k, namespace: k.namespaced ? namespace : nil).items {
                let owners = obj.value(at: "metadata.ownerReferences")?.arrayValue ?? []
                if owners.contains(where: { $0["uid"]?.stringValue == uid }), let n = obj.value(at: "metadata.name")?.stringValue {
                    _ = try? cascadeDelete(k, namespace: namespace, name: n)
                }
            }
        }
        return deleted
    }

    // MARK: Scale subresource

    func scaleResponse(_ request: APIRequest, _ target: Target) throws(APIError) -> APIResponse {
        guard let name = target.name, let obj = store.get(target.kind, namespace: target.namespace ?? "", name: name) else {
            throw APIError.notFound(target.kind, target.name ?? "")
        }
        func scale(of o: JSONValue) -> JSONValue {
            let selector = (o.value(at: "spec.selector.matchLabels")?.objectValue ?? [:]).sorted { $0.key < $1.key }
                .map { "\($0.key)=\($0.value.stringValue ?? "")" }.joined(separator: ",")
            return ["kind": "Scale", "apiVersion": "autoscaling/v1",
                    "metadata": ["name": .string(name), "namespace": .string(target.namespace ?? ""),
                                 "uid": o.value(at: "metadata.uid") ?? "", "resourceVersion": o.value(at: "metadata.resourceVersion") ?? "",
                                 "creationTimestamp": o.value(at: "metadata.creationTimestamp") ?? ""],
                    "spec": ["replicas": .int(o.value(at: "spec.replicas")?.intValue ?? o.value(at: "spec.instances")?.intValue ?? 0)],
                    "status": ["replicas": .int(o.value(at: "status.replicas")?.intValue ?? 0), "selector": .string(selector)]]
        }
        switch request.method {
        case "GET":
            return .json(scale(of: obj))
        case "PATCH", "PUT":
            let body: JSONValue
            do { body = try JSONValue(parsing: request.body) } catch { throw APIError.badRequest("error decoding scale: \(error.description)") }
            let current = scale(of: obj)
            let desired: JSONValue
            if request.method == "PUT" {
                desired = body
            } else {
                let type = (request.header("content-type") ?? "").split(separator: ";").first.map(String.init) ?? ""
                guard let kind = PatchKind(rawValue: type) else { throw APIError.unsupportedMediaType(type) }
                do { desired = try Patcher.apply(kind, patch: body, to: current) } catch { throw APIError.badRequest(error.description) }
            }
            guard let replicas = desired.value(at: "spec.replicas")?.intValue, replicas >= 0 else {
                throw APIError.invalid(target.kind, name, "spec.replicas: Invalid value: must be greater than or equal to 0")
            }
            let field = target.kind.plural == "clusters" ? "spec.instances" : "spec.replicas"
            let updated = try store.update(target.kind, namespace: target.namespace ?? "", name: name, manager: fieldManager(request, target)) { o throws(APIError) in
                o.set(field, to: .int(replicas))
            }
            record("scale", request, target, updated)
            return .json(scale(of: updated))
        default:
            throw APIError.methodNotAllowed(request.method)
        }
    }

    // MARK: Node proxy

    func proxyResponse(_ request: APIRequest, _ target: Target) throws(APIError) -> APIResponse {
        guard target.kind.plural == "nodes", let node = target.name else { throw APIError.pathNotFound() }
        guard store.get(target.kind, namespace: "", name: node) != nil else { throw APIError.notFound(target.kind, node) }
        switch target.subpath {
        case ["stats", "summary"]:
            guard let summary = statsSummary(node) else { throw APIError.pathNotFound() }
            return .json(summary)
        case ["healthz"]:
            return .text("ok")
        default:
            return .text("404 page not found\n", status: 404)
        }
    }
}

// MARK: - Validation

/// The checks the real API server makes that operators trip over: names and required fields of
/// built-in kinds. CloudNativePG's kinds are checked against their CRD schema (`checkSchema`).
enum Validation {
    static func validate(_ object: JSONValue, kind: ServedResource) throws(APIError) {
        let name = object.value(at: "metadata.name")?.stringValue ?? ""
        if !name.isEmpty {
            let ok = name.count <= 253 && name.allSatisfy { ($0.isLowercase && $0.isASCII) || $0.isNumber || $0 == "-" || $0 == "." }
                && name.first != "-" && name.last != "-"
            guard ok else {
                throw APIError.invalid(kind, name, "metadata.name: Invalid value: \"\(name)\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character")
            }
        }
        switch kind.plural {
        case "deployments":
            if let r = object.value(at: "spec.replicas"), (r.intValue ?? -1) < 0 {
                throw APIError.invalid(kind, name, "spec.replicas: Invalid value: must be greater than or equal to 0")
            }
        case "jobs":
            guard object.value(at: "spec.template.spec.containers")?.arrayValue?.isEmpty == false else {
                throw APIError.invalid(kind, name, "spec.template.spec.containers: Required value")
            }
        default:
            break
        }
    }

    /// The CRDs' transition rules (`x-kubernetes-validations` with `oldSelf`), which the schema
    /// check does not read: since CloudNativePG 1.28.4 a ScheduledBackup's `spec.cluster` is
    /// immutable (`self == oldSelf`), so a restore makes a new ScheduledBackup instead.
    static func transition(from old: JSONValue, to new: JSONValue, kind: ServedResource) throws(APIError) {
        guard kind.plural == "scheduledbackups", kind.group == "postgresql.cnpg.io" else { return }
        if let before = old.value(at: "spec.cluster"), new.value(at: "spec.cluster") != before {
            let name = new.value(at: "metadata.name")?.stringValue ?? old.value(at: "metadata.name")?.stringValue ?? ""
            throw APIError.invalid(kind, name, "spec.cluster: Invalid value: \"object\": cluster reference is immutable after creation")
        }
    }
}
