/// HTTP's optional whitespace (RFC 9110 §5.6.3: spaces and horizontal tabs) around header values and
/// list elements, in raw bytes: media types here and signature headers in CopilotWebhooks trim it.
/// Inlinable, because ingress calls it on every delivery and a generic call across modules would not be
/// specialized.
extension BidirectionalCollection where Element == UInt8 {
    /// The bytes without leading and trailing spaces and tabs.
    @inlinable
    package func trimmingSpaces() -> SubSequence {
        let isSpace: (UInt8) -> Bool = { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return self[endIndex...]
        }
        return self[first...last]
    }
}
