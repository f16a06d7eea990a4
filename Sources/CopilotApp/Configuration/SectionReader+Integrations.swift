import CopilotAuth
import CopilotCore
import CopilotExpressions
import CopilotPlaybooks

extension SectionReader {
    /// `integrations.*`: each entry exists only as written.
    func readIntegrations(_ root: YAMLMappingReader, into configuration: inout AppConfiguration) {
        guard let integrations = root.mapping("integrations") else { return }
        var result = IntegrationsConfiguration()
        result.testbench = endpoint(integrations, "testbench", urlKey: "url", timeout: true)
        result.github = endpoint(integrations, "github", urlKey: "api_url", urlDefault: "https://api.github.com")
        result.incidentManager = endpoint(integrations, "incident_manager", urlKey: "url")
        result.orchestrator = endpoint(integrations, "orchestrator", urlKey: "url")
        if let observatory = integrations.mapping("observatory") {
            let endpoint = url(observatory, "otlp_endpoint", required: true)
            let wire = observatory.oneOf(["http/protobuf", "http/json"], "protocol") ?? "http/protobuf"
            if let endpoint {
                result.observatory = .init(
                    otlpEndpoint: endpoint,
                    wireProtocol: .init(rawValue: wire) ?? .protobuf
                )
            }
            observatory.finish()
        }
        if let http = integrations.mapping("http") {
            if let nodes = http.list("allow", required: true) {
                result.httpAllow = nodes.enumerated().compactMap { index, node -> String? in
                    guard let glob = context.string(node, path: "integrations.http.allow[\(index)]") else { return nil }
                    do throws(PatternError) {
                        _ = try GlobPattern(glob)
                        return glob
                    } catch {
                        context.error(
                            "invalid glob '\(glob)' for 'integrations.http.allow[\(index)]': \(error.message)",
                            at: node
                        )
                        return nil
                    }
                }
            }
            http.finish()
        }
        integrations.finish()
        configuration.integrations = result
    }

    private func endpoint(
        _ integrations: YAMLMappingReader,
        _ name: String,
        urlKey: String,
        urlDefault: String? = nil,
        timeout: Bool = false
    ) -> IntegrationsConfiguration.Endpoint? {
        guard let entry = integrations.mapping(name) else { return nil }
        defer { entry.finish() }
        let address = url(entry, urlKey, required: urlDefault == nil) ?? urlDefault
        let token = secret(entry, "token")
        let timeoutSeconds = timeout ? entry.int("timeout_seconds", in: 1...86_400) ?? 600 : nil
        return address.map { .init(url: $0, token: token, timeoutSeconds: timeoutSeconds) }
    }

