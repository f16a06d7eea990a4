/// Base64 of RFC 4648 §4 (the standard alphabet), as Standard Webhooks uses for keys and signatures.
enum Base64 {
    /// 0–63 for alphabet characters, 0xFF for anything else.
    private static let values: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (value, character) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() {
            table[Int(character)] = UInt8(value)
        }
        return table
    }()

    /// The decoded bytes, or nil for characters outside the alphabet, misplaced or excess `=`, a length
    /// no encoder produces, or non-zero unused bits (a second spelling of the same bytes, as the reference
    /// libraries' compare-the-text check also refuses). Padding may be omitted.
    static func decode(_ text: some Collection<UInt8>) -> [UInt8]? {
        var length = text.count
        var padding = 0
        var scan = text.reversed().makeIterator()
        while padding < 2, scan.next() == UInt8(ascii: "=") { padding += 1 }
        length -= padding
        // Padding, when present, completes the last quantum; one character alone encodes no byte.
        guard length % 4 != 1, padding == 0 || (length + padding) % 4 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(length * 3 / 4)
        var accumulator: UInt32 = 0
        var bits = 0
        for character in text.prefix(length) {
            let value = values[Int(character)]
            guard value != 0xFF else { return nil }
            accumulator = accumulator << 6 | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                bytes.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
            }
        }
        // Canonical only: the unused low bits of the last character are zero, so one value has one text.
        guard accumulator & ((1 << UInt32(bits)) - 1) == 0 else { return nil }
        return bytes
    }
}
