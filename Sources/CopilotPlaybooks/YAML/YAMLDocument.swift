public import CopilotCore
import Yams

/// One YAML file composed into `YAMLNode`s, with the problems found on the way.
///
/// Composing never throws: a syntax error becomes a diagnostic at the place libyaml names, and the
/// document has no root. A duplicate key (Yams stops the whole document at the first one) is located in
/// the text, reported at its *second* occurrence, and left out, so that the other problems of the file
/// are still found (TOOLCHAIN.md, "Gotchas").
public struct YAMLDocument: Sendable {
    /// The path diagnostics name.
    public var file: String
    /// The source text.
    public var text: String
    /// The root node; nil for an empty document or one with a syntax error.
    public var root: YAMLNode?
    /// Syntax errors and duplicate keys, in the order found.
    public var diagnostics: [Diagnostic]
    /// The positions of keys left out because they repeat an earlier key of their mapping.
    public var ignoredKeys: Set<YAMLPosition>

    /// Composes UTF-8 bytes. Bytes that are not UTF-8 give one diagnostic at 1:1.
    public init(file: String, bytes: some Collection<UInt8>) {
        if let text = String(validating: bytes, as: UTF8.self) {
            self.init(file: file, text: text)
        } else {
            self.init(file: file, text: "")
            diagnostics = [Diagnostic(file: file, line: 1, column: 1, message: "the file is not valid UTF-8")]
        }
    }

    /// Composes a text.
    public init(file: String, text: String) {
        self.file = file
        self.text = text
        self.root = nil
        self.diagnostics = []
        self.ignoredKeys = []
        compose()
    }

    private mutating func compose() {
        var working = text
        // Each round removes one repeated key; the bound only guards against a key we fail to rename.
        for _ in 0..<200 {
            do {
                let node = try Yams.compose(yaml: working, Resolver.default, Constructor.default, .utf8)
                root = node.map { YAMLNode(yams: $0, ignoring: ignoredKeys) }
                return
            } catch let YamlError.duplicatedKeysInMapping(duplicates, context) {
                let key = duplicates.first ?? ""
                let first = YAMLPosition(line: context.mark.line, column: context.mark.column)
                guard let second = DuplicateKeyLocator.nextOccurrence(of: key, after: first, in: working),
                    let renamed = DuplicateKeyLocator.rename(second, in: working, serial: ignoredKeys.count)
                else {
                    error("duplicate key '\(key)'", at: first)
                    return
                }
                error("duplicate key '\(key)' (first defined at \(first))", at: second.position)
                ignoredKeys.insert(second.position)
                working = renamed
            } catch let error as YamlError {
                report(error)
                return
            } catch {
                self.error("the file cannot be read as YAML", at: .start)
                return
            }
        }
    }

    private mutating func report(_ yamlError: YamlError) {
        switch yamlError {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            let context = context.map { "\($0.text) at \($0.mark.line):\($0.mark.column), " } ?? ""
            error("YAML syntax error: \(context)\(problem)", at: YAMLPosition(line: mark.line, column: mark.column))
        case .reader(let problem, let offset, _, _):
            error("YAML syntax error: \(problem)", at: position(ofCharacterOffset: offset ?? 0))
        default:
            error("the file cannot be read as YAML", at: .start)
        }
    }

    private mutating func error(_ message: String, at position: YAMLPosition) {
        diagnostics.append(Diagnostic(file: file, line: position.line, column: position.column, message: message))
    }

    /// The line and column of the `offset`-th character of the text.
    func position(ofCharacterOffset offset: Int) -> YAMLPosition {
        var line = 1
        var column = 1
        for character in text.prefix(offset) {
            if character == "\n" || character == "\r\n" {
                line += 1
                column = 1
            } else {
                column += character.unicodeScalars.count
            }
        }
        return YAMLPosition(line: line, column: column)
    }
}
