import Synchronization

/// Commits concurrent submissions in batches: one transaction, one sync, many acknowledgements. Under
/// load batches grow by themselves while the previous one commits. Both stores use it; how a batch is
/// written is theirs (`Write`): SQLite on its writer's queue, PostgreSQL by its service's writer task.
///
/// The next batch is started from the completion of the previous one (`done`), not by a waiting
/// request's task: under load a task resumed to lead the next batch waited behind the request handlers
/// for a core while the writer sat idle (about a quarter of the time at ingress's peak on SQLite). And
/// a commit is never abandoned by a cancelled request: no request's task does the writing.
public final class GroupCommit<Item: Sendable, Outcome: Sendable, Failure: Error>: Sendable {
    /// Starts writing a batch in one transaction and, once it has committed or failed, calls `done` with
    /// one result per item, in order. The next batch is started from `done`, so `write` must not wait
    /// for it.
    public typealias Write =
        @Sendable (_ batch: [Item], _ done: @escaping @Sendable ([Result<Outcome, Failure>]) -> Void)
        -> Void

    private struct Waiter {
        var item: Item
        var continuation: CheckedContinuation<Result<Outcome, Failure>, Never>
    }

    private struct State {
        var pending: [Waiter] = []
        var writing = false

        /// Takes the oldest waiters, at most `limit`; clears `writing` when there are none.
        mutating func nextBatch(limit: Int) -> [Waiter]? {
            guard !pending.isEmpty else {
                writing = false
                return nil
            }
            let count = min(pending.count, limit)
            defer { pending.removeFirst(count) }
            return Array(pending.prefix(count))
        }
    }

    private let state = Mutex(State())
    private let maxBatch: Int
    private let write: Write
    /// What an item whose batch answered no result gets.
    private let missing: Failure

    public init(maxBatch: Int = 512, missing: Failure, write: @escaping Write) {
        self.maxBatch = max(1, maxBatch)
        self.missing = missing
        self.write = write
    }

    /// Submits one item and returns once the batch holding it has been written.
    public func submit(_ item: Item) async -> Result<Outcome, Failure> {
        await withCheckedContinuation { continuation in
            let batch: [Waiter]? = state.withLock { state in
                state.pending.append(Waiter(item: item, continuation: continuation))
                guard !state.writing else { return nil }
                state.writing = true
                return state.nextBatch(limit: maxBatch)
            }
            if let batch { start(batch) }
        }
    }

    /// Writes `batch`; when it is done, starts the next one (if any arrived meanwhile), then answers it.
    private func start(_ batch: [Waiter]) {
        write(batch.map(\.item)) { results in
            if let next = self.state.withLock({ $0.nextBatch(limit: self.maxBatch) }) { self.start(next) }
            for (index, waiter) in batch.enumerated() {
                waiter.continuation.resume(returning: index < results.count ? results[index] : .failure(self.missing))
            }
        }
    }
}
