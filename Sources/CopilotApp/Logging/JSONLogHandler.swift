import CopilotCore
import CopilotExpressions
import Foundation
public import Logging

/// One JSON object per line on standard error (`log.format: json`), for log shippers.
///
/// Written here because swift-log ships only a text handler and no listed package provides a JSON one.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    public var logLevel: Logger.Level = .info
    private let label: String

    public init(label: String, metadataProvider: Logger.MetadataProvider? = nil) {
        self.label = label
        self.metadataProvider = metadataProvider
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var fields: JSONObject = [
            "timestamp": .string(Date().formatted(.iso8601)),
            "level": .string(event.level.rawValue),
            "message": .string(event.message.description),
            "logger": .string(label),
            "source": .string(event.source),
        ]
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        for (key, value) in merged.sorted(by: { $0.key < $1.key }) { fields[key] = Self.json(value) }
        let line = JSONValue.object(fields).jsonText + "\n"
        FileHandle.standardError.write(Data(line.utf8))
    }

    private static func json(_ value: Logger.Metadata.Value) -> JSONValue {
        switch value {
        case .string(let string): .string(string)
        case .stringConvertible(let convertible): .string(convertible.description)
        case .array(let array): .array(array.map(json))
        case .dictionary(let dictionary): .object(JSONObject(dictionary.mapValues(json)))
        }
    }
}
