import CopilotCore
public import CopilotExpressions

/// A scalar as written: its text, how it was quoted, and its explicit tag if any.
///
/// Scalars are typed by YAML 1.2's core schema, not by YAML 1.1's: `on`, `yes` and `no` are strings,
/// `true`/`false` booleans, `~`/`null`/nothing null; quoted scalars are always strings.
public struct YAMLScalar: Sendable, Hashable {
    /// How the scalar was written.
    public enum Style: Sendable, Hashable {
        case plain
        case singleQuoted
        case doubleQuoted
        case literal
        case folded
    }

    /// The scalar's value after YAML unescaping and folding (the key text for a key).
    public var text: String
    public var style: Style
    /// An explicit tag (`!!str` is `tag:yaml.org,2002:str`), or nil when none was written.
    public var tag: String?

    public init(_ text: String, style: Style = .plain, tag: String? = nil) {
        self.text = text
        self.style = style
        self.tag = tag
    }

    private static let yamlTagPrefix = "tag:yaml.org,2002:"

    /// The scalar as a JSON value by the core schema.
    public var jsonValue: JSONValue {
        if let tag {
            switch tag {
            case Self.yamlTagPrefix + "null": return .null
            case Self.yamlTagPrefix + "bool": return Self.bool(text).map(JSONValue.bool) ?? .string(text)
            case Self.yamlTagPrefix + "int", Self.yamlTagPrefix + "float":
                return Self.number(text).map(JSONValue.number) ?? .string(text)
            default: return .string(text)
            }
        }
        guard style == .plain else { return .string(text) }
        if Self.isNullText(text) { return .null }
        if let bool = Self.bool(text) { return .bool(bool) }
        if let number = Self.number(text) { return .number(number) }
        return .string(text)
    }

    /// True when the scalar is null (`~`, `null`, or nothing).
    public var isNull: Bool { jsonValue == .null }

    /// The boolean, when the scalar is one.
    public var boolValue: Bool? {
        if case .bool(let bool) = jsonValue { return bool }
        return nil
    }

    /// The number, when the scalar is one.
    public var numberValue: Double? { jsonValue.numberValue }

    /// The integer, when the scalar is an integral number that fits an `Int`.
    public var intValue: Int? {
        guard let number = numberValue, number == number.rounded(), abs(number) < 9.0e15 else { return nil }
        return Int(number)
    }

    /// What the scalar is, for messages: "a string", "a number", "a boolean", "null".
    public var kindDescription: String {
        switch jsonValue {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        default: "a string"
        }
    }

    static func isNullText(_ text: String) -> Bool {
        text.isEmpty || text == "~" || text == "null" || text == "Null" || text == "NULL"
    }

    static func bool(_ text: String) -> Bool? {
        switch text {
        case "true", "True", "TRUE": true
        case "false", "False", "FALSE": false
        default: nil
        }
    }

    /// A number by the core schema: decimal, `0o` octal, `0x` hex integers; decimals with exponents;
    /// `.inf`, `-.inf`, `.nan`.
    static func number(_ text: String) -> Double? {
        switch text {
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .infinity
        case "-.inf", "-.Inf", "-.INF": return -.infinity
        case ".nan", ".NaN", ".NAN": return .nan
        default: break
        }
        if text.hasPrefix("0x"), let value = Int(text.dropFirst(2), radix: 16) { return Double(value) }
        if text.hasPrefix("0o"), let value = Int(text.dropFirst(2), radix: 8) { return Double(value) }
        var body = Substring(text)
        if body.first == "-" || body.first == "+" { body = body.dropFirst() }
        let mantissa = body.prefix { $0 != "e" && $0 != "E" }
        let exponent = body.dropFirst(mantissa.count)
        let digitsAndDot = mantissa.allSatisfy { $0.isASCII && ($0.isNumber || $0 == ".") }
        guard !mantissa.isEmpty, mantissa != ".", digitsAndDot, mantissa.filter({ $0 == "." }).count <= 1 else {
            return nil
        }
        if !exponent.isEmpty {
            var digits = exponent.dropFirst()
            if digits.first == "-" || digits.first == "+" { digits = digits.dropFirst() }
            guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        }
        return Double(text)
    }
}
