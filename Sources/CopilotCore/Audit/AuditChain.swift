/// Checks an audit log, record after record in sequence order, without holding it whole
/// (`copilot-agent audit verify`): feed it every record, then `finish` with the stored head.
public struct AuditChain: Sendable {
    /// The first place where the log is not what was written.
    public enum Break: Error, Sendable, Hashable, CustomStringConvertible {
        /// The record's fields no longer hash to its stored hash.
        case changed(sequence: Int64)
        /// Records are missing before this one (the numbering skips them).
        case removed(from: Int64, to: Int64)
        /// The record does not point at the one before it: one of them was replaced or moved.
        case unlinked(sequence: Int64)
        /// The head names records that are not there: the newest were removed.
        case truncated(after: Int64, head: Int64)
        /// The head, which names the newest record by number and hash, does not name record `sequence`
        /// as it is: the head was rewritten, or the newest records with it.
        case headMismatch(sequence: Int64)
        /// Records exist after the one the head names (or there is no head at all): the head was moved
        /// back or deleted.
        case headBehind(head: Int64, newest: Int64)

        public var description: String {
            switch self {
            case .changed(let sequence):
                "record \(sequence) was changed: its contents no longer match its hash"
            case .removed(let from, let to) where from == to:
                "record \(from) was removed"
            case .removed(let from, let to):
                "records \(from) to \(to) were removed"
            case .unlinked(let sequence):
                "record \(sequence) does not follow record \(sequence - 1): one of them was replaced or reordered"
            case .truncated(let after, let head):
                "the records after \(after) were removed (the log's head is record \(head))"
            case .headBehind(let head, let newest):
                "the log's head names record \(head) but records up to \(newest) exist: the head was moved back or deleted"
            case .headMismatch(let sequence):
                "the log's head does not name record \(sequence) as it is: the head or the newest records were rewritten"
            }
        }
    }

    private let digest: AuditRecord.Digest
    private var last: AuditRecord?
    /// How many records were checked.
    public private(set) var count = 0

    public init(digest: @escaping AuditRecord.Digest) {
        self.digest = digest
    }

    /// The newest record checked, once there is one.
    public var newest: AuditRecord? { last }

    /// Checks the next record (in sequence order) against itself and against the one before it.
    public mutating func check(_ record: AuditRecord) throws(Break) {
        let expected = (last?.sequence ?? 0) + 1
        if record.sequence > expected { throw .removed(from: expected, to: record.sequence - 1) }
        guard record.sequence == expected else { throw .unlinked(sequence: record.sequence) }
        guard digest(record.canonicalBytes) == record.hash else { throw .changed(sequence: record.sequence) }
        guard record.previousHash == (last?.hash ?? AuditRecord.genesisHash) else {
            throw .unlinked(sequence: record.sequence)
        }
        last = record
        count += 1
    }

    /// Checks that the stored head names the newest record checked, and that no record lies beyond it
    /// (`tip`, read before the walk, in one read with the head).
    public func finish(tip: AuditTip) throws(Break) {
        let newest = last?.sequence ?? 0
        let headSequence = tip.head?.sequence ?? 0
        if tip.newestSequence > headSequence { throw .headBehind(head: headSequence, newest: tip.newestSequence) }
        guard let head = tip.head else { return }
        if head.sequence > newest { throw .truncated(after: newest, head: head.sequence) }
        guard head.sequence == newest, head.hash == last?.hash else { throw .headMismatch(sequence: newest) }
    }
}
