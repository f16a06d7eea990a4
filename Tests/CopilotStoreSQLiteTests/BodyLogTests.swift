import Foundation
import Testing

@testable import CopilotStoreSQLite

@Suite(.timeLimit(.minutes(1)))
struct BodyLogTests {
    /// A fresh directory under the temporary directory, removed after `body`.
    func withDirectory(_ body: (String) throws -> Void) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bodies-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        try body(directory.path)
    }

    func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    func segmentFiles(in directory: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
    }

    @Test("a batch's bodies come back from where the log says they are, the empty one included")
    func roundTrip() throws {
        try withDirectory { directory in
            let log = try BodyLog(directory: directory)
            let bodies = [bytes(#"{"a":1}"#), [], bytes(String(repeating: "x", count: 70_000)), bytes("{}")]
            let locations = try log.append(bodies)
            #expect(locations.map(\.length) == bodies.map(\.count))
            #expect(locations.map(\.offset) == [0, 7, 7, 70_007])
            for (location, body) in zip(locations, bodies) {
                #expect(try log.read(location) == body)
            }
            let next = try log.append([bytes("later")])
            #expect(next == [BodyLocation(segment: 1, offset: 70_009, length: 5)])
        }
    }

    @Test("a batch that would pass the segment limit starts a new segment; old ones stay readable")
    func segments() throws {
        try withDirectory { directory in
            let log = try BodyLog(directory: directory, segmentLimit: 10)
            let first = try log.append([bytes("12345678")])
            let second = try log.append([bytes("abcdef")])  // 8 + 6 > 10
            let third = try log.append([bytes(String(repeating: "y", count: 25))])  // larger than a segment
            #expect(first[0].segment == 1)
            #expect(second[0] == BodyLocation(segment: 2, offset: 0, length: 6))
            #expect(third[0] == BodyLocation(segment: 3, offset: 0, length: 25))
            #expect(try log.read(first[0]) == bytes("12345678"))
            #expect(try log.read(second[0]) == bytes("abcdef"))
            #expect(try segmentFiles(in: directory) == ["00000001.log", "00000002.log", "00000003.log", "LOCK"])
        }
    }

    @Test("bodies in many segments read back in any order, more segments than are kept open")
    func manySegments() throws {
        try withDirectory { directory in
            let log = try BodyLog(directory: directory, segmentLimit: 1)
            let bodies = (1...20).map { bytes("body \($0)") }
            let locations = try bodies.map { try log.append([$0])[0] }
            #expect(locations.map(\.segment) == Array(1...20))
            for index in (bodies.indices.reversed() + bodies.indices).shuffled() {
                #expect(try log.read(locations[index]) == bodies[index])
            }
        }
    }

    @Test("reopened, the log appends to a new segment, never after bytes whose fate it does not know")
    func reopen() throws {
        try withDirectory { directory in
            let kept: BodyLocation
            do {
                let log = try BodyLog(directory: directory)
                kept = try log.append([bytes("first")])[0]
            }
            // What a crash between the log's sync and the rows' commit leaves: bytes nothing points at.
            let handle = try #require(FileHandle(forWritingAtPath: directory + "/00000001.log"))
            try handle.seekToEnd()
            try handle.write(contentsOf: Data("orphan".utf8))
            try handle.close()

            let reopened = try BodyLog(directory: directory)
            let next = try reopened.append([bytes("second")])[0]
            #expect(next == BodyLocation(segment: 2, offset: 0, length: 6))
            #expect(try reopened.read(kept) == bytes("first"))
            #expect(try reopened.read(next) == bytes("second"))
        }
    }

    @Test("an empty last segment is used again: restarts without deliveries leave no files behind")
    func emptySegmentReused() throws {
        try withDirectory { directory in
            for _ in 0..<3 { _ = try BodyLog(directory: directory) }
            #expect(try segmentFiles(in: directory) == ["00000001.log", "LOCK"])
            let location = try BodyLog(directory: directory).append([bytes("x")])[0]
            #expect(location == BodyLocation(segment: 1, offset: 0, length: 1))
        }
    }

    @Test("a log behind its database starts above the segments the database points into")
    func aboveTheDatabase() throws {
        try withDirectory { directory in
            // The database points into segment 5; this directory lost everything (or is an old copy).
            let log = try BodyLog(lock: BodyLog.DirectoryLock(directory), above: 5)
            #expect(log.isBehindDatabase)
            #expect(try log.append([bytes("new")])[0] == BodyLocation(segment: 6, offset: 0, length: 3))
            #expect(throws: BodyLogError.missing(BodyLocation(segment: 5, offset: 0, length: 3))) {
                try log.read(BodyLocation(segment: 5, offset: 0, length: 3))
            }
        }
    }

    @Test("reading past a segment's end or from a segment that is gone answers missing")
    func missing() throws {
        try withDirectory { directory in
            let log = try BodyLog(directory: directory)
            _ = try log.append([bytes("short")])
            let pastEnd = BodyLocation(segment: 1, offset: 2, length: 10)
            #expect(throws: BodyLogError.missing(pastEnd)) { try log.read(pastEnd) }
            let gone = BodyLocation(segment: 9, offset: 0, length: 3)
            #expect(throws: BodyLogError.missing(gone)) { try log.read(gone) }
        }
    }

    @Test("one log per directory at a time: a second opener is refused until the first lets go")
    func locked() throws {
        try withDirectory { directory in
            var first: BodyLog? = try BodyLog(directory: directory)
            #expect(throws: BodyLogError.locked(directory: directory)) { try BodyLog(directory: directory) }
            _ = try first?.append([bytes("kept")])
            first = nil
            let second = try BodyLog(directory: directory)
            #expect(try second.append([bytes("next")])[0] == BodyLocation(segment: 2, offset: 0, length: 4))
        }
    }

    @Test("a segment that cannot be created fails the append, and the log goes on once it can")
    func failedAppend() throws {
        try withDirectory { directory in
            let log = try BodyLog(directory: directory, segmentLimit: 4)
            _ = try log.append([bytes("full")])
            // The next batch needs a new segment file, and its directory is gone.
            try FileManager.default.removeItem(atPath: directory)
            #expect(throws: BodyLogError.self) { try log.append([bytes("lost")]) }
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
            let location = try log.append([bytes("kept")])[0]
            #expect(try log.read(location) == bytes("kept"))
            #expect(location.offset == 0)
        }
    }
}
