import Foundation
import Testing
@testable import PaperDomain

/// The object view's manifest: YAML, with what could carry a credential taken out.
@Suite struct ObjectYAMLTests {
    @Test func envValuesSecretDataAndTheLastAppliedCopyNeverReachTheScreen() {
        let job = #"""
            {"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"manual-backup-1","annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{\"value\":\"hunter2-PLANTED\"}","team":"ops"},
             "managedFields":[{"manager":"kubectl"}]},
             "spec":{"backoffLimit":0,"template":{"spec":{"containers":[{"name":"restic","env":[{"name":"TZ","value":"Europe/Berlin"},{"name":"RESTIC_PASSWORD","value":"hunter2-PLANTED"},
               {"name":"DB_URL","value":"postgres://app:hunter3-PLANTED@db:5432/app"}]}]}}},"status":{"failed":1}}
            """#
        let yaml = ObjectYAML.shown(json: Data(job.utf8))
        #expect(!yaml.contains("PLANTED"), "\(yaml)")
        #expect(!yaml.contains("managedFields") && !yaml.contains("last-applied"))
        #expect(yaml.contains("team: ops"))
        #expect(yaml.contains("backoffLimit: 0"))
        #expect(yaml.contains("value: Europe/Berlin"), "settings stay readable")
        let secret = #"{"apiVersion":"v1","kind":"Secret","metadata":{"name":"paperless-ngx-restic"},"data":{"password":"aHVudGVyMi1QTEFOVEVE"},"stringData":{"x":"plain-PLANTED"}}"#
        let shown = ObjectYAML.shown(json: Data(secret.utf8))
        #expect(!shown.contains("aHVudGVyMi1QTEFOVEVE") && !shown.contains("PLANTED"))
        #expect(shown.contains("password: '***'") || shown.contains("password: \"***\"") || shown.contains("password: ***"), "\(shown)")
        #expect(ObjectYAML.shown(json: Data("not json".utf8)).hasPrefix("(not a Kubernetes object"))
    }

    @Test func aCronJobsTemplateIsMaskedToo() {
        let cron = #"{"kind":"CronJob","metadata":{"name":"b"},"spec":{"jobTemplate":{"spec":{"template":{"spec":{"containers":[{"name":"r","env":[{"name":"AWS_SECRET","value":"x-PLANTED"}]}]}}}}}}"#
        #expect(!ObjectYAML.shown(json: Data(cron.utf8)).contains("PLANTED"))
    }
}
