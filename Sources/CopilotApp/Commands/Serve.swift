import CopilotServer
import Foundation
import Logging
import Metrics
import OTel
import Prometheus
import ServiceLifecycle

/// `copilot-agent serve`: load and check the configuration, bootstrap logging once, run the service
/// group until SIGTERM/SIGINT. Returns the process exit code; messages go to standard error.
public enum Serve {
    public static func run(configurationPath: String, dev: Bool, environment: [String: String]) async -> Int32 {
        let configuration: AppConfiguration
        do {
            configuration = try ConfigurationLoader.load(path: configurationPath, environment: environment)
        } catch {
            printError(error.report)
            return 2
        }
        for warning in configuration.warnings { printError(warning.configurationDescription) }
        bootstrapLogging(configuration.log)
        let metrics = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: metrics))
        let logger = Logger(label: "copilot-agent")

        let devSecrets: DevSecrets?
        do {
            devSecrets = dev ? try DevSecrets.loadOrCreate(at: DevSecrets.defaultPath) : nil
        } catch {
            printError("error: cannot create \(DevSecrets.defaultPath): \(error.localizedDescription)")
            return 1
        }
        var serveEnvironment = ServeEnvironment(
            variables: environment,
            devSecrets: devSecrets,
            metricsText: { MetricHelp.annotate(metrics.emitToString()) },
            onServerRunning: { port in
                if let devSecrets { printDevBanner(devSecrets, host: configuration.server.host, port: port) }
            }
        )
        do {
            serveEnvironment.telemetry = try TracingBackend.bootstrap(
                observatory: configuration.integrations.observatory,
                environment: environment,
                nodeID: serveEnvironment.nodeID,
                shutdownGrace: .seconds(configuration.server.shutdownGraceSeconds),
                logger: logger
            )
        } catch {
            printError("error: integrations.observatory (or OTEL_*): \(error)")
            return 2
        }
        do {
            try await configuration.storage.withStore(environment: environment, logger: logger) { store in
                let group = try await buildServiceGroup(
                    configuration: configuration,
                    environment: serveEnvironment,
                    store: store,
                    logger: logger
                )
                try await group.run()
            }
            return 0
        } catch let error as ConfigurationError {
            printError(error.report)
            return 2
        } catch let error as ServiceStoreError {
            printError("error: \(error.description)")
            return 2
        } catch ServeError.invalidPlaybooks(let problems) {
            printError(ServeError.invalidPlaybooks(problems).description)
            return 1
        } catch {
            printError("error: \(error)")
            return 1
        }
    }

    private static func printDevBanner(_ secrets: DevSecrets, host: String, port: Int) {
        let banner = """
            Development mode: webhook secrets for github, incident, alertmanager and pagerduty are in \
            \(DevSecrets.defaultPath).
            Send a signed GitHub delivery (run it twice to see de-duplication):

            \(secrets.curlExample(baseURL: "http://\(host):\(port)"))

            The operator API needs a key; this admin key (development only) is in the same file:

            curl -sS http://\(host):\(port)/api/v1/runs -H 'Authorization: Bearer \(secrets.adminKey)'


            """
        FileHandle.standardOutput.write(Data(banner.utf8))
    }

    /// Every line written inside a span carries its `trace_id` and `span_id` (swift-otel's metadata
    /// provider; nothing without a tracer).
    private static func bootstrapLogging(_ settings: LogConfiguration) {
        let spans = OTel.makeLoggingMetadataProvider()
        LoggingSystem.bootstrap { label in
            var handler: any LogHandler =
                switch settings.format {
                case .text: StreamLogHandler.standardError(label: label, metadataProvider: spans)
                case .json: JSONLogHandler(label: label, metadataProvider: spans)
                }
            handler.logLevel = settings.level
            return handler
        }
    }
}

/// Diagnostics go to standard error; standard output is for what a command produces.
func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}
