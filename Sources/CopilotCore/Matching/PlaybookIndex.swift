/// Playbooks by (source, type), so that matching an event looks only at the playbooks that could match
/// it: cost grows with those, not with the whole set.
struct PlaybookIndex: Sendable {
    /// source → type (or GitHub event name) in `types:` → positions in the set, ascending.
    private var byType: [EventSource: [String: [Int]]] = [:]
    /// source → positions of playbooks whose trigger for the source has no `types:`.
    private var anyType: [EventSource: [Int]] = [:]

    init(_ playbooks: [Playbook]) {
        for (position, playbook) in playbooks.enumerated() {
            for trigger in playbook.triggers {
                if trigger.types.isEmpty {
                    anyType[trigger.source, default: []].append(position)
                } else {
                    for type in Set(trigger.types) {
                        byType[trigger.source, default: [:]][type, default: []].append(position)
                    }
                }
            }
        }
    }

    /// Positions of the playbooks with a trigger for `source` whose `types:` admit `type`, ascending.
    func candidates(source: EventSource, type: String) -> [Int] {
        let any = anyType[source] ?? []
        guard let types = byType[source] else { return any }
        let exact = types[type] ?? []
        var event: [Int] = []
        // The event name is what precedes the first dot (searched in UTF-8: `.` is one byte there).
        if source == .github, let dot = type.utf8.firstIndex(of: UInt8(ascii: ".")) {
            event = types[String(type[..<dot])] ?? []
        }
        return Self.union(Self.union(any, exact), event)
    }

    /// The union of two ascending lists, ascending and without repeats: a merge, with no hashing or
    /// sorting on the per-event path. A list with an empty one is returned as it is, without a copy.
    static func union(_ first: [Int], _ second: [Int]) -> [Int] {
        if first.isEmpty { return second }
        if second.isEmpty { return first }
        var merged: [Int] = []
        merged.reserveCapacity(first.count + second.count)
        var (inFirst, inSecond) = (0, 0)
        while inFirst < first.count, inSecond < second.count {
            let (left, right) = (first[inFirst], second[inSecond])
            merged.append(min(left, right))
            if left <= right { inFirst += 1 }
            if right <= left { inSecond += 1 }
        }
        merged.append(contentsOf: first[inFirst...])
        merged.append(contentsOf: second[inSecond...])
        return merged
    }
}
