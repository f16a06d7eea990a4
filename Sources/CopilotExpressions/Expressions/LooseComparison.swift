/// GitHub's loose `==`, `<` and `>` between two values of any kinds.
///
/// Same kinds compare directly (strings ignoring case, NaN never equal); a number against a string
/// reads the string as a number; a boolean or null on either side becomes a number and the comparison
/// is tried again; everything else (a collection against anything of another kind) is false.
/// Arrays and objects are equal only when they are the same value of the context, which GitHub decides
/// by reference: the caller works that out and passes it as `sameCollection`.
package enum LooseComparison {
    /// `left == right`.
    package static func equals(_ left: JSONValue, _ right: JSONValue, sameCollection: Bool = false) -> Bool {
        switch (left, right) {
        case (.null, .null): return true
        case (.number(let l), .number(let r)): return l == r
        case (.string(let l), .string(let r)): return CaseInsensitive.equals(l, r)
        case (.bool(let l), .bool(let r)): return l == r
        case (.array, .array), (.object, .object): return sameCollection
        case (.number(let l), .string): return l == right.expressionNumber
        case (.string, .number(let r)): return left.expressionNumber == r
        case (.bool, _), (.null, _): return equals(.number(left.expressionNumber), right)
        case (_, .bool), (_, .null): return equals(left, .number(right.expressionNumber))
        default: return false
        }
    }

    /// `left > right`.
    package static func greaterThan(_ left: JSONValue, _ right: JSONValue) -> Bool {
        switch (left, right) {
        case (.number(let l), .number(let r)): return l > r
        case (.string(let l), .string(let r)): return CaseInsensitive.compare(l, r) > 0
        case (.bool(let l), .bool(let r)): return l && !r
        case (.null, .null), (.array, .array), (.object, .object): return false
        case (.number(let l), .string): return l > right.expressionNumber
        case (.string, .number(let r)): return left.expressionNumber > r
        case (.bool, _), (.null, _): return greaterThan(.number(left.expressionNumber), right)
        case (_, .bool), (_, .null): return greaterThan(left, .number(right.expressionNumber))
        default: return false
        }
    }

    /// `left < right`.
    package static func lessThan(_ left: JSONValue, _ right: JSONValue) -> Bool {
        switch (left, right) {
        case (.number(let l), .number(let r)): return l < r
        case (.string(let l), .string(let r)): return CaseInsensitive.compare(l, r) < 0
        case (.bool(let l), .bool(let r)): return !l && r
        case (.null, .null), (.array, .array), (.object, .object): return false
        case (.number(let l), .string): return l < right.expressionNumber
        case (.string, .number(let r)): return left.expressionNumber < r
        case (.bool, _), (.null, _): return lessThan(.number(left.expressionNumber), right)
        case (_, .bool), (_, .null): return lessThan(left, .number(right.expressionNumber))
        default: return false
        }
    }
}
