public import CopilotCore

extension Delivery {
    /// The event a stored delivery stands for, rebuilt from its raw body: what the worker matches and
    /// runs. The body was verified and parsed once already, at ingress; a GitHub form delivery keeps its
    /// form encoding, so the `payload` field is read again here.
    public func event() throws(WebhookError) -> Event {
        let mediaType = try MediaType(contentType: headers["content-type"], allowsForm: source == .github)
        let payload =
            switch mediaType {
            case .json: try WebhookReceiver.parseJSON(body)
            case .form: try WebhookReceiver.parseJSON(try FormBody.payload(in: body))
            }
        return Event(
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
