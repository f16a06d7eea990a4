/// Performs one attempt of a step's action against the outside world (CONTRACT §5).
///
/// Semantics every implementation keeps:
/// - **Never throws.** Every way an attempt can end is an `ActionOutcome`: success with outputs, or a
///   failure classified as retryable (429, 5xx, timeouts, lost connections, an open circuit) or
///   permanent (other 4xx, `not_configured`, `forbidden_url`, bad parameters). The run engine's step
///   `retry:` policy decides whether to try again; the executor's own HTTP-level retries happen inside
///   one attempt and within its `timeout`.
/// - **Idempotency.** Every outbound call carries `Idempotency-Key: <run_id>:<step_id>`
///   (`ActionRequest.idempotencyKey`), the same for every attempt, retry and resume. A receiver that
///   honours it drops repeats; for receivers that do not (GitHub), the action itself checks before
///   repeating a side effect (`github.comment` looks for its marker when `attempt > 1`).
/// - **Time.** The attempt ends within `ActionRequest.timeout` (polling included); running out is
///   `timeout after <n>s`, retryable.
/// - **Cancellation.** When the calling task is cancelled, the attempt stops promptly and answers a
///   retryable `cancelled` failure; a call already sent may or may not have reached the receiver,
///   which is what the idempotency key is for.
/// - **Concurrency.** Safe to call from many tasks at once; attempts do not wait on each other except
///   through shared per-integration state such as circuit breakers.
/// - **Secrets.** Reasons and outputs never hold tokens, secrets or upstream error bodies.
public protocol ActionExecutor: Sendable {
    /// Runs one attempt of `request.action`; see the protocol's documentation for the semantics.
    func execute(_ request: ActionRequest) async -> ActionOutcome
}
