import Testing
@testable import SimCluster

/// The simulator's recovery follows CloudNativePG's rules.
@Suite struct RecoveryRuleTests {
    static let now = 1_800_000_000.0  // 2027-01-15T08:00:00Z

    static let live: JSONValue = ["metadata": ["name": "paperless-ngx-db"],
                                  "spec": ["backup": ["barmanObjectStore": ["destinationPath": "s3://db/"]]],
                                  "status": ["firstRecoverabilityPoint": "2027-01-06T03:01:40Z"]]

    static func new(server: String = "paperless-ngx-db", path: String = "s3://db/", target: JSONValue? = nil, ownBackup: JSONValue? = nil) -> JSONValue {
        var recovery: JSONValue = ["source": "origin"]
        if let target { recovery["recoveryTarget"] = target }
        var spec: JSONValue = ["bootstrap": ["recovery": recovery],
                               "externalClusters": [["name": "origin", "barmanObjectStore": ["destinationPath": .string(path), "serverName": .string(server)]]]]
        if let ownBackup { spec["backup"] = ownBackup }
        return ["metadata": ["name": "paperless-ngx-db-restore"], "spec": spec]
    }

    @Test func aGoodRecoveryHasNoFailure() {
        #expect(Recovery.failure(of: Self.new(target: ["targetTime": "2027-01-14T12:00:00+00:00"]), live: Self.live, backups: [], objectStores: [], now: Self.now) == nil)
    }

    @Test(arguments: [
        (new(server: "someone-else"), "no target backup found"),
        (new(path: "s3://elsewhere/"), "no target backup found"),
        (new(target: ["targetTime": "2027-01-01T00:00:00+00:00"]), "no target backup found"),
        (new(target: ["targetTime": "2027-01-16T00:00:00+00:00"]), "recovery ended before configured recovery target was reached"),
        (new(target: ["backupID": "20990101T000000"]), "no target backup found"),
        (new(ownBackup: ["barmanObjectStore": ["destinationPath": "s3://db/", "serverName": "paperless-ngx-db"]]), "Expected empty archive"),
    ])
    func badRecoveriesFailWithCNPGsMessage(cluster: JSONValue, message: String) {
        #expect(Recovery.failure(of: cluster, live: Self.live, backups: [], objectStores: [], now: Self.now)?.contains(message) == true)
    }

    @Test func aNewClusterArchivingUnderItsOwnServerNameIsFine() {
        let own: JSONValue = ["barmanObjectStore": ["destinationPath": "s3://db/"]]  // serverName defaults to the new cluster's name
        #expect(Recovery.failure(of: Self.new(ownBackup: own), live: Self.live, backups: [], objectStores: [], now: Self.now) == nil)
    }
}
