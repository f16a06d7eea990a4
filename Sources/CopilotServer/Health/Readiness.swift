import Synchronization

/// What `/readyz` reports: ready once the store is open and playbooks are loaded, not ready again as soon
/// as shutdown begins (so a load balancer stops sending before in-flight requests finish).
public final class Readiness: Sendable {
    private struct State {
        var storeOpen = false
        var playbooksLoaded = false
        var shuttingDown = false
    }

    private let state = Mutex(State())

    public init() {}

    public var isReady: Bool {
        state.withLock { $0.storeOpen && $0.playbooksLoaded && !$0.shuttingDown }
    }

    public func storeOpened() { state.withLock { $0.storeOpen = true } }
    public func playbooksLoaded() { state.withLock { $0.playbooksLoaded = true } }
    public func shutdownBegan() { state.withLock { $0.shuttingDown = true } }
}
