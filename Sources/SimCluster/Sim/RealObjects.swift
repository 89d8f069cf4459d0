import PaperKube

// MARK: - RealObjects

/// Objects users pasted in public CloudNativePG, Barman Cloud plugin and External Secrets issues,
/// with the names mapped to this deployment's (namespace `paperless-ngx`, cluster
/// `paperless-ngx-db`, store `onepassword`) and every pasted field and message kept verbatim.
/// The checks' tests read them as they are; the simulator serves the CNPG ones as scenarios,
/// with their timestamps moved so that `observedAt` is the simulator's now.
///
/// `reconstructed` names each field that was not in the paste but is needed to make an object
/// (a name, a start time the reporter described in words): everything else is the paste.
public struct RealCase: Sendable {
    /// The issue or page the objects were pasted in.
    public let source: String
    /// What the reporter saw.
    public let summary: String
    /// The reporter's "now", RFC 3339 (the paste's own timestamps are relative to it).
    public let observedAt: String
    /// The names mapped to ours: `theirs → ours`.
    public let mapped: [String]
    /// Fields that are not from the paste.
    public let reconstructed: [String]
    /// Whole objects (`apiVersion`, `kind`, `metadata`, …) as JSON.
    public let objects: [String]

    /// The error CNPG sets on a plugin Backup whose plugin is not loaded.
    public static let pluginNotAvailablePrefix = "requested plugin is not available"

    /// When the earliest pasted Backup failed because its plugin was not available, in the
    /// reporter's time (`observedAt`'s clock); nil when no pasted Backup did.
    public var pluginGoneAt: Double? {
        objects.compactMap { text -> Double? in
            guard let object = try? JSONValue(parsing: text), object["kind"]?.stringValue == "Backup",
                  object.value(at: "status.error")?.stringValue?.hasPrefix(Self.pluginNotAvailablePrefix) == true else { return nil }
            return object.value(at: "metadata.creationTimestamp")?.stringValue.flatMap(UTCTime.parse)
        }.min()
    }
}

