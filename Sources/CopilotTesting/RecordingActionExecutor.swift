public import CopilotCore
import CopilotExpressions
import Synchronization

/// An `ActionExecutor` for engine tests: records every request, answers scripted outcomes per step or
/// action (default: success with no outputs), and can hold a step until the test releases it or delay it.
///
/// A held or delayed request whose task is cancelled answers `ActionFailure.cancelled` promptly, as the
/// port requires. Thread-safe: its state sits behind a `Mutex`.
public final class RecordingActionExecutor: ActionExecutor {
    private struct Waiter {
        var step: String
        var continuation: CheckedContinuation<Void, Never>
    }

    private struct State {
        var requests: [ActionRequest] = []
        /// Keyed by step id or action name; consumed in order, the last one stays.
        var scripts: [String: [ActionOutcome]] = [:]
        var held: Set<String> = []
        var delays: [String: Duration] = [:]
        var waiters: [Int: Waiter] = [:]
        var cancelledWaiters: Set<Int> = []
        var nextWaiter = 0
    }

    private let state = Mutex(State())

    public init() {}

    /// Every request received, in order.
    public var requests: [ActionRequest] { state.withLock { $0.requests } }

    /// The requests for one step, in order.
    public func requests(step: String) -> [ActionRequest] {
        state.withLock { $0.requests.filter { $0.stepID.rawValue == step } }
    }

    /// Answers the requests of a step with these outcomes, one per request; the last one stays.
    public func answer(step: String, with outcomes: ActionOutcome...) {
        state.withLock { $0.scripts["step:\(step)"] = outcomes }
    }

    /// Answers the requests of an action (every step using it) with these outcomes; the last one stays.
    /// A script for the step wins over one for its action.
    public func answer(action: ActionName, with outcomes: ActionOutcome...) {
        state.withLock { $0.scripts["action:\(action.rawValue)"] = outcomes }
    }

    /// Holds every request of the step (received after this call) until `release(step:)`.
    public func hold(step: String) {
        _ = state.withLock { $0.held.insert(step) }
    }

    /// Lets the held requests of the step go on, and the later ones pass.
    public func release(step: String) {
        let released = state.withLock { state in
            state.held.remove(step)
            let ids = state.waiters.filter { $0.value.step == step }.map(\.key)
            return ids.compactMap { state.waiters.removeValue(forKey: $0)?.continuation }
        }
        for continuation in released { continuation.resume() }
    }

    /// Makes every request of the step take this long before it answers.
    public func delay(step: String, by duration: Duration) {
        state.withLock { $0.delays[step] = duration }
    }

    public func execute(_ request: ActionRequest) async -> ActionOutcome {
        let step = request.stepID.rawValue
        let (held, delay) = state.withLock { state in
            state.requests.append(request)
            return (state.held.contains(step), state.delays[step])
        }
        if held { await waitForRelease(of: step) }
        if let delay { try? await Task.sleep(for: delay) }
        if Task.isCancelled { return .failed(.cancelled) }
        return state.withLock { state in
            for key in ["step:\(step)", "action:\(request.action.rawValue)"] {
                guard var outcomes = state.scripts[key], let first = outcomes.first else { continue }
                if outcomes.count > 1 {
                    outcomes.removeFirst()
                    state.scripts[key] = outcomes
                }
                return first
            }
            return .succeeded(outputs: [:])
        }
    }

    /// Suspends until the step is released or the task is cancelled.
    private func waitForRelease(of step: String) async {
        let id = state.withLock { state in
            defer { state.nextWaiter += 1 }
            return state.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state in
                    if !state.held.contains(step) || state.cancelledWaiters.contains(id) { return true }
                    state.waiters[id] = Waiter(step: step, continuation: continuation)
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let continuation = state.withLock { state in
                state.cancelledWaiters.insert(id)
                return state.waiters.removeValue(forKey: id)?.continuation
            }
            continuation?.resume()
        }
    }
}
