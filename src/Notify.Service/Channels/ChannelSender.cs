using StatusPlatform.Notify.Deliveries;

namespace StatusPlatform.Notify.Channels;

/// <summary>Sends one claimed delivery on its channel; returns the receiver's answer for the record.</summary>
public interface IChannelSender
{
    IReadOnlyList<string> Channels { get; }

    /// <summary>Where the delivery goes, as the circuit breaker counts it (one breaker per destination).</summary>
    string Destination(DeliveryToSend delivery);

    /// <summary>
    /// Sends the delivery. <paramref name="beforeEnd"/>, when given, is awaited at the send's point of no return: every
    /// byte but the last is with the receiver (SMTP: the message before its closing "."; HTTP: the body but its last
    /// byte), so a receiver that never sees the end drops what it got. The caller records the delivery as sent there;
    /// if that fails, the sender abandons the connection and nothing was delivered.
    /// </summary>
    Task<string> SendAsync(DeliveryToSend delivery, Func<Task>? beforeEnd, CancellationToken ct);
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
