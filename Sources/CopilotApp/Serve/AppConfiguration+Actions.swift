public import CopilotCore
import CopilotExpressions
public import CopilotHTTPActions

/// The version outbound requests announce (`User-Agent: copilot-agent/<version>`, CONTRACT §8).
public enum CopilotVersion {
    public static let current = "0.1.0"
}

extension AppConfiguration {
    /// The outbound actions' settings with every secret they use resolved: integration tokens and the
    /// named `secrets:` presets refer to.
    ///
    /// Strict (`serve`): any unresolvable secret stops start-up, each reported with its key and position.
    /// Lenient (`serve --dev`): such a secret becomes a warning and is left out — a dev machine has no
    /// Test-Bench token or deploy credentials, and the quick start must still run; the call then goes out
    /// without that credential and the receiver decides.
    public func actionsConfiguration(
        environment: [String: String],
        lenient: Bool
    ) throws(ConfigurationError) -> (configuration: HTTPActionsConfiguration, warnings: [Diagnostic]) {
        var problems: [Diagnostic] = []
        func resolve(_ reference: SecretReference?) -> String? {
            guard let reference else { return nil }
            do {
                return try reference.resolve(environment: environment)
            } catch {
                problems += error.diagnostics
                return nil
            }
        }
        func integration(_ endpoint: IntegrationsConfiguration.Endpoint?) -> HTTPActionsConfiguration.Integration? {
            endpoint.map { .init(baseURL: $0.url, token: resolve($0.token)) }
        }
        var secretValues: [String: String] = [:]
        for (name, reference) in secrets.sorted(by: { $0.key < $1.key }) {
            if let value = resolve(reference) { secretValues[name] = value }
        }
        let configuration = HTTPActionsConfiguration(
            testBench: integration(integrations.testbench),
            gitHub: integration(integrations.github),
            incidentManager: integration(integrations.incidentManager),
            orchestrator: integration(integrations.orchestrator),
            testBenchTimeoutSeconds: integrations.testbench?.timeoutSeconds ?? 600,
            httpAllow: integrations.httpAllow?.compactMap { try? GlobPattern($0) },
            presets: Dictionary(
                uniqueKeysWithValues: actions.map { name, preset in
                    (
                        ActionName(rawValue: name),
                        HTTPActionsConfiguration.Preset(
                            method: preset.method,
                            url: preset.url,
                            headers: preset.headers,
                            body: preset.body,
                            params: preset.params
                        )
                    )
                }
            ),
            secrets: secretValues,
            userAgent: "copilot-agent/\(CopilotVersion.current)"
        )
        if !problems.isEmpty, !lenient { throw ConfigurationError(diagnostics: problems) }
        return (
            configuration,
            problems.map { problem in
                var warning = problem
                warning.severity = .warning
                warning.message += "; left out in development mode"
                return warning
            }
        )
    }
}
