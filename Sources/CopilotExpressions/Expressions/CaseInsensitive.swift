/// String comparison the way GitHub's evaluator does it: .NET's `OrdinalIgnoreCase`.
///
/// Each scalar is folded to its simple uppercase form, except the Turkish dotless `ı`, which ordinal
/// casing leaves alone (so `ı` ≠ `I` and `i` ≠ `İ`, as the conformance corpus checks), while `ς`, `σ`
/// and `Σ` all fold together. Comparison is scalar by scalar, not by locale collation, so it is
/// deterministic and cheap; ASCII takes a fast path without touching Unicode tables.
package enum CaseInsensitive {
    /// The folded form of one scalar.
    static func fold(_ scalar: Unicode.Scalar) -> UInt32 {
        let value = scalar.value
        if value < 0x80 {
            return value >= 0x61 && value <= 0x7A ? value - 0x20 : value
        }
        if value == 0x131 { return value }  // dotless i: ordinal casing keeps it distinct from I
        let upper = scalar.properties.uppercaseMapping.unicodeScalars
        // Only simple (one-to-one) mappings count: `ß` stays `ß`, it does not become "SS".
        if upper.count == 1, let first = upper.first { return first.value }
        return value
    }

    /// A form shared by the strings equal to `string` ignoring case: each scalar folded. Compared as
    /// `String`s (canonical equivalence, as `equals` starts with), folded forms are equal whenever the
    /// strings are equal ignoring case, unless both are outside ASCII and equal only in canonical forms
    /// that fold apart (`ǰ`, whose upper case is two scalars, and `ǰ`): `JSONProjection` checks those.
    static func folded(_ string: String) -> String {
        let utf8 = string.utf8
        if isASCII(string) {
            // Keys are mostly ASCII: their bytes upper-cased in place of a walk through Unicode's tables.
            guard utf8.contains(where: { (0x61...0x7A).contains($0) }) else { return string }
            return String(unsafeUninitializedCapacity: utf8.count) { buffer in
                for (offset, byte) in utf8.enumerated() {
                    buffer[offset] = (0x61...0x7A).contains(byte) ? byte - 0x20 : byte
                }
                return utf8.count
            }
        }
        var scalars = String.UnicodeScalarView()
        for scalar in string.unicodeScalars {
            scalars.append(Unicode.Scalar(fold(scalar)) ?? scalar)
        }
        return String(scalars)
    }

    /// True when every scalar of `string` is ASCII: `folded`'s fast path, and what its one exception
    /// needs both strings to lack.
    static func isASCII(_ string: String) -> Bool {
        string.utf8.allSatisfy { $0 < 0x80 }
    }

    /// True when the strings are equal ignoring case.
    package static func equals(_ left: String, _ right: String) -> Bool {
        if left == right { return true }
        var leftScalars = left.unicodeScalars.makeIterator()
        var rightScalars = right.unicodeScalars.makeIterator()
        while true {
            switch (leftScalars.next(), rightScalars.next()) {
            case (nil, nil): return true
            case (let l?, let r?): if fold(l) != fold(r) { return false }
            default: return false
            }
        }
    }

    /// Three-way comparison ignoring case: negative, zero or positive.
    static func compare(_ left: String, _ right: String) -> Int {
        var leftScalars = left.unicodeScalars.makeIterator()
        var rightScalars = right.unicodeScalars.makeIterator()
        while true {
            switch (leftScalars.next(), rightScalars.next()) {
            case (nil, nil): return 0
            case (nil, _): return -1
            case (_, nil): return 1
            case (let l?, let r?):
                let (foldedLeft, foldedRight) = (fold(l), fold(r))
                if foldedLeft != foldedRight { return foldedLeft < foldedRight ? -1 : 1 }
            }
        }
    }

    /// True when `string` starts with `prefix`, ignoring case.
    static func hasPrefix(_ string: String, _ prefix: String) -> Bool {
        var scalars = string.unicodeScalars.makeIterator()
        for wanted in prefix.unicodeScalars {
            guard let next = scalars.next(), fold(next) == fold(wanted) else { return false }
        }
        return true
    }

    /// True when `string` ends with `suffix`, ignoring case.
    static func hasSuffix(_ string: String, _ suffix: String) -> Bool {
        var scalars = string.unicodeScalars.reversed().makeIterator()
        for wanted in suffix.unicodeScalars.reversed() {
            guard let next = scalars.next(), fold(next) == fold(wanted) else { return false }
        }
        return true
    }

    /// True when `needle` occurs in `haystack`, ignoring case. The empty needle occurs everywhere.
    static func contains(_ haystack: String, _ needle: String) -> Bool {
        if needle.isEmpty { return true }
        let folded = haystack.unicodeScalars.map(fold)
        let wanted = needle.unicodeScalars.map(fold)
        guard wanted.count <= folded.count else { return false }
        for start in 0...(folded.count - wanted.count) {
            var matches = true
            for offset in 0..<wanted.count where folded[start + offset] != wanted[offset] {
                matches = false
                break
            }
            if matches { return true }
        }
        return false
    }

    /// The member of `members` whose key equals `key` ignoring case. When several keys differ only in
    /// case the smallest wins, so the answer does not depend on the members' order (a dictionary's is
    /// seeded).
    static func lookup(
        _ key: String,
        in members: some Sequence<(key: String, value: JSONValue)>
    ) -> (key: String, value: JSONValue)? {
        var found: (key: String, value: JSONValue)?
        for (candidate, value) in members where equals(candidate, key) {
            if let current = found, current.key < candidate { continue }
            found = (candidate, value)
        }
        return found
    }

    /// The member for `key`: the exact key first, then ignoring case.
    static func member(_ key: String, in members: JSONObject) -> (key: String, value: JSONValue)? {
        if let exact = members[key] { return (key, exact) }
        return lookup(key, in: members)
    }
}
