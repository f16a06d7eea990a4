import CopilotCore

/// Decodes a `text/event-stream` (the WHATWG HTML standard, "Server-sent events", §9.2.6) as its bytes
/// arrive: whatever the split of the bytes into chunks, the same events come out in the same order.
///
/// Written by hand because none of the packages this project uses decodes event streams outside
/// Foundation's URLSession, and the model clients read AsyncHTTPClient's body chunks. Models send a
/// few hundred events per plan, so it works on bytes and builds a string only per complete line.
struct ServerSentEventDecoder: Sendable {
    private var line: [UInt8] = []
    /// The previous chunk ended in CR: a LF that starts the next one ends no second line.
    private var skipLineFeed = false
    private var atStreamStart = true
    private var eventType = ""
    private var data = ""
    private var hasData = false

    /// The events completed by `bytes`.
    mutating func decode(_ bytes: some Sequence<UInt8>) -> [ServerSentEvent] {
        var events: [ServerSentEvent] = []
        for byte in bytes {
            if skipLineFeed {
                skipLineFeed = false
                if byte == UInt8(ascii: "\n") { continue }
            }
            switch byte {
            case UInt8(ascii: "\r"):
                skipLineFeed = true
                endLine(into: &events)
            case UInt8(ascii: "\n"):
                endLine(into: &events)
            default:
                line.append(byte)
            }
        }
        return events
    }

    private mutating func endLine(into events: inout [ServerSentEvent]) {
        defer { line.removeAll(keepingCapacity: true) }
        if atStreamStart {
            atStreamStart = false
            if line.starts(with: [0xEF, 0xBB, 0xBF]) { line.removeFirst(3) }  // a UTF-8 byte order mark
        }
        guard !line.isEmpty else {
            // A blank line dispatches the event; one without data is dropped, as the standard says.
            if hasData { events.append(ServerSentEvent(type: eventType.isEmpty ? "message" : eventType, data: data)) }
            eventType = ""
            data = ""
            hasData = false
            return
        }
        guard line.first != UInt8(ascii: ":") else { return }  // a comment
        let colon = line.firstIndex(of: UInt8(ascii: ":")) ?? line.endIndex
        let name = String(decoding: line[..<colon], as: UTF8.self)
        var valueStart = colon == line.endIndex ? colon : colon + 1
        if valueStart < line.endIndex, line[valueStart] == UInt8(ascii: " ") { valueStart += 1 }
        let value = String(decoding: line[valueStart...], as: UTF8.self)
        switch name {
        case "event":
            eventType = value
        case "data":
            if hasData { data += "\n" }
            data += value
            hasData = true
        default:
            break  // `id` and `retry` matter to reconnecting browsers, not to one model call
        }
    }
}
