public import AsyncHTTPClient
public import CopilotCore
import CopilotEngine
public import CopilotExpressions
import CopilotPlaybooks
public import Logging

/// `playbook test --planner`: for each matched playbook with `agent:`, asks the configured model for
/// its plan, exactly as a run would (same offer, prompt, checks and fallback), and shows what would
/// run. Nothing is executed and nothing is stored; the one side effect is the model call.
public enum PlannerDryRun {
    public struct Outcome: Sendable, Hashable {
        public var playbook: PlaybookName
        /// The planner's decision: the plan's steps, or the playbook's own with the reason.
        public var decision: PlanningSession.Next
        /// The steps that would run: the plan's, with the playbook's gates, or the playbook's own.
        public var steps: [Step]
        public var attempts: Int
        public var usage: TokenUsage
    }

    /// Plans `event` for each playbook of `matched` that has `agent:`.
    public static func run(
        _ event: Event,
        matched: [Playbook],
        configuration: AppConfiguration,
        environment: [String: String],
        client: HTTPClient,
        logger: Logger
    ) async throws(PlannerUnavailable) -> [Outcome] {
        guard let planner = try configuration.runPlanner(client: client, environment: environment, logger: logger)
        else {
            throw PlannerUnavailable(
                description: "--planner needs agent.provider anthropic or openai in the configuration"
            )
        }
        var outcomes: [Outcome] = []
        for playbook in matched {
            guard let agent = playbook.agent else { continue }
            let session = planner.session(
                for: playbook,
                agent: agent,
                event: planner.eventText(event),
                recentRuns: [],
                serviceAccounts: configuration.serviceAccountPolicy
            )
            let result = await planner.plan(session)
            let steps =
                if case .planned(let plan) = result.decision {
                    playbook.steps(running: plan.steps)
                } else {
                    playbook.steps
                }
            outcomes.append(
                Outcome(
                    playbook: playbook.name,
                    decision: result.decision,
                    steps: steps,
                    attempts: result.session.attempts,
                    usage: result.session.usage
                )
            )
        }
        return outcomes
    }

    /// The outcomes as `--json` prints them, under `planner`.
    public static func jsonValue(_ outcomes: [Outcome]) -> JSONValue {
        .array(
            outcomes.map { outcome in
                var object: JSONObject = [
                    "playbook": .string(outcome.playbook.rawValue),
                    "attempts": .number(Double(outcome.attempts)),
                    "usage": [
                        "input_tokens": .number(Double(outcome.usage.inputTokens)),
                        "output_tokens": .number(Double(outcome.usage.outputTokens)),
                    ],
                    "steps": .array(
                        outcome.steps.map { step in
                            [
                                "id": .string(step.id.rawValue), "uses": .string(step.uses.rawValue),
                                "with": written(step.with),
                                "approval": .bool(step.approval == .required),
                            ]
                        }
                    ),
                ]
                switch outcome.decision {
                case .planned(let plan):
                    object["status"] = "planned"
                    object["summary"] = .string(plan.summary)
                case .fallback(let reason):
                    object["status"] = "fallback"
                    object["reason"] = .string(reason)
                case .ask:
                    object["status"] = "unanswered"
                }
                return .object(object)
            }
        )
    }

    /// A step's `with:` as written: a plan's literal values, or a playbook step's templates unrendered.
    private static func written(_ with: [String: TemplateValue]) -> JSONValue {
        .object(JSONObject(with.mapValues(\.writtenValue)))
    }

    /// The outcomes as an author reads them.
    public static func text(_ outcomes: [Outcome]) -> String {
        guard !outcomes.isEmpty else { return "planner: no matched playbook has agent:" }
        return outcomes.map { outcome in
            let head: String
            switch outcome.decision {
            case .planned(let plan): head = "planner: \(outcome.playbook): planned (\(plan.summary))"
            case .fallback(let reason):
                head = "planner: \(outcome.playbook): fallback to the playbook's steps (\(reason))"
            case .ask: head = "planner: \(outcome.playbook): no answer"
            }
            let usage =
                "\(outcome.attempts) answer(s), \(outcome.usage.inputTokens) input and \(outcome.usage.outputTokens) output tokens"
            let steps = outcome.steps.map { step in
                let with = written(step.with).jsonText
                return "  - \(step.id.rawValue): \(step.uses.rawValue) \(with)"
                    + (step.approval == .required ? " (approval required)" : "")
            }
            return ([head, "  " + usage] + steps).joined(separator: "\n")
        }.joined(separator: "\n")
    }
}
