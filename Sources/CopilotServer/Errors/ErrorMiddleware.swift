import CopilotAuth
public import Hummingbird
import Logging
import NIOCore

/// The one place where errors become HTTP responses (STYLE §B4).
///
/// `APIError`s render themselves. A body over the limit becomes `payload_too_large`; Hummingbird's own
/// `HTTPError`s (no route, wrong method) keep their status with a code derived from it. Anything else is
/// a bug or an outage: it is logged at `.error` with its type and the request id, and answered
/// `500 internal` without detail, because Hummingbird alone would only debug-log it.
public struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    public init() {}

    public func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            return try error.response(from: request, context: context)
        } catch is NIOTooManyBytesError {
            return try APIError.payloadTooLarge.response(from: request, context: context)
        } catch let error as AccessRefusal {
            return try error.response(from: request, context: context)
        } catch let error as HTTPError {
            let apiError = APIError(
                status: error.status,
                code: Self.code(for: error.status),
                message: error.status.reasonPhrase.lowercased()
            )
            return try apiError.response(from: request, context: context)
        } catch {
            context.logger.error(
                "unhandled error",
                metadata: ["error.type": "\(String(reflecting: type(of: error)))"]
            )
            return try APIError.unexpected.response(from: request, context: context)
        }
    }

    static func code(for status: HTTPResponse.Status) -> String {
        switch status {
        case .notFound: "not_found"
        case .methodNotAllowed: "method_not_allowed"
        case .badRequest: "bad_request"
        case .unauthorized: "unauthorized"
        case .forbidden: "forbidden"
        case .contentTooLarge: "payload_too_large"
        case .unsupportedMediaType: "unsupported_media_type"
        default: status.code >= 500 ? "internal" : "bad_request"
        }
    }
}
