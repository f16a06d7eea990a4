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
/// Two loops, each woken by its own signal and by the poll interval:
/// 1. matching (`wake()`, called by ingress after each accepted delivery): claims a batch of stored
///    events, matches each against the current playbook set and records the batch's results with the
///    runs they start, then wakes the run loop when it started any;
/// 2. runs (a slot freed, runs started, a run handed back): claims as many runnable runs as there are
///    free slots of `concurrency` and executes each in a child task: the run's state machine decides,
///    the run is saved, then the worker acts.
///
/// Separate loops, because a finished run must not cost a pass over the inbox, nor a delivery a claim
/// of runs: with one loop, every run's end made three store transactions, and the store's single
/// writer was what capped the engine.
///
/// - Work comes from the store, never from memory: a run whose worker died is claimed again once its
///   lease expires, and its in-flight step is sent again with the same idempotency key.
/// - Graceful shutdown: no more claims; executing steps finish, their result is saved and the run's lease
///   given up, so another node resumes it at once. Cancellation stops steps without saving their result:
///   whoever claims the run after the lease expires sends them again.
/// - Transient store errors are logged and retried after a growing pause; they never end a loop.
public final class WorkerService: Service, Sendable {
    let environment: EngineEnvironment
    private let events: Signal
    private let runs: Signal
    private let executing = Mutex(0)

    /// Coalescing wake-ups of one loop: at most one pass is owed.
    private struct Signal: Sendable {
        let stream: AsyncStream<Void>
        let continuation: AsyncStream<Void>.Continuation

        init() {
            (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        }

        func fire() { continuation.yield() }
    }

    /// - Parameters:
    ///   - clock: sleeps (poll interval, step timeouts, lease renewal, store backoff).
    ///   - now: the wall-clock time written into the store (leases, cooldown, attempts).
    ///   - random: random bits for trace ids, run ids and retry jitter.
    ///   - makeRunID: the id of a new run.
    ///   - serviceAccounts: which actions each playbook's `run_as` may use (unrestricted until RBAC is
    ///     configured).
    ///   - planner: plans the runs of playbooks with `agent:`; nil for `agent.provider: playbook`.
    ///   - metricsFactory: nil for the bootstrapped backend.
    public init(
        store: any RunStore,
        playbooks: PlaybookRegistry,
        executor: any ActionExecutor,
        configuration: EngineConfiguration,
        logger: Logger,
        clock: any Clock<Duration> = ContinuousClock(),
        now: @escaping @Sendable () -> Date = { Date() },
        random: @escaping @Sendable () -> UInt64 = { UInt64.random(in: .min ... .max) },
        serviceAccounts: ServiceAccountPolicy = .unrestricted,
        planner: RunPlanner? = nil,
        metricsFactory: (any MetricsFactory)? = nil
    ) {
        let events = Signal()
        let runs = Signal()
        self.events = events
        self.runs = runs
        var logger = logger
        logger[metadataKey: "copilot.node.id"] = .string(configuration.nodeID)
        self.environment = EngineEnvironment(
            store: store,
            playbooks: playbooks,
            executor: executor,
            configuration: configuration,
            clock: clock,
            now: now,
            random: random,
            serviceAccounts: serviceAccounts,
            planner: planner,
            metrics: EngineMetrics(factory: metricsFactory),
            logger: logger,
            wake: { runs.fire() },
            recentDeliveries: RecentDeliveries(capacity: 64)
        )
    }

    /// Asks the matching loop for a pass now instead of at the next poll. Ingress calls it after each
    /// accepted delivery; calls coalesce (at most one pass is owed), so it is cheap to call often.
    public func wake() {
        events.fire()
    }

    /// Asks the run loop for a claim now instead of at the next poll: another node made runs claimable.
    public func wakeRuns() {
        runs.fire()
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
        environment.metrics.registerAtStart(
            playbooks: environment.playbooks.current.set,
            planner: environment.planner.map { ($0.provider, $0.model) }
        )
        events.fire()
        runs.fire()
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { await self.tick() }
            group.addTask {
                await self.loop(self.events) { () throws(RunStoreError) in
                    let claimed = try await self.matchPendingEvents()
                    if claimed.startedRuns { self.runs.fire() }
                    if claimed.events >= configuration.eventBatchSize { self.events.fire() }
                    logger.trace("matching pass", metadata: ["copilot.events.claimed": "\(claimed.events)"])
                }
            }
            await loop(runs) { () throws(RunStoreError) in
                let started = try await startRuns(in: &group)
                logger.trace("run pass", metadata: ["copilot.runs.started": "\(started)"])
            }
            logger.info("worker stopping: no more claims; waiting for executing steps")
        }
        logger.info("worker stopped")
    }

    /// One pass per wake-up of `signal`, until graceful shutdown or cancellation. A pass that fails is
    /// retried after a pause that grows with the failures in a row.
    private func loop(_ signal: Signal, pass: () async throws(RunStoreError) -> Void) async {
        var failures = 0
        for await _ in signal.stream.cancelOnGracefulShutdown() {
            if Task.isCancelled { break }
            do throws(RunStoreError) {
                try await pass()
                failures = 0
            } catch {
                failures += 1
                let pause = backoff(afterFailures: failures)
                environment.logger.warning(
                    "store call failed; pausing before the next pass",
                    metadata: [
                        "error.type": .string("\(error)"),
                        "copilot.backoff.ms": .stringConvertible(pause.timeInterval * 1000),
                    ]
                )
                try? await cancelWhenGracefulShutdown { try await self.environment.clock.sleep(for: pause) }
                signal.fire()
            }
        }
    }

    /// Wakes both loops every poll interval, until shutdown or cancellation; then counts the backlog for
    /// its gauge, at most every 5 s of the wall clock (a count of a storm's backlog is a range of an
    /// index, not free, and a scrape comes every 15 s or so).
    private func tick() async {
        let interval = environment.configuration.pollInterval
        var counted: Date?
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            let now = environment.now()
            // A clock stepped back counts again rather than waiting for the old time.
            if counted.map({ now.timeIntervalSince($0) >= 5 || now < $0 }) ?? true {
                counted = now
                do {
                    environment.metrics.waiting(try await environment.store.backlog(), at: now)
                } catch {
                    environment.logger.debug("backlog not counted", metadata: ["error.type": .string("\(error)")])
                }
            }
            do {
                try await cancelWhenGracefulShutdown { try await self.environment.clock.sleep(for: interval) }
            } catch {
                return
            }
            events.fire()
            runs.fire()
        }
    }

    /// Claims as many runs as there are free slots, in one store call, and starts each in a child task;
    /// answers how many it started.
    private func startRuns(in group: inout ThrowingDiscardingTaskGroup<any Error>) async throws(RunStoreError) -> Int {
        let configuration = environment.configuration
        let free = configuration.concurrency - executing.withLock { $0 }
        guard free > 0, !Task.isCancelled, !Task.isShuttingDownGracefully else { return 0 }
        // Runs a model will plan come with their subject's recent runs, for the prompt.
        let planned = environment.planner == nil ? [] : environment.playbooks.current.set.withAgent
        let claimed = try await environment.store.claimRuns(
            owner: configuration.nodeID,
            limit: free,
            lease: configuration.leaseDuration,
            now: environment.now(),
            recentRuns: planned.isEmpty ? nil : RecentRunsQuery(playbooks: planned, limit: PlannerPrompt.recentRunCount)
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
                self.runs.fire()
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
