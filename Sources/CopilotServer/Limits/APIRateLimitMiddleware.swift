import CopilotAuth
import CopilotCore
import Hummingbird

/// `rate_limits.api_per_second` on the routes it is added to, per operator.
///
/// Decision: it runs after authentication, so each operator has a bucket of their own and a flood
/// without a valid key cannot use up anyone's budget (such requests end at the 401, which costs a hash
/// and, once per key and cache period, a store read).
struct APIRateLimitMiddleware<Context: OperatorRequestContext>: RouterMiddleware {
    let limit: RateLimit

    func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        if let refusal = limit.refusal(for: context.caller?.name ?? "") { throw refusal }
        return try await next(request, context)
    }
}
