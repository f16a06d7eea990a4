import CopilotAuth
import CopilotCore
import CopilotExpressions
import Foundation
import Hummingbird
import Logging
import NIOCore

/// The run and event routes of CONTRACT §4, §6 and §8. Who approved, rejected or cancelled is the
/// authenticated operator (the body's `by`, if any, is ignored).
struct RunController<Context: OperatorRequestContext>: Sendable {
    let store: any RunStore
    /// The live playbooks, which explain the playbooks an event's stored record does not mention.
    let playbooks: PlaybookRegistry?
    let now: @Sendable () -> Date
    let maxBodyBytes: Int
    let wakeWorkers: @Sendable () -> Void
    let newEventID: @Sendable () -> EventID
    /// Where replays are recorded (decisions are recorded by the store, with the decision).
    let audit: (any AuditLog)?

    func addRoutes(to router: some RouterMethods<Context>) {
        router.get("/api/v1/events") { request, _ in try await events(request.uri.queryParameters) }
        router.get("/api/v1/events/:id") { _, context in try await event(context.parameters.require("id")) }
        router.post("/api/v1/events/:id/replay") { _, context in
            try await replay(
                context.parameters.require("id"),
                by: context.caller?.name ?? "anonymous",
                context: context
            )
        }
        router.get("/api/v1/runs") { request, _ in try await runs(request.uri.queryParameters) }
        router.get("/api/v1/runs/:id") { _, context in try await run(context.parameters.require("id")) }
        router.get("/api/v1/runs/:id/transcript") { _, context in
            try await transcript(context.parameters.require("id"))
        }
        for verb in ["approve", "reject", "cancel"] {
            router.post("/api/v1/runs/:id/\(verb)") { request, context in
                let body = try await request.body.collect(upTo: maxBodyBytes)
                return try await decide(
                    verb,
                    id: context.parameters.require("id"),
                    body: Array(buffer: body),
                    by: context.caller?.name ?? "anonymous"
                )
            }
        }
    }

    /// `GET /api/v1/events?source=&type=&limit=&cursor=`: newest first, paged as runs are.
    func events(_ parameters: Parameters) async throws -> Response {
        var query = EventQuery()
        if let source = parameters.get("source") {
            guard let parsed = EventSource(rawValue: source) else {
                throw Self.badQuery("unknown source '\(source)'")
            }
            query.source = parsed
        }
        query.type = parameters.get("type")
        if let limit = parameters.get("limit") {
            guard let parsed = Int(limit), parsed > 0 else { throw Self.badQuery("'limit' must be a positive integer") }
            query.limit = parsed
        }
        query.cursor = parameters.get("cursor")
        let page = try await call { try await store.events(query) }
        return Response.json([
            "events": .array(
                page.events.map { event in
                    [
                        "id": .string(event.id.rawValue), "source": .string(event.source.rawValue),
                        "type": .string(event.type), "subject": .string(event.subject),
                        "delivery_id": .string(event.deliveryID.rawValue),
                        "received_at": .string(event.receivedAt.formatted(.iso8601)),
                        "match_state": .string(event.matchState.rawValue),
                        "runs": .array(event.runs.map { .string($0.rawValue) }),
                    ]
                }
            ),
            "next_cursor": page.nextCursor.map(JSONValue.string) ?? .null,
        ])
    }

    /// `POST /api/v1/events/{id}/replay` (admin): the stored delivery is stored again as a new event,
    /// which the worker matches against the playbooks loaded now. It points at the original through the
    /// `x-copilot-replay-of` header it is stored with; its delivery id is `replay:<new event id>`, so
    /// every replay is a new event and none is taken for a duplicate.
    func replay(_ id: String, by actor: String, context: Context) async throws -> Response {
        let original = EventID(rawValue: id)
        let delivery: Delivery?
        do {
            delivery = try await store.delivery(original)
        } catch {
            throw APIError.unavailable
        }
        guard let delivery else { throw APIError.notFound }
        let eventID = newEventID()
        var headers = delivery.headers
        headers[Delivery.replayOfHeader] = original.rawValue
        let replayed = Delivery(
            eventID: eventID,
            source: delivery.source,
            deliveryID: DeliveryID(rawValue: "replay:\(eventID.rawValue)"),
            type: delivery.type,
            subject: delivery.subject,
            receivedAt: now(),
            headers: headers,
            body: delivery.body
        )
        let stored: EnqueueOutcome
        do {
            stored = try await store.enqueue(replayed)
        } catch {
            throw APIError.unavailable
        }
        wakeWorkers()
        do {
            try await audit?.appendAudit([
                AuditEntry(
                    at: replayed.receivedAt,
                    actor: actor,
                    action: .eventReplayed,
                    target: "event:\(original.rawValue)",
                    detail: ["event_id": stored.eventID.rawValue]
                )
            ])
        } catch {
            // The replay is stored and will run; refusing it now would only make the caller retry it.
            context.logger.error(
                "audit record of a replay not stored",
                metadata: [LogField.eventID: .string(stored.eventID.rawValue), "error.type": .string("\(error)")]
            )
        }
        return Response.json(
            ["event_id": .string(stored.eventID.rawValue), "replay_of": .string(original.rawValue)],
            status: .accepted
        )
    }

