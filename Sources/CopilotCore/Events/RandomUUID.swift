/// Random (version 4) UUIDs as lowercase text, for event and run ids.
///
/// Not Foundation's `UUID()`: on Linux it opens, reads and closes `/dev/urandom` for every id, at
/// every delivery at ingress. The bits come from the caller's source instead: the system's generator
/// (two `getrandom` calls) in the service, a seeded one in tests.
public enum RandomUUID {
    /// `xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx`, with 122 bits from two calls of `next`.
    public static func string(using next: () -> UInt64) -> String {
        var bytes =
            withUnsafeBytes(of: next().bigEndian, Array.init) + withUnsafeBytes(of: next().bigEndian, Array.init)
        bytes[6] = (bytes[6] & 0x0F) | 0x40  // version 4
        bytes[8] = (bytes[8] & 0x3F) | 0x80  // variant 1 (RFC 9562)
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(36)
        for (index, byte) in bytes.enumerated() {
            if index == 4 || index == 6 || index == 8 || index == 10 { text.append(UInt8(ascii: "-")) }
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// A UUID from the system's random number generator.
    public static func string() -> String {
        var generator = SystemRandomNumberGenerator()
        return string { generator.next() }
    }
}
