extension JSONValue {
    /// Compact JSON text, members in their order: `{"a":[1,true,null],"b":"x"}`.
    ///
    /// Written by hand rather than through `JSONEncoder` because templates and expressions need numbers
    /// rendered the way JavaScript does (`7`, not `7.0`) and one stable key order, on every hot path.
    public var jsonText: String {
        var output = ""
        appendJSON(to: &output)
        return output
    }

    private func appendJSON(to output: inout String) {
        switch self {
        case .null: output += "null"
        case .bool(let bool): output += bool ? "true" : "false"
        case .number(let number): output += JSONValue.format(number: number)
        case .string(let string): JSONValue.appendQuoted(string, to: &output)
        case .array(let elements):
            output += "["
            for (index, element) in elements.enumerated() {
                if index > 0 { output += "," }
                element.appendJSON(to: &output)
            }
            output += "]"
        case .object(let members):
            output += "{"
            for (index, member) in members.enumerated() {
                if index > 0 { output += "," }
                JSONValue.appendQuoted(member.key, to: &output)
                output += ":"
                member.value.appendJSON(to: &output)
            }
            output += "}"
        }
    }

    /// A number as JSON and JavaScript print it: integral values without a fraction, others in the
    /// shortest form that reads back the same. NaN and infinities have no JSON form; they print as
    /// JavaScript names them.
    public static func format(number: Double) -> String {
        if number.isNaN { return "NaN" }
        if number.isInfinite { return number < 0 ? "-Infinity" : "Infinity" }
        if number == 0 { return "0" }  // also -0
        if number == number.rounded(), abs(number) < 9.2e18 { return String(Int64(number)) }
        return javaScriptLayout(of: number)
    }

    /// Lays out Swift's shortest round-trip digits of a finite, non-zero number the way JavaScript's
    /// `Number.prototype.toString` does: plain digits from 1e-6 up to 1e21 (Swift switches to exponents
    /// below 1e-4 and above 2^53, e.g. `1e-05`), otherwise `d.ddde+N` / `d.ddde-N` without padding.
    private static func javaScriptLayout(of number: Double) -> String {
        let swiftText = "\(number.magnitude)"  // "123.456", "1e-05", "1.2345678901234567e+20"
        var mantissa = Substring(swiftText)
        var exponent = 0
        if let marker = swiftText.firstIndex(of: "e") {
            mantissa = swiftText[..<marker]
            exponent = Int(swiftText[swiftText.index(after: marker)...]) ?? 0
        }
        let integerPart = mantissa.prefix { $0 != "." }
        var digits = String(integerPart) + mantissa.dropFirst(integerPart.count + 1)
        // The value is 0.<digits> × 10^point.
        var point = integerPart.count + exponent
        while digits.first == "0" {
            digits.removeFirst()
            point -= 1
        }
        while digits.last == "0" { digits.removeLast() }
        let count = digits.count
        let text: String
        if count <= point, point <= 21 {
            text = digits + String(repeating: "0", count: point - count)
        } else if point > 0, point <= 21 {
            text = digits.prefix(point) + "." + digits.dropFirst(point)
        } else if point > -6, point <= 0 {
            text = "0." + String(repeating: "0", count: -point) + digits
        } else {
            let power = point - 1
            let fraction = count > 1 ? "." + digits.dropFirst() : ""
            text = digits.prefix(1) + fraction + "e" + (power < 0 ? "-" : "+") + String(power.magnitude)
        }
        return number < 0 ? "-" + text : text
    }

    private static func appendQuoted(_ string: String, to output: inout String) {
        output += "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case "\u{08}": output += "\\b"
            case "\u{0C}": output += "\\f"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: output.unicodeScalars.append(scalar)
            }
        }
        output += "\""
    }
}
