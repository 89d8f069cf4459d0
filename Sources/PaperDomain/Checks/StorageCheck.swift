import PaperKube

// MARK: - StorageCheck

/// `storage`: used space of the data PVC and the database PVCs (data and WAL) from the kubelet
/// stats summary; warn at 80 %, critical at 90 % by default. Without permission for the
/// node proxy it shows capacity and phase and says why usage is unknown.
public struct StorageCheck: HealthCheck {
    public let id = CheckID.storage
    public init() {}

    public func evaluate(_ ctx: CheckContext) -> CheckResult {
        let snapshot = ctx.snapshot
        let t = ctx.config.thresholds
        let listCommand = ctx.kubectl("get", "pvc")
        let dfCommand = ctx.kubectl("exec", "deploy/\(ctx.config.app.deployment)", "-c", ctx.config.app.container, "--", "df", "-h", "/usr/src/paperless/data")
        if let error = snapshot.whyUnreadable(.persistentVolumeClaim) { return ctx.unknown(id, "PVCs", error, command: listCommand) }
        let watched = WatchedVolumes(snapshot: snapshot, config: ctx.config)
        var f = Findings()
        if watched.data == nil {
            f.raise(.unknown, "cannot tell which PVC holds the data: Deployment \(ctx.config.app.deployment) mounts none and storage.dataPVC is not set", command: listCommand)
        }
        if watched.database.isEmpty {
            f.raise(.unknown, "no PVC labelled cnpg.io/cluster=\(ctx.config.database.cluster) and storage.databasePVCs is not set", command: listCommand)
        }
        let stats = snapshot.volumeStats.value ?? []
        var summaries: [String] = []
        var unknownUsage: [String] = []
        for name in watched.all {
            guard let pvc = snapshot.persistentVolumeClaims.first(where: { $0.metadata.name == name }) else {
                f.raise(.critical, "PVC \(name) not found", command: listCommand)
                continue
            }
            let capacity = pvc.capacityBytes ?? pvc.requestedBytes
            let capacityText = capacity.map(Quantity.format(bytes:)) ?? "?"
            if pvc.phase != "Bound" {
                f.raise(.critical, "PVC \(name) is \(pvc.phase ?? "in no phase"), not Bound", command: ctx.kubectl("describe", "pvc", name))
            }
            guard let volume = stats.lazy.compactMap({ $0.volume(forClaim: name, namespace: ctx.namespace) }).first, let fraction = volume.usedFraction else {
                unknownUsage.append(name)
                f.note("\(name): \(capacityText), \(pvc.phase ?? "?"), usage unknown")
                continue
            }
            let percent = fraction * 100
            let used = volume.usedBytes ?? volume.capacityBytes.map { $0 - (volume.availableBytes ?? 0) } ?? 0
            let text = "\(name) \(Int(percent.rounded()))% used (\(Quantity.format(bytes: used)) of \(Quantity.format(bytes: volume.capacityBytes ?? capacity ?? 0)))"
            summaries.append(text)
            f.note(text)
            if percent >= t.storageCriticalPercent {
                f.raise(.critical, "\(text), critical at \(t.storageCriticalPercent.formatted)%", hint: "grow the PVC (persistence.size / database.storage.size) or free space before it fills", command: dfCommand)
            } else if percent >= t.storageWarnPercent {
                f.raise(.warn, "\(text), warn at \(t.storageWarnPercent.formatted)%", hint: "plan to grow the PVC", command: dfCommand)
            }
        }
        let mounted = Set(snapshot.pods.filter { $0.phase == .running }.flatMap(\.claimNames.values))
        let unmounted = unknownUsage.filter { !mounted.contains($0) }
        if let error = snapshot.whyUnreadable(.pod), !unknownUsage.isEmpty {
            // Which pods mount the PVCs (and so which kubelet to ask) is itself unknown.
            f.raise(.unknown, "usage of \(unknownUsage.joined(separator: ", ")) unknown: cannot read pods, so the nodes that mount them are unknown: \(error.description)",
                    hint: CheckContext.hint(for: error), command: listCommand)
            unknownUsage.removeAll()
        } else if !unmounted.isEmpty, snapshot.volumeStats.value != nil || unmounted.count == unknownUsage.count {
            f.raise(.unknown, "usage of \(unmounted.joined(separator: ", ")) unknown: no running pod mounts it, and the kubelet reports only mounted volumes",
                    hint: "expected while the app is scaled down; check again once it runs", command: listCommand)
            unknownUsage.removeAll { unmounted.contains($0) }
        }
        if !unknownUsage.isEmpty {
            let why = snapshot.volumeStats.whyMissing ?? "the kubelet reports no stats for them"
            f.raise(.unknown, "usage of \(unknownUsage.joined(separator: ", ")) unknown: \(why)",
                    hint: "usage needs get on nodes/proxy (not a read-only permission); capacity and phase are shown instead", command: dfCommand)
        }
        return f.result(id, ok: summaries.joined(separator: "; "), command: listCommand)
    }
}