public enum RealObjects {
    /// open-bank-oss#1432: CNPG 1.29.1 parks the cluster in "Not enough disk space"; no instance
    /// reports `isPrimary`, yet `currentPrimary` still names one.
    public static let diskFullNoPrimary = RealCase(
        source: "https://github.com/JiRaska/open-bank-oss/issues/1432",
        summary: "Not enough disk space: both instances report isPrimary false; currentPrimary and targetPrimary still name instance 1",
        observedAt: "2026-07-17T09:00:00Z",
        mapped: ["namespace sanctions → paperless-ngx", "sanctions-db → paperless-ngx-db", "sanctions-db-1/-2 → paperless-ngx-db-1/-2"],
        reconstructed: ["observedAt (the comment is dated 2026-07-17; the hour is not given)",
                        "status.phaseReason (the constant the cluster controller registers with that phase, internal/controller/cluster_controller.go; the reporter quotes its log line and says phaseReason points at instancesReportedState)",
                        "spec.storage.size 2Gi and spec.instances 2 (from the same incident's #1486: a 2Gi volume, readyInstances 1/2)"],
        objects: [#"""
        {"apiVersion": "postgresql.cnpg.io/v1", "kind": "Cluster",
         "metadata": {"name": "paperless-ngx-db", "namespace": "paperless-ngx", "creationTimestamp": "2026-07-01T00:00:00Z"},
         "spec": {"instances": 2, "storage": {"size": "2Gi"}},
         "status": {
           "phase": "Not enough disk space",
           "phaseReason": "Insufficient disk space detected in one or more pods is preventing PostgreSQL from running.Please verify your storage settings. Further information inside .status.instancesReportedState",
           "instances": 2,
           "readyInstances": 1,
           "currentPrimary": "paperless-ngx-db-1",
           "targetPrimary": "paperless-ngx-db-1",
           "currentPrimaryTimestamp": "2026-07-16T20:36:56Z",
           "instancesStatus": {"healthy": ["paperless-ngx-db-2"], "replicating": ["paperless-ngx-db-1"]},
           "instancesReportedState": {
             "paperless-ngx-db-1": {"isPrimary": false},
             "paperless-ngx-db-2": {"isPrimary": false, "timeLineID": 3}
           }
         }}
        """#])

    /// cloudnative-pg#6317: every instance fenced (`["*"]`) while the phase says "Applying configuration".
    public static let allFenced = RealCase(
        source: "https://github.com/cloudnative-pg/cloudnative-pg/issues/6317",
        summary: "cnpg.io/fencedInstances [\"*\"] on the Cluster, phase Applying configuration, Ready False",
        observedAt: "2024-12-12T08:45:00Z",
        mapped: ["the reporter's cluster → paperless-ngx-db in paperless-ngx"],
        reconstructed: ["observedAt (a few minutes after the last pasted transition)"],
        objects: [#"""
        {"apiVersion": "postgresql.cnpg.io/v1", "kind": "Cluster",
         "metadata": {"name": "paperless-ngx-db", "namespace": "paperless-ngx", "annotations": {"cnpg.io/fencedInstances": "[\"*\"]"},
                      "creationTimestamp": "2024-12-12T08:40:19Z", "generation": 2},
         "status": {
           "conditions": [
             {"lastTransitionTime": "2024-12-12T08:42:12Z", "message": "Cluster Is Not Ready", "reason": "ClusterIsNotReady", "status": "False", "type": "Ready"},
             {"lastTransitionTime": "2024-12-12T08:40:34Z", "message": "Continuous archiving is working", "reason": "ContinuousArchivingSuccess", "status": "True", "type": "ContinuousArchiving"}
           ],
           "phase": "Applying configuration",
           "phaseReason": "PostgreSQL configuration changed"
         }}
        """#])

    /// cloudnative-pg#7905: the instance pod was killed mid-backup and the Backup stays `running`.
    public static let stuckRunningBackup = RealCase(
        source: "https://github.com/cloudnative-pg/cloudnative-pg/issues/7905",
        summary: "a Backup left running after its target pod was killed (ephemeral-storage limit); CNPG starts no new backup while it runs",
        observedAt: "2025-06-26T12:00:00Z",
        mapped: ["test-database → paperless-ngx-db"],
        reconstructed: ["metadata.name", "status.startedAt (15 h before observedAt: the issue reports it running indefinitely)", "status.instanceID.podName"],
        objects: [#"""
        {"apiVersion": "postgresql.cnpg.io/v1", "kind": "Backup",
         "metadata": {"name": "paperless-ngx-db-manual-20250625210000", "namespace": "paperless-ngx", "creationTimestamp": "2025-06-25T21:00:00Z"},
         "spec": {"cluster": {"name": "paperless-ngx-db"}, "method": "barmanObjectStore"},
         "status": {"phase": "running", "method": "barmanObjectStore", "online": true, "startedAt": "2025-06-25T21:00:00Z",
                    "instanceID": {"podName": "paperless-ngx-db-1"}}}
        """#])

    /// plugin-barman-cloud#842: after a failover the new primary's archiving fails, through the plugin.
    public static let archivingAfterFailover = RealCase(
        source: "https://github.com/cloudnative-pg/plugin-barman-cloud/issues/842",
        summary: "ContinuousArchiving False with the plugin's rpc-wrapped exit status 1 after a failover; the log says 'Expected empty archive'",
        observedAt: "2026-04-13T12:00:00Z",
        mapped: ["<name> → paperless-ngx-db"],
        reconstructed: ["status.timelineID 2 and currentPrimary paperless-ngx-db-2 (the issue is about the new primary after a promotion)",
                        "lastTransitionTime (the reporter pasted the condition without it)"],
        objects: [#"""
        {"apiVersion": "postgresql.cnpg.io/v1", "kind": "Cluster",
         "metadata": {"name": "paperless-ngx-db", "namespace": "paperless-ngx", "creationTimestamp": "2026-01-10T00:00:00Z"},
         "spec": {"instances": 2, "plugins": [{"name": "barman-cloud.cloudnative-pg.io", "isWALArchiver": true, "parameters": {"barmanObjectName": "paperless-ngx-db-store"}}]},
         "status": {
           "phase": "Cluster in healthy state", "instances": 2, "readyInstances": 2,
           "currentPrimary": "paperless-ngx-db-2", "targetPrimary": "paperless-ngx-db-2", "timelineID": 2,
           "instancesReportedState": {"paperless-ngx-db-1": {"isPrimary": false, "timeLineID": 2}, "paperless-ngx-db-2": {"isPrimary": true, "timeLineID": 2}},
           "conditions": [
             {"type": "Ready", "status": "True", "reason": "ClusterIsReady", "message": "Cluster is Ready", "lastTransitionTime": "2026-04-10T08:00:00Z"},
             {"type": "ContinuousArchiving", "status": "False", "reason": "ContinuousArchivingFailing",
              "message": "rpc error: code = Unknown desc = unexpected failure invoking barman-cloud-wal-archive: exit status 1", "lastTransitionTime": "2026-04-10T08:00:00Z"}
           ]
         }}
        """#])

    /// The log line of the same issue, as the instance writes it.
    public static let expectedEmptyArchiveLine = "ERROR: WAL archive check failed for server paperless-ngx-db: Expected empty archive"

    /// plugin-barman-cloud#541: a plugin Backup fails because the operator cannot reach the plugin.
    public static let pluginNotAvailable = RealCase(
        source: "https://github.com/cloudnative-pg/plugin-barman-cloud/issues/541",
        summary: "kubectl get backup: backup-example, method plugin, phase failed, error 'requested plugin is not available: barman-cloud.cloudnative-pg.io'",
        observedAt: "2025-11-19T12:00:00Z",
        mapped: ["namespace fus → paperless-ngx", "fusdb → paperless-ngx-db"],
        reconstructed: ["creationTimestamp (AGE 13h)", "spec.pluginConfiguration.name (method plugin with the one plugin named in the error)"],
        objects: [#"""
        {"apiVersion": "postgresql.cnpg.io/v1", "kind": "Backup",
         "metadata": {"name": "backup-example", "namespace": "paperless-ngx", "creationTimestamp": "2025-11-18T23:00:00Z"},
         "spec": {"cluster": {"name": "paperless-ngx-db"}, "method": "plugin", "pluginConfiguration": {"name": "barman-cloud.cloudnative-pg.io"}},
         "status": {"phase": "failed", "error": "requested plugin is not available: barman-cloud.cloudnative-pg.io"}}
        """#])

    /// open-bank-oss#3975: a cluster down on a full volume for a day has no ContinuousArchiving
    /// condition and no first point of recoverability.
    public static let neverArchived = RealCase(
        source: "https://github.com/JiRaska/open-bank-oss/issues/3975",
        summary: "phase Not enough disk space, Ready False, no ContinuousArchiving condition, firstRecoverabilityPoint null, pod CrashLoopBackOff for 17–25 h",
        observedAt: "2026-08-07T14:30:00Z",
        mapped: ["ai-platform → paperless-ngx", "litellm-db → paperless-ngx-db", "s3://openbank-sandbox-db-backups/litellm-db → s3://openbank-sandbox-db-backups/paperless-ngx-db"],
        reconstructed: ["creationTimestamp (the app beside it was 4d13h old)", "the Ready condition's reason, message and time (the paste says Ready = False)",
                        "phaseReason (the constant the controller registers with that phase)"],
        objects: [#"""
        {"apiVersion": "postgresql.cnpg.io/v1", "kind": "Cluster",
         "metadata": {"name": "paperless-ngx-db", "namespace": "paperless-ngx", "creationTimestamp": "2026-08-02T18:00:00Z"},
         "spec": {"instances": 1, "storage": {"size": "2Gi"},
                  "backup": {"barmanObjectStore": {"destinationPath": "s3://openbank-sandbox-db-backups/paperless-ngx-db"}}},
         "status": {
           "phase": "Not enough disk space",
           "phaseReason": "Insufficient disk space detected in one or more pods is preventing PostgreSQL from running.Please verify your storage settings. Further information inside .status.instancesReportedState",
           "instances": 1, "readyInstances": 0, "currentPrimary": "paperless-ngx-db-1", "targetPrimary": "paperless-ngx-db-1", "firstRecoverabilityPoint": null,
           "conditions": [{"type": "Ready", "status": "False", "reason": "ClusterIsNotReady", "message": "Cluster Is Not Ready", "lastTransitionTime": "2026-08-06T13:30:00Z"}]
         }}
        """#])

    /// CloudNativePG's troubleshooting guide: a failing condition, barman-cloud exit status 2.
    public static let troubleshootingExit2 = RealCase(
        source: "https://github.com/cloudnative-pg/cloudnative-pg/blob/main/docs/src/troubleshooting.md",
        summary: "the guide's snippet of a cluster.status with failing conditions: barman-cloud-wal-archive exit status 2",
        observedAt: "2025-01-01T12:00:00Z",
        mapped: ["<cluster-name> → paperless-ngx-db"],
        reconstructed: ["observedAt and the lastTransitionTimes (the snippet has none)", "spec.backup (the snippet is status only)"],
        objects: [#"""
        {"apiVersion": "postgresql.cnpg.io/v1", "kind": "Cluster",
         "metadata": {"name": "paperless-ngx-db", "namespace": "paperless-ngx", "creationTimestamp": "2024-06-01T00:00:00Z"},
         "spec": {"instances": 1, "backup": {"barmanObjectStore": {"destinationPath": "s3://bc4-do-nyc3-prod-paperless-ngx-postgres-backups/"}}},
         "status": {
           "phase": "Cluster in healthy state", "instances": 1, "readyInstances": 1, "currentPrimary": "paperless-ngx-db-1",
           "conditions": [
             {"message": "unexpected failure invoking barman-cloud-wal-archive: exit status 2", "reason": "ContinuousArchivingFailing", "status": "False", "type": "ContinuousArchiving", "lastTransitionTime": "2025-01-01T10:00:00Z"},
             {"message": "exit status 2", "reason": "LastBackupFailed", "status": "False", "type": "LastBackupSucceeded", "lastTransitionTime": "2025-01-01T03:00:00Z"},
             {"message": "Cluster Is Not Ready", "reason": "ClusterIsNotReady", "status": "False", "type": "Ready", "lastTransitionTime": "2025-01-01T10:00:00Z"}
           ]
         }}
        """#])

    /// external-secrets#3094: the condition says only "could not get secret data from provider";
    /// the UpdateFailed event says what the provider answered.
    public static let genericSecretMessage = RealCase(
        source: "https://github.com/external-secrets/external-secrets/issues/3094",
        summary: "Ready False SecretSyncedError 'could not get secret data from provider'; Warning UpdateFailed 7m11s (x22 over 79m): '… err: Secret does not exist'",
        observedAt: "2024-01-31T12:00:00Z",
        mapped: ["mytldsecret → paperless-ngx-admin", "ClusterSecretStore mystore → onepassword"],
        reconstructed: ["refreshInterval 1h and refreshTime (not in the describe output)", "the event's timestamps from its age (7m11s, x22 over 79m)",
                        "the store's Ready condition (the reporter's store worked)"],
        objects: [#"""
        {"apiVersion": "external-secrets.io/v1beta1", "kind": "ExternalSecret",
         "metadata": {"name": "paperless-ngx-admin", "namespace": "paperless-ngx", "creationTimestamp": "2024-01-31T10:41:00Z"},
         "spec": {"refreshInterval": "1h", "secretStoreRef": {"kind": "ClusterSecretStore", "name": "onepassword"}, "target": {"name": "paperless-ngx-admin"}},
         "status": {"refreshTime": "2024-01-31T11:30:00Z",
                    "conditions": [{"message": "could not get secret data from provider", "reason": "SecretSyncedError", "status": "False", "type": "Ready", "lastTransitionTime": "2024-01-31T10:41:00Z"}]}}
        """#, #"""
        {"apiVersion": "v1", "kind": "Event",
         "metadata": {"name": "paperless-ngx-admin.17afc1b2c3d4e5f6", "namespace": "paperless-ngx"},
         "involvedObject": {"kind": "ExternalSecret", "name": "paperless-ngx-admin", "namespace": "paperless-ngx"},
         "type": "Warning", "reason": "UpdateFailed", "count": 22, "source": {"component": "external-secrets"},
         "message": "error retrieving secret at .data[0], key: prod/mytlssecret, err: Secret does not exist",
         "firstTimestamp": "2024-01-31T10:41:00Z", "lastTimestamp": "2024-01-31T11:52:49Z"}
        """#, #"""
        {"apiVersion": "external-secrets.io/v1beta1", "kind": "ClusterSecretStore",
         "metadata": {"name": "onepassword"},
         "status": {"conditions": [{"type": "Ready", "status": "True", "reason": "Valid", "message": "store validated", "lastTransitionTime": "2024-01-01T00:00:00Z"}]}}
        """#])

    public static let all: [RealCase] = [diskFullNoPrimary, allFenced, stuckRunningBackup, archivingAfterFailover, pluginNotAvailable, neverArchived, troubleshootingExit2, genericSecretMessage]
}
