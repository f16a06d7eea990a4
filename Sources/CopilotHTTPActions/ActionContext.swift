import CopilotCore
import CopilotExpressions

/// What an action has while it runs one attempt: the request, the step's deadline and the way out.
struct ActionContext: Sendable {
    let request: ActionRequest
    let outbound: OutboundClient
    /// The step's deadline (`request.timeout` after the attempt started) on the executor's time line.
    let deadline: MonotonicInstant
    /// The trace every call of this attempt belongs to; each call sends a child of it.
    let trace: TraceParent

    var with: JSONObject { request.with }
    var event: Event { request.event }

    /// Sends one call (with retries, breaker and deadline).
    func send(_ call: OutboundCall) async -> Result<OutboundResponse, ActionFailure> {
        await outbound.send(call, for: request, trace: trace, deadline: deadline)
    }

    /// Waits `interval` between polls; a failure when the step's time would run out first, or on
    /// cancellation.
    func pause(_ interval: Duration) async -> ActionFailure? {
        if outbound.timeline.now().advanced(by: interval) >= deadline { return .timeout(after: request.timeout) }
        do {
            try await outbound.timeline.sleep(interval)
            return nil
        } catch {
            return .cancelled
        }
    }

    /// The response's JSON object, or an `invalid response` failure.
    func object(_ response: OutboundResponse, from integration: String) -> Result<JSONObject, ActionFailure> {
        guard let object = response.json?.objectValue else { return .failure(.invalidResponse(from: integration)) }
        return .success(object)
    }
}
