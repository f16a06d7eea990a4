/// "Did you mean …?" for a misspelt name: the closest candidate by edit distance, when it is close.
public enum Suggestion {
    /// The candidate nearest to `word` (case-insensitive edit distance counting a swap of neighbours as
    /// one edit), if it is close: 1 edit for words of up to 3 letters, else a third of the length, at
    /// least 2 and at most 3. Ties go to the earlier candidate. Failing that, a candidate the word
    /// begins (`timeout` → `timeout_seconds`) or that begins the word.
    public static func closest(to word: String, among candidates: some Sequence<String>) -> String? {
        let lowered = Array(word.lowercased().unicodeScalars)
        let limit = lowered.count <= 3 ? 1 : min(3, max(2, lowered.count / 3))
        var best: (candidate: String, distance: Int)?
        for candidate in candidates where candidate != word {
            let distance = editDistance(lowered, Array(candidate.lowercased().unicodeScalars))
            if distance <= limit, distance < (best?.distance ?? .max) {
                best = (candidate, distance)
            }
        }
        if let best { return best.candidate }
        // A word that is the start of a key (`timeout` for `timeout_seconds`), or the key plus a tail.
        guard lowered.count >= 3 else { return nil }
        let text = word.lowercased()
        return candidates.first { candidate in
            let lower = candidate.lowercased()
            return lower != text && (lower.hasPrefix(text) || (lower.count >= 3 && text.hasPrefix(lower)))
        }
    }

    /// `"; did you mean 'x'?"` or `""`.
    public static func didYouMean(_ word: String, among candidates: some Sequence<String>) -> String {
        closest(to: word, among: candidates).map { "; did you mean '\($0)'?" } ?? ""
    }

    /// Optimal string alignment distance: insertions, deletions, substitutions, adjacent swaps.
    static func editDistance(_ lhs: [Unicode.Scalar], _ rhs: [Unicode.Scalar]) -> Int {
        if lhs.isEmpty { return rhs.count }
        if rhs.isEmpty { return lhs.count }
        let width = rhs.count + 1
        var table = Array(repeating: 0, count: (lhs.count + 1) * width)
        for i in 0...lhs.count { table[i * width] = i }
        for j in 0...rhs.count { table[j] = j }
        for i in 1...lhs.count {
            for j in 1...rhs.count {
                let cost = lhs[i - 1] == rhs[j - 1] ? 0 : 1
                var best = min(table[(i - 1) * width + j] + 1, table[i * width + j - 1] + 1)
                best = min(best, table[(i - 1) * width + j - 1] + cost)
                if i > 1, j > 1, lhs[i - 1] == rhs[j - 2], lhs[i - 2] == rhs[j - 1] {
                    best = min(best, table[(i - 2) * width + j - 2] + 1)
                }
                table[i * width + j] = best
            }
        }
        return table[lhs.count * width + rhs.count]
    }
}
