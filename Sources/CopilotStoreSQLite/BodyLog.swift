import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Where one body is in a `BodyLog`.
struct BodyLocation: Sendable, Hashable {
    var segment: Int
    var offset: Int
    var length: Int
}

/// Why a body could not be written or read.
enum BodyLogError: Error, Sendable, Equatable {
    /// A system call failed; `errno` says why.
    case io(operation: String, errno: Int32)
    /// The location points past the end of its segment, or at a segment that is gone.
    case missing(BodyLocation)
    /// Another process has the log open: two writers would append over each other's bodies.
    case locked(directory: String)
}

/// Delivery bodies, appended to segment files in a directory beside the database (`copilot.db-bodies/`).
///
/// Why not in SQLite: in a WAL database a 28 KB body is written frame by frame into the log, read back
/// and written again into the file by the checkpoint. At ingress's peak those writes were most of the
/// single writer's time, and the cap on accepted deliveries per second. Here the bodies of a batch are
/// one `pwritev` and one `fdatasync`, made inside the inbox transaction before the rows that point at
/// them commit: a committed row's body is always on disk. Bytes written for a batch whose commit then
/// failed are pointed at by nothing and stay as dead space. Segments are never rewritten.
///
/// Written on POSIX calls: no package at hand offers a synchronous positional append with
/// `fdatasync` (NIOFileSystem's calls are async, on its own threads, and this runs inside the writer's
/// transaction on the writer's queue).
final class BodyLog: Sendable {
    /// An open file, closed when the last user lets go: a reader may still be reading the old tail
    /// segment after the writer moved on to a new one.
    final class OpenFile: Sendable {
        let descriptor: Int32

        init(_ descriptor: Int32) { self.descriptor = descriptor }

        deinit { close(descriptor) }
    }

    /// The log's directory, held for this process (`flock` on its `LOCK` file) from before the database
    /// is opened: two processes appending would write over each other's bodies. The kernel lets go when
    /// the file is closed or the process dies.
    final class DirectoryLock: Sendable {
        let directory: String
        private let file: OpenFile

