public import CopilotCore
import CopilotPlaybooks
import CopilotServer
import CopilotStorePostgres
import Foundation
import Logging

/// Reads `Config/copilot.yaml` plus `COPILOT_*` overrides into an `AppConfiguration`, reporting every
/// problem with `file:line:col` (or the variable's name), an unknown key with a suggestion. Secrets stay
/// references; nothing is resolved here.
public enum ConfigurationLoader {
    /// Reads and checks the file at `path`.
    public static func load(path: String, environment: [String: String]) throws(ConfigurationError) -> AppConfiguration
    {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError(
                diagnostic: Diagnostic(file: path, line: 0, column: 0, message: "cannot read the configuration file")
            )
        }
        return try load(file: path, bytes: Array(data), environment: environment)
    }

    /// Checks configuration text; `file` is the name messages use.
    public static func load(
        file: String,
        bytes: [UInt8],
        environment: [String: String]
    ) throws(ConfigurationError) -> AppConfiguration {
        let document = YAMLDocument(file: file, bytes: bytes)
        let overlay = EnvironmentOverlay(root: document.root, environment: environment)
        let context = YAMLReadContext(document: document)
        var configuration = AppConfiguration(
            file: file,
            server: ServerConfiguration(),
            log: LogConfiguration(),
            storage: StorageConfiguration(),
            playbooks: PlaybooksConfiguration(),
            workers: WorkersConfiguration(),
            sources: [:],
            integrations: IntegrationsConfiguration(),
            actions: [:],
            secrets: [:],
            agent: AgentConfiguration(),
            auth: nil,
            rbac: RBACConfiguration(),
            warnings: []
        )
        if overlay.root.pairs == nil {
            context.typeMismatch("a mapping", path: "the configuration", found: overlay.root)
        } else {
            let root = YAMLMappingReader(overlay.root, path: "", context: context)
            let reader = SectionReader(context: context, overrides: overlay.origins)
            reader.readFixedSections(root, into: &configuration)
            reader.readSources(root, into: &configuration)
            reader.readIntegrations(root, into: &configuration)
            reader.readNamedMaps(root, into: &configuration)
            root.finish()
        }
        let located = context.diagnostics.map { Self.attributingOverrides($0, origins: overlay.origins) }
        configuration.warnings =
            located.filter { $0.severity == .warning }
            + overlay.unmatched.map {
                Diagnostic(file: $0.variable, line: 0, column: 0, severity: .warning, message: $0.reason)
            }
        let errors = located.filter { $0.severity == .error }
        guard errors.isEmpty else { throw ConfigurationError(diagnostics: errors.sorted()) }
        return configuration
    }

    /// A problem in a value that came from a `COPILOT_*` variable names the variable, not a line.
    static func attributingOverrides(_ diagnostic: Diagnostic, origins: [Int: String]) -> Diagnostic {
        guard diagnostic.line < 0, let variable = origins[diagnostic.line] else { return diagnostic }
        var attributed = diagnostic
        attributed.file = variable
        attributed.line = 0
        attributed.column = 0
        return attributed
    }
}

extension Diagnostic {
    /// `file:line:col: error: message`, or `VARIABLE: error: message` for a problem in an override.
    public var configurationDescription: String {
        line == 0 ? "\(file): \(severity.rawValue): \(message)" : description
    }
}

extension ConfigurationError {
    /// Every problem, one line each.
    public var report: String { diagnostics.map(\.configurationDescription).joined(separator: "\n") }
}

/// Reads the sections of the configuration with one shared context.
struct SectionReader {
    let context: YAMLReadContext
    /// `EnvironmentOverlay.origins`: which variable each synthetic line came from.
    let overrides: [Int: String]

