import AsyncHTTPClient
import CopilotAuth
public import CopilotCore
import CopilotEngine
import CopilotHTTPActions
import CopilotPlaybooks
import CopilotServer
import CopilotStorePostgres
import CopilotWebhooks
import Foundation
import Hummingbird
public import Logging
public import ServiceLifecycle
import UnixSignals

/// What `serve` takes from its surroundings beyond the configuration.
public struct ServeEnvironment: Sendable {
    /// The process environment, for secret references.
    public var variables: [String: String]
    /// With `--dev`: the generated webhook secrets that replace `sources:`.
    public var devSecrets: DevSecrets?
    /// Prometheus text for `GET /metrics`, when `serve` bootstrapped the metrics backend.
    public var metricsText: (@Sendable () -> String)?
    /// Called with the bound port once the server accepts connections.
    public var onServerRunning: @Sendable (Int) async -> Void
    /// This node's id: the owner of its leases, and its `service.instance.id` in traces. Host, process
    /// id and a random part, so a restarted process (pid 1 again, in a container) is a new node.
    public var nodeID: String
    /// The exporter of the spans, when `serve` bootstrapped a tracer: it runs first and stops last, so
    /// the spans of everything else's shutdown are flushed.
    public var telemetry: (any Service)?

    public init(
        variables: [String: String],
        devSecrets: DevSecrets? = nil,
        metricsText: (@Sendable () -> String)? = nil,
        telemetry: (any Service)? = nil,
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) {
        self.variables = variables
        self.devSecrets = devSecrets
        self.metricsText = metricsText
        self.telemetry = telemetry
        self.onServerRunning = onServerRunning
        self.nodeID =
            "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)-"
            + String(UInt32.random(in: .min ... .max), radix: 36)
    }
}

/// Why `serve` could not start, each with a message an operator can act on.
public enum ServeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The playbooks are invalid at start-up: there is no earlier set to keep, so the service does not start.
    case invalidPlaybooks([Diagnostic])
    /// `agent.*` names a model the service cannot be pointed at (an `api_key` that does not resolve).
    case plannerUnavailable(PlannerUnavailable)

    public var description: String {
        switch self {
        case .plannerUnavailable(let problem):
            "agent: " + problem.description
        case .invalidPlaybooks(let problems):
            (problems.sorted().map(\.configurationDescription) + [
                "the playbooks are invalid; the service did not start"
            ])
            .joined(separator: "\n")
        }
    }
}

