#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// One run of one playbook for one event: the durable aggregate a `RunStore` keeps and a
/// `RunStateMachine` advances. Everything a worker needs to resume after a crash is in here.
public struct Run: Sendable, Hashable {
    /// The planner whose steps run when no model planned them: the playbook's own steps.
    public static let playbookPlanner = "playbook"

    public var id: RunID
    public var eventID: EventID
    public var playbook: PlaybookName
    /// The event's subject: the planner is shown the last runs of the same playbook and subject.
    public var subject: String
    public var status: RunStatus
    /// Whose steps run: `playbook` (its steps as written) or the model's provider (`anthropic`, `openai`).
    public var planner: String
    /// What the planner decided; nil for a run of a playbook without `agent:` or with no model configured.
    public var plan: RunPlan?
    public var createdAt: Date
    public var updatedAt: Date
    /// When a worker first claimed it.
    public var startedAt: Date?
    /// The rendered `concurrency.key`; nil when the playbook has no `concurrency:`.
    public var concurrencyKey: String?
    /// `concurrency.limit`: at most this many runs of the playbook with this key hold a slot.
    public var concurrencyLimit: Int?
    /// The W3C trace context of the event, so every outbound call of the run joins the event's trace.
    public var traceparent: String?
    /// The first step that failed (or was forbidden) and counts against the run.
    public var failedStep: StepID?
    /// Someone asked to cancel it; sticky (stores never clear it).
    public var cancelRequested: Bool
    /// The run needs no worker before this time: the end of a retry's backoff, or an approval's deadline.
    public var wakeAt: Date?
    public var steps: [RunStep]

    public init(
        id: RunID,
        eventID: EventID,
        playbook: PlaybookName,
        subject: String = "",
        status: RunStatus = .pending,
        planner: String = Run.playbookPlanner,
        plan: RunPlan? = nil,
        createdAt: Date,
        updatedAt: Date? = nil,
        startedAt: Date? = nil,
        concurrencyKey: String? = nil,
        concurrencyLimit: Int? = nil,
        traceparent: String? = nil,
        failedStep: StepID? = nil,
        cancelRequested: Bool = false,
        wakeAt: Date? = nil,
        steps: [RunStep]
    ) {
        self.id = id
        self.eventID = eventID
        self.playbook = playbook
        self.subject = subject
        self.status = status
        self.planner = planner
        self.plan = plan
        self.createdAt = createdAt
        self.updatedAt = updatedAt ?? createdAt
        self.startedAt = startedAt
        self.concurrencyKey = concurrencyKey
        self.concurrencyLimit = concurrencyLimit
        self.traceparent = traceparent
        self.failedStep = failedStep
        self.cancelRequested = cancelRequested
        self.wakeAt = wakeAt
        self.steps = steps
    }

    /// A new `pending` run of `playbook`'s steps, none of them started.
    public init(
        id: RunID,
        eventID: EventID,
        playbook: Playbook,
        subject: String = "",
        concurrencyKey: String?,
        traceparent: String? = nil,
        createdAt: Date
    ) {
        self.init(
            id: id,
            eventID: eventID,
            playbook: playbook.name,
            subject: subject,
            createdAt: createdAt,
            concurrencyKey: concurrencyKey,
            concurrencyLimit: concurrencyKey == nil ? nil : playbook.concurrency?.limit,
            traceparent: traceparent,
            steps: playbook.steps.map { RunStep(id: $0.id, uses: $0.uses) }
        )
    }

    /// True when the run's planner has not decided yet and no step has started: the moment to plan.
    public var needsPlan: Bool {
        plan == nil && !status.isFinal && !cancelRequested
            && steps.allSatisfy { $0.outcome == nil && $0.attempts == 0 && $0.approvalRequestedAt == nil }
    }

    /// Records the planner's decision before any step has started: a plan's steps replace the
    /// playbook's, a fallback keeps them.
    public mutating func recordPlan(_ plan: RunPlan, at now: Date) {
        self.plan = plan
        if plan.status == .planned {
            planner = plan.provider
            steps = plan.steps.map { RunStep(id: $0.id, uses: $0.uses) }
        } else {
            planner = Self.playbookPlanner
        }
        updatedAt = now
    }

    /// The steps the run's steps are defined by: the plan's, with the playbook's gates, or the playbook's.
    public func stepDefinitions(in playbook: Playbook) -> [Step] {
        guard let plan, plan.status == .planned else { return playbook.steps }
        return playbook.steps(running: plan.steps)
    }

    /// The index of the step with this id.
    public func stepIndex(_ id: StepID) -> Int? { steps.firstIndex { $0.id == id } }

    /// The step waiting for a decision, if the run waits for one.
    public var stepAwaitingApproval: StepID? { steps.first(where: \.isAwaitingApproval)?.id }

    /// The idempotency key every attempt of a step sends: `<run_id>:<step_id>` (CONTRACT §4).
    public func idempotencyKey(for step: StepID) -> String { "\(id.rawValue):\(step.rawValue)" }
}
