public import CopilotCore

/// Drives a `PlanningSession` against a model (CONTRACT §4a): asks, sends an invalid plan back, and
/// ends with a plan or a fallback, within `timeout` for the whole planning. The model never keeps a run
/// waiting: a timeout, an outage or a cancellation is a fallback with its reason.
public enum Planning {
    /// The session's final decision (`planned` or `fallback`), with the session for its transcript,
    /// attempts and usage. After a timeout the session is the one given: the conversation in flight was
    /// cancelled with its task.
    public static func run(
        _ session: PlanningSession,
        with client: any PlannerClient,
        timeout: Duration,
        clock: any Clock<Duration> = ContinuousClock()
    ) async -> (decision: PlanningSession.Next, session: PlanningSession) {
        await withTaskGroup(of: (PlanningSession.Next, PlanningSession)?.self) { group in
            group.addTask { await converse(session, with: client) }
            group.addTask {
                // Nil when cancelled: the conversation ended first.
                (try? await clock.sleep(for: timeout)) == nil
                    ? nil : (.fallback(reason: PlannerError.timeout.reason), session)
            }
            // The first to finish decides; the other is cancelled.
            var result: (PlanningSession.Next, PlanningSession)?
            while result == nil, let next = await group.next() { result = next }
            group.cancelAll()
            return result ?? (.fallback(reason: PlannerError.cancelled.reason), session)
        }
    }

    private static func converse(
        _ session: PlanningSession,
        with client: any PlannerClient
    ) async -> (PlanningSession.Next, PlanningSession) {
        var session = session
        var next = session.start
        while case .ask(let conversation) = next {
            do {
                next = session.receive(try await client.submitPlan(conversation))
            } catch {
                next = session.fail(error)
            }
        }
        return (next, session)
    }
}
