import CopilotCore
import Synchronization

/// The deliveries whose events the worker just matched into runs, kept for those runs' executions.
///
/// A run is usually claimed moments after its event was matched, by the same node; without this, its
/// execution read the delivery back from the store. Matching reads only what the playbooks test of a
/// body (`PlaybookSet.payloadProjection`), so each claim of a run parses its body whole. (The parsed
/// events kept here before were mostly freed unused: when runs queue, most matched events are evicted
/// before their run is claimed.) Only a cache: a run whose delivery is not here (another node matched
/// it, a restart, eviction) reads it from the store. Deliveries are immutable, so a kept one is never
/// stale.
final class RecentDeliveries: Sendable {
    private struct State {
        var deliveries: [EventID: Delivery] = [:]
        /// Insertion order, as a ring: the oldest is evicted first.
        var ring: [EventID?]
        var next = 0
    }

    private let state: Mutex<State>

    /// Keeps at most `capacity` deliveries.
    init(capacity: Int) {
        state = Mutex(State(ring: Array(repeating: nil, count: max(capacity, 1))))
    }

    func insert(_ delivery: Delivery) {
        state.withLock { state in
            guard state.deliveries.updateValue(delivery, forKey: delivery.eventID) == nil else { return }
            if let evicted = state.ring[state.next] { state.deliveries[evicted] = nil }
            state.ring[state.next] = delivery.eventID
            state.next = (state.next + 1) % state.ring.count
        }
    }

    func delivery(_ id: EventID) -> Delivery? {
        state.withLock { $0.deliveries[id] }
    }
}
