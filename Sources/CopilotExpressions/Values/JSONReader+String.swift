extension JSONReader {
    /// A string at `index` (on its opening quote); nil for a bad escape, a raw control character,
    /// invalid UTF-8 or a missing closing quote.
    mutating func string() -> String? {
        index += 1  // opening quote
        let start = index
        // Fast path: no escapes, the bytes are the string.
        let nonASCII = skipPlainBytes()
        guard let stop = current else { return nil }
        if stop == UInt8(ascii: "\"") {
            index += 1
            let raw = UnsafeBufferPointer(rebasing: bytes[start..<(index - 1)])
            // ASCII is valid UTF-8, and `String(decoding:)` takes it without `String(validating:)`'s
            // generic machinery, which was a tenth of reading a GitHub payload (most of its strings are
            // ASCII). Anything else is validated: invalid UTF-8 is an error, never repaired.
            return nonASCII ? String(validating: raw, as: UTF8.self) : String(decoding: raw, as: UTF8.self)
        }
        guard stop == UInt8(ascii: "\\") else { return nil }  // a raw control character
        // With escapes: the plain runs between them are copied whole, scanned as `skipString` scans them.
        var decoded = Array(UnsafeBufferPointer(rebasing: bytes[start..<index]))
        while true {
            let plain = index
            _ = skipPlainBytes()
            decoded.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[plain..<index]))
            guard let byte = current else { return nil }
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                return String(validating: decoded, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard let escaped = current else { return nil }
                index += 1
                switch escaped {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): decoded.append(escaped)
                case UInt8(ascii: "b"): decoded.append(0x08)
                case UInt8(ascii: "f"): decoded.append(0x0C)
                case UInt8(ascii: "n"): decoded.append(0x0A)
                case UInt8(ascii: "r"): decoded.append(0x0D)
                case UInt8(ascii: "t"): decoded.append(0x09)
                case UInt8(ascii: "u"):
                    guard let scalar = unicodeEscape(), let encoded = UTF8.encode(scalar) else { return nil }
                    decoded.append(contentsOf: encoded)
                default: return nil
                }
            default:
                return nil  // a raw control character
            }
        }
    }

    /// Checks the string at `index` (on its opening quote) as `string()` does, without making it: false
    /// where `string()` answers nil.
    mutating func skipString() -> Bool {
        index += 1  // opening quote
        let start = index
        var nonASCII = false
        while true {
            nonASCII = skipPlainBytes() || nonASCII
            guard let byte = current else { return false }
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                // Escapes are ASCII, so the raw bytes are valid UTF-8 exactly when the decoded ones are.
                return !nonASCII
                    || String(validating: UnsafeBufferPointer(rebasing: bytes[start..<(index - 1)]), as: UTF8.self)
                        != nil
            case UInt8(ascii: "\\"):
                guard let escaped = current else { return false }
                index += 1
                switch escaped {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                    UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    continue
                case UInt8(ascii: "u"):
                    guard unicodeEscape() != nil else { return false }
                default: return false
                }
            default:
                return false  // a raw control character
            }
        }
    }

    /// Moves `index` past the bytes of a string that need no look (`JSONPlainBytes`), and answers
    /// whether any byte passed is not ASCII.
    private mutating func skipPlainBytes() -> Bool {
        let run = JSONPlainBytes.run(in: bytes, from: index)
        index = run.end
        return run.nonASCII
    }

    /// The scalar of `\uXXXX` (after the `u`), joining a surrogate pair; nil for a lone surrogate.
    private mutating func unicodeEscape() -> Unicode.Scalar? {
        guard let first = hex4() else { return nil }
        switch first {
        case 0xD800...0xDBFF:
            guard current == UInt8(ascii: "\\"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "u") else {
                return nil
            }
            index += 2
            guard let second = hex4(), (0xDC00...0xDFFF).contains(second) else { return nil }
            return Unicode.Scalar(0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00))
        case 0xDC00...0xDFFF:
            return nil
        default:
            return Unicode.Scalar(first)
        }
    }

    private mutating func hex4() -> UInt32? {
        guard bytes.count - index >= 4 else { return nil }
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let nibble = Hex.nibble(bytes[index]) else { return nil }
            value = value << 4 | UInt32(nibble)
            index += 1
        }
        return value
    }
}
