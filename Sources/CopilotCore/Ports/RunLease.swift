#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// A worker's hold on a run, from `RunStore.claimRuns`, until `expiresAt`.
public struct RunLease: Sendable, Hashable {
    public var runID: RunID
    /// The node or worker id that claimed the run.
    public var owner: String
    public var expiresAt: Date

    public init(runID: RunID, owner: String, expiresAt: Date) {
        self.runID = runID
        self.owner = owner
        self.expiresAt = expiresAt
    }
}

/// A claimed run and the lease that lets the claimer save it.
public struct ClaimedRun: Sendable, Hashable {
    public var run: Run
    public var lease: RunLease

    public init(run: Run, lease: RunLease) {
        self.run = run
        self.lease = lease
    }
}
