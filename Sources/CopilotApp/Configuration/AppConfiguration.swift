public import CopilotCore
public import CopilotExpressions
public import CopilotServer
import CopilotStorePostgres
public import Logging

/// The whole configuration of CONTRACT §1, checked and typed. Secrets are still references here;
/// they are resolved by the command that uses them (`serve` resolves all it needs at start-up).
public struct AppConfiguration: Sendable {
    /// The file it was read from, for messages.
    public var file: String
    public var server: ServerConfiguration
    public var log: LogConfiguration
    public var storage: StorageConfiguration
    public var playbooks: PlaybooksConfiguration
    public var workers: WorkersConfiguration
    /// Only the sources written exist; an absent one rejects every delivery.
    public var sources: [EventSource: SourceConfiguration]
    public var integrations: IntegrationsConfiguration
    public var actions: [String: ActionPresetConfiguration]
    public var secrets: [String: SecretReference]
    public var agent: AgentConfiguration
    /// Absent: operators authenticate with API keys only.
    public var auth: AuthConfiguration?
    public var rbac: RBACConfiguration
    /// Problems that do not stop start-up (a `COPILOT_*` variable that names no key).
    public var warnings: [Diagnostic]
}

/// `log.level` (trace … critical), `log.format` (text | json).
public struct LogConfiguration: Sendable, Equatable {
    public enum Format: String, Sendable { case text, json }
    public var level: Logger.Level = .info
    public var format: Format = .text
}

/// `storage.url` (`sqlite://PATH` or `postgres://…`), `storage.password`, `storage.retention_days` (0 = keep all).
public struct StorageConfiguration: Sendable, Equatable {
    public enum Location: Sendable, Equatable {
        /// A path relative to the working directory, or absolute.
        case sqlite(path: String)
        case postgres(url: String)
    }
    public var location: Location = .sqlite(path: "data/copilot.db")

    /// Where the store is, for logs: never a password.
    public var locationDescription: String {
        switch location {
        case .sqlite(let path): "sqlite://\(path)"
        case .postgres(let url): (try? PostgresLocation(url: url))?.description ?? "postgres://(invalid)"
        }
    }
    public var retentionDays: Int = 30
    /// `storage.password`: the PostgreSQL password as a secret reference, so that the URL (often in a
    /// ConfigMap or a unit file) need not hold it. Refused with a `sqlite://` URL.
    public var password: SecretReference?
}

/// `playbooks.dir`, `playbooks.watch`.
public struct PlaybooksConfiguration: Sendable, Equatable {
    public var directory: String = "Playbooks"
    public var watch: Bool = true
}

/// `workers.concurrency`: runs executed at once by this node.
public struct WorkersConfiguration: Sendable, Equatable {
    public var concurrency: Int = 8
}

/// One webhook sender: `sources.<name>` (`secrets`, `verify`, `tolerance_seconds`, `bearer_token`).
public struct SourceConfiguration: Sendable, Hashable {
    public enum Verification: Sendable, Hashable {
        /// GitHub `X-Hub-Signature-256`, PagerDuty `X-PagerDuty-Signature`; several secrets for rotation.
        case hmac(secrets: [SecretReference])
        /// Standard Webhooks (`whsec_…` secrets) with a timestamp tolerance.
        case standardWebhooks(secrets: [SecretReference], toleranceSeconds: Int)
        /// `Authorization: Bearer <token>`.
        case bearer(token: SecretReference)
    }
    public var verification: Verification
}

/// `integrations.*`: only those written exist.
public struct IntegrationsConfiguration: Sendable, Hashable {
    public struct Endpoint: Sendable, Hashable {
        public var url: String
        public var token: SecretReference?
        public var timeoutSeconds: Int?
    }
    public struct Observatory: Sendable, Hashable {
        public enum WireProtocol: String, Sendable {
            case protobuf = "http/protobuf"
            case json = "http/json"
        }
        public var otlpEndpoint: String
        public var wireProtocol: WireProtocol
    }
    public var testbench: Endpoint?
    public var github: Endpoint?
    public var incidentManager: Endpoint?
    public var orchestrator: Endpoint?
    public var observatory: Observatory?
    /// `integrations.http.allow`: URL globs `http.request` may call; nil when the integration is absent.
    public var httpAllow: [String]?
}

/// `actions.<name>`: a site preset, an `http.request` template.
public struct ActionPresetConfiguration: Sendable, Hashable {
    public var method: String
    public var url: String
    public var headers: [String: String]
    public var body: JSONValue?
    public var params: [String]
}

/// `agent.*`: who plans remediations.
public struct AgentConfiguration: Sendable, Hashable {
    public enum Provider: String, Sendable { case playbook, anthropic, openai }
    public var provider: Provider = .playbook
    public var model: String = ""
    public var baseURL: String = ""
    /// Read only when the provider needs it.
    public var apiKey: SecretReference?
    public var maxSteps: Int = 8
    public var timeoutSeconds: Int = 120
    /// How often a failed planned step may be answered with a new plan.
    public var maxReplans: Int = 1
}

/// `auth.jwt.*`.
public struct AuthConfiguration: Sendable, Hashable {
    public var algorithms: [String]
    public var secret: SecretReference?
    public var issuer: String
    public var audience: String
    public var rolesClaim: String
}

/// `rbac.roles.<name>.permissions`, `rbac.service_accounts.<name>.allow`.
public struct RBACConfiguration: Sendable, Hashable {
    public var roles: [String: [String]] = [:]
    public var serviceAccounts: [String: [String]] = [:]
}
