public import CopilotCore

/// A delivery as ingress sees it, before anything is verified or parsed.
public struct WebhookRequest: Sendable {
    /// Header names lower-cased; a header sent several times has its values joined with `", "`.
    public var headers: [String: String]
    /// The raw body, exactly the bytes received; signatures are computed over these.
    public var body: [UInt8]

    public init(headers: [String: String], body: [UInt8]) {
        self.headers = headers
        self.body = body
    }

    /// The value of a header with surrounding spaces and tabs trimmed, or nil when absent or empty.
    func header(_ name: String) -> Substring? {
        guard let value = headers[name] else { return nil }
        let trimmed = value.trimmingSpaces()
        return trimmed.isEmpty ? nil : trimmed
    }
}

/// What a receiver made of a delivery that passed every check.
public enum WebhookReception: Sendable {
    /// GitHub's `ping`: answered 200 `{"status":"pong"}` and not stored.
    case ping
    /// Verified and normalized, with the id given to `receive`. Its `Event` (the payload as a tree) is
    /// built from the stored delivery by whoever needs it (`Delivery.event()`), not at ingress.
    case delivery(Delivery)
}

extension StringProtocol {
    /// Drops leading and trailing spaces and tabs (HTTP optional whitespace).
    func trimmingSpaces() -> SubSequence {
        var start = startIndex
        var end = endIndex
        while start < end, self[start] == " " || self[start] == "\t" { start = index(after: start) }
        while end > start {
            let before = index(before: end)
            guard self[before] == " " || self[before] == "\t" else { break }
            end = before
        }
        return self[start..<end]
    }
}
