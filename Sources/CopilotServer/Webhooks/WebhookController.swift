import CopilotCore
import CopilotExpressions
import CopilotWebhooks
import Foundation
import Hummingbird
import Logging
import Metrics
import NIOCore
import Tracing

/// `POST /webhooks/{source}`: the ingress contract of CONTRACT §2 and STYLE §B2.
///
/// Order: body size (413) → content type, signature, JSON and required fields (in `WebhookReceiver`) →
/// the source's rate limit (429, except for a repeat of a stored delivery) → de-duplication and durable
/// commit (the inbox) → 202. Nothing else happens in the request task: matching and runs follow from
/// the stored event.
struct WebhookController<Context: RequestContext>: Sendable {
    let receivers: [EventSource: WebhookReceiver]
    let inbox: any EventInbox
    let maxBodyBytes: Int
    let now: @Sendable () -> Date
    let newEventID: @Sendable () -> EventID
    let metrics: WebhookMetrics
    /// `rate_limits.webhooks_per_second`, per source; nil when off.
    let rateLimit: RateLimit?
    let wakeWorkers: @Sendable () -> Void

    func addRoutes(to router: Router<Context>) {
        for source in EventSource.allCases {
            router.post("/webhooks/\(source.rawValue)") { request, context in
                try await receive(request, source: source, context: context)
            }
        }
    }

    /// The delivery's `webhook.receive` span starts the event's trace, as a child of the sender's when
    /// the delivery carries a `traceparent` (CONTRACT §7).
    func receive(_ request: Request, source: EventSource, context: Context) async throws -> Response {
        var parent = ServiceContext.topLevel
        InstrumentationSystem.instrument.extract(request.headers, into: &parent, using: RequestHeadersExtractor())
        return try await withSpan(SpanName.webhookReceive, context: parent, ofKind: .server) { span in
            span.attributes[TraceAttribute.eventSource] = source.rawValue
            do {
                let response = try await handle(request, source: source, context: context, span: span)
                span.attributes["http.response.status_code"] = Int(response.status.code)
                return response
            } catch {
                let refusal: APIError
                switch error {
                case let error as APIError: refusal = error
                case is NIOTooManyBytesError: refusal = .payloadTooLarge
                default: throw error
                }
                metrics.rejected(source: source, code: refusal.code)
                span.attributes["http.response.status_code"] = Int(refusal.status.code)
                span.attributes["error.type"] = refusal.code
                throw refusal
            }
        }
    }

    private func handle(
        _ request: Request,
        source: EventSource,
        context: Context,
        span: any Span
    ) async throws -> Response {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > maxBodyBytes {
            throw APIError.payloadTooLarge
        }
        let body = try await request.body.collect(upTo: maxBodyBytes)
        // A source absent from `sources:` has no receiver and rejects every delivery (CONTRACT §1).
        guard let receiver = receivers[source] else { throw APIError(WebhookError.invalidSignature) }

        let webhookRequest = WebhookRequest(headers: Self.headers(of: request), body: Array(buffer: body))
        let reception: WebhookReception
        do {
            reception = try receiver.receive(webhookRequest, receivedAt: now(), newEventID: newEventID())
        } catch {
            throw APIError(error)
        }
        switch reception {
        case .ping:
            metrics.delivered(source: source, outcome: .accepted)
            return Response.json(["status": "pong"])
        case .delivery(var delivery):
            span.attributes[TraceAttribute.eventType] = delivery.type
            // The worker continues the trace from the stored event: the span's context replaces the
            // sender's `traceparent` (which is this span's parent) among the stored headers.
            InstrumentationSystem.instrument.inject(
                span.context,
                into: &delivery.headers,
                using: DeliveryHeadersInjector()
            )
            if let refusal = rateLimit?.refusal(for: source.rawValue) {
                // A duplicate is always 2xx (CONTRACT §2): Alertmanager counts anything else as a failed
                // notification. A repeat of a committed delivery is answered as one, budget or not.
                let stored = try? await inbox.storedEventID(source: source, deliveryID: delivery.deliveryID)
                guard let stored else { throw refusal }
                metrics.delivered(source: source, outcome: .duplicate)
                return Self.duplicate(of: stored)
            }
            let started = ContinuousClock.now
            let outcome: EnqueueOutcome
            do {
                outcome = try await inbox.enqueue(delivery)
            } catch {
                throw APIError.unavailable
            }
            metrics.committed(after: ContinuousClock.now - started)
            span.attributes[TraceAttribute.eventID] = outcome.eventID.rawValue
            context.logger.debug(
                "delivery stored",
                metadata: [
                    LogField.eventID: "\(outcome.eventID)",
                    "copilot.event.source": "\(source.rawValue)",
                    "copilot.event.type": "\(delivery.type)",
                    "copilot.delivery.id": "\(delivery.deliveryID)",
                ]
            )
            switch outcome {
            case .accepted(let id):
                metrics.delivered(source: source, outcome: .accepted)
                wakeWorkers()
                return Response.json(["event_id": .string(id.rawValue), "status": "accepted"], status: .accepted)
            case .duplicate(let id):
                metrics.delivered(source: source, outcome: .duplicate)
                return Self.duplicate(of: id)
            }
        }
    }

    /// 200 `duplicate` with the original's event id.
    static func duplicate(of original: EventID) -> Response {
        Response.json(["event_id": .string(original.rawValue), "status": "duplicate"])
    }

    /// Header names lower-cased; repeated fields joined with ", " as HTTP allows.
    static func headers(of request: Request) -> [String: String] {
        var headers: [String: String] = [:]
        headers.reserveCapacity(request.headers.count)
        for field in request.headers {
            let name = field.name.canonicalName
            if let existing = headers[name] {
                headers[name] = existing + ", " + field.value
            } else {
                headers[name] = field.value
            }
        }
        return headers
    }
}

extension APIError {
    /// The contract's status and code for a rejected delivery; the message stays generic.
    init(_ error: WebhookError) {
        self.init(
            status: HTTPResponse.Status(code: error.httpStatus),
            code: error.code,
            message: error.message
        )
    }
}
