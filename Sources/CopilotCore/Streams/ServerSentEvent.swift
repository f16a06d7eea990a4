/// One event of a `text/event-stream` (the WHATWG HTML standard, "Server-sent events"): what the live
/// stream writes, what the model clients read, and what the model stand-in streams, encoded in one
/// place.
public struct ServerSentEvent: Sendable, Hashable {
    /// The `id:` field; a client reconnects with the last one it saw as `Last-Event-ID`.
    public var id: String?
    /// The `event:` field; `message` when the stream gives none.
    public var type: String
    /// The `data:` lines, joined with newlines.
    public var data: String

    public init(id: String? = nil, type: String = "message", data: String) {
        self.id = id
        self.type = type
        self.data = data
    }

    /// The event on the wire: its fields, one `data:` line per line of `data`, and the blank line that
    /// ends it. The `event:` field is left out for `message`, as servers do.
    public var encoded: [UInt8] {
        var text = ""
        if let id { text += "id: \(id)\n" }
        if type != "message" { text += "event: \(type)\n" }
        for line in data.split(separator: "\n", omittingEmptySubsequences: false) { text += "data: \(line)\n" }
        text += "\n"
        return Array(text.utf8)
    }
}
