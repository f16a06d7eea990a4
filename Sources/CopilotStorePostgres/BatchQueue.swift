import CopilotCore

/// Batches of a `GroupCommit`, written one after the other by the store's `run()`: no caller's task does
/// the writing, so a cancelled request never abandons the others' commit, and the next batch forms
/// while this one commits.
struct BatchQueue<Item: Sendable, Outcome: Sendable, Failure: Error>: Sendable {
    typealias Batch = (items: [Item], done: @Sendable ([Result<Outcome, Failure>]) -> Void)

    private let batches: AsyncStream<Batch>
    private let input: AsyncStream<Batch>.Continuation

    init() {
        (batches, input) = AsyncStream.makeStream(of: Batch.self)
    }

    /// The group commit that hands its batches to this queue; once the queue stopped, a batch fails at
    /// once with `missing`.
    func groupCommit(maxBatch: Int, missing: Failure) -> GroupCommit<Item, Outcome, Failure> {
        GroupCommit(maxBatch: maxBatch, missing: missing) { [input] items, done in
            if case .terminated = input.yield((items, done)) { done(items.map { _ in .failure(missing) }) }
        }
    }

    /// Writes the batches as they come, until the task is cancelled; then stops taking more.
    func drain(_ write: ([Item]) async -> [Result<Outcome, Failure>]) async {
        for await batch in batches { batch.done(await write(batch.items)) }
        input.finish()
    }
}
