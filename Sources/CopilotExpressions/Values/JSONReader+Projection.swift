// Reading under a `JSONProjection`: objects and arrays, which the full reader reads too (under
// `.everything`), and `skipValue`, which checks what a projection drops without building it.
extension JSONReader {
    /// The kept part of the value (all of it for `.everything`), or nil when the bytes are not one JSON
    /// document.
    static func parse(_ bytes: [UInt8], keeping projection: JSONProjection) -> JSONValue? {
        let result: JSONValue? = bytes.withUnsafeBufferPointer { buffer in
            var reader = JSONReader(bytes: buffer)
            reader.skipByteOrderMark()
            guard let value = reader.value(depth: 0, keeping: projection) else { return nil }
            reader.skipWhitespace()
            guard reader.index == buffer.count else { return nil }
            return value
        }
        return result
    }

    private mutating func value(depth: Int, keeping projection: JSONProjection) -> JSONValue? {
        guard projection.members != nil else { return value(depth: depth) }
        skipWhitespace()
        switch current {
        case UInt8(ascii: "{"):
            return depth < Self.maximumDepth ? object(depth: depth + 1, keeping: projection) : nil
        case UInt8(ascii: "["):
            return depth < Self.maximumDepth ? array(depth: depth + 1, keeping: projection) : nil
        default: return value(depth: depth)
        }
    }

    /// An object at `index` (on its `{`), with the members `projection` keeps.
    mutating func object(depth: Int, keeping projection: JSONProjection) -> JSONValue? {
        index += 1  // {
        // Members are collected first and the object built once, at its final size: inserting into a
        // growing dictionary rehashed it at every power of two.
        var keys: [String] = []
        var values: [JSONValue] = []
        var count = 0  // members read, kept or not: the trailing-comma rule counts them all
        skipWhitespace()
        if current == UInt8(ascii: "}") {
            index += 1
            return .object(JSONObject())
        }
        while true {
            skipWhitespace()
            if current == UInt8(ascii: "}"), count > 0 {  // a trailing comma, as JSONDecoder allows
                index += 1
                return .object(JSONObject(readKeys: keys, values: values))
            }
            guard current == UInt8(ascii: "\""), let key = string() else { return nil }
            skipWhitespace()
            guard current == UInt8(ascii: ":") else { return nil }
            index += 1
            if let kept = projection.member(key) {
                guard let member = value(depth: depth, keeping: kept) else { return nil }
                keys.append(key)
                values.append(member)
            } else {
                guard skipValue(depth: depth) else { return nil }
            }
            count += 1
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "}"):
                index += 1
                return .object(JSONObject(readKeys: keys, values: values))
            default: return nil
            }
        }
    }

    /// An array at `index` (on its `[`), each element under `projection`.
    mutating func array(depth: Int, keeping projection: JSONProjection) -> JSONValue? {
        index += 1  // [
        var elements: [JSONValue] = []
        skipWhitespace()
        if current == UInt8(ascii: "]") {
            index += 1
            return .array(elements)
        }
        while true {
            skipWhitespace()
            if current == UInt8(ascii: "]"), !elements.isEmpty {  // a trailing comma, as JSONDecoder allows
                index += 1
                return .array(elements)
            }
            guard let element = value(depth: depth, keeping: projection) else { return nil }
            elements.append(element)
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "]"):
                index += 1
                return .array(elements)
            default: return nil
            }
        }
    }

    /// Checks one value as `value(depth:)` would read it, building nothing; false where that answers nil.
    private mutating func skipValue(depth: Int) -> Bool {
        skipWhitespace()
        guard let byte = current else { return false }
        switch byte {
        case UInt8(ascii: "{"): return depth < Self.maximumDepth && skipContainer(depth: depth + 1, object: true)
        case UInt8(ascii: "["): return depth < Self.maximumDepth && skipContainer(depth: depth + 1, object: false)
        case UInt8(ascii: "\""): return skipString()
        case UInt8(ascii: "t"): return literal("true")
        case UInt8(ascii: "f"): return literal("false")
        case UInt8(ascii: "n"): return literal("null")
        default: return number() != nil
        }
    }

    /// Checks an object's members or an array's elements, with the full reader's trailing-comma rule.
    private mutating func skipContainer(depth: Int, object: Bool) -> Bool {
        let close = object ? UInt8(ascii: "}") : UInt8(ascii: "]")
        index += 1  // { or [
        var count = 0
        skipWhitespace()
        if current == close {
            index += 1
            return true
        }
        while true {
            skipWhitespace()
            if current == close, count > 0 {
                index += 1
                return true
            }
            if object {
                guard current == UInt8(ascii: "\""), skipString() else { return false }
                skipWhitespace()
                guard current == UInt8(ascii: ":") else { return false }
                index += 1
            }
            guard skipValue(depth: depth) else { return false }
            count += 1
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","): index += 1
            case close:
                index += 1
                return true
            default: return false
            }
        }
    }
}
