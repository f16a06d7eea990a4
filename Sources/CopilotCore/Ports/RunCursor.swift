/// The text of a `RunPage.nextCursor`: the creation position of the last run of a page, which stores
/// keep as a monotonic sequence number. Opaque to clients; a text this type did not write is
/// `RunStoreError.invalidCursor`.
public struct RunCursor: Sendable, Hashable {
    /// Runs created before this position come next.
    public var sequence: Int64

    public init(sequence: Int64) {
        self.sequence = sequence
    }

    /// Reads a cursor text.
    public init(text: String) throws(RunStoreError) {
        guard text.hasPrefix("r"), let sequence = Int64(text.dropFirst(), radix: 36), sequence > 0 else {
            throw .invalidCursor
        }
        self.sequence = sequence
    }

    public var text: String { "r" + String(sequence, radix: 36) }
}

extension RunCursor {
    /// The first `limit` of `items` (newest first, read with one more than a page holds), and the cursor
    /// of the page after them: the last kept item's position, or nil when no item follows.
    public static func page<Item>(
        _ items: some Collection<Item>,
        limit: Int,
        position: (Item) -> Int64
    ) -> (items: [Item], next: String?) {
        let page = Array(items.prefix(limit))
        return (page, items.count > page.count ? page.last.map { RunCursor(sequence: position($0)).text } : nil)
    }
}
