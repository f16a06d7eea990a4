public import CopilotCore
public import CopilotWebhooks

extension AppConfiguration {
    /// One verifying receiver per configured source, with every secret resolved.
    ///
    /// Every unresolvable secret is reported (not just the first), each naming its key and position, and
    /// start-up stops: a source that is written but cannot verify must not silently reject everything.
    public func webhookReceivers(
        environment: [String: String]
    ) throws(ConfigurationError) -> [EventSource: WebhookReceiver] {
        var receivers: [EventSource: WebhookReceiver] = [:]
        var problems: [Diagnostic] = []
        func resolve(_ reference: SecretReference) -> String? {
            do {
                return try reference.resolve(environment: environment)
            } catch {
                problems += error.diagnostics
                return nil
            }
        }
        for (source, settings) in sources.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            let verification: WebhookSourceConfiguration.Verification?
            switch settings.verification {
            case .hmac(let references):
                let secrets = references.compactMap(resolve)
                verification =
                    secrets.count == references.count ? .hmacSHA256(secrets: secrets.map { Array($0.utf8) }) : nil
            case .bearer(let reference):
                verification = resolve(reference).map { .bearer(token: $0) }
            case .standardWebhooks(let references, let tolerance):
                var keys: [[UInt8]] = []
                for reference in references {
                    guard let secret = resolve(reference) else { continue }
                    do {
                        keys.append(try WebhookSourceConfiguration.standardWebhooksKey(secret))
                    } catch {
                        var problem = reference.origin
                        problem.message = "secret '\(reference.keyPath)' (\(reference)) is not a whsec_<base64> key"
                        problems.append(problem)
                    }
                }
                verification =
                    keys.count == references.count ? .standardWebhooks(keys: keys, toleranceSeconds: tolerance) : nil
            }
            if let verification {
                receivers[source] = WebhookReceiver(configuration: .init(source: source, verification: verification))
            }
        }
        guard problems.isEmpty else { throw ConfigurationError(diagnostics: problems) }
        return receivers
    }
}
