/// A `format` string split into literal text and `{N}` placeholders.
///
/// Follows GitHub's scanner: `{{` and `}}` are escaped braces, `{N}` inserts argument N, and any other
/// brace makes the string invalid. The scan stops at the first problem and records it as the last
/// segment, so evaluation reports the same error GitHub would, in the same order relative to a missing
/// argument (`format('{1}{', 'a')` complains about the argument first).
struct FormatString: Sendable, Equatable {
    enum Segment: Sendable, Equatable {
        case text(String)
        case argument(Int)
        /// The string is malformed from here on.
        case invalid
    }

    /// The format string as written, for error messages.
    var source: String
    var segments: [Segment]

    init(_ format: String) {
        source = format
        var segments: [Segment] = []
        let characters = Array(format)
        var index = 0
        var pending = ""
        func flush() {
            if !pending.isEmpty { segments.append(.text(pending)) }
            pending = ""
        }
        while index < characters.count {
            let character = characters[index]
            let next = index + 1 < characters.count ? characters[index + 1] : nil
            if character == "{" {
                if next == "{" {
                    pending.append("{")
                    index += 2
                    continue
                }
                // `{` digits `}`
                var cursor = index + 1
                var argument = 0
                while cursor < characters.count, let digit = characters[cursor].wholeNumberValue,
                    characters[cursor].isASCII, cursor - index <= 3
                {
                    argument = argument * 10 + digit
                    cursor += 1
                }
                guard cursor > index + 1, cursor < characters.count, characters[cursor] == "}" else {
                    flush()
                    segments.append(.invalid)
                    self.segments = segments
                    return
                }
                flush()
                segments.append(.argument(argument))
                index = cursor + 1
            } else if character == "}" {
                guard next == "}" else {
                    flush()
                    segments.append(.invalid)
                    self.segments = segments
                    return
                }
                pending.append("}")
                index += 2
            } else {
                pending.append(character)
                index += 1
            }
        }
        flush()
        self.segments = segments
    }
}
