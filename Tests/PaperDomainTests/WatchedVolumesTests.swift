import PaperKube
import Testing
@testable import PaperDomain

@Suite("Watched volumes")
struct WatchedVolumesTests {
    @Test func watchedVolumesFallBackToChartNames() {
        var snapshot = Fixtures.healthySnapshot()
        snapshot.deployments = []
        for i in snapshot.persistentVolumeClaims.indices { snapshot.persistentVolumeClaims[i].metadata.labels = [:] }
        let watched = WatchedVolumes(snapshot: snapshot, config: PaperConfig())
        #expect(watched.data == "paperless-ngx-data")
        #expect(watched.database == ["paperless-ngx-db-1"])
    }
}
