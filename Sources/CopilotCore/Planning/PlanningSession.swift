import CopilotExpressions

/// One run's conversation with the planner (CONTRACT §4a), as pure decisions: what to ask the model,
/// and what its answers mean. An invalid plan goes back once with every problem listed; a second
/// invalid plan or a failed call falls back to the playbook's own steps; after a planned step fails,
/// the model may be asked again (`max_replans`) with the outcomes so far. The engine does the I/O.
public struct PlanningSession: Sendable {
    /// What to do next.
    public enum Next: Sendable, Hashable {
        /// Ask the model, with this whole conversation.
        case ask(PlannerConversation)
        /// Run this plan's steps (after those already done, for a re-plan).
        case planned(Plan)
        /// Run the playbook's own steps; `reason` is what the run's `plan.reason` says.
        case fallback(reason: String)
    }

    /// Every turn so far: a run's transcript is this conversation.
    public private(set) var conversation: PlannerConversation
    /// Model answers received, valid or not.
    public private(set) var attempts = 0
    /// Re-plans asked for.
    public private(set) var replans = 0
    /// Summed over every answer.
    public private(set) var usage = TokenUsage()
    /// The model that answered last.
    public private(set) var model: String?
    private var check: PlanCheck
    private let maxReplans: Int
    /// Configured secret values: step outcomes sent back on a re-plan are redacted like the prompt.
    private let secrets: [String]
    /// Invalid answers since the last valid one: the second in a row falls back.
    private var invalidInARow = 0
    /// The tool call of the plan being run, which a re-plan answers.
    private var acceptedCallID: String?

    public init(prompt: PlannerPrompt, offer: PlannerOffer, maxSteps: Int, maxReplans: Int, secrets: [String]) {
        conversation = PlannerConversation(
            system: prompt.system,
            turns: [.user(prompt.user)],
            toolDescription: offer.toolDescription,
            toolSchema: offer.toolSchema(maxSteps: maxSteps)
        )
        check = PlanCheck(offer: offer, maxSteps: maxSteps)
        self.maxReplans = maxReplans
        self.secrets = secrets
    }

    /// The session of a run planned earlier, maybe by another process: its stored transcript and plan
    /// record. Only a re-plan is asked of it; every id the run used stays used.
    public init(
        resuming conversation: PlannerConversation,
        plan: RunPlan,
        usedIDs: some Sequence<StepID>,
        offer: PlannerOffer,
        maxSteps: Int,
        maxReplans: Int,
        secrets: [String]
    ) {
        self.conversation = conversation
        check = PlanCheck(offer: offer, maxSteps: maxSteps)
        check.usedIDs.formUnion(usedIDs)
        self.maxReplans = maxReplans
        self.secrets = secrets
        attempts = plan.attempts
        replans = plan.replans
        usage = plan.usage
        model = plan.model
        // The plan being run answers the last tool call; a fallback has none to answer.
        if plan.status == .planned, case .toolCall(let id, _)? = conversation.turns.last(where: \.isToolCall) {
            acceptedCallID = id
        }
    }

    /// What to do now: ask the conversation so far (the first question, or a re-plan's), unless the
    /// playbook's account may use none of `agent.allowed`, which is not worth a question.
    public var current: Next {
        check.offer.actions.isEmpty ? .fallback(reason: Self.nothingAllowed) : .ask(conversation)
    }

    /// Why a run falls back when its service account may use none of the agent's actions.
    public static let nothingAllowed = "no_allowed_action"
    /// Why a run falls back after a second invalid plan.
    public static let invalidPlan = "invalid_plan"

    /// Takes the model's answer: a valid plan is the plan; the first invalid one goes back with its
    /// problems, the second falls back.
    public mutating func receive(_ reply: PlannerReply) -> Next {
        attempts += 1
        usage = usage + reply.usage
        model = reply.model
        conversation.turns.append(.toolCall(id: reply.toolCallID, input: reply.input))
        switch check.plan(from: reply.input) {
        case .success(let plan):
            invalidInARow = 0
            acceptedCallID = reply.toolCallID
            check.usedIDs.formUnion(plan.steps.map(\.id))
            return .planned(plan)
        case .failure(let failure):
            invalidInARow += 1
            guard invalidInARow < 2 else { return .fallback(reason: Self.invalidPlan) }
            let problems = failure.problems.map { "- \($0)" }.joined(separator: "\n")
            conversation.turns.append(
                .toolResult(
                    id: reply.toolCallID,
                    content: "The plan was refused; nothing ran. Fix every problem and call submit_plan again:\n"
                        + problems,
                    isError: true
                )
            )
            return .ask(conversation)
        }
    }

    /// A call that gave no plan: the run falls back, saying why.
    public func fail(_ error: PlannerError) -> Next {
        .fallback(reason: error.reason)
    }

    /// True while a planned step's failure may still be answered with a new plan.
    public var canReplan: Bool { replans < maxReplans && acceptedCallID != nil }

    /// After a planned step failed: the outcomes of the run's steps so far go back as the answer to the
    /// plan's tool call, and the model is asked for the steps to run next. Nil when no re-plan is left.
    public mutating func replan(after steps: [RunStep]) -> Next? {
        guard canReplan, let callID = acceptedCallID else { return nil }
        replans += 1
        acceptedCallID = nil
        check.usedIDs.formUnion(steps.map(\.id))
        let outcomes: [JSONValue] = steps.map { step in
            [
                "id": .string(step.id.rawValue), "uses": .string(step.uses.rawValue),
                "outcome": step.outcome.map { .string($0.rawValue) } ?? .null,
                "error": step.error.map(JSONValue.string) ?? .null,
                "outputs": step.outputs.map(JSONValue.object) ?? .null,
            ]
        }
        // Redacted and trimmed as the event is: a step's outputs (a test report) can be large.
        let content = PlannerPrompt.payloadText(
            .array(outcomes),
            secrets: secrets,
            budget: PlannerPrompt.defaultPayloadBudget
        ).text
        conversation.turns.append(.toolResult(id: callID, content: content, isError: false))
        conversation.turns.append(
            .user(
                "A step of the plan failed; the outcomes so far are above. Call submit_plan with the steps to run "
                    + "next. They run after those already done; do not reuse their ids."
            )
        )
        return .ask(conversation)
    }
}

extension PlannerConversation.Turn {
    var isToolCall: Bool {
        if case .toolCall = self { return true }
        return false
    }
}
