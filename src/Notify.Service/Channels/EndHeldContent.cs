using System.Net;
using System.Net.Http.Headers;

namespace StatusPlatform.Notify.Channels;

/// <summary>
/// A request body sent with its last byte held back until the delivery is recorded as sent (the HTTP form of the SMTP
/// end-of-data rule in <see cref="IChannelSender.SendAsync"/>). The length is declared, so a receiver waits for that
/// byte: if the recording fails or the process dies before it, the connection closes short and the receiver never has
/// a whole request to act on.
/// </summary>
public sealed class EndHeldContent : HttpContent
{
    private readonly byte[] _body;
    private readonly Func<Task>? _beforeEnd;

    public EndHeldContent(byte[] body, string mediaType, Func<Task>? beforeEnd)
    {
        ArgumentOutOfRangeException.ThrowIfZero(body.Length);
        _body = body;
        _beforeEnd = beforeEnd;
        Headers.ContentType = new MediaTypeHeaderValue(mediaType) { CharSet = "utf-8" };
    }

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        if (_beforeEnd is null)
        {
            await stream.WriteAsync(_body, cancellationToken);
            return;
        }
        await stream.WriteAsync(_body.AsMemory(0, _body.Length - 1), cancellationToken);
        // Flushed, so the receiver holds everything but the last byte while the delivery is recorded.
        await stream.FlushAsync(cancellationToken);
        await _beforeEnd();
        await stream.WriteAsync(_body.AsMemory(_body.Length - 1), cancellationToken);
        await stream.FlushAsync(cancellationToken);
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override bool TryComputeLength(out long length)
    {
        length = _body.Length;
        return true;
    }
}
