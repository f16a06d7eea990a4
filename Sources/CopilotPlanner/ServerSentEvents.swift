import CopilotCore

/// Decodes a `text/event-stream` (the WHATWG HTML standard, "Server-sent events", §9.2.6) as its bytes
/// arrive: whatever the split of the bytes into chunks, the same events come out in the same order.
///
/// Written by hand because none of the packages this project uses decodes event streams outside
/// Foundation's URLSession, and the model clients read AsyncHTTPClient's body chunks. Models send a
/// few hundred events per plan, so it works on bytes and builds strings only for complete `data` and
/// `event` lines.
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
        // Body chunks are contiguous: the lines are found by a scan and copied whole. The byte-by-byte
        // walk through a generic sequence was most of the cost of reading a streamed plan.
        if let events = bytes.withContiguousStorageIfAvailable({ decode(buffer: $0) }) { return events }
        return Array(bytes).withUnsafeBufferPointer { decode(buffer: $0) }
    }

    private mutating func decode(buffer: UnsafeBufferPointer<UInt8>) -> [ServerSentEvent] {
        var events: [ServerSentEvent] = []
        var index = 0
        if skipLineFeed, index < buffer.count {
            skipLineFeed = false
            if buffer[index] == UInt8(ascii: "\n") { index += 1 }
        }
        while index < buffer.count {
            var end = index
            while end < buffer.count, buffer[end] != UInt8(ascii: "\n"), buffer[end] != UInt8(ascii: "\r") { end += 1 }
            line.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[index..<end]))
            guard end < buffer.count else { break }  // the line goes on in the next chunk
            endLine(into: &events)
            index = end + 1
            if buffer[end] == UInt8(ascii: "\r") {
                if index == buffer.count {
                    skipLineFeed = true
                } else if buffer[index] == UInt8(ascii: "\n") {
                    index += 1
                }
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
        let name = line[..<colon]
        var valueStart = colon == line.endIndex ? colon : colon + 1
        if valueStart < line.endIndex, line[valueStart] == UInt8(ascii: " ") { valueStart += 1 }
        if name.elementsEqual("data".utf8) {
            if hasData { data += "\n" }
            data += String(decoding: line[valueStart...], as: UTF8.self)
            hasData = true
        } else if name.elementsEqual("event".utf8) {
            eventType = String(decoding: line[valueStart...], as: UTF8.self)
        }
        // `id` and `retry` matter to reconnecting browsers, not to one model call.
    }
}
