import CopilotCore
import CopilotExpressions
import Logging
import Tracing

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension WorkerService {
    /// Claims a batch of stored events, matches each, and records the batch's results with the runs they
    /// start in one store call. Answers how many events were claimed and whether any run may have been
    /// started. Only `unavailable` ends the pass; a batch refused otherwise (a run id already taken) is
    /// logged and left to its lease, to be matched again.
    func matchPendingEvents() async throws(RunStoreError) -> (events: Int, startedRuns: Bool) {
        let configuration = environment.configuration
        // One set for the whole batch: the bodies claimed are those this set listens to, and a reload
        // in between must not match a body-less event against a set that listens to it.
        let set = environment.playbooks.current.set
        let deliveries = try await environment.store.claimEvents(
            owner: configuration.nodeID,
            limit: configuration.eventBatchSize,
            lease: configuration.leaseDuration,
            now: environment.now()
        ) { source, type in set.listens(source: source, type: type) }
        guard !deliveries.isEmpty else { return (0, false) }
        var records: [MatchRecord] = []
        records.reserveCapacity(deliveries.count)
        // What the candidates read of a payload depends on its source and type alone, and a batch holds
        // few of those: one projection each.
        var projections: [EventSource: [String: JSONProjection]] = [:]
        for delivery in deliveries {
            if Task.isCancelled { break }
            var logger = environment.logger
            logger[metadataKey: LogField.eventID] = .string(delivery.eventID.rawValue)
            let projection =
                projections[delivery.source]?[delivery.type]
                ?? set.payloadProjection(source: delivery.source, type: delivery.type)
            projections[delivery.source, default: [:]][delivery.type] = projection
            records.append(matchRecord(for: delivery, in: set, reading: projection, logger: logger))
        }
        do {
            let stored = try await environment.store.recordMatches(records)
            for (record, state) in zip(records, stored) {
                environment.logger.debug(
                    "event matched",
                    metadata: [
                        LogField.eventID: .string(record.eventID.rawValue),
                        "copilot.match.state": .string(state?.rawValue ?? "unknown"),
                        "copilot.match.runs": .stringConvertible(record.runs.count),
                    ]
                )
            }
        } catch .unavailable {
            throw .unavailable
        } catch {
            environment.logger.warning(
                "match results not recorded",
                metadata: [
                    "error.type": .string("\(error)"), "copilot.events.count": .stringConvertible(records.count),
                ]
            )
        }
        return (deliveries.count, records.contains { !$0.runs.isEmpty })
    }

    /// What matching decides for one stored event against `set`: a run per matching playbook (with its
    /// concurrency key, cooldown and a new trace), and why each other playbook looked at does not match.
    /// `projection` is `set.payloadProjection` for the delivery's source and type.
    func matchRecord(
        for delivery: Delivery,
        in set: PlaybookSet,
        reading projection: JSONProjection,
        logger: Logger
    ) -> MatchRecord {
        let at = environment.now()
        // An event no playbook listens to needs no payload: its body is not even parsed, and its trace
        // ends at ingress (most of a busy GitHub organization's deliveries are such events, and parsing
        // was the worker's main cost).
        guard set.listens(source: delivery.source, type: delivery.type) else {
            return MatchRecord(eventID: delivery.eventID, at: at, runs: [], notMatched: [])
        }
        return withSpan(SpanName.playbookMatch, context: TraceContext.continuing(delivery.headers["traceparent"])) {
            span in
            span.attributes[TraceAttribute.eventID] = delivery.eventID.rawValue
            span.attributes[TraceAttribute.eventSource] = delivery.source.rawValue
            span.attributes[TraceAttribute.eventType] = delivery.type
            let record = matchRecord(
                for: delivery,
                in: set,
                reading: projection,
                at: at,
                span: span,
                logger: logger
            )
            span.attributes[TraceAttribute.matchedRuns] = record.runs.count
            return record
        }
    }

    private func matchRecord(
        for delivery: Delivery,
        in set: PlaybookSet,
        reading projection: JSONProjection,
        at: Date,
        span: any Span,
        logger: Logger
    ) -> MatchRecord {
        // Only what the candidates read of the payload is built; the whole body is still checked, so a
        // body that is not JSON is refused here as before. The run parses it whole when it executes.
        let event: Event
        do {
            event = try delivery.event(keeping: projection)
        } catch {
            // Not retried: the stored bytes will not change. Recorded unmatched so it leaves the inbox.
            logger.error("stored event cannot be decoded; recorded as unmatched", metadata: ["error.type": "\(error)"])
            return MatchRecord(eventID: delivery.eventID, at: at, runs: [], notMatched: [])
        }
        // Only the playbooks listening to the event's source and type are looked at and explained: the
        // cost grows with those, not with the set (at 10,000 playbooks, explaining all took 4 ms an
        // event). The events API adds why each other playbook ignores it, from its source and type.
        let result = set.match(event, scope: .candidates)
        // The runs continue this span. Without a tracer they join the sender's trace when the delivery
        // came with a valid `traceparent` (as a child of it), and start a trace of their own otherwise.
        let traceparent =
            TraceContext.traceparent(of: span)
            ?? (delivery.headers["traceparent"].flatMap(TraceParent.init)?.child(random: environment.random)
            ?? TraceParent(random: environment.random)).description
        var runs: [MatchRecord.NewRun] = []
        var notMatched = result.notMatched
        for playbook in result.matched {
            do {
                runs.append(try playbook.newRun(id: newRunID(), for: event, traceparent: traceparent, at: at))
            } catch {
                logger.warning(
                    "concurrency key cannot be rendered; no run started",
                    metadata: ["copilot.playbook": .string(playbook.name.rawValue)]
                )
                notMatched.append(
                    MatchResult.NotMatched(playbook: playbook.name, reason: "concurrency.key: \(error.message)")
                )
            }
        }
        if !runs.isEmpty { environment.recentDeliveries.insert(delivery) }
        return MatchRecord(eventID: event.id, at: at, runs: runs, notMatched: notMatched)
    }

    /// A new run id: a random (version 4) UUID in lowercase, from the injected random source.
    func newRunID() -> RunID {
        RunID(rawValue: RandomUUID.string(using: environment.random))
    }
}
