using System.Net;
using System.Net.Http.Headers;

namespace StatusPlatform.Notify.Channels;

/// <summary>
/// A request body that calls <c>afterEnd</c> once all of it is written and flushed to the connection, before the
/// response is read: the HTTP form of the SMTP rule in <see cref="IChannelSender.SendAsync"/>. A retry of the request
/// by the handler writes the body again and calls it again; the mark it starts is idempotent.
/// </summary>
public sealed class AfterEndContent : HttpContent
{
    private readonly byte[] _body;
    private readonly Action? _afterEnd;

    public AfterEndContent(byte[] body, string mediaType, Action? afterEnd)
    {
        _body = body;
        _afterEnd = afterEnd;
        Headers.ContentType = new MediaTypeHeaderValue(mediaType) { CharSet = "utf-8" };
    }

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        await stream.WriteAsync(_body, cancellationToken);
        // Flushed here rather than by the handler afterwards: the end must be on the wire when the mark is started.
        await stream.FlushAsync(cancellationToken);
        _afterEnd?.Invoke();
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override bool TryComputeLength(out long length)
    {
        length = _body.Length;
        return true;
    }
}
