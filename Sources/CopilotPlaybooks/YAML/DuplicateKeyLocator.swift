/// Finds the second occurrence of a repeated mapping key in YAML text, and renames it so that the text
/// composes.
///
/// Yams reports a duplicate key at its first occurrence and stops the whole document. The contract wants
/// the *second* occurrence reported and every other problem too, so the loader finds the repeat itself
/// (same indentation in block style, same nesting in flow style), reports it, and replaces its name by
/// a private placeholder of the same length, so every other position in the file stays true.
enum DuplicateKeyLocator {
    /// A key found in the text: its position and the range of its name (without quotes) in its line.
    struct Occurrence {
        var position: YAMLPosition
        var nameStart: Int
        var nameLength: Int
    }

    static func nextOccurrence(of key: String, after first: YAMLPosition, in text: String) -> Occurrence? {
        let lines = splitLines(text)
        guard first.line >= 1, first.line <= lines.count else { return nil }
        if flowDepth(before: first, in: lines) > 0 {
            return nextFlowOccurrence(of: key, after: first, in: lines)
        }
        return nextBlockOccurrence(of: key, after: first, in: lines)
    }

    /// The text with the occurrence's name replaced by a placeholder of as many Unicode scalars.
    static func rename(_ occurrence: Occurrence, in text: String, serial: Int) -> String? {
        var lines = splitLines(text)
        let index = occurrence.position.line - 1
        guard index < lines.count, occurrence.nameLength > 0,
            occurrence.nameStart + occurrence.nameLength <= lines[index].count,
            let head = Unicode.Scalar(0xE000 + UInt32(serial % 0x1000)),
            let filler = Unicode.Scalar(0xF000)
        else { return nil }
        let placeholder = [head] + Array(repeating: filler, count: occurrence.nameLength - 1)
        lines[index].replaceSubrange(
            occurrence.nameStart..<(occurrence.nameStart + occurrence.nameLength),
            with: placeholder
        )
        return lines.map { line in
            var string = ""
            string.unicodeScalars.append(contentsOf: line)
            return string
        }.joined(separator: "\n")
    }

    private static func splitLines(_ text: String) -> [[Unicode.Scalar]] {
        text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false).map(Array.init)
    }

    /// `{`/`[` minus `}`/`]` before a position, outside quotes and comments.
    private static func flowDepth(before position: YAMLPosition, in lines: [[Unicode.Scalar]]) -> Int {
        var depth = 0
        var quote: Unicode.Scalar?
        for (lineIndex, line) in lines.enumerated() where lineIndex < position.line {
            let end = lineIndex == position.line - 1 ? min(position.column - 1, line.count) : line.count
            var column = 0
            while column < end {
                let scalar = line[column]
                if let open = quote {
                    if scalar == open { quote = nil }
                } else if scalar == "#" && (column == 0 || line[column - 1] == " ") {
                    break
                } else if scalar == "\"" || scalar == "'" {
                    quote = scalar
                } else if scalar == "{" || scalar == "[" {
                    depth += 1
                } else if scalar == "}" || scalar == "]" {
                    depth -= 1
                }
                column += 1
            }
        }
        return depth
    }

    private static func nextBlockOccurrence(
        of key: String,
        after first: YAMLPosition,
        in lines: [[Unicode.Scalar]]
    ) -> Occurrence? {
        let indent = first.column - 1
        var lineIndex = first.line
        while lineIndex < lines.count {
            let line = lines[lineIndex]
            let leading = line.prefix { $0 == " " }.count
            let rest = line.dropFirst(leading)
            lineIndex += 1
            if rest.isEmpty || rest.first == "#" || rest.first == "\r" { continue }
            if leading < indent { return nil }
            if leading > indent || rest.first == "-" { continue }
            if let name = keyName(key, at: leading, in: line) {
                return Occurrence(
                    position: YAMLPosition(line: lineIndex, column: leading + 1),
                    nameStart: name.start,
                    nameLength: name.length
                )
            }
        }
        return nil
    }

    private static func nextFlowOccurrence(
        of key: String,
        after first: YAMLPosition,
        in lines: [[Unicode.Scalar]]
    ) -> Occurrence? {
        var depth = 0
        var quote: Unicode.Scalar?
        var afterComma = false
        var lineIndex = first.line - 1
        var column = first.column - 1 + key.unicodeScalars.count
        if let opening = lines[lineIndex].dropFirst(first.column - 1).first, opening == "\"" || opening == "'" {
            column += 2
        }
        while lineIndex < lines.count {
            let line = lines[lineIndex]
            while column < line.count {
                let scalar = line[column]
                if let open = quote {
                    if scalar == open { quote = nil }
                } else if afterComma && depth == 0 && scalar != " " && scalar != "\t" {
                    afterComma = false
                    if let name = keyName(key, at: column, in: line) {
                        return Occurrence(
                            position: YAMLPosition(line: lineIndex + 1, column: column + 1),
                            nameStart: name.start,
                            nameLength: name.length
                        )
                    }
                    continue
                } else if scalar == "#" && (column == 0 || line[column - 1] == " ") {
                    break
                } else if scalar == "\"" || scalar == "'" {
                    quote = scalar
                } else if scalar == "{" || scalar == "[" {
                    depth += 1
                } else if scalar == "}" || scalar == "]" {
                    if depth == 0 { return nil }
                    depth -= 1
                } else if scalar == "," && depth == 0 {
                    afterComma = true
                }
                column += 1
            }
            lineIndex += 1
            column = 0
        }
        return nil
    }

    /// The range of `key`'s name when the line holds `key:`, `"key":` or `'key':` at `column`.
    private static func keyName(_ key: String, at column: Int, in line: [Unicode.Scalar]) -> (start: Int, length: Int)?
    {
        let name = Array(key.unicodeScalars)
        let quote = line.dropFirst(column).first.flatMap { $0 == "\"" || $0 == "'" ? $0 : nil }
        let start = quote == nil ? column : column + 1
        guard start + name.count <= line.count, Array(line[start..<(start + name.count)]) == name else { return nil }
        var end = start + name.count
        if let quote {
            guard end < line.count, line[end] == quote else { return nil }
            end += 1
        }
        let tail = line.dropFirst(end).drop { $0 == " " || $0 == "\t" }
        guard tail.first == ":" else { return nil }
        return (start, name.count)
    }
}
