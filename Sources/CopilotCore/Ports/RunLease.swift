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
    /// The earlier runs of its playbook and subject, newest first, read with the claim when the claim
    /// asked for them (`RecentRunsQuery`); nil when it did not.
    public var recentRuns: [PastRun]?

    public init(run: Run, lease: RunLease, recentRuns: [PastRun]? = nil) {
        self.run = run
        self.lease = lease
        self.recentRuns = recentRuns
    }
}

/// Which claimed runs come with their subject's recent runs (`RunStore.claimRuns`): those still to be
/// planned, of the playbooks a model plans. The planner's prompt needs them as soon as such a run
/// starts; read in the claim's transaction, they cost no second round trip to the store on its path.
public struct RecentRunsQuery: Sendable, Hashable {
    /// The playbooks whose runs a model plans (`agent:` with a model configured).
    public var playbooks: Set<PlaybookName>
    /// How many earlier runs each claimed run comes with, at most.
    public var limit: Int

    public init(playbooks: Set<PlaybookName>, limit: Int) {
        self.playbooks = playbooks
        self.limit = limit
    }

    /// Whether a claimed `run` comes with its recent runs.
    public func wants(_ run: Run) -> Bool {
        limit > 0 && run.needsPlan && playbooks.contains(run.playbook)
    }

    /// Gives each run of `claimed` that the query wants what `read` answers for it and the query's
    /// `limit`, once every run of the claim is leased: for a store that reads one run's history at a time.
    public func attach<Failure: Error>(
        to claimed: inout [ClaimedRun],
        reading read: (_ run: Run, _ limit: Int) throws(Failure) -> [PastRun]
    ) throws(Failure) {
        for index in claimed.indices where wants(claimed[index].run) {
            claimed[index].recentRuns = try read(claimed[index].run, limit)
        }
    }
}
