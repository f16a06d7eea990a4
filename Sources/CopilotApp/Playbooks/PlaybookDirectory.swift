public import CopilotCore
public import CopilotPlaybooks
import Foundation

/// Reads the playbook files of a directory (`*.yaml`, `*.yml`, not recursing), or one file.
///
/// Lives in the composition root because only CopilotApp touches the file system (STYLE §B2); the
/// loader in CopilotPlaybooks works on bytes.
public enum PlaybookDirectory {
    /// The playbook files at `path` (a directory or a file), sorted by path. Throws when it cannot be read.
    public static func read(_ path: String) throws -> [PlaybookSource] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: path])
        }
        guard isDirectory.boolValue else {
            return [PlaybookSource(path: path, bytes: Array(try Data(contentsOf: URL(fileURLWithPath: path))))]
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: path)
            .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }
            .filter { !$0.hasPrefix(".") }
            .sorted()
        let base = path.hasSuffix("/") ? path : path + "/"
        return try names.map { name in
            PlaybookSource(path: base + name, bytes: Array(try Data(contentsOf: URL(fileURLWithPath: base + name))))
        }
    }

    /// Reads and loads a directory: the complete valid set, or all diagnostics. Throws only when the
    /// path cannot be read (the CLI's exit code 2).
    public static func load(
        _ path: String,
        with loader: PlaybookLoader = PlaybookLoader()
    ) throws -> Result<
        PlaybookSet, PlaybookLoadFailure
    > {
        loader.loadSet(try read(path))
    }
}
