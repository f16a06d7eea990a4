import CopilotApp
import CopilotCore
import CopilotHTTPActions
import CopilotServer
import Foundation
import Logging
import Testing

@Suite
struct ConfigurationTests {
    func load(_ yaml: String, environment: [String: String] = [:]) throws(ConfigurationError) -> AppConfiguration {
        try ConfigurationLoader.load(file: "copilot.yaml", bytes: Array(yaml.utf8), environment: environment)
    }

    func problems(_ yaml: String, environment: [String: String] = [:]) -> [String] {
        do {
            _ = try load(yaml, environment: environment)
            return []
        } catch {
            return error.diagnostics.map(\.configurationDescription)
        }
    }

    /// The repository's root, where `Config/` and `Deploy/` are.
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test(
        "the shipped Config/copilot.yaml is valid, and serve (strict) resolves every secret it names from Deploy/env.example's variables"
    )
    func shippedConfiguration() throws {
        let path = Self.repository.appendingPathComponent("Config/copilot.yaml").path
        let configuration = try ConfigurationLoader.load(path: path, environment: [:])
        #expect(configuration.server.port == 8080)
        #expect(configuration.storage.location == .sqlite(path: "data/copilot.db"))
        #expect(Set(configuration.sources.keys) == Set(EventSource.allCases))
        // Every variable the template lists, filled in as an operator would.
        let template = try String(
            contentsOf: Self.repository.appendingPathComponent("Deploy/env.example"),
            encoding: .utf8
        )
        let names = template.split(separator: "\n").filter { !$0.hasPrefix("#") }.compactMap {
            $0.split(separator: "=", maxSplits: 1).first.map(String.init)
        }
        var environment = Dictionary(uniqueKeysWithValues: names.map { ($0, "value-of-\($0)") })
        environment["INCIDENT_WEBHOOK_SECRET"] = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
        #expect(try configuration.webhookReceivers(environment: environment).count == 4)
        let actions = try configuration.actionsConfiguration(environment: environment, lenient: false)
        #expect(actions.warnings.isEmpty)
        #expect(actions.configuration.secrets == ["DEPLOY_TOKEN": "value-of-DEPLOY_TOKEN"])
    }

    @Test("an empty file gives the documented defaults and no source")
    func defaults() throws {
        let configuration = try load("")
        #expect(configuration.server.host == "127.0.0.1")
        #expect(configuration.server.maxBodyBytes == 26_214_400)
        #expect(configuration.server.shutdownGraceSeconds == 10)
        #expect(configuration.playbooks.directory == "Playbooks")
        #expect(configuration.workers.concurrency == 8)
        #expect(configuration.sources.isEmpty)
    }