    /// `actions`, `secrets`, `agent`, `auth`, `rbac`.
    func readNamedMaps(_ root: YAMLMappingReader, into configuration: inout AppConfiguration) {
        if let actions = root.mapping("actions") {
            for name in actions.keys {
                guard let preset = actions.mapping(name) else { continue }
                let method = preset.string("method")?.uppercased() ?? "POST"
                let address = preset.string("url", required: true)
                let headers = preset.mapping("headers").map { headers in
                    headers.keys.reduce(into: [String: String]()) { result, key in
                        result[key] = headers.string(key)
                    }
                }
                let body = preset.json("body")
                let params = preset.stringList("params") ?? []
                preset.finish()
                if let address {
                    configuration.actions[name] = .init(
                        method: method,
                        url: address,
                        headers: headers ?? [:],
                        body: body,
                        params: params
                    )
                }
            }
        }
        if let secrets = root.mapping("secrets") {
            for name in secrets.keys {
                if let reference = secret(secrets, name) { configuration.secrets[name] = reference }
            }
        }
        if let agent = root.mapping("agent") {
            let provider = agent.oneOf(["playbook", "anthropic", "openai"], "provider") ?? "playbook"
            configuration.agent.provider = .init(rawValue: provider) ?? .playbook
            // A model is always named: Anthropic and OpenAI refuse a request without one, and a local
            // server that ignores it (llama.cpp) accepts any name.
            configuration.agent.model = agent.string("model", required: provider != "playbook") ?? ""
            configuration.agent.baseURL = agent.string("base_url") ?? ""
            configuration.agent.apiKey = secret(agent, "api_key")
            configuration.agent.maxSteps = agent.int("max_steps", in: 1...100) ?? 8
            configuration.agent.timeoutSeconds = agent.int("timeout_seconds", in: 1...3600) ?? 120
            configuration.agent.maxReplans = agent.int("max_replans", in: 0...10) ?? 1
            agent.finish()
        }
        if let auth = root.mapping("auth") {
            if let jwt = auth.mapping("jwt") {
                let algorithms = jwt.stringList("algorithms") ?? ["HS256"]
                if algorithms.isEmpty {
                    context.error(
                        "'auth.jwt.algorithms' is empty: no token could ever be accepted",
                        at: jwt.pair("algorithms")?.key.position ?? .start
                    )
                }
                // Pinned algorithms: HMAC with the shared secret only; `none` and public-key algorithms
                // are refused here rather than accepted and never matched.
                for algorithm in algorithms where !OperatorJWT.Settings.supported.contains(algorithm) {
                    context.error(
                        "unsupported algorithm '\(algorithm)' for 'auth.jwt.algorithms': use "
                            + OperatorJWT.Settings.supported.joined(separator: ", ") + " (with auth.jwt.secret)",
                        at: jwt.pair("algorithms")?.key.position ?? auth.pair("jwt")?.key.position ?? .start
                    )
                }
                configuration.auth = AuthConfiguration(
                    algorithms: algorithms,
                    secret: secret(jwt, "secret", required: true),
                    issuer: jwt.string("issuer") ?? "",
                    audience: jwt.string("audience") ?? "",
                    rolesClaim: jwt.string("roles_claim") ?? "roles"
                )
                jwt.finish()
            }
            auth.finish()
        }
        if let rbac = root.mapping("rbac") {
            configuration.rbac.roles = namedLists(rbac, section: "roles", listKey: "permissions")
            // Every permission a custom role lists is one of CONTRACT §6's.
            let known = Permission.allCases.map(\.rawValue)
            for name in configuration.rbac.roles.keys where OperatorRoles.builtIn[name] != nil {
                context.warning(
                    "'rbac.roles.\(name)' replaces the built-in role '\(name)': its keys get exactly the permissions listed",
                    at: rbac.mapping("roles")?.pair(name)?.key.position ?? .start
                )
            }
            for (name, permissions) in configuration.rbac.roles {
                for permission in permissions where Permission(rawValue: permission) == nil {
                    let position = rbac.mapping("roles")?.pair(name)?.key.position ?? .start
                    context.error(
                        "unknown permission '\(permission)' for 'rbac.roles.\(name)'"
                            + Suggestion.didYouMean(permission, among: known),
                        at: position
                    )
                }
            }
            configuration.rbac.serviceAccounts = namedLists(rbac, section: "service_accounts", listKey: "allow")
            // Every `allow` entry is an action name or a glob that compiles; the error points at the account.
            for (name, globs) in configuration.rbac.serviceAccounts {
                for (index, glob) in globs.enumerated() {
                    do throws(PatternError) {
                        _ = try GlobPattern(glob)
                    } catch {
                        let position = rbac.mapping("service_accounts")?.pair(name)?.key.position ?? .start
                        context.error(
                            "invalid glob '\(glob)' for 'rbac.service_accounts.\(name).allow[\(index)]': \(error.message)",
                            at: position
                        )
                    }
                }
            }
            rbac.finish()
        }
    }
    /// `<section>: { <name>: { <listKey>: [..] } }`.
    private func namedLists(_ reader: YAMLMappingReader, section: String, listKey: String) -> [String: [String]] {
        guard let entries = reader.mapping(section) else { return [:] }
        var result: [String: [String]] = [:]
        for name in entries.keys {
            guard let entry = entries.mapping(name) else { continue }
            result[name] = entry.stringList(listKey) ?? []
            entry.finish()
        }
        return result
    }
}
