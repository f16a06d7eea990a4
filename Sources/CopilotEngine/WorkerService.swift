public import CopilotCore
public import Logging
public import Metrics
public import ServiceLifecycle
import Synchronization

#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// The worker `Service`: turns stored events into runs and runs into actions (ARCHITECTURE, CopilotEngine).
///
/// Each pass of its loop (1) claims a batch of stored events, matches each against the current playbook
/// set and records the result with the runs it starts, then (2) claims runnable runs while fewer than
/// `concurrency` execute, and executes each in a child task: the run's state machine decides, the run is
/// saved, then the worker acts. (3) It waits for `wake()` or the poll interval.
///
/// - Work comes from the store, never from memory: a run whose worker died is claimed again once its
///   lease expires, and its in-flight step is sent again with the same idempotency key.
/// - Graceful shutdown: no more claims; executing steps finish, their result is saved and the run's lease
///   given up, so another node resumes it at once. Cancellation stops steps without saving their result:
///   whoever claims the run after the lease expires sends them again.
/// - Transient store errors are logged and retried after a growing pause; they never end the loop.
public final class WorkerService: Service, Sendable {
    let environment: EngineEnvironment
    private let signals: AsyncStream<Void>
    private let signal: AsyncStream<Void>.Continuation
    private let executing = Mutex(0)

    /// - Parameters:
    ///   - decodeEvent: rebuilds the `Event` from a stored delivery (CopilotApp passes `{ try $0.event() }`).
    ///   - clock: sleeps (poll interval, step timeouts, lease renewal, store backoff).
    ///   - now: the wall-clock time written into the store (leases, cooldown, attempts).
    ///   - random: random bits for trace ids, run ids and retry jitter.
    ///   - makeRunID: the id of a new run.
    ///   - authorizer: RBAC for actions (the seam; allows everything until RBAC lands).
    ///   - metricsFactory: nil for the bootstrapped backend.
    public init(
        store: any RunStore,
        playbooks: PlaybookRegistry,
        executor: any ActionExecutor,
        decodeEvent: @escaping @Sendable (Delivery) throws -> Event,
        configuration: EngineConfiguration,
        logger: Logger,
        clock: any Clock<Duration> = ContinuousClock(),
        now: @escaping @Sendable () -> Date = { Date() },
        random: @escaping @Sendable () -> UInt64 = { UInt64.random(in: .min ... .max) },
        authorizer: ActionAuthorizer = .allowAll,
        metricsFactory: (any MetricsFactory)? = nil
    ) {
        let (signals, signal) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        self.signals = signals
        self.signal = signal
        var logger = logger
        logger[metadataKey: "copilot.node.id"] = .string(configuration.nodeID)
        self.environment = EngineEnvironment(
            store: store,
            playbooks: playbooks,
            executor: executor,
            decodeEvent: decodeEvent,
            configuration: configuration,
            clock: clock,
            now: now,
            random: random,
            authorizer: authorizer,
            metrics: EngineMetrics(factory: metricsFactory),
            logger: logger,
            wake: { signal.yield() },
            recentEvents: RecentEvents(capacity: 2 * configuration.eventBatchSize)
        )
    }

    /// Asks for a pass now instead of at the next poll. Ingress calls it after each accepted delivery;
    /// calls coalesce (at most one pass is owed), so it is cheap to call often.
    public func wake() {
        signal.yield()
    }

    /// Runs until graceful shutdown (then waits for executing steps) or cancellation.
    public func run() async throws {
        let configuration = environment.configuration
        let logger = environment.logger
        logger.info(
            "worker started",
            metadata: ["copilot.workers.concurrency": .stringConvertible(configuration.concurrency)]
        )
        environment.metrics.executing(0)
        signal.yield()
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { await self.tick() }
            var failures = 0
            for await _ in signals.cancelOnGracefulShutdown() {
                if Task.isCancelled { break }
                do throws(RunStoreError) {
                    let claimed = try await matchPendingEvents()
                    let started = try await startRuns(in: &group)
                    failures = 0
                    logger.trace(
                        "worker pass",
                        metadata: [
                            "copilot.events.claimed": .stringConvertible(claimed),
                            "copilot.runs.started": .stringConvertible(started),
                        ]
                    )
                    if claimed >= configuration.eventBatchSize { signal.yield() }
                } catch {
                    failures += 1
                    let pause = backoff(afterFailures: failures)
                    logger.warning(
                        "store call failed; pausing before the next pass",
                        metadata: [
                            "error.type": .string("\(error)"),
                            "copilot.backoff.ms": .stringConvertible(pause.timeInterval * 1000),
                        ]
                    )
                    try? await cancelWhenGracefulShutdown { try await self.environment.clock.sleep(for: pause) }
                    signal.yield()
                }
            }
            logger.info("worker stopping: no more claims; waiting for executing steps")
        }
        logger.info("worker stopped")
    }

    /// Signals a pass every poll interval, until shutdown or cancellation.
    private func tick() async {
        let interval = environment.configuration.pollInterval
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            do {
                try await cancelWhenGracefulShutdown { try await self.environment.clock.sleep(for: interval) }
            } catch {
                return
            }
            signal.yield()
        }
    }

    /// Claims as many runs as there are free slots, in one store call, and starts each in a child task;
    /// answers how many it started.
    private func startRuns(in group: inout ThrowingDiscardingTaskGroup<any Error>) async throws(RunStoreError) -> Int {
        let configuration = environment.configuration
        let free = configuration.concurrency - executing.withLock { $0 }
        guard free > 0, !Task.isCancelled, !Task.isShuttingDownGracefully else { return 0 }
        let claimed = try await environment.store.claimRuns(
            owner: configuration.nodeID,
            limit: free,
            lease: configuration.leaseDuration,
            now: environment.now()
        )
        for run in claimed {
            let count = executing.withLock { count in
                count += 1
                return count
            }
            environment.metrics.executing(count)
            group.addTask {
                await RunExecution.execute(run, in: self.environment)
                let count = self.executing.withLock { count in
                    count -= 1
                    return count
                }
                self.environment.metrics.executing(count)
                self.signal.yield()
            }
        }
        return claimed.count
    }

    /// The pause after `failures` store failures in a row: the poll interval, doubling, capped.
    private func backoff(afterFailures failures: Int) -> Duration {
        let configuration = environment.configuration
        let factor = Double(1 << min(max(failures - 1, 0), 16))
        let seconds = min(configuration.pollInterval.timeInterval * factor, configuration.maxStoreBackoff.timeInterval)
        return .milliseconds(Int64(seconds * 1000))
    }
}
