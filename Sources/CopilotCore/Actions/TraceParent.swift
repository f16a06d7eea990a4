/// A W3C Trace Context `traceparent` header: `00-<32 hex trace id>-<16 hex parent id>-<2 hex flags>`.
public struct TraceParent: Sendable, Hashable, CustomStringConvertible {
    /// 32 lowercase hex digits, not all zero.
    public let traceID: String
    /// 16 lowercase hex digits, not all zero.
    public let parentID: String
    /// 2 lowercase hex digits; `01` = sampled.
    public let flags: String

    /// Reads a header value; nil unless it is a valid version-00 `traceparent`.
    public init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 4, parts[0] == "00",
            Self.isHex(parts[1], count: 32), Self.isHex(parts[2], count: 16), Self.isHex(parts[3], count: 2)
        else { return nil }
        self.traceID = parts[1]
        self.parentID = parts[2]
        self.flags = parts[3]
    }

    /// A new root trace context (sampled) from random bits.
    public init(random: () -> UInt64) {
        self.traceID = Self.hex(Self.nonZero(random)) + Self.hex(random())
        self.parentID = Self.hex(Self.nonZero(random))
        self.flags = "01"
    }

    private init(traceID: String, parentID: String, flags: String) {
        self.traceID = traceID
        self.parentID = parentID
        self.flags = flags
    }

    /// The same trace with a new parent id: what an outbound call made under this context sends.
    public func child(random: () -> UInt64) -> TraceParent {
        TraceParent(traceID: traceID, parentID: Self.hex(Self.nonZero(random)), flags: flags)
    }

    public var description: String { "00-\(traceID)-\(parentID)-\(flags)" }

    /// `count` lowercase hex digits; ids (longer than the flags) must not be all zeros.
    private static func isHex(_ text: String, count: Int) -> Bool {
        guard text.utf8.count == count,
            text.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) })
        else { return false }
        return count == 2 || text.utf8.contains { $0 != 0x30 }
    }

    private static func nonZero(_ random: () -> UInt64) -> UInt64 {
        let value = random()
        return value == 0 ? 1 : value
    }

    /// 16 lowercase hex digits.
    static func hex(_ value: UInt64) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var bytes = [UInt8](repeating: 0x30, count: 16)
        var remaining = value
        for index in stride(from: 15, through: 0, by: -1) {
            bytes[index] = digits[Int(remaining & 0xF)]
            remaining >>= 4
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
