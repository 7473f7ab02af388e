using System.Text.Json;
using MassTransit;
using Microsoft.Extensions.Logging;
using StatusPlatform.Contracts;
using StatusPlatform.Faults.Fixtures;

namespace StatusPlatform.Faults;

/// <summary>
/// Messages Incident.Service's check-result consumer can never handle: bytes that are not JSON, an envelope of a type
/// nobody consumes, and a result whose fold throws every time. Each must end in an error queue with its reason, and the
/// results behind them must still be folded.
/// </summary>
public sealed class PoisonMessageTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    private readonly InProcessIncidentService _service = new(Infra.Shared, CheckStream.Yaml(1));
    private IBusControl _bus = null!;

    public async Task InitializeAsync()
    {
        await _service.StartAsync();
        _bus = Bus.Factory.CreateUsingRabbitMq(rabbit => rabbit.Host(_service.Amqp));
        await _bus.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _bus.StopAsync();
        await _service.DisposeAsync();
    }

    [Fact]
    public async Task Poison_messages_end_in_the_error_queue_with_their_reason_and_the_consumer_keeps_folding()
    {
        var infra = Infra.Shared;
        var queue = await QueueAsync("check-completed");
        var stream = _service.Stream(1, 1);

        // 1. Not JSON at all.
        var garbageId = Guid.NewGuid().ToString();
        await infra.PublishRawAsync(_service.Amqp, queue, "{\"messageId\": \"not even closed", "application/vnd.masstransit+json", garbageId);
        // 2. A well-formed envelope of a message type this queue does not consume.
        var unknownId = Guid.NewGuid();
        await infra.PublishRawAsync(_service.Amqp, queue, JsonSerializer.Serialize(new
        {
            messageId = unknownId,
            messageType = new[] { "urn:message:StatusPlatform.Contracts:NoSuchMessage" },
            message = new { hello = "world" },
        }), "application/vnd.masstransit+json", unknownId.ToString());
        // 3. A result the fold fails on every time: PostgreSQL refuses a NUL character in text.
        var clock = DateTimeOffset.UtcNow;
        var throwing = CheckStream.Result(CheckStream.MonitorId(0), clock, CheckOutcome.Down) with { Region = "eu\u0000west" };
        await _bus.Publish(throwing, ctx => ctx.MessageId = throwing.CheckId);
        // Behind them: two failures that must still take the monitor down.
        foreach (var result in new[] { CheckStream.Result(CheckStream.MonitorId(0), clock.AddSeconds(1), CheckOutcome.Down),
                     CheckStream.Result(CheckStream.MonitorId(0), clock.AddSeconds(2), CheckOutcome.Down) })
            await _bus.Publish(result, ctx => ctx.MessageId = result.CheckId);

        await CheckStream.Until(async () => await stream.ScalarAsync<long>(
            "select count(*) from events.events where stream_id = 'monitor-m000' and event_type = 'monitor_went_down'") == 1, Wait, "the monitor to go down");

        // The unparseable and the throwing message are parked in the error queue, each with the reason MassTransit recorded;
        // the one of a type nobody consumes in the _skipped queue, MassTransit's dead letter for unconsumed types.
        var errorQueue = queue + "_error";
        var skippedQueue = queue + "_skipped";
        try
        {
            await CheckStream.Until(async () => await infra.QueuesAsync(_service.Amqp) is var q && q.GetValueOrDefault(errorQueue) == 2
                && q.GetValueOrDefault(skippedQueue) == 1 && q.GetValueOrDefault(queue) == 0, Wait, $"two messages in {errorQueue} and one in {skippedQueue}");
        }
        catch (TimeoutException e)
        {
            var queues = await infra.QueuesAsync(_service.Amqp);
            throw new TimeoutException($"{e.Message}; queues: {string.Join(", ", queues.Select(q => $"{q.Key}={q.Value}"))}", e);
        }
        var parked = await infra.PeekAsync(_service.Amqp, errorQueue, 10);
        var reasons = parked.ToDictionary(m => m.GetProperty("properties").GetProperty("message_id").GetString()!,
            m => m.GetProperty("properties").GetProperty("headers"));
        Assert.Equal(new[] { garbageId, throwing.CheckId.ToString() }.Order(), reasons.Keys.Order());
        foreach (var (id, headers) in reasons)
        {
            Assert.True(headers.TryGetProperty("MT-Reason", out _) && headers.TryGetProperty("MT-Fault-Message", out var message)
                && message.GetString()!.Length > 0, $"message {id} was parked without a reason: {headers}");
        }
        var skipped = Assert.Single(await infra.PeekAsync(_service.Amqp, skippedQueue, 10)).GetProperty("properties");
        Assert.Equal(unknownId.ToString(), skipped.GetProperty("message_id").GetString());
        Assert.Equal("dead-letter", skipped.GetProperty("headers").GetProperty("MT-Reason").GetString()); // MassTransit's word for "no consumer"
        Assert.Contains("0x00", reasons[throwing.CheckId.ToString()].GetProperty("MT-Fault-Message").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, await stream.ScalarAsync<long>("select count(*) from checks.results where check_id = $1", throwing.CheckId));

        // The service log says which message failed and why.
        Assert.Contains(_service.Log, e => e.Level >= LogLevel.Error && e.Message.Contains(throwing.CheckId.ToString(), StringComparison.OrdinalIgnoreCase));
    }

    private async Task<string> QueueAsync(string consumer)
    {
        var queues = await Infra.Shared.QueuesAsync(_service.Amqp);
        return queues.Keys.Single(q => q.Contains(consumer, StringComparison.Ordinal) && !q.Contains('_', StringComparison.Ordinal));
    }
}
