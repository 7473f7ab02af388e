using System.Globalization;
using System.Text;
using MassTransit;
using Npgsql;
using StatusPlatform.Contracts;

namespace StatusPlatform.Faults.Fixtures;

/// <summary>
/// A stream of check results for <see cref="Components"/> components with one monitor each (down after 2 failures, up
/// after 1 success), in <see cref="Cycles"/> outage cycles: every monitor fails twice, then recovers. A phase is
/// published (every fifth result twice, as a redelivery would) and must be recorded before the next starts, so the
/// transitions are known in advance: per monitor exactly <see cref="Cycles"/> times down and up, in that order.
/// Publishing retries through broker outages, as a probe's outbox would.
/// </summary>
public sealed class CheckStream(string connectionString, Uri amqp, int components, int cycles)
{
    public int Components => components;

    public int Cycles => cycles;

    /// <summary>Results per cycle and monitor: two failures and one success.</summary>
    public int Total => components * cycles * 3;

    public static string MonitorId(int i) => $"m{i:000}";

    public static string ComponentId(int i) => $"c{i:000}";

    public static string Yaml(int components, string extra = "")
    {
        var yaml = new StringBuilder("""
            page:
              name: Faults
              url: http://status.test
              time_zone: Etc/UTC

            """);
        yaml.AppendLine(extra).AppendLine("components:");
        for (var i = 0; i < components; i++)
            yaml.AppendLine(CultureInfo.InvariantCulture, $"  - id: {ComponentId(i)}").AppendLine(CultureInfo.InvariantCulture, $"    name: Component {i}");
        yaml.AppendLine("monitors:");
        for (var i = 0; i < components; i++)
        {
            yaml.AppendLine(CultureInfo.InvariantCulture, $"  - id: {MonitorId(i)}").AppendLine(CultureInfo.InvariantCulture, $"    component: {ComponentId(i)}").AppendLine(CultureInfo.InvariantCulture, $"    url: http://127.0.0.1:9/{i}")
                .AppendLine("    interval: 10s").AppendLine("    failure_threshold: 2").AppendLine("    success_threshold: 1");
        }
        return yaml.ToString();
    }

    /// <summary>Publishes every phase and waits for it to be recorded; <paramref name="phaseTimeout"/> covers a fault in the middle.</summary>
    public async Task RunAsync(TimeSpan phaseTimeout)
    {
        var bus = Bus.Factory.CreateUsingRabbitMq(rabbit => rabbit.Host(amqp, h => h.PublisherConfirmation = true));
        await bus.StartAsync();
        try
        {
            var clock = DateTimeOffset.UtcNow;
            var recorded = 0;
            for (var cycle = 0; cycle < cycles; cycle++)
            {
                foreach (var outcomes in new[] { new[] { CheckOutcome.Down, CheckOutcome.Down }, [CheckOutcome.Up] })
                {
                    var phase = new List<CheckCompleted>();
                    foreach (var outcome in outcomes)
                    {
                        clock = clock.AddSeconds(1);
                        for (var i = 0; i < components; i++)
                            phase.Add(Result(MonitorId(i), clock, outcome));
                    }
                    for (var n = 0; n < phase.Count; n++)
                    {
                        await PublishAsync(bus, phase[n]);
                        if (n % 5 == 0)
                            await PublishAsync(bus, phase[n]); // a duplicate must count once
                    }
                    recorded += phase.Count;
                    var expected = recorded;
                    await Until(async () => await RecordedAsync() >= expected, phaseTimeout, $"{expected} results recorded (cycle {cycle + 1})");
                }
            }
        }
        finally
        {
            await bus.StopAsync();
        }
    }

    public static CheckCompleted Result(string monitorId, DateTimeOffset startedAt, CheckOutcome outcome) =>
        new(Guid.NewGuid(), monitorId, "eu", "probe-1", startedAt, 5, outcome, outcome == CheckOutcome.Down ? 503 : 200,
            outcome == CheckOutcome.Down ? "HTTP 503 Service Unavailable" : null, null);

    private static async Task PublishAsync(IBus bus, CheckCompleted result)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await bus.Publish(result, ctx => ctx.MessageId = result.CheckId, timeout.Token);
                return;
            }
            catch (Exception) when (attempt < 30)
            {
                await Task.Delay(TimeSpan.FromSeconds(1)); // the broker is away; a probe keeps the result and tries again
            }
        }
    }

    /// <summary>Results recorded so far, or -1 while the database does not answer.</summary>
    public async Task<long> RecordedAsync()
    {
        try
        {
            return await ScalarAsync<long>("select count(*) from checks.results");
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
        {
            return -1;
        }
    }

    public async Task<T> ScalarAsync<T>(string sql, params object[] parameters)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var p in parameters)
            command.Parameters.Add(new NpgsqlParameter { Value = p });
        return (T)(await command.ExecuteScalarAsync())!;
    }

    public async Task ExecuteAsync(string sql, params object[] parameters)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var tx = await connection.BeginTransactionAsync();
        await using var command = new NpgsqlCommand(sql, connection, tx);
        foreach (var p in parameters)
            command.Parameters.Add(new NpgsqlParameter { Value = p });
        await command.ExecuteNonQueryAsync();
        await tx.CommitAsync();
    }

    public async Task<List<string>> RowsAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        var rows = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            rows.Add(reader.IsDBNull(0) ? "" : reader.GetValue(0).ToString()!);
        return rows;
    }

    /// <summary>Like Eventually.Until, but a probe that throws (the database is restarting) counts as "not yet".</summary>
    public static async Task Until(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        Exception? last = null;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if (await condition())
                    return;
            }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException or HttpRequestException)
            {
                last = e;
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0} s waiting for {what}{(last is null ? "" : $"; last error: {last.Message}")}");
    }
}
