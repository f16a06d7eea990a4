public import CopilotCore

/// Turns playbook files into a `PlaybookSet`, or into every problem they have.
///
/// Pure: it is given the files' bytes (CopilotApp's `PlaybookDirectory` reads a directory). A set is returned only
/// when every file is valid and names are unique across the set, so a reload can keep the running set
/// when anything is wrong.
public struct PlaybookLoader: Sendable {
    /// The actions steps may use: built-ins plus the config's presets.
    public var catalogue: ActionCatalogue
    /// `rbac.service_accounts`: `run_as` must name one of them (when any is configured), and a step its
    /// account may never use is a warning.
    public var serviceAccounts: ServiceAccountPolicy

    public init(catalogue: ActionCatalogue = .builtIn, serviceAccounts: ServiceAccountPolicy = .unrestricted) {
        self.catalogue = catalogue
        self.serviceAccounts = serviceAccounts
    }

    /// One file's result: the playbook when the file is valid, and its diagnostics sorted.
    public struct FileResult: Sendable {
        public var file: String
        public var playbook: Playbook?
        public var diagnostics: [Diagnostic]
        /// The name as written and where, even when the file has other problems (for uniqueness checks).
        public var name: PlaybookName?
        public var namePosition: YAMLPosition?
    }

    /// Loads one playbook file.
    public func load(file: String, bytes: some Collection<UInt8>) -> FileResult {
        let document = YAMLDocument(file: file, bytes: bytes)
        let context = YAMLReadContext(document: document)
        let parser = PlaybookParser(context: context, catalogue: catalogue, serviceAccounts: serviceAccounts)
        let parsed = parser.parse(document.root)
        return FileResult(
            file: file,
            playbook: context.hasErrors ? nil : parsed.playbook,
            diagnostics: context.diagnostics.sorted(),
            name: parsed.name,
            namePosition: parsed.namePosition
        )
    }

    /// Loads one playbook from text (the API's `POST /api/v1/playbooks/validate` body).
    public func load(file: String, text: String) -> FileResult {
        load(file: file, bytes: Array(text.utf8))
    }

    /// Loads a whole set: every file, then names unique across the set (a repeated name is reported at
    /// each later file's `name:`, files taken by path). Either the complete valid set or all
    /// diagnostics, sorted by file, line and column.
    public func loadSet(_ files: [PlaybookSource]) -> Result<PlaybookSet, PlaybookLoadFailure> {
        let results = files.sorted { $0.path < $1.path }.map { load(file: $0.path, bytes: $0.bytes) }
        var diagnostics = results.flatMap(\.diagnostics)
        var firstFile: [PlaybookName: String] = [:]
        for result in results {
            guard let name = result.name else { continue }
            if let first = firstFile[name] {
                let position = result.namePosition ?? .start
                diagnostics.append(
                    Diagnostic(
                        file: result.file,
                        line: position.line,
                        column: position.column,
                        message: "duplicate playbook name '\(name)' (also in \(first))"
                    )
                )
            } else {
                firstFile[name] = result.file
            }
        }
        guard !diagnostics.containsErrors else {
            return .failure(PlaybookLoadFailure(diagnostics: diagnostics.sorted()))
        }
        return .success(PlaybookSet(results.compactMap(\.playbook)))
    }
}

/// One playbook file to load: the path diagnostics name, and its bytes.
public struct PlaybookSource: Sendable, Hashable {
    public var path: String
    public var bytes: [UInt8]

    public init(path: String, bytes: [UInt8]) {
        self.path = path
        self.bytes = bytes
    }

    public init(path: String, text: String) {
        self.init(path: path, bytes: Array(text.utf8))
    }
}

/// Why a set of playbooks was refused: every problem of every file, sorted.
public struct PlaybookLoadFailure: Error, Sendable, Hashable {
    public var diagnostics: [Diagnostic]

    public init(diagnostics: [Diagnostic]) {
        self.diagnostics = diagnostics
    }
}
