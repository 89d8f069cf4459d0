// MARK: - Discovery, version and OpenAPI

extension KubeAPI {
    /// Groups in discovery order, each with its served versions (preferred first).
    var groups: [(name: String, versions: [String])] {
        var out: [(String, [String])] = []
        for kind in config.kinds where !kind.group.isEmpty {
            if let i = out.firstIndex(where: { $0.0 == kind.group }) {
                for v in kind.versions where !out[i].1.contains(v) { out[i].1.append(v) }
            } else {
                out.append((kind.group, kind.versions))
            }
        }
        return out
    }

    /// Answers `/version`, `/api`, `/apis`, group and group-version documents and OpenAPI; nil when the path is a resource.
    func discoveryResponse(_ segments: [String], _ request: APIRequest) throws(APIError) -> APIResponse? {
        guard request.method == "GET" else { return nil }
        switch segments.count {
        case 0:
            return .json(["paths": .array((["/api", "/api/v1", "/apis", "/version", "/openapi/v2", "/openapi/v3"]
                + groups.flatMap { g in ["/apis/\(g.name)"] + g.versions.map { "/apis/\(g.name)/\($0)" } }).map { .string($0) })])
        default: break
        }
        switch segments[0] {
        case "version" where segments.count == 1:
            let v = config.serverVersion
            return .json([
                "major": .string(v.major), "minor": .string(v.minor), "gitVersion": .string(v.git),
                "gitCommit": "0000000000000000000000000000000000000000", "gitTreeState": "clean",
                "buildDate": "2026-01-01T00:00:00Z", "goVersion": "go1.23.8", "compiler": "gc", "platform": "linux/amd64",
            ])
        case "healthz", "livez", "readyz":
            return .text("ok")
        case "api" where segments.count == 1:
            // Plain JSON: kubectl asked for aggregated discovery first and falls back to this.
            return .json([
                "kind": "APIVersions", "versions": ["v1"],
                "serverAddressByClientCIDRs": [["clientCIDR": "0.0.0.0/0", "serverAddress": .string(request.header("host") ?? "127.0.0.1")]],
            ])
        case "api" where segments.count == 2 && segments[1] == "v1":
            return .json(resourceList(group: "", version: "v1"))
        case "apis" where segments.count == 1:
            return .json(["kind": "APIGroupList", "apiVersion": "v1", "groups": .array(groups.map(groupDocument))])
        case "apis" where segments.count == 2:
            guard let g = groups.first(where: { $0.name == segments[1] }) else { throw APIError.pathNotFound() }
            var doc = groupDocument(g)
            doc["kind"] = "APIGroup"
            doc["apiVersion"] = "v1"
            return .json(doc)
        case "apis" where segments.count == 3:
            guard groups.contains(where: { $0.name == segments[1] && $0.versions.contains(segments[2]) }) else { throw APIError.pathNotFound() }
            return .json(resourceList(group: segments[1], version: segments[2]))
        case "openapi":
            return try openAPI(Array(segments.dropFirst()))
        default:
            return nil
        }
    }

    func groupDocument(_ g: (name: String, versions: [String])) -> JSONValue {
        let versions: [JSONValue] = g.versions.map { ["groupVersion": .string("\(g.name)/\($0)"), "version": .string($0)] }
        return ["name": .string(g.name), "versions": .array(versions), "preferredVersion": versions.first ?? .null]
    }

    func resourceList(group: String, version: String) -> JSONValue {
        var resources: [JSONValue] = []
        for kind in config.kinds where kind.group == group && kind.versions.contains(version) {
            var r: JSONValue = [
                "name": .string(kind.plural), "singularName": .string(kind.singular), "namespaced": .bool(kind.namespaced),
                "kind": .string(kind.kind), "verbs": .array(kind.verbs.map { .string($0) }),
                "storageVersionHash": .string(fnv(kind.storageKey)),
            ]
            if !kind.shortNames.isEmpty { r["shortNames"] = .array(kind.shortNames.map { .string($0) }) }
            if !kind.categories.isEmpty { r["categories"] = .array(kind.categories.map { .string($0) }) }
            resources.append(r)
            for sub in kind.subresources {
                let subKind: String
                let verbs: [JSONValue]
                switch sub {
                case "scale": subKind = "Scale"; verbs = ["get", "patch", "update"]
                case "log": subKind = "Pod"; verbs = ["get"]
                case "exec", "attach", "portforward": subKind = "PodExecOptions"; verbs = ["create", "get"]
                case "proxy": subKind = "NodeProxyOptions"; verbs = ["create", "delete", "get", "patch", "update"]
                case "eviction": subKind = "Eviction"; verbs = ["create"]
                default: subKind = kind.kind; verbs = ["get", "patch", "update"]
                }
                var s: JSONValue = ["name": .string("\(kind.plural)/\(sub)"), "singularName": "", "namespaced": .bool(kind.namespaced),
                                    "kind": .string(subKind), "verbs": .array(verbs)]
                if sub == "scale" { s["group"] = "autoscaling"; s["version"] = "v1" }
                resources.append(s)
            }
        }
        return ["kind": "APIResourceList", "apiVersion": "v1", "groupVersion": .string(group.isEmpty ? version : "\(group)/\(version)"),
                "resources": .array(resources)]
    }

