/// A protocol-faithful local stand-in for a remote service (Test-Bench, GitHub, Incident-Manager,
/// Orchestrator, a webhook receiver), served by `withStandIn(_:_:)` on 127.0.0.1.
///
/// The server records every request in `journal`, answers scripted failures first, drops repeats by
/// `Idempotency-Key` when `honoursIdempotencyKey` (answering the first answer again, as a real
/// receiver could), and otherwise asks `respond(to:)`.
public protocol StandIn: Sendable {
    var journal: StandInJournal { get }
    /// True for services that de-duplicate by `Idempotency-Key`; GitHub does not.
    var honoursIdempotencyKey: Bool { get }
    /// The service's own behaviour for one request.
    func respond(to request: RecordedRequest) async -> StandInResponse
}

extension StandIn {
    /// Runs the common behaviour, then `respond(to:)`.
    func handle(_ request: RecordedRequest) async -> StandInResponse {
        await journal.record(request)
        if let failure = await journal.takeScriptedFailure() { return failure }
        let key = request.method == "GET" ? nil : request.idempotencyKey
        if honoursIdempotencyKey, let key, let earlier = await journal.answer(for: key) {
            return await delayed(earlier)
        }
        let response = await respond(to: request)
        if let key, (200...299).contains(response.status) {
            await journal.noteExecution(key, response: response)
        }
        return await delayed(response)
    }

    private func delayed(_ response: StandInResponse) async -> StandInResponse {
        let delay = await journal.responseDelay
        if delay > .zero { try? await Task.sleep(for: delay) }
        return response
    }
}

/// A stand-in that needs a bearer token answers 401 when the header is wrong.
func authorizationFailure(_ request: RecordedRequest, token: String?) -> StandInResponse? {
    guard let token else { return nil }
    return request.header("Authorization") == "Bearer \(token)" ? nil : .error(401, "Bad credentials")
}
