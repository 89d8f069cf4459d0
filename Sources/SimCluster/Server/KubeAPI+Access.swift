import PaperKube

// MARK: - SelfSubjectAccessReview

extension KubeAPI {
    static let accessReviewPath = "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews"

    /// `kubectl auth can-i VERB RESOURCE`: a SelfSubjectAccessReview answered from the same
    /// RBAC rules the scenario applies to real requests.
    func accessReviewResponse(_ request: APIRequest) throws(APIError) -> APIResponse {
        guard request.method == "POST" else { throw APIError.methodNotAllowed(request.method) }
        var review: JSONValue
        if (request.header("content-type") ?? "").hasPrefix("application/vnd.kubernetes.protobuf") {
            review = try Self.decodeProtobufReview(request.body)
        } else {
            do {
                review = try JSONValue(parsing: request.body)
            } catch {
                throw APIError.badRequest("the body of the request could not be decoded: \(error.description)")
            }
        }
        let attributes = review.value(at: "spec.resourceAttributes") ?? [:]
        let verb = attributes["verb"]?.stringValue ?? ""
        let group = attributes["group"]?.stringValue ?? ""
        let resource = attributes["resource"]?.stringValue ?? ""
        let subresource = attributes["subresource"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        let denied = config.isForbidden(verb, group, resource, subresource)
        review.set("status", to: denied
            ? ["allowed": false, "denied": true, "reason": "paperctl simulator: the rbac-limited scenario denies this"]
            : ["allowed": true, "reason": "paperctl simulator: allowed"])
        return .json(review, status: 201)
    }

    /// kubectl's typed client POSTs the review as protobuf: `runtime.Unknown{raw: SelfSubjectAccessReview}`,
    /// whose spec (2) holds resourceAttributes (1): namespace 1, verb 2, group 3, version 4,
    /// resource 5, subresource 6, name 7.
    static func decodeProtobufReview(_ body: [UInt8]) throws(APIError) -> JSONValue {
        guard body.count > 4, Array(body.prefix(4)) == ProtobufJob.magic,
              let raw = ProtoReader(bytes: Array(body.dropFirst(4))).message(2) else {
            throw APIError.badRequest("the protobuf SelfSubjectAccessReview could not be decoded")
        }
        let attributes = raw.message(2)?.message(1)
        var fields: [String: JSONValue] = [:]
        for (number, key) in [(1, "namespace"), (2, "verb"), (3, "group"), (4, "version"), (5, "resource"), (6, "subresource"), (7, "name")] {
            if let value = attributes?.string(number) { fields[key] = .string(value) }
        }
        return ["apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview", "metadata": ["creationTimestamp": .null],
                "spec": ["resourceAttributes": .object(fields)]]
    }
}
