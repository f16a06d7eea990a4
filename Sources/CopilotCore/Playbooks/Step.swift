public import CopilotExpressions

/// One step of a playbook's plan.
public struct Step: Sendable, Hashable {
    /// Whether a person approves the step before it runs.
    public enum Approval: String, Sendable, Hashable, Codable {
        case none
        case required
    }

    public var id: StepID
    public var uses: ActionName
    /// The action's parameters; strings may hold `${{ }}` templates.
    public var with: [String: TemplateValue]
    /// The step's `if:`; nil means `${{ success() }}`.
    public var condition: Template?
    /// Earlier steps this one depends on; nil means the step before it.
    public var needs: [StepID]?
    public var approval: Approval
    public var approvalTimeoutSeconds: Int?
    /// Per attempt.
    public var timeoutSeconds: Int
    public var retry: StepRetry
    /// A failure of this step does not fail the run.
    public var continueOnError: Bool

    /// The timeout when `timeout_seconds` is not written.
    public static let defaultTimeoutSeconds = 300

    public init(
        id: StepID,
        uses: ActionName,
        with: [String: TemplateValue] = [:],
        condition: Template? = nil,
        needs: [StepID]? = nil,
        approval: Approval = .none,
        approvalTimeoutSeconds: Int? = nil,
        timeoutSeconds: Int = Step.defaultTimeoutSeconds,
        retry: StepRetry = StepRetry(),
        continueOnError: Bool = false
    ) {
        self.id = id
        self.uses = uses
        self.with = with
        self.condition = condition
        self.needs = needs
        self.approval = approval
        self.approvalTimeoutSeconds = approvalTimeoutSeconds
        self.timeoutSeconds = timeoutSeconds
        self.retry = retry
        self.continueOnError = continueOnError
    }
}

/// A step's `retry: {attempts, backoff_seconds, max_backoff_seconds}`.
public struct StepRetry: Sendable, Hashable {
    /// Attempts in all; 1 means no retry.
    public var attempts: Int
    public var backoffSeconds: Double
    public var maxBackoffSeconds: Double

    public init(attempts: Int = 1, backoffSeconds: Double = 2, maxBackoffSeconds: Double = 60) {
        self.attempts = attempts
        self.backoffSeconds = backoffSeconds
        self.maxBackoffSeconds = maxBackoffSeconds
    }
}
