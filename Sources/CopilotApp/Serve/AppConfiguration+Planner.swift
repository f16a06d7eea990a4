public import AsyncHTTPClient
import CopilotCore
public import CopilotEngine
import CopilotPlanner
import CopilotPlaybooks
public import Logging

/// Why the configured planner cannot be built (an `agent.api_key` that does not resolve).
public struct PlannerUnavailable: Error, Sendable, Hashable, CustomStringConvertible {
    public var description: String
}

extension AppConfiguration {
    /// The planner of `agent.*` (CONTRACT §4a) on the shared HTTP client, or nil for
    /// `provider: playbook`. `serve` and `playbook test --planner` build it here, so a dry run asks
    /// exactly as a run does.
    public func runPlanner(
        client: HTTPClient,
        environment: [String: String],
        logger: Logger
    ) throws(PlannerUnavailable) -> RunPlanner? {
        let format: ModelClient.WireFormat
        switch agent.provider {
        case .anthropic: format = .anthropic
        case .openai: format = .openAI
        case .playbook: return nil
        }
        let apiKey: String?
        do {
            // CONTRACT §1: without `api_key`, Anthropic's key comes from ANTHROPIC_API_KEY; an
            // OpenAI-compatible server gets none (local servers often need none).
            apiKey =
                try agent.apiKey?.resolve(environment: environment)
                ?? (format == .anthropic ? environment["ANTHROPIC_API_KEY"] : nil)
        } catch {
            throw PlannerUnavailable(description: error.report)
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
        var secrets = self.secrets.values.compactMap { try? $0.resolve(environment: environment) }
        if let apiKey { secrets.append(apiKey) }
        return RunPlanner(
            client: model,
            settings: .init(
                maxSteps: agent.maxSteps,
                maxReplans: agent.maxReplans,
                timeout: .seconds(agent.timeoutSeconds),
                secrets: secrets,
                catalogue: playbookLoader.catalogue
            )
        )
    }
}
