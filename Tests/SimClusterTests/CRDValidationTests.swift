import Foundation
import ProcessTestSupport
import Testing
@testable import SimCluster

/// The demo cluster checks CloudNativePG custom resources against the real CRD schemas vendored in
/// `Sources/SimCluster/Resources/crds`, and refuses them with the API server's own words.
@Suite struct CRDSchemaTests {
    static let namespace = "paperless-ngx"

    /// What paperctl's restore-db writes (DatabaseRestore.plan): a recovery from the live cluster's object store.
    static let recoveryCluster: JSONValue = [
        "apiVersion": "postgresql.cnpg.io/v1", "kind": "Cluster",
        "metadata": ["name": "paperless-ngx-db-restore", "namespace": "paperless-ngx", "labels": ["app.kubernetes.io/managed-by": "paperctl"]],
        "spec": [
            "instances": 1, "imageName": "ghcr.io/cloudnative-pg/postgresql:16.6",
            "storage": ["size": "5Gi", "storageClass": "do-block-storage"],
            "postgresql": ["parameters": ["archive_timeout": "5min", "max_connections": "100"]],
            "bootstrap": ["recovery": ["source": "origin", "database": "paperless-ngx", "owner": "paperless-ngx",
                                       "recoveryTarget": ["targetTime": "2026-08-20T03:00:00+00:00"]]],
            "externalClusters": [[
                "name": "origin",
                "barmanObjectStore": [
                    "destinationPath": "s3://paperless-db-backups/", "endpointURL": "https://nyc3.digitaloceanspaces.com", "serverName": "paperless-ngx-db",
                    "s3Credentials": ["accessKeyId": ["name": "paperless-ngx-db-s3", "key": "ACCESS_KEY_ID"],
                                      "secretAccessKey": ["name": "paperless-ngx-db-s3", "key": "ACCESS_SECRET_KEY"]],
                    "wal": ["compression": "gzip", "maxParallel": 2],
                ],
            ]],
        ],
    ]

    static func schema(_ kind: ServedResource) throws -> SchemaNode {
        let crd = try #require(VendoredCRDs.crd(for: kind)).get()
        return try #require(crd.versions["v1"])
    }

    @Test func everyVendoredCRDLoadsWithItsServedV1Schema() throws {
        #expect(VendoredCRDs.directory != nil)
        for (kind, name) in [(Catalogue.clusters, "Cluster"), (Catalogue.backups, "Backup"), (Catalogue.scheduledBackups, "ScheduledBackup"), (Catalogue.objectStores, "ObjectStore")] {
            let crd = try #require(VendoredCRDs.crd(for: kind)).get()
            #expect(crd.kind == name)
            #expect(crd.group == kind.group)
            #expect(crd.versions["v1"]?.properties["spec"] != nil)
        }
        #expect(VendoredCRDs.crd(for: Catalogue.pods) == nil)
    }

    @Test func aRecoveryClusterPassesAndGetsTheServerDefaults() throws {
        let result = SchemaValidator.check(Self.recoveryCluster, against: try Self.schema(Catalogue.clusters))
        #expect(result.causes.isEmpty, "\(result.causes.map(\.text))")
        #expect(result.unknownFields.isEmpty)
        // Defaulted like the API server would store it.
        #expect(result.pruned.value(at: "spec.logLevel") == "info")
        #expect(result.pruned.value(at: "spec.bootstrap.recovery.source") == "origin")
        // A Cluster without instances is valid: the default (1) satisfies `required`.
        var bare = Self.recoveryCluster
        bare.set("spec.instances", to: nil)
        let defaulted = SchemaValidator.check(bare, against: try Self.schema(Catalogue.clusters))
        #expect(defaulted.causes.isEmpty, "\(defaulted.causes.map(\.text))")
        #expect(defaulted.pruned.value(at: "spec.instances") == 1)
    }

