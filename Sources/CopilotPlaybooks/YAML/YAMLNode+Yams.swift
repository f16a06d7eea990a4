import Yams

extension YAMLNode {
    /// Converts a composed Yams node, leaving out mapping entries whose key sits at one of `ignoredKeys`.
    init(yams node: Node, ignoring ignoredKeys: Set<YAMLPosition>) {
        let position = node.mark.map { YAMLPosition(line: $0.line, column: $0.column) } ?? .start
        switch node {
        case .scalar(let scalar):
            self.init(.scalar(YAMLScalar(yams: scalar)), at: position)
        case .sequence(let sequence):
            self.init(.sequence(sequence.map { YAMLNode(yams: $0, ignoring: ignoredKeys) }), at: position)
        case .mapping(let mapping):
            var pairs: [YAMLPair] = []
            for (key, value) in mapping {
                let keyNode = YAMLNode(yams: key, ignoring: ignoredKeys)
                if ignoredKeys.contains(keyNode.position) { continue }
                pairs.append(YAMLPair(key: keyNode, value: YAMLNode(yams: value, ignoring: ignoredKeys)))
            }
            self.init(.mapping(pairs), at: position)
        case .alias(let alias):
            self.init(.scalar(YAMLScalar(alias.anchor.rawValue)), at: position)
        }
    }
}

extension YAMLScalar {
    init(yams scalar: Node.Scalar) {
        let style: Style =
            switch scalar.style {
            case .singleQuoted: .singleQuoted
            case .doubleQuoted: .doubleQuoted
            case .literal: .literal
            case .folded: .folded
            case .any, .plain: .plain
            }
        let tag = scalar.tag.rawValue.isEmpty ? nil : scalar.tag.rawValue
        self.init(scalar.string, style: style, tag: tag)
    }
}