    func readFixedSections(_ root: YAMLMappingReader, into configuration: inout AppConfiguration) {
        if let server = root.mapping("server") {
            configuration.server.host = server.string("host") ?? configuration.server.host
            configuration.server.port = server.int("port", in: 0...65535) ?? configuration.server.port
            configuration.server.maxBodyBytes =
                server.int("max_body_bytes", in: 1...Int.max) ?? configuration.server.maxBodyBytes
            configuration.server.shutdownGraceSeconds =
                server.int("shutdown_grace_seconds", in: 0...3600) ?? configuration.server.shutdownGraceSeconds
            if let tls = server.mapping("tls") {
                if let certificate = tls.string("cert", required: true), let key = tls.string("key", required: true) {
                    configuration.server.tls = .init(certificate: certificate, key: key)
                }
                tls.finish()
            }
            server.finish()
        }
        if let log = root.mapping("log") {
            let levels = Logger.Level.allCases.map(\.rawValue)
            if let level = log.oneOf(levels, "level") {
                configuration.log.level = Logger.Level(rawValue: level) ?? .info
            }
            if let format = log.oneOf(["text", "json"], "format") {
                configuration.log.format = LogConfiguration.Format(rawValue: format) ?? .text
            }
            log.finish()
        }
        if let storage = root.mapping("storage") {
            if let node = storage.value("url"), let url = storage.string("url") {
                // The value is not repeated in the messages: a postgres:// URL may hold a password.
                switch Self.storageLocation(url) {
                case .success(let location): configuration.storage.location = location
                case .failure(let problem): context.error("invalid value for 'storage.url': \(problem)", at: node)
                }
            }
            configuration.storage.retentionDays =
                storage.int("retention_days", in: 0...Int.max) ?? configuration.storage.retentionDays
            if let node = storage.value("password"), let password = secret(storage, "password") {
                if case .sqlite = configuration.storage.location {
                    context.error("'storage.password' is for a postgres:// storage.url; SQLite has none", at: node)
                } else if case .postgres(let url) = configuration.storage.location,
                    (try? PostgresLocation(url: url))?.password != nil
                {
                    context.error("'storage.password' and a password in 'storage.url': write one of them", at: node)
                } else {
                    configuration.storage.password = password
                }
            }
            storage.finish()
        }
        if let playbooks = root.mapping("playbooks") {
            configuration.playbooks.directory = playbooks.string("dir") ?? configuration.playbooks.directory
            configuration.playbooks.watch = playbooks.bool("watch") ?? configuration.playbooks.watch
            playbooks.finish()
        }
        if let workers = root.mapping("workers") {
            configuration.workers.concurrency =
                workers.int("concurrency", in: 1...1024) ?? configuration.workers.concurrency
            workers.finish()
        }
        if let limits = root.mapping("rate_limits") {
            configuration.server.rateLimits.webhooksPerSecond =
                limits.int("webhooks_per_second", in: 0...1_000_000)
                ?? configuration.server.rateLimits.webhooksPerSecond
            configuration.server.rateLimits.apiPerSecond =
                limits.int("api_per_second", in: 0...1_000_000) ?? configuration.server.rateLimits.apiPerSecond
            limits.finish()
        }
    }

    /// `sqlite://relative/path`, `sqlite:///absolute/path`, `postgres://…` (or `postgresql://…`, read as
    /// the PostgreSQL store reads it); otherwise what is wrong.
    static func storageLocation(_ url: String) -> Result<StorageConfiguration.Location, StorageURLProblem> {
        let expected = StorageURLProblem(description: "expected sqlite://PATH or postgres://user:pass@host:port/db")
        if url.hasPrefix("sqlite://") {
            let path = String(url.dropFirst("sqlite://".count))
            return path.isEmpty ? .failure(expected) : .success(.sqlite(path: path))
        }
        if url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") {
            do {
                _ = try PostgresLocation(url: url)
                return .success(.postgres(url: url))
            } catch {
                return .failure(StorageURLProblem(description: error.description))
            }
        }
        return .failure(expected)
    }

    struct StorageURLProblem: Error, CustomStringConvertible {
        var description: String
    }

    /// An `http://` or `https://` URL with a host; otherwise a diagnostic at the value.
    func url(_ reader: YAMLMappingReader, _ key: String, required: Bool = false) -> String? {
        guard let node = reader.value(key, required: required), let text = reader.string(key) else { return nil }
        guard let components = URLComponents(string: text),
            ["http", "https"].contains(components.scheme?.lowercased()),
            components.host?.isEmpty == false
        else {
            context.error("invalid URL '\(text)' for '\(reader.path(of: key))': expected http:// or https://", at: node)
            return nil
        }
        return text
    }

    /// A secret reference under `key`.
    func secret(_ reader: YAMLMappingReader, _ key: String, required: Bool = false) -> SecretReference? {
        guard let node = reader.value(key, required: required), let text = reader.string(key) else { return nil }
        return SecretReference.parse(
            text,
            keyPath: reader.path(of: key),
            node: node,
            context: context,
            overrides: overrides
        )
    }

    /// A non-empty list of secret references under `key`.
    func secretList(_ reader: YAMLMappingReader, _ key: String) -> [SecretReference]? {
        guard let nodes = reader.list(key, required: true) else { return nil }
        guard !nodes.isEmpty else {
            context.error("'\(reader.path(of: key))' needs at least one secret", at: reader.value(key) ?? reader.node)
            return nil
        }
        var references: [SecretReference] = []
        for (index, node) in nodes.enumerated() {
            let path = "\(reader.path(of: key))[\(index)]"
            guard let text = context.string(node, path: path),
                let reference = SecretReference.parse(
                    text,
                    keyPath: path,
                    node: node,
                    context: context,
                    overrides: overrides
                )
            else { return nil }
            references.append(reference)
        }
        return references
    }
}