    @Test func violationsAreWordedLikeKubeOpenAPI() throws {
        var cluster = Self.recoveryCluster
        cluster.set("spec.instances", to: "two")
        cluster.set("spec.bootstrap.recovery.sauce", to: "tomato")
        cluster.set("spec.externalClusters", to: [["barmanObjectStore": ["destinationPath": "s3://b/"]]])
        cluster.set("spec.primaryUpdateStrategy", to: "whenever")
        let result = SchemaValidator.check(cluster, against: try Self.schema(Catalogue.clusters))
        #expect(result.unknownFields == ["spec.bootstrap.recovery.sauce"])
        let texts = result.causes.map(\.text)
        #expect(texts.contains(#"spec.instances: Invalid value: "string": spec.instances in body must be of type integer: "string""#))
        #expect(texts.contains("spec.externalClusters[0].name: Required value"))
        #expect(texts.contains(#"spec.primaryUpdateStrategy: Unsupported value: "whenever": supported values: "unsupervised", "supervised""#))
        // The pruned object has no unknown field left.
        #expect(result.pruned.value(at: "spec.bootstrap.recovery.sauce") == nil)

        var zero = Self.recoveryCluster
        zero.set("spec.instances", to: 0)
        #expect(SchemaValidator.check(zero, against: try Self.schema(Catalogue.clusters)).causes.map(\.text)
            == ["spec.instances: Invalid value: 0: spec.instances in body should be greater than or equal to 1"])
    }

    @Test func backupMethodIsAnEnumAndTheClusterIsRequired() throws {
        let backup: JSONValue = ["apiVersion": "postgresql.cnpg.io/v1", "kind": "Backup", "metadata": ["name": "b"],
                                 "spec": ["method": "tape"]]
        let result = SchemaValidator.check(backup, against: try Self.schema(Catalogue.backups))
        #expect(result.causes.map(\.text) == [
            #"spec.method: Unsupported value: "tape": supported values: "barmanObjectStore", "volumeSnapshot", "plugin""#,
            "spec.cluster: Required value",
        ])
    }

    /// Everything the simulator plants looks like a real object: each scenario's CNPG objects,
    /// status included, pass their CRD schema with no unknown field.
    @Test func everySeededCNPGObjectPassesItsSchema() throws {
        for scenario in Scenario.allCases {
            let options = SimOptions([scenario])
            let clock = SimClock(start: nil, speed: 1)
            let store = ObjectStore(clock: clock)
            Seed(options: options, store: store, logs: PodLogs(), now: clock.now()).plant()
            for kind in [Catalogue.clusters, Catalogue.backups, Catalogue.scheduledBackups, Catalogue.objectStores] {
                let schema = try Self.schema(kind)
                for object in store.list(kind, namespace: nil).items {
                    let name = object.value(at: "metadata.name")?.stringValue ?? "?"
                    let result = SchemaValidator.check(object, against: schema)
                    #expect(result.causes.isEmpty, "\(scenario) \(kind.kind) \(name): \(result.causes.map(\.text))")
                    #expect(result.unknownFields.isEmpty, "\(scenario) \(kind.kind) \(name): unknown \(result.unknownFields)")
                    // Planted already defaulted, as the API server would have stored it.
                    #expect(result.pruned == object, "\(scenario) \(kind.kind) \(name) is not stored with its defaults")
                }
            }
        }
    }

    // MARK: Through the API handler (status codes and Status bodies)

    static func api() -> KubeAPI {
        let options = SimOptions([.healthy])
        let clock = SimClock(start: nil, speed: 1)
        let store = ObjectStore(clock: clock)
        let logs = PodLogs()
        Seed(options: options, store: store, logs: logs, now: clock.now()).plant()
        return KubeAPI(store: store, logs: logs, clock: clock, config: ServingConfig(kinds: options.servedKinds)) { _ in nil }
    }

    static func send(_ api: KubeAPI, _ method: String, _ path: String, _ body: JSONValue, contentType: String = "application/json") async throws -> (Int, JSONValue) {
        let request = APIRequest(method: method, uri: path, headers: ["content-type": contentType], body: Array(body.serialized().utf8))
        guard case .full(let status, _, let bytes) = await api.handle(request) else {
            Issue.record("expected a full response")
            return (0, .null)
        }
        return (status, try JSONValue(parsing: bytes))
    }

    static let clusters = "/apis/postgresql.cnpg.io/v1/namespaces/paperless-ngx/clusters"

    @Test func strictUnknownFieldIs400AndInvalidValueIs422WithCauses() async throws {
        let api = Self.api()
        var sauce = Self.recoveryCluster
        sauce.set("spec.bootstrap.recovery.sauce", to: "tomato")
        sauce.set("spec.foo", to: 1)
        let (code, status) = try await Self.send(api, "POST", Self.clusters + "?fieldValidation=Strict", sauce)
        #expect(code == 400)
        #expect(status["reason"] == "BadRequest")
        #expect(status["message"] == #"Cluster in version "v1" cannot be handled as a Cluster: strict decoding error: unknown field "spec.bootstrap.recovery.sauce", unknown field "spec.foo""#)

        var two = Self.recoveryCluster
        two.set("spec.instances", to: "two")
        two.set("spec.externalClusters", to: [["barmanObjectStore": ["destinationPath": "s3://b/"]]])
        let (code2, status2) = try await Self.send(api, "POST", Self.clusters + "?fieldValidation=Strict&dryRun=All", two)
        #expect(code2 == 422)
        #expect(status2["reason"] == "Invalid")
        // Every cause, bracketed and joined as apierrors.NewInvalid does (fields in name order).
        #expect(status2["message"] == #"Cluster.postgresql.cnpg.io "paperless-ngx-db-restore" is invalid: [spec.externalClusters[0].name: Required value, spec.instances: Invalid value: "string": spec.instances in body must be of type integer: "string"]"#)
        #expect(status2.value(at: "details.name") == "paperless-ngx-db-restore")
        #expect(status2.value(at: "details.kind") == "Cluster")
        #expect(status2.value(at: "details.group") == "postgresql.cnpg.io")
        let causes = status2.value(at: "details.causes")?.arrayValue ?? []
        #expect(causes.contains(["reason": "FieldValueTypeInvalid", "field": "spec.instances",
                                 "message": #"Invalid value: "string": spec.instances in body must be of type integer: "string""#]))
        #expect(causes.contains(["reason": "FieldValueRequired", "field": "spec.externalClusters[0].name", "message": "Required value"]))
    }

    @Test func ignoreAndWarnPruneUnknownFieldsInsteadOfRefusing() async throws {
        let api = Self.api()
        var sauce = Self.recoveryCluster
        sauce.set("spec.bootstrap.recovery.sauce", to: "tomato")
        for (mode, name) in [("Ignore", "r-ignore"), ("Warn", "r-warn")] {
            sauce.set("metadata.name", to: .string(name))
            let (code, created) = try await Self.send(api, "POST", Self.clusters + "?fieldValidation=\(mode)", sauce)
            #expect(code == 201, "\(created)")
            #expect(created.value(at: "spec.bootstrap.recovery.source") == "origin")
            #expect(created.value(at: "spec.bootstrap.recovery.sauce") == nil)
        }
    }

    @Test func patchesAndUpdatesAreCheckedToo() async throws {
        let api = Self.api()
        let path = Self.clusters + "/paperless-ngx-db?fieldValidation=Strict"
        let (code, status) = try await Self.send(api, "PATCH", path, ["spec": ["instances": "three"]], contentType: "application/merge-patch+json")
        #expect(code == 422)
        #expect(status["message"] == #"Cluster.postgresql.cnpg.io "paperless-ngx-db" is invalid: spec.instances: Invalid value: "string": spec.instances in body must be of type integer: "string""#)
        let (unknown, _) = try await Self.send(api, "PATCH", path, ["spec": ["replicas": 3]], contentType: "application/merge-patch+json")
        #expect(unknown == 400)
        // A good patch still works, and the stored status (the operator's) is not in the way.
        let (ok, patched) = try await Self.send(api, "PATCH", path, ["spec": ["instances": 2]], contentType: "application/merge-patch+json")
        #expect(ok == 200)
        #expect(patched.value(at: "spec.instances") == 2)
        #expect(patched.value(at: "status.phase") == "Cluster in healthy state")
        // PUT of the stored object with a bad value.
        var replaced = patched
        replaced.set("spec.storage.size", to: 5)
        let (put, putStatus) = try await Self.send(api, "PUT", Self.clusters + "/paperless-ngx-db?fieldValidation=Strict", replaced)
        #expect(put == 422)
        #expect(putStatus["message"] == #"Cluster.postgresql.cnpg.io "paperless-ngx-db" is invalid: spec.storage.size: Invalid value: "integer": spec.storage.size in body must be of type string: "integer""#)
    }

    /// The vendored Cluster CRD loads; the time of that first parse is printed, not asserted (a
    /// timed unit test fails on a busy machine; the figure is in the note).
    @Test func theVendoredClusterCRDLoads() throws {
        let start = ContinuousClock.now
        let crd = VendoredCRDs.load("postgresql.cnpg.io_clusters.yaml")
        #expect((try? crd.get()) != nil)
        print("CRD parse: postgresql.cnpg.io_clusters.yaml in \(ContinuousClock.now - start)")
    }
}

