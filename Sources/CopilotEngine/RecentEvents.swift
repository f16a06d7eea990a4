import CopilotCore
import Synchronization

/// The events the worker just matched that started runs, kept for those runs' executions.
///
/// A run is usually claimed moments after its event was matched, by the same node; without this, its
/// execution read the delivery back from the store and parsed its body a second time, about a tenth
/// of the engine's CPU at a thousand events a second. Only a cache: a run whose event is not here (another
/// node matched it, a restart, eviction) reads it from the store as before. Events are immutable, so a
/// kept one is never stale.
final class RecentEvents: Sendable {
    private struct State {
        var events: [EventID: Event] = [:]
        /// Insertion order, as a ring: the oldest is evicted first.
        var ring: [EventID?]
        var next = 0
    }

    private let state: Mutex<State>

    /// Keeps at most `capacity` events (each holds its payload's tree, tens of kilobytes for GitHub's).
    init(capacity: Int) {
        state = Mutex(State(ring: Array(repeating: nil, count: max(capacity, 1))))
    }

    func insert(_ event: Event) {
        state.withLock { state in
            guard state.events.updateValue(event, forKey: event.id) == nil else { return }
            if let evicted = state.ring[state.next] { state.events[evicted] = nil }
            state.ring[state.next] = event.id
            state.next = (state.next + 1) % state.ring.count
        }
    }

    func event(_ id: EventID) -> Event? {
        state.withLock { $0.events[id] }
    }
}
