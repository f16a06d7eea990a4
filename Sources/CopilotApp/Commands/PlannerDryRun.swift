public import AsyncHTTPClient
public import CopilotCore
import CopilotEngine
public import CopilotExpressions
import CopilotPlanner
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

    /// Why the planner cannot be asked with this configuration.
    public struct Unavailable: Error, Sendable, Hashable, CustomStringConvertible {
        public var description: String
    }

    /// Plans `event` for each playbook of `matched` that has `agent:`.
    public static func run(
        _ event: Event,
        matched: [Playbook],
        configuration: AppConfiguration,
        environment: [String: String],
        client: HTTPClient,
        logger: Logger
    ) async throws(Unavailable) -> [Outcome] {
        let agent = configuration.agent
        let format: ModelClient.WireFormat
        switch agent.provider {
        case .anthropic: format = .anthropic
        case .openai: format = .openAI
        case .playbook:
            throw Unavailable(description: "--planner needs agent.provider anthropic or openai in the configuration")
        }
        let apiKey: String?
        do {
            // CONTRACT §1: without `api_key`, Anthropic's key comes from ANTHROPIC_API_KEY; an
            // OpenAI-compatible server gets none (local servers often need none).
            apiKey =
                try agent.apiKey?.resolve(environment: environment)
                ?? (format == .anthropic ? environment["ANTHROPIC_API_KEY"] : nil)
        } catch {
            throw Unavailable(description: error.report)
        }
        let model = ModelClient(
            client: client,
            configuration: .init(
                format: format,
                baseURL: agent.baseURL.isEmpty ? format.defaultBaseURL : agent.baseURL,
                apiKey: apiKey,
                model: agent.model
            ),
            logger: logger
        )
        // Every configured secret that resolves is kept out of what the model sees.
        var secrets = configuration.secrets.values.compactMap { try? $0.resolve(environment: environment) }
        if let apiKey { secrets.append(apiKey) }
        var outcomes: [Outcome] = []
        for playbook in matched {
            guard let playbookAgent = playbook.agent else { continue }
            let offer = PlannerOffer(
                agent: playbookAgent,
                runAs: playbook.runAs,
                serviceAccounts: .unrestricted,  // RBAC is not enforced yet; its start-up warning says so
                catalogue: configuration.playbookLoader.catalogue
            )
            let session = PlanningSession(
                prompt: PlannerPrompt(
                    playbook: playbook,
                    agent: playbookAgent,
                    event: event,
                    recentRuns: [],
                    secrets: secrets
                ),
                offer: offer,
                maxSteps: agent.maxSteps,
                maxReplans: agent.maxReplans,
                secrets: secrets
            )
            let (decision, finished) = await Planning.run(
                session,
                with: model,
                timeout: .seconds(agent.timeoutSeconds)
            )
            let steps = if case .planned(let plan) = decision { playbook.steps(running: plan) } else { playbook.steps }
            outcomes.append(
                Outcome(
                    playbook: playbook.name,
                    decision: decision,
                    steps: steps,
                    attempts: finished.attempts,
                    usage: finished.usage
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

extension ModelClient.WireFormat {
    /// CONTRACT §1: the base URL when `agent.base_url` is empty.
    var defaultBaseURL: String {
        switch self {
        case .anthropic: "https://api.anthropic.com"
        case .openAI: "https://api.openai.com/v1"
        }
    }
}
