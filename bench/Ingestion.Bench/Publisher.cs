using MassTransit;
using StatusPlatform.Contracts;

namespace StatusPlatform.Ingestion.Bench;

/// <summary>Publishes results from several loops, each awaiting the broker's confirm as a probe's publisher does.</summary>
internal static class Publisher
{
    /// <summary>Publishes results [from, to) and returns when the broker confirmed the last one.</summary>
    public static async Task PublishAsync(IBus bus, int from, int to, int monitors, DateTimeOffset start, int loops, CancellationToken ct)
    {
        var next = from - 1;
        await Task.WhenAll(Enumerable.Range(0, loops).Select(_ => Task.Run(async () =>
        {
            for (var i = Interlocked.Increment(ref next); i < to; i = Interlocked.Increment(ref next))
            {
                var result = BenchCatalog.Result(i, monitors, start);
                // The check id is the message id, as Probe.Service publishes it.
                await bus.Publish(result, context => context.MessageId = result.CheckId, ct);
            }
        }, ct)));
    }
}

/// <summary>The reference: a consumer of the same messages that does nothing but count them.</summary>
internal sealed class CountingConsumer : IConsumer<CheckCompleted>
{
    private static long _received;

    public static long Received => Interlocked.Read(ref _received);

    public Task Consume(ConsumeContext<CheckCompleted> context)
    {
        Interlocked.Increment(ref _received);
        return Task.CompletedTask;
    }
}
