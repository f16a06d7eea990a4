public import Foundation

/// The conformance corpus in `Tests/Fixtures/corpus` (see its README for where each part comes from and its
/// licence): kept in the repository so that a clone tests on its own.
public enum Corpus {
    /// `<repo>/Tests/Fixtures/corpus`, found from this file's location so tests run from any directory.
    public static var directory: URL {
        URL(fileURLWithPath: #filePath)  // <repo>/Sources/CopilotTesting/Corpus.swift
            .deletingLastPathComponent()
            .deletingLastPathComponent()
            .deletingLastPathComponent()
            .appendingPathComponent("Tests/Fixtures/corpus", isDirectory: true)
    }

    /// The files of one corpus folder (`github`, `incident`, …), sorted by name.
    public static func files(in folder: String, withExtension fileExtension: String = "json") throws -> [URL] {
        let folderURL = directory.appendingPathComponent(folder, isDirectory: true)
        return try FileManager.default.contentsOfDirectory(at: folderURL, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == fileExtension }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    /// The bytes of one corpus file, e.g. `bytes("github/push.payload.json")`.
    public static func bytes(_ relativePath: String) throws -> [UInt8] {
        Array(try Data(contentsOf: directory.appendingPathComponent(relativePath)))
    }
}
