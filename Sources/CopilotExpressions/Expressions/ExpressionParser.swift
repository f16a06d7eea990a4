/// Builds the syntax tree from tokens: recursive descent with GitHub's precedence, loosest first:
/// `||`, `&&`, `== !=`, `< <= > >=`, `!`, then `.name`, `[index]` and calls.
///
/// Every node's depth is known when it is built, so the 50-level limit is enforced as the tree grows;
/// nesting through calls, indexes and parentheses is bounded as the parser descends, so a hostile
/// expression cannot exhaust the stack before the limit is seen.
struct ExpressionParser {
    static let maxDepth = 50
    static let maxLength = 21_000
    /// Parentheses add no node, so GitHub does not count them; they are bounded separately (far above
    /// anything written by hand) only to keep recursion finite.
    static let maxGroupNesting = 100

    /// A subtree and its depth in nodes.
    private struct Parsed {
        var node: ExpressionNode
        var depth: Int
    }

    private let tokens: [ExpressionToken]
    private let allowedNames: Set<String>?
    private var position = 0
    private var nesting = 0
    private var groupNesting = 0

    /// Parses `source`; `allowedNames` are lower-cased named values the expression may use (nil: any).
    static func parse(_ source: String, allowedNames: Set<String>?) throws(ExpressionError) -> ExpressionNode {
        guard source.count <= maxLength else {
            throw .parsing("Exceeded max expression length \(maxLength)", at: maxLength)
        }
        var parser = ExpressionParser(tokens: try ExpressionLexer.tokens(of: source), allowedNames: allowedNames)
        // The empty expression is valid and evaluates to null.
        guard !parser.tokens.isEmpty else { return .literal(.null) }
        let parsed = try parser.parseOr()
        if let extra = parser.current { throw parser.unexpected(extra) }
        return parsed.node
    }

    private init(tokens: [ExpressionToken], allowedNames: Set<String>?) {
        self.tokens = tokens
        self.allowedNames = allowedNames
    }

    private var current: ExpressionToken? { position < tokens.count ? tokens[position] : nil }

    private func unexpected(_ token: ExpressionToken) -> ExpressionError {
        .parsing("Unexpected symbol: '\(token.text)'", at: token.offset)
    }

    /// The error for running out of tokens, reported at the last token as GitHub does.
    private var unexpectedEnd: ExpressionError {
        let last = tokens[tokens.count - 1]
        return .parsing("Unexpected end of expression: '\(last.text)'", at: last.offset)
    }

    /// The next token, which must exist.
    private func required() throws(ExpressionError) -> ExpressionToken {
        guard let token = current else { throw unexpectedEnd }
        return token
    }

    private func checked(_ node: ExpressionNode, depth: Int, at offset: Int) throws(ExpressionError) -> Parsed {
        guard depth <= ExpressionParser.maxDepth else {
            throw .parsing("Exceeded max expression depth \(ExpressionParser.maxDepth)", at: offset)
        }
        return Parsed(node: node, depth: depth)
    }

    private mutating func parseOr() throws(ExpressionError) -> Parsed {
        try parseChain(
            of: .or,
            operand: { parser throws(ExpressionError) in try parser.parseAnd() },
            node: ExpressionNode.or
        )
    }

    private mutating func parseAnd() throws(ExpressionError) -> Parsed {
        try parseChain(
            of: .and,
            operand: { parser throws(ExpressionError) in try parser.parseEquality() },
            node: ExpressionNode.and
        )
    }

    /// `operand (op operand)*` for the n-ary `||` and `&&`: one node for the whole chain, as GitHub
    /// builds it, one level deeper than its deepest operand, with a depth error at the last operator.
    private mutating func parseChain(
        of kind: ExpressionToken.Kind,
        operand: (inout ExpressionParser) throws(ExpressionError) -> Parsed,
        node: ([ExpressionNode]) -> ExpressionNode
    ) throws(ExpressionError) -> Parsed {
        let first = try operand(&self)
        guard current?.kind == kind else { return first }
        var operands = [first.node]
        var depth = first.depth
        var offset = 0
        while let token = current, token.kind == kind {
            offset = token.offset
            position += 1
            let next = try operand(&self)
            operands.append(next.node)
            depth = max(depth, next.depth)
        }
        return try checked(node(operands), depth: depth + 1, at: offset)
    }

    private mutating func parseEquality() throws(ExpressionError) -> Parsed {
        try parseComparisons(
            equality: true,
            operand: { parser throws(ExpressionError) in try parser.parseComparison() }
        )
    }

    private mutating func parseComparison() throws(ExpressionError) -> Parsed {
        try parseComparisons(
            equality: false,
            operand: { parser throws(ExpressionError) in try parser.parseUnary() }
        )
    }

    /// `operand (op operand)*`, left-associative, for one precedence level of comparisons: `==` and `!=`
    /// (`equality`), or `<`, `<=`, `>` and `>=`, which bind tighter.
    private mutating func parseComparisons(
        equality: Bool,
        operand: (inout ExpressionParser) throws(ExpressionError) -> Parsed
    ) throws(ExpressionError) -> Parsed {
        var left = try operand(&self)
        while let token = current, case .comparison(let op) = token.kind, op.isEquality == equality {
            position += 1
            let right = try operand(&self)
            left = try checked(
                .comparison(op, left.node, right.node),
                depth: max(left.depth, right.depth) + 1,
                at: token.offset
            )
        }
        return left
    }

