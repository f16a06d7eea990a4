/// `toJSON`'s output: JSON indented by two spaces, members in their order, as GitHub prints it.
extension JSONValue {
    /// Pretty-printed JSON text; `nil` when it would exceed `limit` UTF-8 bytes, so an evaluation can
    /// stop before building an oversized string.
    public func prettyJSONText(limit: Int = .max) -> String? {
        var output = ""
        guard appendPretty(to: &output, indent: 0, limit: limit) else { return nil }
        return output
    }

    private func appendPretty(to output: inout String, indent: Int, limit: Int) -> Bool {
        switch self {
        case .array(let elements):
            if elements.isEmpty {
                output += "[]"
                return output.utf8.count <= limit
            }
            output += "["
            for (index, element) in elements.enumerated() {
                output += index == 0 ? "\n" : ",\n"
                JSONValue.appendIndent(indent + 1, to: &output)
                guard element.appendPretty(to: &output, indent: indent + 1, limit: limit) else { return false }
            }
            output += "\n"
            JSONValue.appendIndent(indent, to: &output)
            output += "]"
        case .object(let members):
            if members.isEmpty {
                output += "{}"
                return output.utf8.count <= limit
            }
            output += "{"
            for (index, key) in members.keys.enumerated() {
                output += index == 0 ? "\n" : ",\n"
                JSONValue.appendIndent(indent + 1, to: &output)
                output += JSONValue.string(key).jsonText
                output += ": "
                let member = members[key] ?? .null
                guard member.appendPretty(to: &output, indent: indent + 1, limit: limit) else { return false }
            }
            output += "\n"
            JSONValue.appendIndent(indent, to: &output)
            output += "}"
        default:
            output += jsonText
        }
        return output.utf8.count <= limit
    }

    private static func appendIndent(_ level: Int, to output: inout String) {
        for _ in 0..<level { output += "  " }
    }
}
