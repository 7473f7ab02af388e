using StatusPlatform.Notify.Deliveries;

namespace StatusPlatform.Notify.Channels;

/// <summary>Sends one claimed delivery on its channel; returns the receiver's answer for the record.</summary>
public interface IChannelSender
{
    IReadOnlyList<string> Channels { get; }

    /// <summary>Where the delivery goes, as the circuit breaker counts it (one breaker per destination).</summary>
    string Destination(DeliveryToSend delivery);

    /// <summary>
    /// Sends the delivery. <paramref name="afterEnd"/>, when given, is called the moment the last byte has been handed
    /// to the connection (SMTP: the closing "." of the data; HTTP: the end of the body), before the receiver's answer
    /// is read. The caller starts recording the delivery as sent there, so that between the message being complete at
    /// the receiver and its record leaving for the database there are two system calls, not a round trip.
    /// </summary>
    Task<string> SendAsync(DeliveryToSend delivery, Action? afterEnd, CancellationToken ct);
}

/// <summary>
/// A failed send, classified: <see cref="Permanent"/> will not change on retry (a 4xx, a bad mailbox, a refused
/// target); <see cref="BlameSubscriber"/> means the subscriber's end failed, which counts towards its quarantine
/// (an SMTP server or SMS provider being down is not the subscriber's fault).
/// </summary>
public sealed class DeliveryException(string message, bool permanent, bool blameSubscriber, Exception? inner = null)
    : Exception(message, inner)
{
    public bool Permanent => permanent;

    public bool BlameSubscriber => blameSubscriber;
}
