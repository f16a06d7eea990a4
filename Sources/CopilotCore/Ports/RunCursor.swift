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
