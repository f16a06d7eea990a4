public import CopilotExpressions

extension Playbook {
    /// The payload paths that matching an event of `source` against this playbook can read, and whatever
    /// each reaches: its trigger's `match:` paths, and what its `if:` and its concurrency key read below
    /// `event.payload`. The empty path stands for the whole payload (`toJSON(event)`, a computed index).
    func payloadPaths(for source: EventSource) -> [[String]] {
        guard let trigger = trigger(for: source) else { return [] }
        var paths = trigger.conditions.map(\.path.leadingKeys)
        for template in [condition, concurrency?.key].compactMap(\.self) {
            for path in template.paths(below: "event") {
                // `event.subject` and the like are not the payload; `event` itself holds all of it.
                guard let first = path.first else {
                    paths.append([])
                    continue
                }
                if CaseInsensitive.equals(first, "payload") { paths.append(Array(path.dropFirst())) }
            }
        }
        return paths
    }
}

extension PlaybookSet {
    /// What matching an event of `source` and `type` reads of its payload: the paths its candidates
    /// read (`Playbook.payloadPaths(for:)`), members kept whatever their case, as expressions find them.
    /// Matching such an event on a payload read with this projection decides as on the whole payload.
    public func payloadProjection(source: EventSource, type: String) -> JSONProjection {
        var paths: [[String]] = []
        for position in index.candidates(source: source, type: type) {
            paths += plan.payloadPaths(of: position, for: source)
        }
        return JSONProjection(paths: paths, ignoringCase: true)
    }
}
