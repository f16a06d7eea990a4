import Synchronization

#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// The live set of playbooks, swapped atomically at a reload (ARCHITECTURE: "a bad file never takes the
/// good set down").
///
/// Readers take a snapshot (`current`) and match against it without locks; a reload replaces the whole
/// set at once or, when any file is invalid, keeps it and records the problems instead.
public final class PlaybookRegistry: Sendable {
    /// What the registry holds at one moment.
    public struct Snapshot: Sendable {
        public var set: PlaybookSet
        /// When `set` was loaded; nil before the first load.
        public var loadedAt: Date?
        /// The problems of the last reload that was refused; empty after a good one.
        public var problems: [Diagnostic]
    }

    private let state: Mutex<Snapshot>

    public init(_ set: PlaybookSet = PlaybookSet(), loadedAt: Date? = nil) {
        state = Mutex(Snapshot(set: set, loadedAt: loadedAt, problems: []))
    }

    public var current: Snapshot { state.withLock { $0 } }

    /// Replaces the set (a good reload).
    public func install(_ set: PlaybookSet, at date: Date) {
        state.withLock { $0 = Snapshot(set: set, loadedAt: date, problems: []) }
    }

    /// Keeps the set and records why a reload was refused.
    public func refuse(_ problems: [Diagnostic]) {
        state.withLock { $0.problems = problems }
    }
}
