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
