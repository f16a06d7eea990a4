import CopilotCore
import CopilotExpressions
import NIOHTTP1

/// `http.request`: any method, URL, headers and body from `with:`; the URL must match one of
/// `integrations.http.allow`'s globs (else `forbidden_url`, not retryable). Succeeds on 2xx.
struct HTTPRequestAction: Action {
    let name: ActionName = "http.request"
    let integrationName = "http"
    /// nil when `integrations.http` is absent.
    let allow: [GlobPattern]?

    func perform(in context: ActionContext) async -> ActionOutcome {
        guard let allow else { return .failed(.notConfigured) }
        guard let url = context.with["url"]?.stringValue, !url.isEmpty else {
            return .failed(.invalidParameter("url"))
        }
        guard allow.contains(where: { $0.matches(url) }) else { return .failed(.forbiddenURL) }
        return await HTTPRequestAction.send(
            method: context.with["method"],
            url: url,
            headers: context.with["headers"],
            body: context.with["body"],
            integrationName: integrationName,
            in: context
        )
    }

    /// The common path of `http.request` and presets: checks the method, URL and headers, sends, and
    /// answers `status` and the response `body` (JSON, or text) as outputs.
    static func send(
        method: JSONValue?,
        url: String,
        headers: JSONValue?,
        body: JSONValue?,
        integrationName: String,
        in context: ActionContext
    ) async -> ActionOutcome {
        let body = body.flatMap { $0.isNull ? nil : $0 }
        let methodName = method?.stringValue?.uppercased() ?? (body == nil ? "GET" : "POST")
        guard !methodName.isEmpty, methodName.utf8.allSatisfy({ (0x41...0x5A).contains($0) }) else {
            return .failed(.invalidParameter("method"))
        }
        guard url.hasPrefix("https://") || url.hasPrefix("http://") else { return .failed(.invalidParameter("url")) }
        var fields: [(String, String)] = []
        if let headers, !headers.isNull {
            guard let object = headers.objectValue else { return .failed(.invalidParameter("headers")) }
            for (name, value) in object {
                guard isToken(name), !value.templateText.contains(where: { $0 == "\r" || $0 == "\n" }) else {
                    return .failed(.invalidParameter("headers"))
                }
                fields.append((name, value.templateText))
            }
        }
        var bytes: [UInt8]?
        if let body {
            if case .string(let text) = body {
                bytes = Array(text.utf8)
                fields.insert(("Content-Type", "text/plain; charset=utf-8"), at: 0)
            } else {
                bytes = Array(body.jsonText.utf8)
                fields.insert(("Content-Type", "application/json"), at: 0)
            }
        }
        let call = OutboundCall(
            integration: integrationName,
            method: HTTPMethod(rawValue: methodName),
            url: url,
            headers: fields,
            body: bytes
        )
        switch await context.send(call) {
        case .failure(let failure): return .failed(failure)
        case .success(let response): return .succeeded(outputs: outputs(response))
        }
    }

    /// `status`, and `body` when it is at most 64 KiB: JSON when it parses, else text.
    static func outputs(_ response: OutboundResponse) -> JSONObject {
        var outputs: JSONObject = ["status": .number(Double(response.status))]
        guard !response.body.isEmpty, response.body.count <= 65_536 else { return outputs }
        outputs["body"] = response.json ?? .string(String(decoding: response.body, as: UTF8.self))
        return outputs
    }

    /// An HTTP header name (RFC 9110 token).
    static func isToken(_ name: String) -> Bool {
        !name.isEmpty
            && name.utf8.allSatisfy { byte in
                (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
                    || Array("!#$%&'*+-.^_`|~".utf8).contains(byte)
            }
    }
}
