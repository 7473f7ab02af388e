using System.Text.Json;

namespace StatusPlatform.EventSourcing.Bench;

/// <summary>A probe's check result, shaped like the CheckCompleted that Probe.Service publishes: about 280 bytes of JSON.</summary>
internal sealed record CheckCompleted(
    string MonitorId,
    string Region,
    string ProbeId,
    Guid CheckId,
    string Outcome,
    int? StatusCode,
    double LatencyMs,
    string? Error,
    DateTimeOffset StartedAt,
    DateTimeOffset CompletedAt);

/// <summary>The events and metadata every scenario writes, so the event store and the reference store the same bytes.</summary>
internal static class Payloads
{
    public const string CheckCompletedAlias = "check_completed";

    public static EventStoreOptions Register(this EventStoreOptions options)
    {
        options.Events.Register<CheckCompleted>(CheckCompletedAlias);
        return options;
    }

    public static object[] Checks(string streamId, long firstVersion, int count)
    {
        var events = new object[count];
        var now = TimeProvider.System.GetUtcNow();
        for (var i = 0; i < count; i++)
        {
            var n = firstVersion + i;
            // One check in 50 fails, so the payloads are not all alike.
            var down = n % 50 == 0;
            events[i] = new CheckCompleted(
                MonitorId: streamId,
                Region: "eu-central",
                ProbeId: "probe-eu-central-1",
                CheckId: Guid.CreateVersion7(),
                Outcome: down ? "down" : "up",
                StatusCode: down ? 503 : 200,
                LatencyMs: 40 + (n % 200) * 1.7,
                Error: down ? "HTTP 503 Service Unavailable" : null,
                StartedAt: now.AddMilliseconds(-40 - (n % 200)),
                CompletedAt: now);
        }
        return events;
    }

    /// <summary>The JSON sizes of one event and its metadata, as the store serializes them.</summary>
    public static (int Data, int Metadata) JsonBytes(EventStoreOptions options)
    {
        const string streamId = "bench-batch-0-0";
        var data = JsonSerializer.SerializeToUtf8Bytes(Checks(streamId, 1, 1)[0], typeof(CheckCompleted), options.Json);
        var metadata = JsonSerializer.SerializeToUtf8Bytes(Metadata(streamId), options.Json);
        return (data.Length, metadata.Length);
    }

    public static EventMetadata Metadata(string streamId) =>
        new(CorrelationId: Guid.CreateVersion7().ToString(), Actor: $"probe:{streamId}");
}
