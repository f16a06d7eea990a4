/// How the worker `Service` claims and executes work: a plain value CopilotApp builds from the config.
///
/// Config keys (CONTRACT §1):
/// - `workers.concurrency` → `concurrency`: runs this node executes at once (default 8).
///
/// Every other property is an engine constant with a sound default, settable in code (tests shorten
/// them); none of them is a config key, because CONTRACT §1 lists every key and a key not listed there
/// is an error.
public struct EngineConfiguration: Sendable, Hashable {
    /// The lease owner this node writes into the store; unique per process (host, pid and a random part).
    public var nodeID: String
    /// `workers.concurrency`: at most this many runs execute at once on this node. At least 1.
    public var concurrency: Int
    /// How long a claim (of a run or of a batch of events) holds before another node may take it over.
    public var leaseDuration: Duration
    /// How often a run's lease is renewed while one of its steps is executing; well under `leaseDuration`.
    public var leaseRenewalInterval: Duration
    /// How often the engine looks for work when nobody calls `wake()`: retry backoffs that ended, approval
    /// deadlines, decisions and cancellations made through the API, runs whose lease expired.
    public var pollInterval: Duration
    /// How often an executing step checks whether its run was cancelled, so the action is stopped.
    public var cancelCheckInterval: Duration
    /// How many stored events one pass claims and matches.
    public var eventBatchSize: Int
    /// The longest pause after the store answered `unavailable` (pauses double from `pollInterval`).
    public var maxStoreBackoff: Duration

    public init(
        nodeID: String,
        concurrency: Int = 8,
        leaseDuration: Duration = .seconds(60),
        leaseRenewalInterval: Duration = .seconds(20),
        pollInterval: Duration = .seconds(1),
        cancelCheckInterval: Duration = .seconds(1),
        eventBatchSize: Int = 32,
        maxStoreBackoff: Duration = .seconds(30)
    ) {
        self.nodeID = nodeID
        self.concurrency = max(concurrency, 1)
        self.leaseDuration = leaseDuration
        self.leaseRenewalInterval = leaseRenewalInterval
        self.pollInterval = pollInterval
        self.cancelCheckInterval = cancelCheckInterval
        self.eventBatchSize = max(eventBatchSize, 1)
        self.maxStoreBackoff = maxStoreBackoff
    }
}
