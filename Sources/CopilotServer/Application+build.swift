public import CopilotAuth
public import CopilotCore
public import CopilotWebhooks
public import Foundation
public import Hummingbird
import HummingbirdCore
import HummingbirdTLS
public import Logging
import NIOCore
import NIOSSL

/// What the HTTP application needs from the rest of the system: ports and plain values, never drivers.
/// Tests pass in-memory fakes through the same struct.
public struct ServerDependencies: Sendable {
    public var inbox: any EventInbox
    /// One receiver per configured source; a source without one rejects every delivery.
    public var receivers: [EventSource: WebhookReceiver]
    public var readiness: Readiness
    /// The playbook routes; absent in tests that exercise only ingress.
    public var playbooks: PlaybookAPI?
    /// The run and event routes; absent in tests that exercise only ingress.
    public var runs: (any RunStore)?
    /// Operator authentication and roles: the operator API (`/api/v1/*`) exists only with it.
    public var operators: OperatorAccess?
    /// Where API keys are issued and revoked (`/api/v1/tokens`).
    public var apiKeys: (any APIKeyStore)?
    /// Where refused requests, decisions, replays and reloads are recorded, and `/api/v1/audit` reads.
    public var audit: (any AuditLog)?
    /// Called after each newly accepted delivery and each approve, reject or cancel, so the worker acts at
    /// once instead of at its next poll.
    public var wakeWorkers: @Sendable () -> Void
    /// Prometheus text for `GET /metrics`; absent when no metrics backend is bootstrapped.
    public var metricsText: (@Sendable () -> String)?
    public var now: @Sendable () -> Date
    /// The monotonic clock rate limits refill by.
    public var monotonicNow: @Sendable () -> ContinuousClock.Instant
    public var newEventID: @Sendable () -> EventID

    public init(
        inbox: any EventInbox,
        receivers: [EventSource: WebhookReceiver],
        readiness: Readiness,
        playbooks: PlaybookAPI? = nil,
        runs: (any RunStore)? = nil,
        operators: OperatorAccess? = nil,
        apiKeys: (any APIKeyStore)? = nil,
        audit: (any AuditLog)? = nil,
        wakeWorkers: @escaping @Sendable () -> Void = {},
        metricsText: (@Sendable () -> String)? = nil,
        now: @escaping @Sendable () -> Date = { Date() },
        monotonicNow: @escaping @Sendable () -> ContinuousClock.Instant = { .now },
        newEventID: @escaping @Sendable () -> EventID = { EventID(rawValue: RandomUUID.string()) }
    ) {
        self.inbox = inbox
        self.receivers = receivers
        self.readiness = readiness
        self.playbooks = playbooks
        self.runs = runs
        self.operators = operators
        self.apiKeys = apiKeys
        self.audit = audit
        self.wakeWorkers = wakeWorkers
        self.metricsText = metricsText
        self.now = now
        self.monotonicNow = monotonicNow
        self.newEventID = newEventID
    }
}

/// The router with every route and the error middleware.
public func buildRouter(
    configuration: ServerConfiguration,
    dependencies: ServerDependencies
) -> Router<AppRequestContext> {
    let router = Router(context: AppRequestContext.self)
    router.add(middleware: ErrorMiddleware())
    HealthController(readiness: dependencies.readiness).addRoutes(to: router)
    let metrics = WebhookMetrics()
    let codes: [WebhookError] = [
        .unsupportedMediaType, .missingSignature, .invalidSignature, .staleTimestamp, .invalidJSON, .invalidPayload,
    ]
    metrics.register(
        sources: EventSource.allCases,
        codes: codes.map(\.code) + [
            APIError.payloadTooLarge.code, APIError.rateLimited(retryAfter: .zero).code, APIError.unavailable.code,
        ]
    )
    WebhookController(
        receivers: dependencies.receivers,
        inbox: dependencies.inbox,
        maxBodyBytes: configuration.maxBodyBytes,
        now: dependencies.now,
        newEventID: dependencies.newEventID,
        metrics: metrics,
        rateLimit: RateLimit(
            perSecond: configuration.rateLimits.webhooksPerSecond,
            now: dependencies.monotonicNow
        ),
        wakeWorkers: dependencies.wakeWorkers
    ).addRoutes(to: router)
    // The operator API exists only behind authentication and RBAC: without them no route is added.
    if let operators = dependencies.operators {
        addOperatorRoutes(to: router, operators: operators, configuration: configuration, dependencies: dependencies)
    }
    if let metricsText = dependencies.metricsText {
        router.get("/metrics") { _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: metricsText()))
            )
        }
    }
    return router
}

