import CopilotExpressions

#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// An audit entry as the log holds it: numbered, and chained to the record before it.
///
/// Each record holds `previousHash`, the SHA-256 of the previous record's canonical bytes (64 zeros
/// for the first), and `hash`, the SHA-256 of its own. The canonical bytes are a JSON array of every
/// stored field in a fixed order, `previousHash` included, with `at` in integer milliseconds and
/// `detail` as its stored text: so a change to any byte of any field, a removed record or two records
/// swapped no longer verify (`AuditChain`). Hashing is the store's (swift-crypto): Core stays free
/// of packages, and the digest comes in as a function.
public struct AuditRecord: Sendable, Hashable {
    /// Consecutive from 1, in the order records were appended.
    public var sequence: Int64
    public var milliseconds: Int64
    public var actor: String
    public var action: AuditAction
    public var target: String
    /// A JSON object of strings, sorted by key (`AuditEntry.detailText`).
    public var detailText: String
    public var previousHash: String
    public var hash: String

    /// `previousHash` of the first record.
    public static let genesisHash = String(repeating: "0", count: 64)

    /// A SHA-256 in lowercase hex, of the given bytes.
    public typealias Digest = @Sendable ([UInt8]) -> String

    /// A record as it was read back: nothing is recomputed.
    public init(
        sequence: Int64,
        milliseconds: Int64,
        actor: String,
        action: AuditAction,
        target: String,
        detailText: String,
        previousHash: String,
        hash: String
    ) {
        self.sequence = sequence
        self.milliseconds = milliseconds
        self.actor = actor
        self.action = action
        self.target = target
        self.detailText = detailText
        self.previousHash = previousHash
        self.hash = hash
    }

    /// The record that appends `entry` after a record numbered `sequence - 1` whose hash is
    /// `previousHash`.
    public init(appending entry: AuditEntry, sequence: Int64, previousHash: String, digest: Digest) {
        self.init(
            sequence: sequence,
            milliseconds: entry.milliseconds,
            actor: entry.actor,
            action: entry.action,
            target: entry.target,
            detailText: entry.detailText,
            previousHash: previousHash,
            hash: ""
        )
        hash = digest(canonicalBytes)
    }

    /// What `hash` is the digest of.
    public var canonicalBytes: [UInt8] {
        var text = #"["copilot-audit/1","#
        text += "\(sequence),\(milliseconds),"
        for field in [actor, action.rawValue, target] {
            text += JSONValue.string(field).jsonText + ","
        }
        // Verbatim, not re-encoded: a stored text that is not even JSON any more must still hash to
        // something other than what was written.
        text += JSONValue.string(detailText).jsonText + "," + JSONValue.string(previousHash).jsonText + "]"
        return Array(text.utf8)
    }

    public var at: Date { Date(timeIntervalSince1970: Double(milliseconds) / 1000) }

    /// `detailText` read back; empty when it is not an object of strings any more.
    public var detail: [String: String] {
        guard let object = (try? JSONValue(parsing: detailText))?.objectValue else { return [:] }
        var detail: [String: String] = [:]
        for (key, value) in object {
            guard let string = value.stringValue else { return [:] }
            detail[key] = string
        }
        return detail
    }
}

/// Where the log's newest record is: kept beside the records, so that removing the newest ones (which
/// no later record points at) is found too.
public struct AuditHead: Sendable, Hashable {
    public var sequence: Int64
    public var hash: String

    public init(sequence: Int64, hash: String) {
        self.sequence = sequence
        self.hash = hash
    }
}

/// The stored head and the highest record number, read together: what a walk of the chain checks its
/// end against. They differ only when one of them was tampered with.
public struct AuditTip: Sendable, Hashable {
    /// Nil when nothing was appended (or the head was deleted).
    public var head: AuditHead?
    /// The highest `sequence` stored; 0 when there is no record.
    public var newestSequence: Int64

    public init(head: AuditHead?, newestSequence: Int64) {
        self.head = head
        self.newestSequence = newestSequence
    }
}
