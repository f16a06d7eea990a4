import AsyncHTTPClient
import CopilotCore
import CopilotExpressions
public import CopilotPlaybooks
import CopilotWebhooks
import Foundation
import Logging

/// The names `--source` accepts.
public enum SourceName {
    public static let allNames = EventSource.allCases.map(\.rawValue)
}

/// The authoring tools of CONTRACT §3: `playbook validate`, `playbook test`, `playbook schema`. Each
/// returns the process exit code; results go to standard output, diagnostics to standard error (except
/// `validate`, whose diagnostics are its result).
public enum PlaybookTools {
    /// The configuration the tools use: `--config FILE`, else `Config/copilot.yaml` when it exists, else
    /// none (then only built-in actions are known). Nil with a message printed when it is invalid.
    static func configuration(
        path: String?,
        environment: [String: String]
    ) -> (configuration: AppConfiguration?, failed: Bool) {
        let defaultPath = "Config/copilot.yaml"
        guard let chosen = path ?? (FileManager.default.fileExists(atPath: defaultPath) ? defaultPath : nil) else {
            return (nil, false)
        }
        do {
            return (try ConfigurationLoader.load(path: chosen, environment: environment), false)
        } catch {
            printError(error.report)
            return (nil, true)
        }
    }

    /// Exit 0 when every file is valid, 1 when any has a problem, 2 when a path cannot be read.
    public static func validate(paths: [String], configurationPath: String?, environment: [String: String]) -> Int32 {
        let (configuration, failed) = Self.configuration(path: configurationPath, environment: environment)
        if failed { return 2 }
        let loader = configuration?.playbookLoader ?? PlaybookLoader()
        let targets = paths.isEmpty ? [configuration?.playbooks.directory ?? "Playbooks"] : paths
        var sources: [PlaybookSource] = []
        for path in targets {
            do {
                sources += try PlaybookDirectory.read(path)
            } catch {
                printError("\(path): error: cannot read this file or directory")
                return 2
            }
        }
        switch loader.loadSet(sources) {
        case .success(let set):
            printError("\(set.count) playbook\(set.count == 1 ? "" : "s") valid")
            return 0
        case .failure(let failure):
            print(failure.diagnostics.sorted().map(\.description).joined(separator: "\n"))
            return failure.diagnostics.containsErrors ? 1 : 0
        }
    }

    /// Exit 0 when some playbook matches, 1 when none does, 2 when the event or playbooks cannot be used.
    /// With `planner`, each matched playbook with `agent:` is also planned by the configured model.
    public static func test(
        eventFile: String,
        sourceName: String,
        type: String?,
        playbooksDirectory: String?,
        configurationPath: String?,
        json: Bool,
        planner: Bool = false,
        environment: [String: String]
    ) async -> Int32 {
        guard let source = EventSource(rawValue: sourceName) else {
            printError("error: --source must be one of \(SourceName.allNames.joined(separator: ", "))")
            return 2
        }
        let (configuration, failed) = Self.configuration(path: configurationPath, environment: environment)
        if failed { return 2 }
        guard let bytes = FileManager.default.contents(atPath: eventFile) else {
            printError("\(eventFile): error: cannot read the event file")
            return 2
        }
        guard let payload = try? JSONValue(parsing: Array(bytes)) else {
            printError("\(eventFile): error: the event file is not JSON")
            return 2
        }
        let event: Event
        do {
            event = try Event.unverified(source: source, payload: payload, type: type)
        } catch {
            let hint = source == .github ? " (GitHub events need --type, e.g. --type pull_request)" : ""
            printError("\(eventFile): error: not a \(source.rawValue) payload: required fields are missing\(hint)")
            return 2
        }
        let directory = playbooksDirectory ?? configuration?.playbooks.directory ?? "Playbooks"
        let set: PlaybookSet
        do {
            switch (configuration?.playbookLoader ?? PlaybookLoader()).loadSet(try PlaybookDirectory.read(directory)) {
            case .success(let loaded): set = loaded
            case .failure(let failure):
                printError(failure.diagnostics.sorted().map(\.description).joined(separator: "\n"))
                return 2
            }
        } catch {
            printError("\(directory): error: cannot read the playbook directory")
            return 2
        }
        let report = PlaybookDryRun.run(event, against: set)
        guard planner else {
            print(json ? (report.jsonValue.prettyJSONText() ?? report.jsonValue.jsonText) : report.text)
            return report.exitCode
        }
        guard let configuration else {
            printError("error: --planner needs a configuration with agent.provider anthropic or openai")
            return 2
        }
        let client = HTTPClientService.makeClient()
        let planned: Result<[PlannerDryRun.Outcome], PlannerUnavailable>
        do {
            planned = .success(
                try await PlannerDryRun.run(
                    event,
                    matched: report.matched.compactMap { set[$0.playbook] },
                    configuration: configuration,
                    environment: environment,
                    client: client,
                    logger: Logger(label: "copilot-agent.playbook-test")
                )
            )
        } catch {
            planned = .failure(error)
        }
        try? await client.shutdown()
        guard case .success(let outcomes) = planned else {
            if case .failure(let error) = planned { printError("error: \(error)") }
            return 2
        }
        if json {
            var object = report.jsonValue.objectValue ?? [:]
            object["planner"] = PlannerDryRun.jsonValue(outcomes)
            print(JSONValue.object(object).prettyJSONText() ?? JSONValue.object(object).jsonText)
        } else {
            print(report.text + "\n" + PlannerDryRun.text(outcomes))
        }
        return report.exitCode
    }

    /// The JSON Schema of a playbook file, with the configuration's presets when there is one.
    public static func schema(configurationPath: String?, environment: [String: String]) -> Int32 {
        let (configuration, failed) = Self.configuration(path: configurationPath, environment: environment)
        if failed { return 2 }
        print(schemaText(loader: configuration?.playbookLoader ?? PlaybookLoader()))
        return 0
    }

    /// The schema as committed in `Config/playbook.schema.json`.
    public static func schemaText(loader: PlaybookLoader) -> String {
        let schema = PlaybookSchema.jsonSchema(catalogue: loader.catalogue)
        return schema.prettyJSONText() ?? schema.jsonText
    }
}