/// Builds every long-lived part of the service and the `ServiceGroup` that runs them (STYLE §B2).
///
/// Order matters for shutdown, which runs in reverse: the readiness gate turns `/readyz` to 503 first,
/// then the HTTP server stops accepting and finishes in-flight requests (within
/// `server.shutdown_grace_seconds`), the worker stops claiming and saves the steps it is executing, the
/// playbook watcher stops, the HTTP client closes, the tracer flushes its spans, and the store, whose
/// commits are already durable, is released last.
///
/// `store` is the one `storage.url` names, open for as long as the group runs
/// (`StorageConfiguration.withStore`).
public func buildServiceGroup(
    configuration: AppConfiguration,
    environment: ServeEnvironment,
    store: any ServiceStore,
    logger: Logger
) async throws -> ServiceGroup {
    let receivers =
        try environment.devSecrets?.receivers() ?? configuration.webhookReceivers(environment: environment.variables)
    try await environment.devSecrets?.registerAdminKey(in: store, now: Date())
    let readiness = Readiness()
    readiness.storeOpened()

    let reloader = PlaybookReloader(
        directory: configuration.playbooks.directory,
        loader: configuration.playbookLoader,
        audit: store,
        logger: logger
    )
    if case .refused(let problems) = await reloader.reload(reason: "start-up") {
        throw ServeError.invalidPlaybooks(problems)
    }
    readiness.playbooksLoaded()

    let (actions, secretWarnings) = try configuration.actionsConfiguration(
        environment: environment.variables,
        lenient: environment.devSecrets != nil
    )
    for warning in secretWarnings {
        logger.warning(
            "secret left out in development mode",
            metadata: [
                "copilot.config.position": "\(warning.file):\(warning.line):\(warning.column)",
                "copilot.config.problem": "\(warning.message)",
            ]
        )
    }
    // Everything that can fail on the configuration fails before the HTTP client exists, which must be
    // shut down once made.
    let tokens = try await configuration.operatorJWT(environment: environment.variables)
    let httpClient = HTTPClientService.makeClient()
    let planner = try await shuttingDown(httpClient) { () throws(ServeError) in
        do throws(PlannerUnavailable) {
            return try configuration.runPlanner(client: httpClient, environment: environment.variables, logger: logger)
        } catch {
            throw .plannerUnavailable(error)
        }
    }
    let worker = WorkerService(
        store: store,
        playbooks: reloader.registry,
        executor: HTTPActionExecutor(client: httpClient, configuration: actions, logger: logger),
        configuration: configuration.engineConfiguration(nodeID: environment.nodeID),
        logger: logger,
        serviceAccounts: configuration.serviceAccountPolicy,
        planner: planner
    )

    // Several nodes share a PostgreSQL store: they tell each other of new work and reloads.
    let cluster = store as? PostgresStore
    let application = try await shuttingDown(httpClient) {
        try buildApplication(
            configuration: configuration.server,
            dependencies: ServerDependencies(
                inbox: store,
                receivers: receivers,
                readiness: readiness,
                playbooks: PlaybookAPI(
                    registry: reloader.registry,
                    loader: configuration.playbookLoader,
                    reload: { [cluster] actor in
                        let outcome = await reloader.reload(reason: "api", by: actor)
                        await cluster?.announce(.playbooks(origin: environment.nodeID))
                        return outcome
                    }
                ),
                runs: store,
                operators: OperatorAccess(
                    authenticator: OperatorAuthenticator(keys: store, tokens: tokens),
                    roles: configuration.operatorRoles
                ),
                apiKeys: store,
                audit: store,
                wakeWorkers: { worker.wake() },
                metricsText: environment.metricsText
            ),
            logger: logger,
            onServerRunning: environment.onServerRunning
        )
    }
    var groupConfiguration = ServiceGroupConfiguration(
        services: (environment.telemetry.map { [.init(service: $0)] } ?? []) + [
            .init(service: HTTPClientService(client: httpClient)),
            .init(service: PlaybookWatchService(reloader: reloader, watch: configuration.playbooks.watch)),
            .init(service: worker),
        ]
            + (cluster.map {
                [
                    .init(
                        service: ClusterNoticeService(
                            store: $0,
                            worker: worker,
                            reloader: reloader,
                            nodeID: environment.nodeID
                        )
                    )
                ]
            } ?? []) + [
                .init(service: application),
                .init(service: ReadinessGate(readiness: readiness)),
            ],
        gracefulShutdownSignals: [.sigterm, .sigint],
        logger: logger
    )
    groupConfiguration.maximumGracefulShutdownDuration = .seconds(configuration.server.shutdownGraceSeconds)
    logger.info(
        "copilot-agent starting",
        metadata: [
            "copilot.sources": "\(receivers.keys.map(\.rawValue).sorted().joined(separator: ","))",
            "copilot.storage": "\(configuration.storage.locationDescription)",
        ]
    )
    return ServiceGroup(configuration: groupConfiguration)
}

/// Turns readiness off as soon as graceful shutdown begins, before the server drains.
struct ReadinessGate: Service {
    let readiness: Readiness

    func run() async throws {
        try? await gracefulShutdown()
        readiness.shutdownBegan()
    }
}

/// `body`, shutting `client` down when it throws: a client that is dropped without a shutdown traps.
private func shuttingDown<Value>(_ client: HTTPClient, _ body: () throws -> Value) async throws -> Value {
    do {
        return try body()
    } catch {
        try? await client.shutdown()
        throw error
    }
}
