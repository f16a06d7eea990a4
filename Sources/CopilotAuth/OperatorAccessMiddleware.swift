public import CopilotCore
import CopilotExpressions
public import HTTPTypes
public import Hummingbird
import Logging

#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// A request context that carries the operator who made the request (`caller`), once authenticated.
public protocol OperatorRequestContext: RequestContext {
    var caller: Operator? { get set }
}

/// What a route requires (CONTRACT §6).
public enum RouteAccess: Sendable, Hashable {
    /// No credential: health, metrics, and the webhooks, which senders sign instead.
    case open
    /// An operator whose role grants this permission.
    case permission(Permission)
}

/// Operator authentication and the roles it carries, as the API checks them.
public struct OperatorAccess: Sendable {
    public var authenticator: OperatorAuthenticator
    public var roles: OperatorRoles

    public init(authenticator: OperatorAuthenticator, roles: OperatorRoles) {
        self.authenticator = authenticator
        self.roles = roles
    }
}

/// Authentication and RBAC on every operator route (CONTRACT §6): the route's permission comes from one
/// table, by method and route pattern; deny by default. Missing or invalid credentials answer 401 with
/// `WWW-Authenticate: Bearer`; a role without the permission answers 403 `forbidden`; both are
/// audited. The operator joins the context for the handlers (who approved comes from the credential).
public struct OperatorAccessMiddleware<Context: OperatorRequestContext>: RouterMiddleware {
    let access: OperatorAccess
    /// Where refusals are recorded; nil in tests of authentication alone.
    let audit: RefusalAudit?
    let now: @Sendable () -> Date
    /// The route table: what `METHOD /route/{pattern}` requires; nil for a route it does not name.
    let routeAccess: @Sendable (String) -> RouteAccess?

    public init(
        access: OperatorAccess,
        audit: RefusalAudit? = nil,
        now: @escaping @Sendable () -> Date = { Date() },
        routeAccess: @escaping @Sendable (String) -> RouteAccess?
    ) {
        self.access = access
        self.audit = audit
        self.now = now
        self.routeAccess = routeAccess
    }

    public func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let route = "\(request.method.rawValue) \(context.endpointPath ?? "")"
        guard let required = routeAccess(route) else { throw AccessRefusal.unlisted }
        guard case .permission(let permission) = required else { return try await next(request, context) }
        switch await access.authenticator.authenticate(authorization: request.headers[.authorization]) {
        case .failure(.unavailable):
            throw AccessRefusal.unavailable
        case .failure(let failure):
            // Never the credential itself: the route and why are enough to follow a probe.
            context.logger.notice(
                "operator API request refused",
                metadata: ["copilot.route": .string(route), "copilot.auth.reason": .string(failure.reason)]
            )
            await record(
                AuditEntry(
                    at: now(),
                    actor: "anonymous",
                    action: .authenticationFailed,
                    target: route,
                    detail: ["reason": failure.reason]
                ),
                context: context
            )
            throw AccessRefusal.unauthenticated(failure)
        case .success(let caller):
            guard access.roles.allows(caller.roles, permission) else {
                context.logger.notice(
                    "operator API request forbidden",
                    metadata: [
                        "copilot.route": .string(route), "copilot.operator": .string(caller.name),
                        "copilot.permission": .string(permission.rawValue),
                    ]
                )
                await record(
                    AuditEntry(
                        at: now(),
                        actor: caller.name,
                        action: .accessDenied,
                        target: route,
                        detail: ["permission": permission.rawValue]
                    ),
                    context: context
                )
                throw AccessRefusal.forbidden(permission)
            }
            var context = context
            context.caller = caller
            return try await next(request, context)
        }
    }

    /// Appends a refusal's record before the refusal is answered. A store that cannot take it does not
    /// change the answer (the request is refused either way); the log says the record is missing.
    private func record(_ entry: AuditEntry, context: Context) async {
        guard let audit else { return }
        do {
            try await audit.record(entry)
        } catch {
            context.logger.error(
                "audit record of a refused request not stored",
                metadata: ["copilot.audit.action": .string(entry.action.rawValue), "error.type": .string("\(error)")]
            )
        }
    }
}

/// Why the API refused a request before its handler ran, as the error body every route uses:
/// `{"error": {"code", "message"}}`.
public enum AccessRefusal: HTTPResponseError, Sendable, Hashable {
    case unauthenticated(AuthenticationFailure)
    case forbidden(Permission)
    /// A route the table does not name: nobody may call it (the route table's test prevents this).
    case unlisted
    case unavailable

    public var status: HTTPResponse.Status {
        switch self {
        case .unauthenticated: .unauthorized
        case .forbidden, .unlisted: .forbidden
        case .unavailable: .serviceUnavailable
        }
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let (code, message): (String, String) =
            switch self {
            case .unauthenticated(let failure):
                ("unauthorized", "a valid credential is required (Authorization: Bearer): \(failure.reason)")
            case .forbidden(let permission): ("forbidden", "the caller's role does not grant '\(permission.rawValue)'")
            case .unlisted: ("forbidden", "no role may call this route")
            case .unavailable: ("unavailable", "the service cannot check credentials right now; retry later")
            }
        let body: JSONValue = ["error": ["code": .string(code), "message": .string(message)]]
        var headers: HTTPFields = [.contentType: "application/json"]
        if case .unauthenticated = self { headers[.wwwAuthenticate] = #"Bearer realm="copilot-agent""# }
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: .init(string: body.jsonText)))
    }
}
