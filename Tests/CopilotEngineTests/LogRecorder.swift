import Logging
import Synchronization

/// Collects log messages with their metadata, so tests can wait for a worker to reach a point.
final class LogRecorder: Sendable {
    struct Entry: Sendable {
        var level: Logger.Level
        var message: String
        var metadata: Logger.Metadata
    }

    private let entries = Mutex<[Entry]>([])

    var messages: [String] { entries.withLock { $0.map(\.message) } }
    var all: [Entry] { entries.withLock { $0 } }

    func logger(_ label: String = "copilot.engine.test") -> Logger {
        Logger(label: label) { _ in Handler(recorder: self) }
    }

    fileprivate func append(_ entry: Entry) {
        entries.withLock { $0.append(entry) }
    }

    private struct Handler: LogHandler {
        let recorder: LogRecorder
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            var merged = metadata
            merged.merge(event.metadata ?? [:]) { _, new in new }
            recorder.append(Entry(level: event.level, message: event.message.description, metadata: merged))
        }
    }
}
