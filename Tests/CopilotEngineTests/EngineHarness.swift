import CopilotCore
import CopilotEngine
import CopilotTesting
import Foundation
import Logging
import Metrics
import Synchronization

/// A wall clock the test moves by hand (lease expiry, approval deadlines, cooldowns) while sleeps stay real.
final class TestTime: Sendable {
    private let date = Mutex(Date(timeIntervalSince1970: 1_764_000_000))

    var now: Date { date.withLock { $0 } }

    func advance(by seconds: Double) {
        date.withLock { $0 += seconds }
    }
}

/// A store, an executor, playbooks and a clock for one test, and the workers built over them.
struct EngineHarness {
    let store = MemoryRunStore()
    let executor = RecordingActionExecutor()
    let registry: PlaybookRegistry
    let time = TestTime()

    init(_ playbooks: Playbook...) {
        registry = PlaybookRegistry(PlaybookSet(playbooks))
    }

    /// A worker with short intervals, so tests do not wait on them.
    func worker(
        node: String = "node-a",
        concurrency: Int = 4,
        pollInterval: Duration = .milliseconds(20),
        lease: (duration: Duration, renewal: Duration) = (.seconds(60), .seconds(20)),
        serviceAccounts: ServiceAccountPolicy = .unrestricted,
        planner: RunPlanner? = nil,
        logger: Logger = EngineHarness.logger,
        metricsFactory: (any MetricsFactory)? = nil
    ) -> WorkerService {
        let time = time
        return WorkerService(
            store: store,
            playbooks: registry,
            executor: executor,
            configuration: EngineConfiguration(
                nodeID: node,
                concurrency: concurrency,
                leaseDuration: lease.duration,
                leaseRenewalInterval: lease.renewal,
                pollInterval: pollInterval,
                cancelCheckInterval: .milliseconds(20)
            ),
            logger: logger,
            now: { time.now },
            serviceAccounts: serviceAccounts,
            planner: planner,
            metricsFactory: metricsFactory
        )
    }

    /// Quiet: tests assert on the store, not on log lines.
    static let logger = Logger(label: "copilot.engine.test", factory: { _ in SwiftLogNoOpLogHandler() })

    /// Stores an incident event and answers its id.
    @discardableResult
    func enqueue(
        _ id: String,
        subject: String = "payments",
        payload: String = #"{"incident":{"id":"inc-7"}}"#,
        headers: [String: String] = [:]
    )
        async throws -> EventID
    {
        let delivery = Delivery(
            eventID: EventID(rawValue: id),
            source: .incident,
            deliveryID: DeliveryID(rawValue: "del-\(id)"),
            type: "incident.detected",
            subject: subject,
            receivedAt: time.now,
            headers: headers.merging(["content-type": "application/json"]) { $1 },
            body: Array(payload.utf8)
        )
        return try await store.enqueue(delivery).eventID
    }

    /// The only run an event started.
    func run(of event: EventID) async throws -> Run? {
        try await store.event(event)?.runs.first
    }

    /// The run of an event once it satisfies `condition`, within the deadline.
    func waitForRun(
        of event: EventID,
        within timeout: Duration = .seconds(10),
        _ condition: @escaping @Sendable (Run) -> Bool
    ) async throws -> Run {
        try await eventually(within: timeout) {
            guard let run = try await run(of: event), condition(run) else { return nil }
            return run
        }
    }

    /// Runs the workers while `body` runs, then cancels them.
    @discardableResult
    func running<T: Sendable>(
        _ workers: WorkerService...,
        body: @Sendable () async throws -> T
    ) async throws -> T {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in workers {
                group.addTask { try await worker.run() }
            }
            defer { group.cancelAll() }
            return try await body()
        }
    }
}

/// Polls `probe` until it answers a value, failing after `timeout`.
@discardableResult
func eventually<T: Sendable>(
    within timeout: Duration = .seconds(10),
    _ probe: @Sendable () async throws -> T?
) async throws -> T {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if let value = try await probe() { return value }
        try await Task.sleep(for: .milliseconds(10))
    }
    if let value = try await probe() { return value }
    throw TimedOut()
}

/// A condition did not hold in time.
struct TimedOut: Error, CustomStringConvertible {
    var description: String { "condition did not hold in time" }
}
