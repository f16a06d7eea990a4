import CopilotCore

/// One kind of action the executor knows (`testbench.run`, `github.comment`, a preset, …).
///
/// An action turns a request into HTTP calls made through its `ActionContext` and reads the answers;
/// it never throws and never puts a response body into a failure's reason.
protocol Action: Sendable {
    /// The name steps `uses`.
    var name: ActionName { get }
    /// The integration whose circuit breaker and metrics label its calls use.
    var integrationName: String { get }
    func perform(in context: ActionContext) async -> ActionOutcome
}