        /// Creates `directory` if needed and locks it, or fails with `.locked` if another process has it.
        init(_ directory: String) throws(BodyLogError) {
            try BodyLog.createDirectory(directory)
            let descriptor = open(directory + "/LOCK", O_RDWR | O_CREAT | O_CLOEXEC, 0o640)
            guard descriptor >= 0 else { throw .io(operation: "open lock", errno: errno) }
            file = OpenFile(descriptor)
            guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
                if errno == EWOULDBLOCK { throw .locked(directory: directory) }
                throw .io(operation: "flock", errno: errno)
            }
            self.directory = directory
        }
    }

    private struct Segment: Sendable {
        var number: Int
        var file: OpenFile
        var descriptor: Int32 { file.descriptor }
    }

    private struct Tail {
        var segment: Segment
        var size: Int
        /// Set after a failed write or sync: the state of those pages is unknown (a later sync may
        /// report success without having written them), so nothing more goes into this segment.
        var failed = false
    }

    /// Segments open for reading: the tail, and the ones read most recently. Readers must not wait for
    /// an append's sync, and a worker lagging behind ingress reads an older segment many times.
    private struct OpenSegments {
        var segments: [Int: (segment: Segment, used: UInt64)] = [:]
        var tail = 0
        var clock: UInt64 = 0

        mutating func get(_ number: Int) -> Segment? {
            guard let entry = segments[number] else { return nil }
            clock += 1
            segments[number]?.used = clock
            return entry.segment
        }

        /// Keeps `segment` open (as the tail if `isTail`), closing the least recently read beyond
        /// `BodyLog.openForReading`; a closed one goes once no reader holds it.
        mutating func keep(_ segment: Segment, isTail: Bool) {
            clock += 1
            segments[segment.number] = (segment, clock)
            if isTail { tail = segment.number }
            while segments.count > BodyLog.openForReading + 1,
                let oldest = segments.filter({ $0.key != tail }).min(by: { $0.value.used < $1.value.used })?.key
            {
                segments[oldest] = nil
            }
        }
    }

    let directory: String
    private let segmentLimit: Int
    private let lock: DirectoryLock
    /// The segment appended to and its size. Held for a whole append: appends come one at a time from
    /// the store's writer queue anyway.
    private let tail: Mutex<Tail>
    private let readable: Mutex<OpenSegments>
    /// How many segments are kept open for reading besides the tail.
    static let openForReading = 8
    /// Whether the database points into segments this directory does not have (it was lost, or restored
    /// from an older copy): the events stored in them have no body.
    let isBehindDatabase: Bool

    /// Opens the log in `lock`'s directory. Appends go to a new segment numbered above every segment on
    /// disk and above `usedSegment`, the highest one the database points into, so a location is never
    /// written twice, whatever happened to the directory; an empty last segment nothing points into
    /// (a restart without deliveries) is used again. `segmentLimit`: a batch starts a new segment once
    /// the current one would pass that many bytes.
    init(lock: DirectoryLock, above usedSegment: Int, segmentLimit: Int = 64 << 20) throws(BodyLogError) {
        self.lock = lock
        directory = lock.directory
        self.segmentLimit = max(1, segmentLimit)
        let highest = try Self.segmentNumbers(in: directory).max() ?? 0
        isBehindDatabase = usedSegment > highest
        var number = max(highest, usedSegment) + 1
        if highest > usedSegment, try Self.size(of: Self.openSegment(highest, in: directory, create: false)) == 0 {
            number = highest
        }
        let segment = try Self.openSegment(number, in: directory)
        tail = Mutex(Tail(segment: segment, size: try Self.size(of: segment)))
        var open = OpenSegments()
        open.keep(segment, isTail: true)
        readable = Mutex(open)
    }

    /// A log of its own in `directory`, for tests.
    convenience init(directory: String, segmentLimit: Int = 64 << 20) throws(BodyLogError) {
        try self.init(lock: DirectoryLock(directory), above: 0, segmentLimit: segmentLimit)
    }

    /// Writes `bodies` one after the other, syncs them, and answers where each one is.
    func append(_ bodies: [[UInt8]]) throws(BodyLogError) -> [BodyLocation] {
        guard !bodies.isEmpty else { return [] }
        return try tail.withLock { tail throws(BodyLogError) -> [BodyLocation] in
            let total = bodies.reduce(0) { $0 + $1.count }
            if tail.failed || (tail.size > 0 && tail.size + total > segmentLimit) {
                let segment = try Self.openSegment(tail.segment.number + 1, in: directory)
                tail = Tail(segment: segment, size: try Self.size(of: segment))
                readable.withLock { $0.keep(segment, isTail: true) }
            }
            var locations: [BodyLocation] = []
            locations.reserveCapacity(bodies.count)
            var offset = tail.size
            for body in bodies {
                locations.append(BodyLocation(segment: tail.segment.number, offset: offset, length: body.count))
                offset += body.count
            }
            do throws(BodyLogError) {
                try Self.write(bodies, to: tail.segment.descriptor, at: tail.size)
                guard fdatasync(tail.segment.descriptor) == 0 else { throw .io(operation: "fdatasync", errno: errno) }
            } catch {
                tail.failed = true
                throw error
            }
            tail.size = offset
            return locations
        }
    }

    /// The body at `location`.
    func read(_ location: BodyLocation) throws(BodyLogError) -> [UInt8] {
        guard location.offset >= 0, location.length >= 0, let segment = try readableSegment(location.segment) else {
            throw .missing(location)
        }
        var bytes = [UInt8](repeating: 0, count: location.length)
        let failure = bytes.withUnsafeMutableBytes { buffer -> BodyLogError? in
            guard let base = buffer.baseAddress else { return nil }  // an empty body
            var count = 0
            while count < location.length {
                let read = pread(
                    segment.descriptor,
                    base + count,
                    location.length - count,
                    off_t(location.offset + count)
                )
                if read < 0, errno == EINTR { continue }
                guard read >= 0 else { return .io(operation: "pread", errno: errno) }
                guard read > 0 else { return .missing(location) }
                count += read
            }
            return nil
        }
        if let failure { throw failure }
        return bytes
    }

    // MARK: - Files

    /// The open segment `number`, opened now if needed; nil if there is no such file.
    private func readableSegment(_ number: Int) throws(BodyLogError) -> Segment? {
        if let open = readable.withLock({ $0.get(number) }) { return open }
        let opened: Segment
        do {
            opened = try Self.openSegment(number, in: directory, create: false)
        } catch .io(_, let code) where code == ENOENT {
            return nil
        }
        return readable.withLock { open in
            if let raced = open.get(number) { return raced }
            open.keep(opened, isTail: false)
            return opened
        }
    }

    /// Writes the buffers in order from `offset`, with as few calls as the kernel allows.
    private static func write(_ bodies: [[UInt8]], to descriptor: Int32, at offset: Int) throws(BodyLogError) {
        var remaining = bodies.filter { !$0.isEmpty }
        var position = offset
        while !remaining.isEmpty {
            // `errno` is read inside: freeing the vectors afterwards may change it.
            let (written, code) = withIOVecs(remaining.prefix(Self.maxVectors)) { vectors in
                let written = pwritev(descriptor, vectors.baseAddress, Int32(vectors.count), off_t(position))
                return (written, errno)
            }
            if written < 0, code == EINTR { continue }
            guard written > 0 else { throw .io(operation: "pwritev", errno: written < 0 ? code : EIO) }
            position += written
            // A short write: drop what was written, keep the unwritten end of a partly written body.
            var done = written
            while done > 0, let first = remaining.first {
                if first.count <= done {
                    done -= first.count
                    remaining.removeFirst()
                } else {
                    remaining[0] = Array(first.dropFirst(done))
                    done = 0
                }
            }
        }
    }

    /// Calls `body` with an `iovec` for each buffer, valid during the call only.
    private static func withIOVecs<R>(
        _ buffers: ArraySlice<[UInt8]>,
        _ body: (UnsafeBufferPointer<iovec>) -> R
    ) -> R {
        let vectors = UnsafeMutableBufferPointer<iovec>.allocate(capacity: buffers.count)
        defer { vectors.deallocate() }
        // Each buffer's address is valid only inside its `withUnsafeBytes`, so the calls nest.
        func fill(_ index: Int) -> R {
            guard index < buffers.count else { return body(UnsafeBufferPointer(vectors)) }
            return buffers[buffers.startIndex + index].withUnsafeBytes { bytes in
                vectors[index] = iovec(
                    iov_base: UnsafeMutableRawPointer(mutating: bytes.baseAddress),
                    iov_len: bytes.count
                )
                return fill(index + 1)
            }
        }
        return fill(0)
    }

    /// `IOV_MAX` on Linux (the C macro is not imported): at most this many buffers per `pwritev`.
    private static let maxVectors = 1024

    private static func path(of number: Int, in directory: String) -> String {
        let digits = String(number)
        return directory + "/" + String(repeating: "0", count: max(0, 8 - digits.count)) + digits + ".log"
    }

    private static func openSegment(
        _ number: Int,
        in directory: String,
        create: Bool = true
    ) throws(BodyLogError)
        -> Segment
    {
        let path = path(of: number, in: directory)
        let flags = create ? O_RDWR | O_CREAT | O_CLOEXEC : O_RDONLY | O_CLOEXEC
        let descriptor = open(path, flags, 0o640)
        guard descriptor >= 0 else { throw .io(operation: "open", errno: errno) }
        let segment = Segment(number: number, file: OpenFile(descriptor))
        // A new file's name must survive power loss as its bytes do.
        if create { try syncDirectory(directory) }
        return segment
    }

    private static func size(of segment: Segment) throws(BodyLogError) -> Int {
        var status = stat()
        guard fstat(segment.descriptor, &status) == 0 else { throw .io(operation: "fstat", errno: errno) }
        return Int(status.st_size)
    }

    /// Creates `directory` and makes its name durable (its parent synced), unless it exists.
    fileprivate static func createDirectory(_ directory: String) throws(BodyLogError) {
        guard mkdir(directory, 0o750) == 0 else {
            guard errno == EEXIST else { throw .io(operation: "mkdir", errno: errno) }
            return
        }
        let parent = directory.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        try syncDirectory(parent.isEmpty ? (directory.hasPrefix("/") ? "/" : ".") : parent)
    }

    private static func syncDirectory(_ directory: String) throws(BodyLogError) {
        let descriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .io(operation: "open directory", errno: errno) }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw .io(operation: "fsync directory", errno: errno) }
    }

    /// The numbers of the segment files in `directory`.
    private static func segmentNumbers(in directory: String) throws(BodyLogError) -> [Int] {
        guard let stream = opendir(directory) else { throw .io(operation: "opendir", errno: errno) }
        defer { closedir(stream) }
        var numbers: [Int] = []
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard name.hasSuffix(".log"), let number = Int(name.dropLast(4)), number > 0 else { continue }
            numbers.append(number)
        }
        return numbers
    }
}
