import CopilotEngine
import Foundation

extension AppConfiguration {
    /// The worker's settings: `workers.concurrency` from the file; the rest are fixed here.
    ///
    /// Decision: a 10 s lease renewed every 3 s. A run left by a crashed node is resumed about 10 s later
    /// (by any node, including the restarted one), while a healthy node renews long before expiry even
    /// under load. The node id (`ServeEnvironment.nodeID`) is unique per process, so a restarted process
    /// never mistakes a dead process's lease for its own.
    func engineConfiguration(nodeID: String) -> EngineConfiguration {
        EngineConfiguration(
            nodeID: nodeID,
            concurrency: workers.concurrency,
            leaseDuration: .seconds(10),
            leaseRenewalInterval: .seconds(3)
        )
    }
}