/// `/api/v1/*`: authentication and the route table's permission, then each operator's rate limit, then
/// the routes.
private func addOperatorRoutes(
    to router: Router<AppRequestContext>,
    operators: OperatorAccess,
    configuration: ServerConfiguration,
    dependencies: ServerDependencies
) {
    let api = router.group()
    api.add(
        middleware: OperatorAccessMiddleware(
            access: operators,
            audit: dependencies.audit.map { RefusalAudit(log: $0, now: dependencies.monotonicNow) },
            now: dependencies.now
        ) {
            APIRoutes.access[$0]
        }
    )
    if let limit = RateLimit(perSecond: configuration.rateLimits.apiPerSecond, now: dependencies.monotonicNow) {
        api.add(middleware: APIRateLimitMiddleware(limit: limit))
    }
    if let keys = dependencies.apiKeys {
        TokenController(
            issuer: APIKeyIssuer(store: keys, roles: operators.roles, now: dependencies.now),
            authenticator: operators.authenticator,
            maxBodyBytes: configuration.maxBodyBytes
        ).addRoutes(to: api)
    }
    if let runs = dependencies.runs {
        RunController(
            store: runs,
            playbooks: dependencies.playbooks?.registry,
            now: dependencies.now,
            maxBodyBytes: configuration.maxBodyBytes,
            wakeWorkers: dependencies.wakeWorkers,
            newEventID: dependencies.newEventID,
            audit: dependencies.audit
        ).addRoutes(to: api)
        RunStream(store: runs).addRoutes(to: api)
    }
    if let playbooks = dependencies.playbooks {
        PlaybookController(api: playbooks, maxBodyBytes: configuration.maxBodyBytes).addRoutes(to: api)
    }
    if let audit = dependencies.audit {
        AuditController(log: audit).addRoutes(to: api)
    }
}

/// The Hummingbird application: a `Service` to run in the app's `ServiceGroup`.
///
/// `onServerRunning` receives the bound port (useful with port 0 in tests and benchmarks).
/// With `server.tls`, the listener speaks TLS 1.3 only, with the certificate chain and key read from
/// the PEM files at start-up; a file that cannot be read stops the start (`TLSSetupError`).
public func buildApplication(
    configuration: ServerConfiguration,
    dependencies: ServerDependencies,
    logger: Logger,
    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) throws(TLSSetupError) -> some ApplicationProtocol {
    let server: HTTPServerBuilder
    if let files = configuration.tls {
        do {
            server = try .tls(.http1(), tlsConfiguration: try tlsConfiguration(files))
        } catch let error as TLSSetupError {
            throw error
        } catch {
            throw TLSSetupError(message: "server.tls: the certificate and key cannot be used together")
        }
    } else {
        server = .http1()
    }
    return Application(
        router: buildRouter(configuration: configuration, dependencies: dependencies),
        server: server,
        configuration: ApplicationConfiguration(
            address: .hostname(configuration.host, port: configuration.port),
            serverName: "copilot-agent"
        ),
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) },
        logger: logger
    )
}

/// Why the TLS listener cannot start.
public struct TLSSetupError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// A TLS 1.3 server configuration from PEM files.
private func tlsConfiguration(_ files: ServerConfiguration.TLSFiles) throws(TLSSetupError) -> TLSConfiguration {
    let chain: [NIOSSLCertificate]
    let key: NIOSSLPrivateKey
    do {
        chain = try NIOSSLCertificate.fromPEMFile(files.certificate)
    } catch {
        throw TLSSetupError(message: "server.tls.cert: cannot read a PEM certificate from '\(files.certificate)'")
    }
    do {
        key = try NIOSSLPrivateKey(file: files.key, format: .pem)
    } catch {
        throw TLSSetupError(message: "server.tls.key: cannot read a PEM private key from '\(files.key)'")
    }
    guard !chain.isEmpty else {
        throw TLSSetupError(message: "server.tls.cert: '\(files.certificate)' holds no certificate")
    }
    var configuration = TLSConfiguration.makeServerConfiguration(
        certificateChain: chain.map { .certificate($0) },
        privateKey: .privateKey(key)
    )
    configuration.minimumTLSVersion = .tlsv13
    // Hummingbird builds the TLS context only when the server starts: build it here, so a key that does
    // not fit the certificate stops the start with a message, not a TLS error later.
    do {
        _ = try NIOSSLContext(configuration: configuration)
    } catch {
        throw TLSSetupError(
            message:
                "server.tls.key: '\(files.key)' is not the private key of the certificate in '\(files.certificate)'"
        )
    }
    return configuration
}
