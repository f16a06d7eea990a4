import CopilotCore
import Instrumentation
import Tracing

/// The trace context a worker continues: what is stored with an event (its `traceparent` header) and
/// with a run (`Run.traceparent`) is read back here, so the work done later, on any node, joins the
/// event's trace (CONTRACT §7).
///
/// With no tracer bootstrapped (no Observatory), nothing is extracted or injected and the callers fall
/// back to ids of their own, so outbound calls still carry one trace per event.
enum TraceContext {
    /// The context whose span is the stored `traceparent`'s, to start a child span in.
    static func continuing(_ traceparent: String?) -> ServiceContext {
        var context = ServiceContext.topLevel
        guard let traceparent else { return context }
        InstrumentationSystem.instrument.extract(["traceparent": traceparent], into: &context, using: Carrier())
        return context
    }

    /// The `traceparent` naming `span`, to be stored for the work that follows; nil without a tracer.
    static func traceparent(of span: any Span) -> String? {
        var headers: [String: String] = [:]
        InstrumentationSystem.instrument.inject(span.context, into: &headers, using: Carrier())
        return headers["traceparent"]
    }

    private struct Carrier: Extractor, Injector {
        func extract(key: String, from carrier: [String: String]) -> String? { carrier[key] }
        func inject(_ value: String, forKey key: String, into carrier: inout [String: String]) { carrier[key] = value }
    }
}
