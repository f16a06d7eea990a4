public import CopilotExpressions

#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

// What matching needs to turn a matched playbook into a run.
extension Playbook {
    /// The rendered `concurrency.key` for an event (over `event` and `playbook`), or nil when the playbook
    /// has no `concurrency:`. A key that renders to a non-string is its JSON text.
    public func concurrencyKey(for event: Event) throws(ExpressionError) -> String? {
        guard let concurrency else { return nil }
        let context = EvaluationContext(values: ["event": event.contextValue, "playbook": contextValue])
        let value = try concurrency.key.render(in: context)
        if case .string(let text) = value { return text }
        return value.jsonText
    }

    /// The run this playbook starts for an event, with the `cooldown_seconds` the store checks.
    public func newRun(
        id: RunID,
        for event: Event,
        traceparent: String? = nil,
        at now: Date
    ) throws(ExpressionError) -> MatchRecord.NewRun {
        let run = Run(
            id: id,
            eventID: event.id,
            playbook: self,
            subject: event.subject,
            concurrencyKey: try concurrencyKey(for: event),
            traceparent: traceparent,
            createdAt: now
        )
        return MatchRecord.NewRun(run: run, cooldownSeconds: cooldownSeconds)
    }
}
