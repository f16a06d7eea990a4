/// A place in a YAML text: 1-based line and column (the column counts Unicode scalars, as libyaml does).
public struct YAMLPosition: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var line: Int
    public var column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    /// The start of a text.
    public static let start = YAMLPosition(line: 1, column: 1)

    public var description: String { "\(line):\(column)" }

    public static func < (lhs: YAMLPosition, rhs: YAMLPosition) -> Bool {
        (lhs.line, lhs.column) < (rhs.line, rhs.column)
    }
}
