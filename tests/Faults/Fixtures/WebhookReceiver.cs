using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace StatusPlatform.Faults.Fixtures;

/// <summary>
/// A webhook request as the receiver saw it: <see cref="Complete"/> when its whole declared body arrived, otherwise cut
/// off (the connection closed first) and dropped, as any HTTP server drops a request shorter than its Content-Length.
/// <see cref="BodyTime"/> runs from its headers to the end of its body (or the cut).
/// </summary>
public sealed record ReceivedWebhook(string Path, string DeliveryId, bool Complete, long Bytes, long? ContentLength, long Sequence, TimeSpan BodyTime, DateTimeOffset EndedAt);

/// <summary>
/// The webhook subscribers' end: Kestrel on 127.0.0.1 (a port of its own) that counts a request only once its whole
/// body is in, and answers 200 after <see cref="AnswerDelay"/>, so that sends are in flight when their sender dies.
/// Requests cut off are recorded too, with the delivery id they carried, so a test can tell what a receiver acted on
/// from what it dropped.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    public const string DeliveryHeader = "X-StatusPlatform-Delivery";

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedWebhook> _received = new();
    private readonly Lock _gate = new();
    private readonly List<(int Count, TaskCompletionSource Reached)> _waiting = [];
    private long _sequence;
    private int _complete;
    private int _inProgress;

    private WebhookReceiver(WebApplication app, TimeSpan answerDelay)
    {
        _app = app;
        AnswerDelay = answerDelay;
    }

    public TimeSpan AnswerDelay { get; }

    public Uri BaseUri { get; private set; } = null!;

    /// <summary>Requests whose headers arrived and whose body has not ended yet, either way.</summary>
    public int InProgress => Volatile.Read(ref _inProgress);

    /// <summary>Requests whose whole body arrived: what the receiver acted on, in arrival order.</summary>
    public IReadOnlyList<ReceivedWebhook> Complete => [.. _received.Where(r => r.Complete).OrderBy(r => r.Sequence)];

    /// <summary>Requests whose connection closed before their body ended: dropped, never acted on.</summary>
    public IReadOnlyList<ReceivedWebhook> CutOff => [.. _received.Where(r => !r.Complete).OrderBy(r => r.Sequence)];

    public string Url(string path) => new Uri(BaseUri, path.TrimStart('/')).ToString();

    public static async Task<WebhookReceiver> StartAsync(TimeSpan answerDelay)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new WebhookReceiver(app, answerDelay);
        app.Run(receiver.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver.BaseUri = new Uri(address.TrimEnd('/') + "/");
        return receiver;
    }

    /// <summary>Completes as soon as <paramref name="count"/> complete requests are in (from the request that makes it so).</summary>
    public Task CompleteAtLeastAsync(int count)
    {
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
            _waiting.Add((count, reached));
        if (Volatile.Read(ref _complete) >= count)
            reached.TrySetResult();
        return reached.Task;
    }

    private async Task HandleAsync(HttpContext context)
    {
        Interlocked.Increment(ref _inProgress);
        var started = Stopwatch.GetTimestamp();
        var path = context.Request.Path.Value ?? "";
        var delivery = context.Request.Headers[DeliveryHeader].ToString();
        var declared = context.Request.ContentLength;
        long bytes = 0;
        var complete = false;
        try
        {
            var buffer = new byte[4096];
            int read;
            while ((read = await context.Request.Body.ReadAsync(buffer, context.RequestAborted)) > 0)
                bytes += read;
            // Kestrel ends a Content-Length body only at its length; the comparison keeps a chunked one out of the count.
            complete = declared == bytes;
        }
        catch (Exception e) when (e is IOException or BadHttpRequestException or OperationCanceledException)
        {
            // "Unexpected end of request content": the sender died or gave up before the end.
        }
        finally
        {
            _received.Enqueue(new ReceivedWebhook(path, delivery, complete, bytes, declared, Interlocked.Increment(ref _sequence),
                Stopwatch.GetElapsedTime(started), DateTimeOffset.UtcNow));
            Interlocked.Decrement(ref _inProgress);
        }
        if (!complete)
            return;
        var total = Interlocked.Increment(ref _complete);
        lock (_gate)
        {
            foreach (var (count, reached) in _waiting)
            {
                if (total >= count)
                    reached.TrySetResult();
            }
        }
        try
        {
            await Task.Delay(AnswerDelay, context.RequestAborted);
            context.Response.StatusCode = StatusCodes.Status200OK;
        }
        catch (OperationCanceledException)
        {
            // Acted on, and the sender is gone before the answer: as at a real receiver, it still counts.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
