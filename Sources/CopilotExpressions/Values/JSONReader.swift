/// A single-pass JSON reader (RFC 8259) from bytes straight to `JSONValue`, keeping member order.
///
/// Written by hand because Foundation's `JSONDecoder` loses member order (GitHub's expression semantics
/// need it) and, through a `Decodable` enum, costs about 1 ms on a 28 KB GitHub pull-request payload,
/// which would cap ingress below 1k deliveries/s; this reader takes about a tenth of that. Tests compare
/// its values with `JSONDecoder`'s over the whole corpus.
///
/// Strictness: UTF-8 must be valid; control characters in strings, lone surrogates, leading zeros,
/// numbers outside `Double`'s range and trailing content are errors; nesting deeper than 512 is an error
/// (so a hostile body cannot exhaust the stack). As `JSONDecoder` does, a leading byte order mark and one
/// trailing comma in an object or array are accepted. A repeated object key keeps its last value.
struct JSONReader {
    static let maximumDepth = 512

    /// The value, or nil when the bytes are not one JSON document.
    static func parse(_ bytes: [UInt8]) -> JSONValue? {
        parse(bytes, keeping: .everything)
    }

    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0

    init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    /// A UTF-8 byte order mark before the document is ignored, as `JSONDecoder` does.
    mutating func skipByteOrderMark() {
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { index = 3 }
    }

    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    mutating func value(depth: Int) -> JSONValue? {
        skipWhitespace()
        guard let byte = current else { return nil }
        switch byte {
        case UInt8(ascii: "{"): return depth < Self.maximumDepth ? object(depth: depth + 1, keeping: .everything) : nil
        case UInt8(ascii: "["): return depth < Self.maximumDepth ? array(depth: depth + 1, keeping: .everything) : nil
        case UInt8(ascii: "\""):
            guard let text = string() else { return nil }
            return .string(text)
        case UInt8(ascii: "t"):
            guard literal("true") else { return nil }
            return .bool(true)
        case UInt8(ascii: "f"):
            guard literal("false") else { return nil }
            return .bool(false)
        case UInt8(ascii: "n"):
            guard literal("null") else { return nil }
            return .null
        default: return number()
        }
    }

    mutating func literal(_ word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        guard bytes.count - index >= count else { return false }
        for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] { return false }
        index += count
        return true
    }

    mutating func number() -> JSONValue? {
        let start = index
        if current == UInt8(ascii: "-") { index += 1 }
        guard let first = current, isDigit(first) else { return nil }
        index += 1
        if first == UInt8(ascii: "0"), let next = current, isDigit(next) { return nil }
        skipDigits()
        if current == UInt8(ascii: ".") {
            index += 1
            guard let digit = current, isDigit(digit) else { return nil }
            skipDigits()
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            index += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
            guard let digit = current, isDigit(digit) else { return nil }
            skipDigits()
        }
        // Integers of up to 15 digits are exact in a Double: read them without making a String.
        let negative = bytes[start] == UInt8(ascii: "-")
        let digitsStart = negative ? start + 1 : start
        if index - digitsStart <= 15, bytes[digitsStart..<index].allSatisfy(isDigit) {
            var integer = 0
            for digit in bytes[digitsStart..<index] { integer = integer * 10 + Int(digit - UInt8(ascii: "0")) }
            return .number(negative ? -Double(integer) : Double(integer))
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        guard let number = Double(text), number.isFinite else { return nil }
        return .number(number)
    }

    func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    private mutating func skipDigits() {
        while let byte = current, isDigit(byte) { index += 1 }
    }
}
