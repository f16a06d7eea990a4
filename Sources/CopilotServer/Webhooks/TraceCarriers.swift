import HTTPTypes
import Instrumentation

/// Reads a request's trace context headers (`traceparent`, `tracestate`) for the tracer's propagator.
struct RequestHeadersExtractor: Extractor {
    func extract(key: String, from carrier: HTTPFields) -> String? {
        HTTPField.Name(key).flatMap { carrier[$0] }
    }
}

/// Writes a span's trace context into the headers stored with a delivery, where the worker that
/// matches the event later reads it (`traceparent` then names the `webhook.receive` span, a child of
/// the sender's when it sent one).
struct DeliveryHeadersInjector: Injector {
    func inject(_ value: String, forKey key: String, into carrier: inout [String: String]) {
        carrier[key.lowercased()] = value
    }
}
