public import CopilotExpressions

extension Delivery {
    /// The event a stored delivery stands for, rebuilt from its raw body: what the worker matches and
    /// runs, and what the events API shows. The body was verified and parsed once already, at ingress; a
    /// GitHub form delivery keeps its form encoding, so the `payload` field is read again here.
    /// With `keeping`, the payload holds only that part of the body (the whole body is checked all the
    /// same): an event to match, not to run or show.
    public func event(keeping fields: JSONProjection = .everything) throws(PayloadError) -> Event {
        let mediaType = try MediaType(contentType: headers["content-type"], allowsForm: source == .github)
        return event(payload: try mediaType.payload(of: body, keeping: fields))
    }

    /// The event with `payload` in place of the body's.
    public func event(payload: JSONValue) -> Event {
        Event(
            id: eventID,
            source: source,
            type: type,
            receivedAt: receivedAt,
            deliveryID: deliveryID,
            subject: subject,
            payload: payload
        )
    }
}