    func event(_ id: String) async throws -> Response {
        guard let record = try await call({ try await store.event(EventID(rawValue: id)) }) else {
            throw APIError.notFound
        }
        let delivery = record.delivery
        // The event exactly as playbooks see it. Its body was checked at ingress, so only damage to the
        // stored bytes makes it unreadable; the event is still shown then, with a null payload.
        let event = (try? delivery.event()) ?? delivery.event(payload: .null)
        let metadata: JSONValue = [
            "id": .string(delivery.deliveryID.rawValue),
            "headers": .object(JSONObject(delivery.headers.mapValues(JSONValue.string))),
        ]
        // The record explains the playbooks that listened to the event's source and type; each other
        // playbook of the current set ignores it for its source or type, which is told here.
        var reasons = record.reasons
        if let set = playbooks?.current.set {
            let explained = Set(reasons.map(\.playbook) + record.runs.map(\.playbook))
            reasons += set.reasonsNotListening(source: delivery.source, type: delivery.type)
                .filter { !explained.contains($0.playbook) }
        }
        let notMatched: [JSONValue] = reasons.map {
            ["playbook": .string($0.playbook.rawValue), "reason": .string($0.reason)]
        }
        let match: JSONValue = [
            "state": .string(record.matchState.rawValue),
            "runs": .array(record.runs.map { .string($0.id.rawValue) }),
            "not_matched": .array(notMatched),
        ]
        return Response.json(["event": event.contextValue, "delivery": metadata, "match": match])
    }

    func runs(_ parameters: Parameters) async throws -> Response {
        var query = RunQuery()
        if let status = parameters.get("status") {
            guard let parsed = RunStatus(rawValue: status) else { throw Self.badQuery("unknown status '\(status)'") }
            query.status = parsed
        }
        query.playbook = parameters.get("playbook").map(PlaybookName.init(rawValue:))
        query.eventID = parameters.get("event_id").map(EventID.init(rawValue:))
        if let limit = parameters.get("limit") {
            guard let parsed = Int(limit), parsed >= 1 else {
                throw Self.badQuery("'limit' must be a positive integer")
            }
            query.limit = parsed
        }
        query.cursor = parameters.get("cursor")
        let page = try await call { try await store.runs(query) }
        return Response.json([
            "runs": .array(page.runs.map { $0.jsonValue() }),
            "next_cursor": page.nextCursor.map(JSONValue.string) ?? .null,
        ])
    }

    func run(_ id: String) async throws -> Response {
        guard let run = try await call({ try await store.run(RunID(rawValue: id)) }) else { throw APIError.notFound }
        return Response.json(run.jsonValue(details: true))
    }

    /// CONTRACT §4a: the run's exchange with the model, `{"run_id", "provider", "model", "tool",
    /// "messages"}`; no messages for a run no model planned. The API key is never part of it.
    func transcript(_ id: String) async throws -> Response {
        let runID = RunID(rawValue: id)
        guard let run = try await call({ try await store.run(runID) }) else { throw APIError.notFound }
        let conversation = try await call { try await store.transcript(runID) }
        var object = conversation?.jsonValue.objectValue ?? ["tool": .null, "messages": []]
        object["run_id"] = .string(run.id.rawValue)
        object["provider"] = run.plan.map { .string($0.provider) } ?? .null
        object["model"] = run.plan?.model.map(JSONValue.string) ?? .null
        return Response.json(.object(object))
    }

    func decide(_ verb: String, id: String, body: [UInt8], by: String) async throws -> Response {
        let request = body.isEmpty ? JSONValue.object([:]) : try? JSONValue(parsing: body)
        guard let request, case .object = request else {
            throw APIError(status: .badRequest, code: "invalid_json", message: "the body is not a JSON object")
        }
        let runID = RunID(rawValue: id)
        let comment = request["comment"]?.stringValue
        let at = now()
        let run: Run =
            switch verb {
            case "cancel":
                try await call {
                    try await store.cancelRun(
                        runID,
                        at: at,
                        audit: .cancellation(run: runID, by: by, comment: comment, at: at)
                    )
                }
            default:
                try await call {
                    let decision = ApprovalDecision(
                        decision: verb == "approve" ? .approved : .rejected,
                        by: by,
                        comment: comment,
                        at: at
                    )
                    return try await store.decideApproval(
                        runID,
                        decision: decision,
                        audit: .decision(decision, run: runID)
                    )
                }
            }
        wakeWorkers()
        return Response.json(run.jsonValue(details: true))
    }

    /// Runs a store call, turning its errors into the API's (CONTRACT §4: 404, 409; 503 when the store
    /// cannot answer).
    private func call<T: Sendable>(_ body: () async throws -> T) async throws(APIError) -> T {
        do {
            return try await body()
        } catch let error as RunStoreError {
            switch error {
            case .notFound: throw APIError.notFound
            case .conflict:
                throw APIError(
                    status: .conflict,
                    code: "conflict",
                    message: "the run is not in a state that allows this"
                )
            case .invalidCursor: throw Self.badQuery("'cursor' is not one this server gave")
            case .unavailable: throw APIError.unavailable
            }
        } catch {
            throw APIError.unavailable
        }
    }

    private static func badQuery(_ message: String) -> APIError {
        APIError(status: .badRequest, code: "invalid_query", message: message)
    }
}
