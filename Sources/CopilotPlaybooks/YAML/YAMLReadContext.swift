public import CopilotCore

/// The state of reading one YAML document into typed values: where diagnostics go, and the text that
/// positions inside scalars are found in.
///
/// Readers never throw: a wrong or missing value is recorded here, with its position, and reading goes
/// on so that every problem of a file is reported. A class because every nested `YAMLMappingReader`
/// adds to the same list; it lives for one decoding and is not shared across tasks.
public final class YAMLReadContext {
    public let file: String
    /// The source text, to find positions inside scalars (`position(in:characterOffset:)`).
    public let text: String
    public private(set) var diagnostics: [Diagnostic]

    /// Starts with the document's own diagnostics (syntax errors, duplicate keys).
    public init(document: YAMLDocument) {
        self.file = document.file
        self.text = document.text
        self.diagnostics = document.diagnostics
    }

    public init(file: String, text: String = "") {
        self.file = file
        self.text = text
        self.diagnostics = []
    }

    /// True when an error has been recorded.
    public var hasErrors: Bool { diagnostics.containsErrors }

    public func error(_ message: String, at position: YAMLPosition) {
        diagnostics.append(Diagnostic(file: file, line: position.line, column: position.column, message: message))
    }

    public func error(_ message: String, at node: YAMLNode) {
        error(message, at: node.position)
    }

    public func warning(_ message: String, at position: YAMLPosition) {
        diagnostics.append(
            Diagnostic(file: file, line: position.line, column: position.column, severity: .warning, message: message)
        )
    }

    /// "expected X for 'path', found Y" at the node.
    public func typeMismatch(_ expected: String, path: String, found node: YAMLNode) {
        error("expected \(expected) for '\(path)', found \(node.kindDescription)", at: node)
    }

    // MARK: Typed reads of one node. Each records a diagnostic and returns nil when the node does not fit.

    /// A mapping reader; nil (with a diagnostic) when the node is not a mapping.
    public func mapping(_ node: YAMLNode, path: String) -> YAMLMappingReader? {
        guard node.pairs != nil else {
            typeMismatch("a mapping", path: path, found: node)
            return nil
        }
        return YAMLMappingReader(node, path: path, context: self)
    }

    /// The elements of a list.
    public func list(_ node: YAMLNode, path: String) -> [YAMLNode]? {
        guard let elements = node.elements else {
            typeMismatch("a list", path: path, found: node)
            return nil
        }
        return elements
    }

    /// Any non-null scalar, as its text (numbers and booleans keep the text they were written with).
    public func string(_ node: YAMLNode, path: String) -> String? {
        guard let scalar = node.scalar, !scalar.isNull else {
            typeMismatch("a string", path: path, found: node)
            return nil
        }
        return scalar.text
    }

    /// An integer, optionally within a range.
    public func int(_ node: YAMLNode, path: String, in range: ClosedRange<Int>? = nil) -> Int? {
        guard let value = node.scalar?.intValue else {
            typeMismatch("an integer", path: path, found: node)
            return nil
        }
        if let range, !range.contains(value) {
            let bound =
                range.upperBound == .max
                ? "at least \(range.lowerBound)" : "between \(range.lowerBound) and \(range.upperBound)"
            error("'\(path)' must be \(bound), found \(value)", at: node)
            return nil
        }
        return value
    }

    /// A number.
    public func double(_ node: YAMLNode, path: String) -> Double? {
        guard let value = node.scalar?.numberValue else {
            typeMismatch("a number", path: path, found: node)
            return nil
        }
        return value
    }

    /// `true` or `false`.
    public func bool(_ node: YAMLNode, path: String) -> Bool? {
        guard let value = node.scalar?.boolValue else {
            typeMismatch("a boolean (true or false)", path: path, found: node)
            return nil
        }
        return value
    }

    /// A list of strings; with `allowSingle`, one string stands for a list of one.
    public func stringList(_ node: YAMLNode, path: String, allowSingle: Bool = false) -> [String]? {
        if allowSingle, let scalar = node.scalar, !scalar.isNull { return [scalar.text] }
        guard let elements = node.elements else {
            typeMismatch("a list of strings", path: path, found: node)
            return nil
        }
        var strings: [String] = []
        var valid = true
        for (index, element) in elements.enumerated() {
            if let string = string(element, path: "\(path)[\(index)]") { strings.append(string) } else { valid = false }
        }
        return valid ? strings : nil
    }

    /// One of fixed words (`required`/`none`), with a suggestion when close to one.
    public func oneOf(_ allowed: [String], _ node: YAMLNode, path: String) -> String? {
        guard let text = string(node, path: path) else { return nil }
        guard allowed.contains(text) else {
            let choices = allowed.map { "'\($0)'" }.joined(separator: ", ")
            error(
                "invalid value '\(text)' for '\(path)': expected one of \(choices)"
                    + Suggestion.didYouMean(text, among: allowed),
                at: node
            )
            return nil
        }
        return text
    }

    /// The position of the `characterOffset`-th character of a scalar's value in the source text.
    ///
    /// Exact for scalars whose line of value is written as is (plain, quoted without escapes on that
    /// line, literal blocks); otherwise the best guess from the scalar's start.
    public func position(in node: YAMLNode, characterOffset: Int) -> YAMLPosition {
        guard let scalar = node.scalar else { return node.position }
        let value = Array(scalar.text)
        let offset = max(0, min(characterOffset, value.count))
        let lineStart = value[..<offset].lastIndex(of: "\n").map { $0 + 1 } ?? 0
        let lineEnd = value[offset...].firstIndex(of: "\n") ?? value.count
        let segment = String(value[lineStart..<lineEnd])
        let columnInSegment = String(value[lineStart..<offset]).unicodeScalars.count
        if !segment.isEmpty {
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            var lineIndex = node.position.line - 1
            while lineIndex >= 0, lineIndex < lines.count, lineIndex < node.position.line + 200 {
                let line = lines[lineIndex]
                let from = lineIndex == node.position.line - 1 ? node.position.column - 1 : 0
                let searchable = String(String.UnicodeScalarView(line.unicodeScalars.dropFirst(from)))
                if let range = searchable.firstRange(of: segment) {
                    let column = from + searchable.unicodeScalars[..<range.lowerBound].count + columnInSegment + 1
                    return YAMLPosition(line: lineIndex + 1, column: column)
                }
                lineIndex += 1
            }
        }
        let quote = scalar.style == .singleQuoted || scalar.style == .doubleQuoted ? 1 : 0
        return YAMLPosition(line: node.position.line, column: node.position.column + quote + columnInSegment)
    }
}
