public import CopilotCore
import Synchronization

/// How refused API requests reach the audit log: one record each, up to `perSecond`; beyond that they
/// are counted, and the next record written says how many were left out (`detail.unrecorded`).
///
/// Refusals happen before any rate limit (those are per operator, and a refused request has none), so
/// without a bound a flood of bad credentials would be a flood of writes to the store's one writer,
/// which every webhook delivery needs. With it, a flood costs at most `perSecond` small records a
/// second, and the log still says how many refusals there were.
public final class RefusalAudit: Sendable {
    private let log: any AuditLog
    private let now: @Sendable () -> ContinuousClock.Instant
    private let state: Mutex<(bucket: TokenBucket<ContinuousClock.Instant>, unrecorded: Int)>

    public init(
        log: any AuditLog,
        perSecond: Int = 50,
        now: @escaping @Sendable () -> ContinuousClock.Instant = { .now }
    ) {
        self.log = log
        self.now = now
        self.state = Mutex((TokenBucket(rate: perSecond), 0))
    }

    /// Appends `entry`, or counts it when the budget is spent. Throws what the store throws.
    public func record(_ entry: AuditEntry) async throws(RunStoreError) {
        let left: Int? = state.withLock { state in
            guard case .allow = state.bucket.take(now: now()) else {
                state.unrecorded += 1
                return nil
            }
            defer { state.unrecorded = 0 }
            return state.unrecorded
        }
        guard let left else { return }
        var entry = entry
        if left > 0 { entry.detail["unrecorded"] = String(left) }
        try await log.appendAudit([entry])
    }
}
