public import CopilotCore
import Synchronization

/// Drives a `PlanningSession` against a model (CONTRACT §4a): asks, sends an invalid plan back, and
/// ends with a plan or a fallback, within `timeout` for the whole planning. The model never keeps a run
/// waiting: a timeout, an outage or a cancellation is a fallback with its reason.
public enum Planning {
    /// How a planning ended.
    public struct Outcome: Sendable {
        /// `planned` or `fallback`.
        public var decision: PlanningSession.Next
        /// The session as far as it got, for the transcript, attempts and usage (after a timeout too:
        /// only the call in flight is lost with its task).
        public var session: PlanningSession
        /// The provider gave no answer (an error after its retries, 4xx included, or the timeout): what
        /// its circuit breaker counts. An invalid plan is an answer, and a cancellation says nothing
        /// about the provider.
        public var providerFailed: Bool
    }

    public static func run(
        _ session: PlanningSession,
        with client: any PlannerClient,
        timeout: Duration,
        clock: any Clock<Duration> = ContinuousClock()
    ) async -> Outcome {
        let progress = Progress(session)
        return await withTaskGroup(of: Outcome?.self) { group in
            group.addTask { await converse(progress, with: client) }
            group.addTask {
                // Nil when cancelled: the conversation ended first.
                guard (try? await clock.sleep(for: timeout)) != nil else { return nil }
                return Outcome(
                    decision: .fallback(reason: PlannerError.timeout.reason),
                    session: progress.session,
                    providerFailed: true
                )
            }
            // The first to finish decides; the other is cancelled.
            var outcome: Outcome?
            while outcome == nil, let next = await group.next() { outcome = next }
            group.cancelAll()
            return outcome
                ?? Outcome(
                    decision: .fallback(reason: PlannerError.cancelled.reason),
                    session: progress.session,
                    providerFailed: false
                )
        }
    }

    private static func converse(_ progress: Progress, with client: any PlannerClient) async -> Outcome {
        var session = progress.session
        var next = session.current
        var providerFailed = false
        while case .ask(let conversation) = next {
            do {
                let reply = try await client.submitPlan(conversation)
                next = session.receive(reply)
                progress.session = session
            } catch {
                providerFailed = error != .cancelled
                next = session.fail(error)
            }
        }
        return Outcome(decision: next, session: session, providerFailed: providerFailed)
    }

    /// The session as the conversation left it, readable by the timeout's task.
    private final class Progress: Sendable {
        private let value: Mutex<PlanningSession>

        init(_ session: PlanningSession) { value = Mutex(session) }

        var session: PlanningSession {
            get { value.withLock { $0 } }
            set { value.withLock { $0 = newValue } }
        }
    }
}
