/// The metadata keys every log line of a request or a run carries, in text and JSON logs alike: the
/// names a log shipper joins on (trace ids as the W3C trace context writes them).
public enum LogField {
    /// The 32 hex digits of the trace the line belongs to.
    public static let traceID = "trace_id"
    /// The 16 hex digits of the span (for a run: the span its calls are children of).
    public static let spanID = "span_id"
    public static let eventID = "event_id"
    public static let runID = "run_id"
}
