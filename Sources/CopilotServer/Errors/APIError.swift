import CopilotCore
public import CopilotExpressions
public import HTTPTypes
public import Hummingbird

/// An error the API reports to its caller: `{"error": {"code": "…", "message": "…"}}` with a status.
///
/// Codes are part of the contract (CONTRACT §2, §3, §4); messages are generic and never carry internals
/// (no error descriptions, upstream bodies, SQL or secrets).
public struct APIError: HTTPResponseError, Sendable, Equatable {
    public var status: HTTPResponse.Status
    public var code: String
    public var message: String
    /// Extra members of the `error` object, e.g. `problems` for `invalid_playbooks`.
    public var details: [String: JSONValue]
    /// Extra response headers, e.g. `Retry-After` for `rate_limited`.
    public var headers: HTTPFields

    public init(
        status: HTTPResponse.Status,
        code: String,
        message: String,
        details: [String: JSONValue] = [:],
        headers: HTTPFields = [:]
    ) {
        self.status = status
        self.code = code
        self.message = message
        self.details = details
        self.headers = headers
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var error = details
        error["code"] = .string(code)
        error["message"] = .string(message)
        var response = Response.json(["error": .object(JSONObject(error))], status: status)
        response.headers.append(contentsOf: headers)
        return response
    }
}

extension APIError {
    public static let payloadTooLarge = APIError(
        status: .contentTooLarge,
        code: "payload_too_large",
        message: "the request body is larger than the server accepts"
    )
    public static let unavailable = APIError(
        status: .serviceUnavailable,
        code: "unavailable",
        message: "the service cannot store the request right now; retry later"
    )
    public static let unexpected = APIError(
        status: .internalServerError,
        code: "internal",
        message: "internal error"
    )
    public static let notFound = APIError(status: .notFound, code: "not_found", message: "no such resource")
}
