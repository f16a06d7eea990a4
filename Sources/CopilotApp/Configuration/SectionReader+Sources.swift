import CopilotCore
import CopilotPlaybooks

extension SectionReader {
    /// `sources.<github|incident|alertmanager|pagerduty>`.
    func readSources(_ root: YAMLMappingReader, into configuration: inout AppConfiguration) {
        guard let sources = root.mapping("sources") else { return }
        for source in EventSource.allCases {
            guard let entry = sources.mapping(source.rawValue) else { continue }
            if let verification = verification(of: source, entry) {
                configuration.sources[source] = SourceConfiguration(verification: verification)
            }
            entry.finish()
        }
        sources.finish()
    }

    private func verification(of source: EventSource, _ entry: YAMLMappingReader) -> SourceConfiguration.Verification? {
        switch source {
        case .github, .pagerduty:
            return secretList(entry, "secrets").map { .hmac(secrets: $0) }
        case .alertmanager:
            return secret(entry, "bearer_token", required: true).map { .bearer(token: $0) }
        case .incident:
            let mode = entry.oneOf(["standard-webhooks", "bearer"], "verify") ?? "standard-webhooks"
            let tolerance = entry.int("tolerance_seconds", in: 1...86_400) ?? 300
            if mode == "bearer" {
                // The other mode's keys are still known keys, but must not be set: they would do nothing.
                if let node = entry.value("secrets") {
                    context.error("'\(entry.path(of: "secrets"))' is not used with 'verify: bearer'", at: node)
                }
                return secret(entry, "bearer_token", required: true).map { .bearer(token: $0) }
            }
            if let node = entry.value("bearer_token") {
                context.error(
                    "'\(entry.path(of: "bearer_token"))' is used only with 'verify: bearer'",
                    at: node
                )
            }
            return secretList(entry, "secrets").map { .standardWebhooks(secrets: $0, toleranceSeconds: tolerance) }
        }
    }
}
