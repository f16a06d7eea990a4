/// GitHub Actions' coercion rules, shared by the evaluator, templates and the matcher.
extension JSONValue {
    /// Truthiness: false for null, false, 0, -0, NaN and ""; true for everything else, including
    /// empty arrays and objects.
    public var isTruthy: Bool {
        switch self {
        case .null: false
        case .bool(let bool): bool
        case .number(let number): number != 0 && !number.isNaN
        case .string(let string): !string.isEmpty
        case .array, .object: true
        }
    }

    /// GitHub's `ToString`, used by `format`, `join`, `contains`, `startsWith`, `endsWith` and object
    /// indexing: null is "", numbers as `expressionText(of:)` writes them, arrays and objects are "Array"
    /// and "Object".
    public var expressionString: String {
        switch self {
        case .null: ""
        case .bool(let bool): bool ? "true" : "false"
        case .number(let number): JSONValue.expressionText(of: number)
        case .string(let string): string
        case .array: "Array"
        case .object: "Object"
        }
    }

    /// A number as GitHub's runner turns it into a string: .NET's `ToString("G15")`. At most 15
    /// significant digits, rounded (`0.84551240822557006` is `0.84551240822557`; Swift's shortest
    /// form would keep 16 or 17 digits); plain digits for decimal exponents from -4 to 14, otherwise
    /// `d.dddE+XX` / `d.dddE-XX` (`1E+15`, `1.5E-05`). Decision: negative zero is `0`, as GitHub's
    /// conformance cases say, although .NET itself prints `-0`.
    package static func expressionText(of number: Double) -> String {
        if let text = specialText(of: number) { return text }
        if number == number.rounded(), abs(number) < 1e15 { return String(Int64(number)) }
        return DecimalDigits(number: number, significant: 15)
            .text(plainPoints: -3...15, exponentMarker: "E", exponentWidth: 2)
    }

    /// How a template renders one `${{ }}` among other text (CONTRACT §3): like `expressionString`,
    /// except that arrays and objects render as compact JSON, which is what an operator reading a
    /// comment or an API body wants rather than GitHub's "Array"/"Object".
    public var templateText: String {
        switch self {
        case .array, .object: jsonText
        default: expressionString
        }
    }

    /// GitHub's `ToNumber`: null is 0, booleans 1 and 0, strings are parsed (see
    /// `expressionNumber(parsing:)`), arrays and objects are NaN.
    public var expressionNumber: Double {
        switch self {
        case .null: 0
        case .bool(let bool): bool ? 1 : 0
        case .number(let number): number
        case .string(let string): JSONValue.expressionNumber(parsing: string)
        case .array, .object: .nan
        }
    }

    /// True for null, booleans, numbers and strings.
    var isPrimitive: Bool {
        switch self {
        case .array, .object: false
        default: true
        }
    }

    /// A string read as a number the way GitHub does: surrounding whitespace is ignored, the empty
    /// string is 0, decimal with optional sign, fraction and exponent, `0x` hexadecimal and `0o` octal
    /// (32-bit, as .NET's `Int32` parses them), `Infinity` with an optional sign; anything else is NaN.
    public static func expressionNumber(parsing text: String) -> Double {
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return 0 }
        let trimmed = Substring(scalars[first...last])
        if isDecimal(trimmed.utf8), let value = Double(trimmed) { return value }
        if trimmed.hasPrefix("0x") || trimmed.hasPrefix("0o") {
            let digits = trimmed.dropFirst(2)
            let radix = trimmed.hasPrefix("0x") ? 16 : 8
            guard !digits.isEmpty, let value = UInt64(digits, radix: radix), value <= UInt64(UInt32.max) else {
                return .nan
            }
            // .NET reads 32 bits into an Int32, so `0xffffffff` is -1 there; match it.
            return Double(Int32(bitPattern: UInt32(value)))
        }
        switch trimmed {
        case "Infinity", "+Infinity": return .infinity
        case "-Infinity": return -.infinity
        default: return .nan
        }
    }

    /// `[+-]? (digits [. digits*] | . digits) ([eE] [+-]? digits)?` — what .NET's `Double.TryParse`
    /// accepts with sign, decimal point and exponent allowed. Checked by hand because Swift's
    /// `Double(_:)` also takes hex floats, `inf` and `nan`, which GitHub does not.
    private static func isDecimal(_ bytes: Substring.UTF8View) -> Bool {
        var index = bytes.startIndex
        func peek() -> UInt8? { index < bytes.endIndex ? bytes[index] : nil }
        func digits() -> Int {
            var count = 0
            while let byte = peek(), byte >= 0x30, byte <= 0x39 {
                count += 1
                index = bytes.index(after: index)
            }
            return count
        }
        if let sign = peek(), sign == 0x2B || sign == 0x2D { index = bytes.index(after: index) }
        var mantissaDigits = digits()
        if peek() == 0x2E {
            index = bytes.index(after: index)
            mantissaDigits += digits()
        }
        guard mantissaDigits > 0 else { return false }
        if let exponent = peek(), exponent == 0x45 || exponent == 0x65 {
            index = bytes.index(after: index)
            if let sign = peek(), sign == 0x2B || sign == 0x2D { index = bytes.index(after: index) }
            guard digits() > 0 else { return false }
        }
        return index == bytes.endIndex
    }
}
