import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// An OTLP/HTTP trace receiver for `Benchmarks/ingress/run.sh TELEMETRY=on`: reads each export request
/// whole and answers it as a Collector does (200, an empty `ExportTraceServiceResponse`), without
/// keeping anything, so a long benchmark does not fill its memory. It prints the requests and bytes it
/// received when stopped.
enum OTLPSink {
    static func serve(port: Int) async throws {
        var logger = Logger(label: "otlp-sink")
        logger.logLevel = .warning
        let received = Received()
        let router = Router()
        router.post("/v1/traces") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 64 * 1024 * 1024)
            await received.add(body.readableBytes)
            var headers = HTTPFields()
            headers[.contentType] = "application/x-protobuf"
            return Response(status: .ok, headers: headers)
        }
        let application = Application(
            router: router,
            configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: port)),
            logger: logger
        )
        try await application.runService()
        let (requests, bytes) = await received.totals
        print("otlp-sink: \(requests) export requests, \(bytes) bytes")
    }

    private actor Received {
        private(set) var totals = (requests: 0, bytes: 0)

        func add(_ bytes: Int) {
            totals.requests += 1
            totals.bytes += bytes
        }
    }
}
