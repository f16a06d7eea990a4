/// HTTP's optional whitespace (RFC 9110 §5.6.3: spaces and horizontal tabs) around header values and
/// list elements, trimmed the same way for text and for raw bytes. Inlinable: ingress calls them on every
/// delivery, and a generic call across modules would not be specialized.
extension StringProtocol {
    /// Drops leading and trailing spaces and tabs.
    @inlinable
    public func trimmingSpaces() -> SubSequence {
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

extension BidirectionalCollection where Element == UInt8 {
    /// The bytes without leading and trailing spaces and tabs.
    @inlinable
    public func trimmingSpaces() -> SubSequence {
        let isSpace: (UInt8) -> Bool = { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return self[endIndex...]
        }
        return self[first...last]
    }
}
