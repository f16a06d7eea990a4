import Hummingbird

/// `rate_limits.api_per_second` on the routes it is added to.
///
/// Decision: the limit is per credential, and until operator authentication lands every caller of the
/// API is the same anonymous one, so they share one bucket.
struct APIRateLimitMiddleware<Context: RequestContext>: RouterMiddleware {
    let limit: RateLimit

    func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        if let refusal = limit.refusal(for: "anonymous") { throw refusal }
        return try await next(request, context)
    }
}
