extension JSONValue {
    /// Compact JSON text, members in their order: `{"a":[1,true,null],"b":"x"}`.
    ///
    /// Written by hand rather than through `JSONEncoder` because templates and expressions need numbers
    /// rendered the way JavaScript does (`7`, not `7.0`) and one stable key order, on every hot path.
    public var jsonText: String { String(decoding: jsonBytes, as: UTF8.self) }

    /// `jsonText` as UTF-8, for a body: without the `String` in between, which validates and copies it.
    public var jsonBytes: [UInt8] {
        // Built as UTF-8 bytes: appending to a `String` scalar by scalar was most of the time of encoding
        // a webhook payload (the planner's prompt encodes a 28 KB payload several times).
        var output: [UInt8] = []
        output.reserveCapacity(1024)
        _ = appendJSON(to: &output)
        return output
    }

    /// Compact JSON text with long values elided (`Elision`), for a size budget; still valid JSON. Nil as
    /// soon as the text is longer than `maxBytes`, without encoding the rest: a budget's caller tries a
    /// stronger elision then. Elided while encoding: rebuilding the value first cost more than the
    /// encoding.
    package func jsonText(elision: Elision?, maxBytes: Int = .max) -> String? {
        // A 28 KB payload against the prompt's 16 KB fails its first attempts; counting refuses them
        // without writing 16 KB each time first.
        var least = 0
        guard maxBytes == .max || leastJSONByteCount(elision: elision, into: &least, limit: maxBytes) else {
            return nil
        }
        var output: [UInt8] = []
        output.reserveCapacity(min(maxBytes, 16 * 1024))
        guard appendJSON(to: &output, elision: elision, maxBytes: maxBytes) else { return nil }
        return String(decoding: output, as: UTF8.self)
    }

    /// How much of long values `jsonText(elision:maxBytes:)` keeps. A string longer than `stringLimit`
    /// UTF-8 bytes keeps at most its first `stringLimit` and ends `…[N more bytes]`; an array longer than
    /// `listLimit` keeps its first `listLimit` elements and a last string `…[N more items]`; an object
    /// with more than `memberLimit` members keeps its first `memberLimit` and a last member
    /// `"…": "[N more members]"`.
    package struct Elision: Sendable, Hashable {
        package var stringLimit: Int
        package var listLimit: Int
        package var memberLimit: Int

        package init(stringLimit: Int, listLimit: Int, memberLimit: Int) {
            self.stringLimit = stringLimit
            self.listLimit = listLimit
            self.memberLimit = memberLimit
        }
    }

