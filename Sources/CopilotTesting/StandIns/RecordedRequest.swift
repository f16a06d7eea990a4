import CopilotCore
public import CopilotExpressions

/// One request a stand-in received, as it arrived.
public struct RecordedRequest: Sendable, Hashable {
    public var method: String
    /// The path without the query, still percent-encoded.
    public var path: String
    public var query: String?
    /// Every header in arrival order; names as sent.
    public var headers: [Header]
    public var body: [UInt8]

    public struct Header: Sendable, Hashable {
        public var name: String
        public var value: String

        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    public init(method: String, path: String, query: String?, headers: [Header], body: [UInt8]) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
    }

    /// The first value of a header, by case-insensitive name.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// Every value of a header, by case-insensitive name.
    public func headerValues(_ name: String) -> [String] {
        headers.filter { $0.name.lowercased() == name.lowercased() }.map(\.value)
    }

    public var idempotencyKey: String? { header("Idempotency-Key") }

    /// The body as JSON, nil when it is not JSON.
    public var json: JSONValue? { try? JSONValue(parsing: body) }

    /// The value of one query parameter (not decoded).
    public func queryParameter(_ name: String) -> String? {
        for pair in (query ?? "").split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            if parts.first.map(String.init) == name { return parts.count > 1 ? String(parts[1]) : "" }
        }
        return nil
    }

    /// The path's segments, percent-decoded: `/repos/octo/repo` → `["repos", "octo", "repo"]`.
    public var segments: [String] {
        path.split(separator: "/").map { String($0).removingPercentEncodingOrSelf }
    }
}

/// What a stand-in answers.
public struct StandInResponse: Sendable, Hashable {
    public var status: Int
    public var headers: [RecordedRequest.Header]
    public var body: JSONValue?
    /// A `text/event-stream` body instead of JSON, sent chunk by chunk as a streaming server would.
    public var eventStream: [[UInt8]]?

    public init(
        status: Int,
        headers: [RecordedRequest.Header] = [],
        body: JSONValue? = nil,
        eventStream: [[UInt8]]? = nil
    ) {
        self.status = status
        self.headers = headers
        self.body = body
        self.eventStream = eventStream
    }

    public static func json(_ status: Int, _ body: JSONValue) -> StandInResponse {
        StandInResponse(status: status, body: body)
    }

    /// `{"message": ...}` with the status, in the style most of these services use for errors.
    public static func error(_ status: Int, _ message: String) -> StandInResponse {
        StandInResponse(status: status, body: ["message": .string(message)])
    }
}

extension String {
    /// `%2F` → `/`; text with a bad escape stays as it is.
    fileprivate var removingPercentEncodingOrSelf: String {
        var bytes: [UInt8] = []
        var iterator = Array(utf8)[...]
        while let byte = iterator.popFirst() {
            if byte == UInt8(ascii: "%"), iterator.count >= 2,
                let value = UInt8(String(decoding: iterator.prefix(2), as: UTF8.self), radix: 16)
            {
                bytes.append(value)
                iterator = iterator.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