    // MARK: OpenAPI

    /// OpenAPI v3 detailed enough for kubectl: each group-version lists its PATCH operations with the
    /// `fieldValidation` parameter, so `apply`/`create` validate server-side without `--validate=false`.
    func openAPI(_ rest: [String]) throws(APIError) -> APIResponse {
        if rest == ["v3"] {
            var paths: [String: JSONValue] = ["api/v1": ["serverRelativeURL": "/openapi/v3/api/v1?hash=SIM1"]]
            for g in groups {
                for v in g.versions {
                    paths["apis/\(g.name)/\(v)"] = ["serverRelativeURL": .string("/openapi/v3/apis/\(g.name)/\(v)?hash=SIM1")]
                }
            }
            return .json(["paths": .object(paths)])
        }
        if rest.first == "v3" {
            let gvPath = rest.dropFirst()
            var group = ""
            var version = ""
            if gvPath.first == "api", gvPath.count == 2 {
                version = gvPath.last ?? ""
            } else if gvPath.first == "apis", gvPath.count == 3 {
                group = gvPath[gvPath.startIndex + 1]
                version = gvPath.last ?? ""
            } else {
                throw APIError.pathNotFound()
            }
            let kinds = config.kinds.filter { $0.group == group && $0.versions.contains(version) }
            guard !kinds.isEmpty else { throw APIError.pathNotFound() }
            var paths: [String: JSONValue] = [:]
            var schemas: [String: JSONValue] = [:]
            let params: [JSONValue] = ["dryRun", "fieldManager", "fieldValidation", "force", "pretty"].map {
                ["name": .string($0), "in": "query", "schema": ["type": "string", "uniqueItems": true]]
            }
            for kind in kinds {
                let gvk: JSONValue = [["group": .string(group), "version": .string(version), "kind": .string(kind.kind)]]
                let base = (group.isEmpty ? "/api/\(version)" : "/apis/\(group)/\(version)") + (kind.namespaced ? "/namespaces/{namespace}" : "")
                let op: JSONValue = ["operationId": .string("patch\(kind.kind)"), "x-kubernetes-action": "patch",
                                     "x-kubernetes-group-version-kind": gvk[0] ?? .null, "parameters": .array(params),
                                     "responses": ["200": ["description": "OK"]]]
                let create: JSONValue = ["operationId": .string("create\(kind.kind)"), "x-kubernetes-action": "post",
                                         "x-kubernetes-group-version-kind": gvk[0] ?? .null, "parameters": .array(params),
                                         "responses": ["201": ["description": "Created"]]]
                paths["\(base)/\(kind.plural)/{name}"] = ["patch": op]
                paths["\(base)/\(kind.plural)"] = ["post": create]
                let schemaName = (group.isEmpty ? "io.k8s.api.core.\(version)" : "\(group).\(version)") + ".\(kind.kind)"
                schemas[schemaName] = ["type": "object", "x-kubernetes-preserve-unknown-fields": true,
                                       "x-kubernetes-group-version-kind": gvk]
            }
            return .json(["openapi": "3.0.0", "info": ["title": "Kubernetes", "version": .string(config.serverVersion.git)],
                          "paths": .object(paths), "components": ["schemas": .object(schemas)]])
        }
        // OpenAPI v2 is only read as a fallback; its absence is tolerated by kubectl ≥ 1.27.
        throw APIError.pathNotFound()
    }
}

extension JSONValue {
    subscript(index: Int) -> JSONValue? {
        if case .array(let a) = self, a.indices.contains(index) { return a[index] }
        return nil
    }
}

/// A stable short hash (FNV-1a) for discovery's storageVersionHash.
func fnv(_ text: String) -> String {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for b in text.utf8 {
        h ^= UInt64(b)
        h = h &* 0x100_0000_01b3
    }
    return String(h & 0xff_ffff_ffff, radix: 36)
}