    /// `!` chains are read in a loop, not by recursion, so a long chain cannot exhaust the stack.
    private mutating func parseUnary() throws(ExpressionError) -> Parsed {
        var nots: [Int] = []
        while let token = current, token.kind == .not {
            nots.append(token.offset)
            position += 1
        }
        var parsed = try parsePostfix()
        for offset in nots.reversed() {
            parsed = try checked(.not(parsed.node), depth: parsed.depth + 1, at: offset)
        }
        return parsed
    }

    private mutating func parsePostfix() throws(ExpressionError) -> Parsed {
        var parsed = try parsePrimary()
        while let token = current {
            switch token.kind {
            case .dereference:
                position += 1
                let name = try required()
                position += 1
                switch name.kind {
                case .propertyName(let property):
                    parsed = try checked(.property(parsed.node, property), depth: parsed.depth + 1, at: name.offset)
                case .wildcard:
                    parsed = try checked(.wildcard(parsed.node), depth: parsed.depth + 1, at: name.offset)
                default:
                    throw unexpected(name)
                }
            case .startIndex:
                position += 1
                if try required().kind == .wildcard {
                    position += 1
                    try expect(.endIndex)
                    parsed = try checked(.wildcard(parsed.node), depth: parsed.depth + 1, at: token.offset)
                    continue
                }
                let index = try nested { parser throws(ExpressionError) in try parser.parseOr() }
                try expect(.endIndex)
                let depth = max(parsed.depth, index.depth) + 1
                if case .literal(.string(let key)) = index.node {
                    parsed = try checked(.property(parsed.node, key), depth: depth, at: token.offset)
                } else {
                    parsed = try checked(.index(parsed.node, index.node), depth: depth, at: token.offset)
                }
            default:
                return parsed
            }
        }
        return parsed
    }

    private mutating func expect(_ kind: ExpressionToken.Kind) throws(ExpressionError) {
        let token = try required()
        guard token.kind == kind else { throw unexpected(token) }
        position += 1
    }

    /// Runs `body` one level deeper through a call or an index, each of which adds a node, so more
    /// than `maxDepth` such levels already exceed the depth limit.
    private mutating func nested(
        _ body: (inout ExpressionParser) throws(ExpressionError) -> Parsed
    ) throws(ExpressionError) -> Parsed {
        nesting += 1
        defer { nesting -= 1 }
        guard nesting <= ExpressionParser.maxDepth else {
            throw .parsing("Exceeded max expression depth \(ExpressionParser.maxDepth)", at: current?.offset ?? 0)
        }
        return try body(&self)
    }

    private mutating func parsePrimary() throws(ExpressionError) -> Parsed {
        let token = try required()
        position += 1
        switch token.kind {
        case .null: return Parsed(node: .literal(.null), depth: 1)
        case .boolean(let value): return Parsed(node: .literal(.bool(value)), depth: 1)
        case .number(let value): return Parsed(node: .literal(.number(value)), depth: 1)
        case .string(let value): return Parsed(node: .literal(.string(value)), depth: 1)
        case .namedValue(let name):
            if let allowedNames, !allowedNames.contains(name.lowercased()) {
                throw .parsing("unrecognized named-value '\(name)'", at: token.offset)
            }
            return Parsed(node: .namedValue(name), depth: 1)
        case .startGroup:
            groupNesting += 1
            defer { groupNesting -= 1 }
            guard groupNesting <= ExpressionParser.maxGroupNesting else {
                throw .parsing("Exceeded max expression depth \(ExpressionParser.maxDepth)", at: token.offset)
            }
            let inner = try parseOr()
            try expect(.endGroup)
            return inner
        case .function(let name):
            return try parseCall(named: name, at: token)
        default:
            throw unexpected(token)
        }
    }

    private mutating func parseCall(named name: String, at token: ExpressionToken) throws(ExpressionError) -> Parsed {
        guard let function = ExpressionFunction(name: name) else {
            throw .parsing("Unrecognized function: '\(name)'", at: token.offset)
        }
        try expect(.startGroup)
        var arguments: [ExpressionNode] = []
        var depth = 0
        if try required().kind == .endGroup {
            position += 1
        } else {
            while true {
                let argument = try nested { parser throws(ExpressionError) in try parser.parseOr() }
                arguments.append(argument.node)
                depth = max(depth, argument.depth)
                let separator = try required()
                position += 1
                if separator.kind == .endGroup { break }
                guard separator.kind == .separator else { throw unexpected(separator) }
            }
        }
        if arguments.count < function.arity.lowerBound {
            throw .parsing("Too few parameters supplied: '\(name)'", at: token.offset)
        }
        if arguments.count > function.arity.upperBound {
            throw .parsing("Too many parameters supplied: '\(name)'", at: token.offset)
        }
        if function == .case, arguments.count % 2 == 0 {
            throw .parsing(
                "Even number of parameters supplied, requires an odd number of parameters: '\(name)'",
                at: token.offset
            )
        }
        var compiledFormat: FormatString?
        if function == .format, case .literal(.string(let format)) = arguments[0] {
            compiledFormat = FormatString(format)
        }
        let call = FunctionCall(
            function: function,
            arguments: arguments,
            offset: token.offset,
            compiledFormat: compiledFormat
        )
        return try checked(.call(call), depth: depth + 1, at: token.offset)
    }
}
