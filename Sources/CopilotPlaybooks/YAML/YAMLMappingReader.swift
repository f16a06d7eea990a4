import CopilotCore
public import CopilotExpressions

/// Reads the keys of one YAML mapping into typed values, recording a diagnostic for every wrong type,
/// missing required key and — in `finish()` — every key nobody asked about, with a "did you mean".
///
/// Every key asked for (present or not) becomes a known key, so `finish()` needs no separate list:
/// ```swift
/// guard let server = context.mapping(root, path: "server") else { return }
/// let port = server.int("port", in: 1...65535) ?? 8080
/// let host = server.string("host") ?? "127.0.0.1"
/// server.finish()   // "unknown key 'prot'; did you mean 'port'?"
/// ```
/// A null value (`key:` with nothing, `~`) reads as absent.
public final class YAMLMappingReader {
    public let node: YAMLNode
    /// The dotted path of this mapping (`server`, `on.github`), "" for the root.
    public let path: String
    public let context: YAMLReadContext
    /// The entries in the order written (duplicates already left out by `YAMLDocument`).
    public let pairs: [YAMLPair]
    private var known: [String] = []

    public init(_ node: YAMLNode, path: String, context: YAMLReadContext) {
        self.node = node
        self.path = path
        self.context = context
        self.pairs = node.pairs ?? []
    }

    /// The path of a key of this mapping: `server.port`.
    public func path(of key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// The keys as written, in order.
    public var keys: [String] { pairs.compactMap(\.keyText) }

    /// Marks keys as known without reading them.
    public func declare(_ keys: String...) { known.append(contentsOf: keys) }

    /// The entry of `key`, marking the key known.
    public func pair(_ key: String) -> YAMLPair? {
        known.append(key)
        return pairs.first { $0.keyText == key }
    }

    /// The value node of `key`, or nil when absent or null; `required` reports a missing key.
    public func value(_ key: String, required: Bool = false) -> YAMLNode? {
        let found = pair(key)?.value
        guard let found, !found.isNull else {
            if required {
                if let found {
                    context.error("'\(path(of: key))' must have a value", at: found)
                } else {
                    context.error("missing required key '\(path(of: key))'", at: node)
                }
            }
            return nil
        }
        return found
    }

    /// True when the key is written (even with a null value).
    public func contains(_ key: String) -> Bool { pairs.contains { $0.keyText == key } }

    public func string(_ key: String, required: Bool = false) -> String? {
        value(key, required: required).flatMap { context.string($0, path: path(of: key)) }
    }

    public func int(_ key: String, in range: ClosedRange<Int>? = nil, required: Bool = false) -> Int? {
        value(key, required: required).flatMap { context.int($0, path: path(of: key), in: range) }
    }

    public func double(_ key: String, required: Bool = false) -> Double? {
        value(key, required: required).flatMap { context.double($0, path: path(of: key)) }
    }

    public func bool(_ key: String, required: Bool = false) -> Bool? {
        value(key, required: required).flatMap { context.bool($0, path: path(of: key)) }
    }

    public func stringList(_ key: String, allowSingle: Bool = false, required: Bool = false) -> [String]? {
        value(key, required: required).flatMap {
            context.stringList($0, path: path(of: key), allowSingle: allowSingle)
        }
    }

    public func list(_ key: String, required: Bool = false) -> [YAMLNode]? {
        value(key, required: required).flatMap { context.list($0, path: path(of: key)) }
    }

    public func mapping(_ key: String, required: Bool = false) -> YAMLMappingReader? {
        value(key, required: required).flatMap { context.mapping($0, path: path(of: key)) }
    }

    public func oneOf(_ allowed: [String], _ key: String, required: Bool = false) -> String? {
        value(key, required: required).flatMap { context.oneOf(allowed, $0, path: path(of: key)) }
    }

    /// The value as JSON (any shape).
    public func json(_ key: String) -> JSONValue? {
        value(key)?.jsonValue
    }

    /// Reports every key not asked for: `unknown key 'x'`, with the closest known key when one is near.
    /// Keys that are not scalars are reported too.
    public func finish() {
        for pair in pairs {
            guard let key = pair.keyText else {
                context.error("a key of '\(path.isEmpty ? "the document" : path)' must be a string", at: pair.key)
                continue
            }
            if !known.contains(key) {
                context.error("unknown key '\(key)'" + Suggestion.didYouMean(key, among: known), at: pair.key)
            }
        }
    }
}
