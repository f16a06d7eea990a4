/// What the planner is shown of an earlier run of the same playbook and subject (CONTRACT §4a): how it
/// ended and how each of its steps did. The stores read just this, not the whole run (its attempts,
/// outputs and plan) where their schema allows, since it is read before every planning.
public struct PastRun: Sendable, Hashable {
    public struct Step: Sendable, Hashable {
        public var uses: ActionName
        /// Nil for a step that never ran.
        public var outcome: StepOutcome?

        public init(uses: ActionName, outcome: StepOutcome?) {
            self.uses = uses
            self.outcome = outcome
        }

        public init(_ step: RunStep) {
            self.init(uses: step.uses, outcome: step.outcome)
        }
    }

    public var id: RunID
    public var status: RunStatus
    public var steps: [Step]

    public init(id: RunID, status: RunStatus, steps: [Step]) {
        self.id = id
        self.status = status
        self.steps = steps
    }

    public init(_ run: Run) {
        self.init(id: run.id, status: run.status, steps: run.steps.map(Step.init))
    }
}
