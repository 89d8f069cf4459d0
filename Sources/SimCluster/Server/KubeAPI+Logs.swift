import PaperKube

// MARK: - Pod logs

extension KubeAPI {
    /// `GET …/pods/NAME/log` with container, tailLines, sinceSeconds, sinceTime, timestamps, limitBytes and follow.
    func logResponse(_ request: APIRequest, _ target: Target) throws(APIError) -> APIResponse {
        let namespace = target.namespace ?? ""
        guard let podName = target.name, let pod = store.get(target.kind, namespace: namespace, name: podName) else {
            throw APIError.notFound(target.kind, target.name ?? "")
        }
        let containers = (pod.value(at: "spec.containers")?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }
        let initContainers = (pod.value(at: "spec.initContainers")?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }
        var container = request.query["container"] ?? ""
        if container.isEmpty {
            if let def = pod.value(at: "metadata.annotations")?["kubectl.kubernetes.io/default-container"]?.stringValue {
                container = def
            } else if containers.count == 1, let only = containers.first {
                container = only
            } else {
                throw APIError.badRequest("a container name must be specified for pod \(podName), choose one of: [\(containers.joined(separator: " "))] or one of the init containers: [\(initContainers.joined(separator: " "))]")
            }
        }
        guard containers.contains(container) || initContainers.contains(container) else {
            throw APIError.badRequest("container \(container) is not valid for pod \(podName)")
        }
        if request.query["previous"] == "true" {
            let restarts = (pod.value(at: "status.containerStatuses")?.arrayValue ?? [])
                .first { $0["name"]?.stringValue == container }?["restartCount"]?.intValue ?? 0
            guard restarts > 0 else {
                throw APIError.badRequest("previous terminated container \"\(container)\" in pod \"\(podName)\" not found")
            }
        }
        let phase = pod.value(at: "status.phase")?.stringValue ?? "Pending"
        let status = (pod.value(at: "status.containerStatuses")?.arrayValue ?? []).first { $0["name"]?.stringValue == container }
        if phase == "Pending", status?.value(at: "state.running") == nil, status?.value(at: "state.terminated") == nil {
            let reason = status?.value(at: "state.waiting.reason")?.stringValue ?? "ContainerCreating"
            throw APIError.badRequest("container \"\(container)\" in pod \"\(podName)\" is waiting to start: \(reason)")
        }

        let timestamps = request.query["timestamps"] == "true"
        let follow = request.query["follow"] == "true"
        let tail = request.query["tailLines"].flatMap { Int($0) }
        let limitBytes = request.query["limitBytes"].flatMap { Int($0) }
        var since: Double?
        if let s = request.query["sinceSeconds"].flatMap(Double.init) { since = clock.now() - s }
        if let t = request.query["sinceTime"].flatMap(UTCTime.parse) { since = t }

        let render: @Sendable (PodLogLine) -> String = { line in
            timestamps ? "\(UTCTime.rfc3339Nano(line.time)) \(line.text)\n" : "\(line.text)\n"
        }
        func select(_ lines: [PodLogLine]) -> [PodLogLine] {
            var selected = since.map { s in lines.filter { $0.time >= s } } ?? lines
            if let tail, tail >= 0, selected.count > tail { selected = Array(selected.suffix(tail)) }
            return selected
        }

        let running = phase == "Running" || phase == "Pending"
        if !follow || !running {
            var text = select(logs.lines(namespace: namespace, pod: podName, container: container)).map(render).joined()
            if let limitBytes, text.utf8.count > limitBytes { text = String(decoding: Array(text.utf8.prefix(limitBytes)), as: UTF8.self) }
            return .full(status: 200, contentType: "text/plain", body: Array(text.utf8))
        }
        let (id, existing, stream) = logs.follow(namespace: namespace, pod: podName, container: container)
        let initial = select(existing)
        let logs = self.logs
        return .stream(status: 200, contentType: "text/plain") { sink in
            var sent = 0
            do {
                let first = initial.map(render).joined()
                if !first.isEmpty {
                    try await sink.write(first)
                    sent += first.utf8.count
                }
                for await line in stream {
                    if let limitBytes, sent >= limitBytes { break }
                    let text = render(line)
                    try await sink.write(text)
                    sent += text.utf8.count
                }
            } catch {
                // client went away
            }
            logs.unfollow(id)
        }
    }
}
