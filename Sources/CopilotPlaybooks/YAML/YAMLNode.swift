import CopilotCore
public import CopilotExpressions

/// A composed YAML node with its position: Yams' `Node` turned into a plain `Sendable` value, so that the
/// readers built on it (the playbook loader, the configuration loader) never see Yams types.
public struct YAMLNode: Sendable, Hashable {
    /// What the node holds. Mapping entries keep the order they were written in.
    public enum Kind: Sendable, Hashable {
        case scalar(YAMLScalar)
        case mapping([YAMLPair])
        case sequence([YAMLNode])
    }

    public var kind: Kind
    /// Where the node starts: the first character of a scalar (its quote, when quoted), the `{`, `[` or
    /// first key of a mapping, the `[` or first `-` of a sequence.
    public var position: YAMLPosition

    public init(_ kind: Kind, at position: YAMLPosition) {
        self.kind = kind
        self.position = position
    }

    /// The scalar, when this node is one.
    public var scalar: YAMLScalar? {
        if case .scalar(let scalar) = kind { return scalar }
        return nil
    }

    /// The entries, when this node is a mapping.
    public var pairs: [YAMLPair]? {
        if case .mapping(let pairs) = kind { return pairs }
        return nil
    }

    /// The elements, when this node is a sequence.
    public var elements: [YAMLNode]? {
        if case .sequence(let elements) = kind { return elements }
        return nil
    }

    /// True for an explicit or implicit null scalar (`~`, `null`, nothing).
    public var isNull: Bool { scalar?.isNull ?? false }

    /// What the node is, for messages: "a mapping", "a list", "a string", "a number", "a boolean", "null".
    public var kindDescription: String {
        switch kind {
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .scalar(let scalar): scalar.kindDescription
        }
    }

    /// The node as a JSON value: mappings become objects (keys by their text), sequences arrays, scalars
    /// by YAML 1.2's core schema (`YAMLScalar.jsonValue`).
    public var jsonValue: JSONValue {
        switch kind {
        case .scalar(let scalar): return scalar.jsonValue
        case .sequence(let elements): return .array(elements.map(\.jsonValue))
        case .mapping(let pairs):
            var members = JSONObject()
            for pair in pairs { members[pair.key.scalar?.text ?? pair.key.jsonValue.jsonText] = pair.value.jsonValue }
            return .object(members)
        }
    }
}

/// One `key: value` entry of a mapping.
public struct YAMLPair: Sendable, Hashable {
    public var key: YAMLNode
    public var value: YAMLNode

    public init(key: YAMLNode, value: YAMLNode) {
        self.key = key
        self.value = value
    }

    /// The key's text exactly as written (`on` stays `"on"`), or nil for a key that is not a scalar.
    public var keyText: String? { key.scalar?.text }
}