    /// False once `output` holds more than `maxBytes`, checked after each value: what overshoots is
    /// dropped by the caller.
    private func appendJSON(to output: inout [UInt8], elision: Elision? = nil, maxBytes: Int = .max) -> Bool {
        switch self {
        case .null: output.append(contentsOf: "null".utf8)
        case .bool(let bool): output.append(contentsOf: (bool ? "true" : "false").utf8)
        case .number(let number): output.append(contentsOf: JSONValue.format(number: number).utf8)
        case .string(let string):
            if let limit = elision?.stringLimit, string.utf8.count > limit {
                // Cut in UTF-8 bytes (counting characters cost more than the encoding), at the start of
                // a scalar, so what is kept is whole.
                let utf8 = string.utf8
                var end = utf8.index(utf8.startIndex, offsetBy: limit)
                while end > utf8.startIndex, utf8[end] & 0xC0 == 0x80 { end = utf8.index(before: end) }
                let kept = String(decoding: utf8[..<end], as: UTF8.self)
                let elided = kept + "…[\(utf8.distance(from: end, to: utf8.endIndex)) more bytes]"
                JSONValue.appendQuoted(elided, to: &output)
            } else {
                JSONValue.appendQuoted(string, to: &output)
            }
        case .array(let elements):
            output.append(UInt8(ascii: "["))
            let kept = elision.map { min($0.listLimit, elements.count) } ?? elements.count
            for (index, element) in elements.prefix(kept).enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                guard element.appendJSON(to: &output, elision: elision, maxBytes: maxBytes) else { return false }
            }
            if kept < elements.count {
                if kept > 0 { output.append(UInt8(ascii: ",")) }
                JSONValue.appendQuoted("…[\(elements.count - kept) more items]", to: &output)
            }
            output.append(UInt8(ascii: "]"))
        case .object(let members):
            output.append(UInt8(ascii: "{"))
            let count = members.keys.count
            let kept = elision.map { min($0.memberLimit, count) } ?? count
            for (index, member) in members.prefix(kept).enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                JSONValue.appendQuoted(member.key, to: &output)
                output.append(UInt8(ascii: ":"))
                guard member.value.appendJSON(to: &output, elision: elision, maxBytes: maxBytes) else { return false }
            }
            if kept < count {
                if kept > 0 { output.append(UInt8(ascii: ",")) }
                JSONValue.appendQuoted("…", to: &output)
                output.append(UInt8(ascii: ":"))
                JSONValue.appendQuoted("[\(count - kept) more members]", to: &output)
            }
            output.append(UInt8(ascii: "}"))
        }
        return output.count <= maxBytes
    }

    /// Adds to `count` a lower bound of the bytes `appendJSON(to:elision:maxBytes:)` writes, without
    /// writing them: what escapes and elision markers add counts nothing, and a number that is not
    /// integral counts one digit. False as soon as `count` is past `limit`: the text is certainly longer.
    private func leastJSONByteCount(elision: Elision?, into count: inout Int, limit: Int) -> Bool {
        switch self {
        case .null: count += 4
        case .bool(let bool): count += bool ? 4 : 5
        case .number(let number):
            // Integral values print all their digits (`format(number:)`).
            guard number == number.rounded(), abs(number) < 9.2e18 else {
                count += 1
                break
            }
            var rest = Int64(number).magnitude
            count += number < 0 ? 2 : 1
            while rest >= 10 {
                rest /= 10
                count += 1
            }
        case .string(let string):
            // An elided string keeps at least its limit less the bytes of a scalar cut short.
            let length = string.utf8.count
            count += 2 + (elision.map { min(length, max(0, $0.stringLimit - 3)) } ?? length)
        case .array(let elements):
            let kept = elision.map { min($0.listLimit, elements.count) } ?? elements.count
            count += 2 + max(0, kept - 1)
            for element in elements.prefix(kept) {
                guard element.leastJSONByteCount(elision: elision, into: &count, limit: limit) else { return false }
            }
        case .object(let members):
            let kept = elision.map { min($0.memberLimit, members.keys.count) } ?? members.keys.count
            count += 2 + max(0, kept - 1)
            for member in members.prefix(kept) {
                count += 3 + member.key.utf8.count
                guard member.value.leastJSONByteCount(elision: elision, into: &count, limit: limit) else {
                    return false
                }
            }
        }
        return count <= limit
    }

    /// A number as JSON and JavaScript print it: integral values without a fraction, others in the
    /// shortest form that reads back the same, in plain digits from 1e-6 up to 1e21 (Swift switches to
    /// exponents below 1e-4 and above 2^53, e.g. `1e-05`), otherwise `d.ddde+N` / `d.ddde-N`. NaN and
    /// infinities have no JSON form; they print as JavaScript names them.
    public static func format(number: Double) -> String {
        if let text = specialText(of: number) { return text }
        if number == number.rounded(), abs(number) < 9.2e18 { return String(Int64(number)) }
        return DecimalDigits(shortest: number).text(plainPoints: -5...21, exponentMarker: "e", exponentWidth: 1)
    }

    /// NaN, the infinities and zero (negative zero too), as both JavaScript and GitHub's runner print them.
    static func specialText(of number: Double) -> String? {
        if number.isNaN { return "NaN" }
        if number.isInfinite { return number < 0 ? "-Infinity" : "Infinity" }
        return number == 0 ? "0" : nil
    }

    /// The string quoted, with `"`, `\\` and control characters escaped; every other byte of its UTF-8
    /// is copied as it is, in runs between the characters that need escaping.
    private static func appendQuoted(_ string: String, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        var string = string
        string.withUTF8 { bytes in
            var index = 0
            while true {
                let end = JSONPlainBytes.run(in: bytes, from: index).end
                output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[index..<end]))
                guard end < bytes.count else { break }
                let byte = bytes[end]
                index = end + 1
                switch byte {
                case UInt8(ascii: "\""): output.append(contentsOf: #"\""#.utf8)
                case UInt8(ascii: "\\"): output.append(contentsOf: #"\\"#.utf8)
                case UInt8(ascii: "\n"): output.append(contentsOf: #"\n"#.utf8)
                case UInt8(ascii: "\r"): output.append(contentsOf: #"\r"#.utf8)
                case UInt8(ascii: "\t"): output.append(contentsOf: #"\t"#.utf8)
                case 0x08: output.append(contentsOf: #"\b"#.utf8)
                case 0x0C: output.append(contentsOf: #"\f"#.utf8)
                default:
                    let hex = String(byte, radix: 16)
                    output.append(contentsOf: (#"\u"# + String(repeating: "0", count: 4 - hex.count) + hex).utf8)
                }
            }
        }
        output.append(UInt8(ascii: "\""))
    }
}
