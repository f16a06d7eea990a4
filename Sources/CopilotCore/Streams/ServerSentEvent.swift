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
        // In UTF-8 bytes: splitting the `String` went character by character.
        var bytes: [UInt8] = []
        bytes.reserveCapacity(data.utf8.count + type.utf8.count + 32)
        func field(_ name: String, _ value: some Sequence<UInt8>) {
            bytes += name.utf8
            bytes += ": ".utf8
            bytes += value
            bytes.append(UInt8(ascii: "\n"))
        }
        if let id { field("id", id.utf8) }
        if type != "message" { field("event", type.utf8) }
        for line in data.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            field("data", line)
        }
        bytes.append(UInt8(ascii: "\n"))
        return bytes
    }
}