    @Test("rate_limits are read into the server's settings, overridable, and bounded")
    func rateLimits() throws {
        let configuration = try load(
            "rate_limits: { webhooks_per_second: 50 }\n",
            environment: ["COPILOT_RATE_LIMITS_API_PER_SECOND": "7"]
        )
        #expect(configuration.server.rateLimits == RateLimitsConfiguration(webhooksPerSecond: 50, apiPerSecond: 7))
        #expect(try load("").server.rateLimits == RateLimitsConfiguration())
        #expect(
            problems("rate_limits: { api_per_second: 2000000 }\n").first?.hasPrefix("copilot.yaml:1:32: error:")
                == true
        )
    }

    @Test("an unknown key is an error at its position with a suggestion")
    func unknownKey() {
        #expect(
            problems("server:\n  prot: 9000\n") == ["copilot.yaml:2:3: error: unknown key 'prot'; did you mean 'port'?"]
        )
        #expect(problems("sever: {}\n").first?.hasPrefix("copilot.yaml:1:1: error: unknown key 'sever'") == true)
    }

    @Test("a wrong type names the key, the position and the expected type")
    func wrongType() {
        #expect(
            problems("server:\n  port: abc\n") == [
                "copilot.yaml:2:9: error: expected an integer for 'server.port', found a string"
            ]
        )
        #expect(
            problems("sources:\n  incident: { verify: hmac, secrets: [env:X] }\n").first?.contains(
                "'sources.incident.verify'"
            ) == true
        )
        #expect(
            problems("storage:\n  url: mysql://x\n").first?.hasPrefix(
                "copilot.yaml:2:8: error: invalid value for 'storage.url': expected sqlite://PATH"
            ) == true
        )
        // A PostgreSQL URL is read as the store reads it, and its password never repeated.
        let postgres = problems("storage:\n  url: postgres://copilot:hunter2@db/agent?sslmode=sometimes\n")
        #expect(postgres.first?.contains("unknown sslmode 'sometimes'") == true, "\(postgres)")
        #expect(!postgres.joined().contains("hunter2"))
    }

    @Test("every problem of the file is reported, sorted by position")
    func allProblems() {
        let found = problems("server:\n  port: abc\nlog:\n  level: loud\nextra: 1\n")
        #expect(found.count == 3)
        #expect(found.map { $0.split(separator: ":")[1] } == ["2", "4", "5"])
    }

    @Test("a secret written literally is refused")
    func literalSecret() {
        #expect(
            problems("sources:\n  github: { secrets: [hunter2] }\n").first?.contains("must be a secret reference")
                == true
        )
    }

    @Test("COPILOT_ variables override scalar keys and comma-separated lists, checked like the file")
    func overrides() throws {
        let yaml = "sources:\n  github: { secrets: [env:A] }\n"
        let configuration = try load(
            yaml,
            environment: [
                "COPILOT_SERVER_PORT": "9000", "COPILOT_SOURCES_GITHUB_SECRETS": "env:B, env:C",
                "COPILOT_LOG_LEVEL": "debug",
            ]
        )
        #expect(configuration.server.port == 9000)
        #expect(configuration.log.level == .debug)
        #expect(configuration.sources[.github]?.verification.secretNames == ["B", "C"])
        #expect(
            problems("", environment: ["COPILOT_SERVER_PORT": "abc"]) == [
                "COPILOT_SERVER_PORT: error: expected an integer for 'server.port', found a string"
            ]
        )
    }

    @Test("an override cannot create a source, and a variable that names no key is a warning")
    func overrideWarnings() throws {
        let configuration = try load(
            "",
            environment: ["COPILOT_SOURCES_GITHUB_SECRETS": "env:B", "COPILOT_SERVR_PORT": "1"]
        )
        #expect(configuration.sources.isEmpty)
        #expect(configuration.warnings.map(\.file) == ["COPILOT_SERVR_PORT", "COPILOT_SOURCES_GITHUB_SECRETS"])
        #expect(
            configuration.warnings.map(\.message) == [
                "names no configuration key; ignored",
                "'sources.github' is not in the configuration file, and exists only when the file names it; ignored",
            ]
        )
    }

    @Test("agent, auth and rbac are acted on: no start-up warning; their values are checked")
    func agentAuthAndRBAC() throws {
        let configuration = try load(
            """
            agent: { provider: anthropic, model: claude-sonnet-4-5, api_key: env:ANTHROPIC_API_KEY }
            auth: { jwt: { secret: env:JWT_SECRET } }
            rbac:
              service_accounts: { remediator: { allow: [incident.*] } }
              roles: { oncall: { permissions: [runs.read] } }
            """
        )
        #expect(configuration.warnings.isEmpty)
        #expect(
            problems("auth: { jwt: { secret: env:S, algorithms: [none] } }").first?.contains(
                "unsupported algorithm 'none' for 'auth.jwt.algorithms': use HS256, HS384, HS512"
            ) == true
        )
        #expect(problems("auth: { jwt: { algorithms: [HS256] } }").count == 1, "a secret is required")
        let replaced = try load("rbac: { roles: { viewer: { permissions: [runs.read] } } }")
        #expect(replaced.warnings.first?.message.contains("replaces the built-in role 'viewer'") == true)
        #expect(try load("agent: { provider: playbook }").warnings.isEmpty)
        #expect(
            try load("agent: { provider: openai, model: m, base_url: 'http://127.0.0.1:8080/v1' }").warnings.isEmpty
        )
        #expect(problems("agent: { provider: openai }").count == 1, "a model is named")
        #expect(
            problems("rbac: { roles: { oncall: { permissions: [runs.reed] } } }").first?.contains(
                "unknown permission 'runs.reed' for 'rbac.roles.oncall'; did you mean 'runs.read'?"
            ) == true
        )
        #expect(
            try load("rbac: { roles: { oncall: { permissions: [runs.read, runs.approve] } } }").operatorRoles.allows(
                ["oncall"],
                .runsApprove
            )
        )
        #expect(
            problems("rbac: { service_accounts: { ci: { allow: ['github.[' ] } } }").first?.contains(
                "invalid glob 'github.[' for 'rbac.service_accounts.ci.allow[0]'"
            ) == true
        )
        let agent = try load("agent: { provider: anthropic, model: m, max_replans: 0 }").agent
        #expect(agent.maxReplans == 0)
        #expect(try load("").agent.maxReplans == 1)
        #expect(problems("agent: { max_replans: 11 }").count == 1)
    }

    @Test("an unresolvable secret stops start-up naming the key and its position")
    func missingSecret() throws {
        let configuration = try load("sources:\n  github:\n    secrets: [env:NOT_SET_ANYWHERE]\n")
        #expect(throws: ConfigurationError.self) { try configuration.webhookReceivers(environment: [:]) }
        do {
            _ = try configuration.webhookReceivers(environment: [:])
        } catch {
            #expect(
                error.report.hasPrefix(
                    "copilot.yaml:3:15: error: cannot resolve secret 'sources.github.secrets[0]' (env:NOT_SET_ANYWHERE)"
                )
            )
        }
    }

    @Test("a missing secret file stops start-up naming the key, the file and its position")
    func missingSecretFile() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("absent-\(UUID().uuidString)").path
        let configuration = try load("sources:\n  alertmanager:\n    bearer_token: \"file:\(path)\"\n")
        do {
            _ = try configuration.webhookReceivers(environment: [:])
            Issue.record("a missing secret file was accepted")
        } catch {
            #expect(
                error.report
                    == "copilot.yaml:3:19: error: cannot resolve secret 'sources.alertmanager.bearer_token' "
                    + "(file:\(path)): cannot read secret file '\(path)'"
            )
        }
    }

    @Test("an unresolvable secret that came from an override names the variable")
    func missingOverriddenSecret() throws {
        let configuration = try load(
            "sources:\n  github:\n    secrets: [env:SET]\n",
            environment: ["COPILOT_SOURCES_GITHUB_SECRETS": "env:SET,env:NOT_SET_ANYWHERE"]
        )
        do {
            _ = try configuration.webhookReceivers(environment: ["SET": "s"])
            Issue.record("an unset overridden secret was accepted")
        } catch {
            #expect(
                error.report
                    == "COPILOT_SOURCES_GITHUB_SECRETS: error: cannot resolve secret 'sources.github.secrets[1]' "
                    + "(env:NOT_SET_ANYWHERE): environment variable NOT_SET_ANYWHERE is not set or empty"
            )
        }
    }

    @Test("a file: secret drops one trailing newline")
    func fileSecret() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("secret-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data("s3cret\n".utf8).write(to: URL(fileURLWithPath: path))
        let configuration = try load("sources:\n  alertmanager: { bearer_token: \"file:\(path)\" }\n")
        guard case .bearer(let reference) = configuration.sources[.alertmanager]?.verification else {
            Issue.record("alertmanager is not a bearer source")
            return
        }
        #expect(try reference.resolve(environment: [:]) == "s3cret")
    }
}

extension SourceConfiguration.Verification {
    var secretNames: [String] {
        guard case .hmac(let secrets) = self else { return [] }
        return secrets.compactMap {
            if case .environment(let name) = $0.location { name } else { nil }
        }
    }
}
