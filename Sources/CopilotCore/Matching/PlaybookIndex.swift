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
        var lists: [[Int]] = []
        if let any = anyType[source] { lists.append(any) }
        if let types = byType[source] {
            if let exact = types[type] { lists.append(exact) }
            if source == .github, let dot = type.firstIndex(of: "."), let event = types[String(type[..<dot])] {
                lists.append(event)
            }
        }
        switch lists.count {
        case 0: return []
        case 1: return lists[0]
        default: return Self.union(lists)
        }
    }

    /// The union of ascending lists, ascending and without repeats: a merge, with no hashing or sorting
    /// on the per-event path.
    static func union(_ lists: [[Int]]) -> [Int] {
        var positions = Array(repeating: 0, count: lists.count)
        var merged: [Int] = []
        merged.reserveCapacity(lists.reduce(0) { $0 + $1.count })
        while true {
            var smallest: Int?
            for (list, position) in zip(lists, positions) where position < list.count {
                smallest = min(smallest ?? list[position], list[position])
            }
            guard let next = smallest else { return merged }
            merged.append(next)
            for index in lists.indices
            where positions[index] < lists[index].count && lists[index][positions[index]] == next {
                positions[index] += 1
            }
        }
    }
}
