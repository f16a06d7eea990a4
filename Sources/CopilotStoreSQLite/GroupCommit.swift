import CopilotCore
import Synchronization

/// Commits concurrent submissions in batches: one transaction, one fsync, many acknowledgements.
///
/// Leader/follower hand-off instead of a background writer task: the first submitter finding no flush
/// under way becomes the leader and writes everything pending (its own item included); the others wait.
/// When its batch is done the leader resumes the waiters with their results and, if more arrived meanwhile,
/// makes the oldest of them the next leader. So there is never a task to start, supervise or cancel, a
/// commit is never abandoned half-way by a cancelled request (the write itself is not cancellable), and
/// under load batches grow by themselves while the disk syncs.
final class GroupCommit<Item: Sendable, Outcome: Sendable, Failure: Error>: Sendable {
    /// Writes a batch in one transaction and answers one result per item, in order.
    typealias Flush = @Sendable ([Item]) async -> [Result<Outcome, Failure>]

    private enum Signal: Sendable {
        case done(Result<Outcome, Failure>)
        case lead(ticket: UInt64)
    }

    private struct Waiter {
        var ticket: UInt64
        var item: Item
        var continuation: CheckedContinuation<Signal, Never>
    }

    private struct State {
        var pending: [Waiter] = []
        var flushing = false
        var nextTicket: UInt64 = 0
    }

    private let state = Mutex(State())
    private let maxBatch: Int
    private let flush: Flush
    /// What an item whose batch answered no result gets.
    private let missing: Failure

    init(maxBatch: Int = 512, missing: Failure, flush: @escaping Flush) {
        self.maxBatch = max(1, maxBatch)
        self.missing = missing
        self.flush = flush
    }

    /// Submits one item and returns once the batch holding it has been written.
    func submit(_ item: Item) async -> Result<Outcome, Failure> {
        let signal = await withCheckedContinuation { (continuation: CheckedContinuation<Signal, Never>) in
            let leadTicket: UInt64? = state.withLock { state in
                let ticket = state.nextTicket
                state.nextTicket &+= 1
                state.pending.append(Waiter(ticket: ticket, item: item, continuation: continuation))
                guard !state.flushing else { return nil }
                state.flushing = true
                return ticket
            }
            if let leadTicket { continuation.resume(returning: .lead(ticket: leadTicket)) }
        }
        switch signal {
        case .done(let result):
            return result
        case .lead(let ticket):
            return await lead(ownTicket: ticket)
        }
    }

    /// Writes one batch (which holds the leader's own item), answers its waiters, passes the lead on.
    private func lead(ownTicket: UInt64) async -> Result<Outcome, Failure> {
        let batch = state.withLock { state in
            let count = min(state.pending.count, maxBatch)
            let batch = Array(state.pending.prefix(count))
            state.pending.removeFirst(count)
            return batch
        }
        // The leader is always in its own batch: it was appended before it was signalled, and earlier
        // waiters were taken by earlier leaders, or it is itself the oldest pending one.
        let results = await flush(batch.map(\.item))
        var ownResult: Result<Outcome, Failure> = .failure(missing)
        for (index, waiter) in batch.enumerated() {
            let result = index < results.count ? results[index] : .failure(missing)
            if waiter.ticket == ownTicket {
                ownResult = result
            } else {
                waiter.continuation.resume(returning: .done(result))
            }
        }
        let next: Waiter? = state.withLock { state in
            guard let first = state.pending.first else {
                state.flushing = false
                return nil
            }
            return first
        }
        // The next leader stays in `pending`; it finds itself there when it takes its batch.
        if let next { next.continuation.resume(returning: .lead(ticket: next.ticket)) }
        return ownResult
    }
}