/// The same refusals through the real kubectl, which asks for `fieldValidation=Strict` by default.
@Suite(.timeLimit(.minutes(2))) struct CRDValidationTests {
    static func yaml(_ object: JSONValue) -> String { object.serialized() }  // JSON is YAML

    @Test func aValidRecoveryClusterPassesServerSideDryRun() async throws {
        let h = try await SimHarness.start()
        defer { Task { await h.stop() } }
        let run = try await h.kubectl(["create", "--dry-run=server", "-f", "-", "-o", "json"], stdin: Self.yaml(CRDSchemaTests.recoveryCluster))
        #expect(run.succeeded, "\(run.stderr)")
        #expect(run.json().value(at: "spec.bootstrap.recovery.source") == "origin")
        // Dry run: nothing was stored.
        #expect(h.sim.store.get(Catalogue.clusters, namespace: "paperless-ngx", name: "paperless-ngx-db-restore") == nil)
    }

    @Test func aStringForInstancesIsRefusedWith422() async throws {
        let h = try await SimHarness.start()
        defer { Task { await h.stop() } }
        var cluster = CRDSchemaTests.recoveryCluster
        cluster.set("spec.instances", to: "two")
        let run = try await h.kubectl(["create", "--dry-run=server", "-f", "-", "-v=6"], stdin: Self.yaml(cluster))
        #expect(!run.succeeded)
        #expect(run.stderr.contains(#"The Cluster "paperless-ngx-db-restore" is invalid: spec.instances: Invalid value: "string": spec.instances in body must be of type integer: "string""#), "\(run.stderr)")
        #expect(run.stderr.contains("422 Unprocessable Entity"), "\(run.stderr)")
    }

    @Test func anUnknownFieldIsRefusedByStrictDecoding() async throws {
        let h = try await SimHarness.start()
        defer { Task { await h.stop() } }
        var cluster = CRDSchemaTests.recoveryCluster
        cluster.set("spec.bootstrap.recovery.sauce", to: "tomato")
        let run = try await h.kubectl(["create", "-f", "-"], stdin: Self.yaml(cluster))
        #expect(!run.succeeded)
        #expect(run.stderr.contains(#"strict decoding error: unknown field "spec.bootstrap.recovery.sauce""#), "\(run.stderr)")
        #expect(run.stderr.contains("BadRequest"), "\(run.stderr)")
        // --validate=false asks for fieldValidation=Ignore: created, with the field pruned.
        let lax = try await h.kubectl(["create", "--validate=false", "-f", "-", "-o", "json"], stdin: Self.yaml(cluster))
        #expect(lax.succeeded, "\(lax.stderr)")
        #expect(lax.json().value(at: "spec.bootstrap.recovery.sauce") == nil)
    }

    @Test func aBackupWithAnUnknownMethodIsUnsupported() async throws {
        let h = try await SimHarness.start()
        defer { Task { await h.stop() } }
        let backup = """
            apiVersion: postgresql.cnpg.io/v1
            kind: Backup
            metadata:
              name: to-tape
            spec:
              cluster:
                name: paperless-ngx-db
              method: tape
            """
        let run = try await h.kubectl(["create", "-f", "-"], stdin: backup)
        #expect(!run.succeeded)
        #expect(run.stderr.contains(#"spec.method: Unsupported value: "tape": supported values: "barmanObjectStore", "volumeSnapshot", "plugin""#), "\(run.stderr)")
    }
}
