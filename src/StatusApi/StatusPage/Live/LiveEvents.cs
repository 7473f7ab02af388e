using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;

namespace StatusPlatform.StatusApi.StatusPage.Live;

/// <summary>
/// <c>GET /events</c>: server-sent events telling open status pages that what they show has changed. Each event is
/// <c>changed</c> with the new version as data (and id); the page compares it with the version it was rendered at and
/// fetches itself again only when they differ, so the stream carries no page content and no language. The first event
/// is the current version, which covers whatever was missed while the connection was down. A <c>ping</c> every 20
/// seconds keeps proxies from closing an idle stream.
/// </summary>
public static class LiveEvents
{
    public const string ChangedEvent = "changed";
    private static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan Reconnect = TimeSpan.FromSeconds(5);
    private static int _open;

    public static IResult Stream(LivePage live, StatusPageOptions options, IHostApplicationLifetime lifetime, HttpContext context)
    {
        if (Interlocked.Increment(ref _open) > options.MaxLiveConnections)
        {
            Interlocked.Decrement(ref _open);
            // The page works without the stream (it stays as loaded), so refusing is safe; EventSource retries later.
            context.Response.Headers.RetryAfter = "30";
            return TypedResults.StatusCode(StatusCodes.Status503ServiceUnavailable);
        }
        // Ends the stream on shutdown too, or stopping the server would wait for every open page.
        var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        context.Response.RegisterForDispose(stop);
        return TypedResults.ServerSentEvents(EventsAsync(live, stop.Token));
    }

    private static async IAsyncEnumerable<SseItem<string>> EventsAsync(LivePage live, [EnumeratorCancellation] CancellationToken ct)
    {
        try
        {
            var sent = live.Current.Version;
            yield return Changed(sent);
            while (!ct.IsCancellationRequested)
            {
                var changed = live.Changed;
                if (live.Current.Version == sent && !await WaitAsync(changed, ct))
                {
                    if (ct.IsCancellationRequested)
                        yield break;
                    yield return new SseItem<string>("", "ping");
                    continue;
                }
                sent = live.Current.Version;
                yield return Changed(sent);
            }
        }
        finally
        {
            Interlocked.Decrement(ref _open);
        }
    }

    private static SseItem<string> Changed(string version) =>
        new(version, ChangedEvent) { EventId = version, ReconnectionInterval = Reconnect };

    /// <summary>True when the page changed, false after the heartbeat interval or when the stream is ending.</summary>
    private static async Task<bool> WaitAsync(Task changed, CancellationToken ct)
    {
        try
        {
            await changed.WaitAsync(Heartbeat, ct);
            return true;
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            return false;
        }
    }
}
