using System.Globalization;
using System.Text;
using MassTransit;
using Npgsql;
using StatusPlatform.Contracts;

namespace StatusPlatform.Faults.Fixtures;

/// <summary>
/// Notify.Service as a process on a database and virtual host of <paramref name="infra"/>, with <paramref name="subscribers"/>
/// webhook subscribers of one component, each at a path of its own on <paramref name="receiver"/> (loopback, hence
/// Notify:AllowPrivateWebhookTargets). They are imported as an admin imports a CSV, so none gets a test ping and the
/// receiver sees nothing but the fan-out. Webhooks go out <see cref="Concurrency"/> at a time in claims of
/// <see cref="ClaimBatchSize"/>, so a batch is sent request by request and committed after its last one.
/// </summary>
public sealed class NotifyWithWebhookSubscribers(Infra infra, WebhookReceiver receiver, int subscribers) : IAsyncDisposable
{
    public const int Concurrency = 4;
    public const int ClaimBatchSize = 20;

    private IBusControl? _bus;

    public IReadOnlyList<string> Paths => [.. Enumerable.Range(0, subscribers).Select(i => $"/hooks/s{i:000}")];

    public string ConnectionString { get; private set; } = "";

    public Uri Amqp { get; private set; } = null!;

    public ServiceProcess Service { get; private set; } = null!;

    public async Task StartAsync()
    {
        ConnectionString = await infra.CreateDatabaseAsync();
        Amqp = await infra.CreateVirtualHostAsync();
        Service = ServiceProcess.Notify(new Dictionary<string, string>
        {
            ["ConnectionStrings__statusdb"] = ConnectionString,
            ["ConnectionStrings__messaging"] = Amqp.ToString(),
            ["Notify__AllowPrivateWebhookTargets"] = "true",
            ["Notify__Digest__Enabled"] = "false",
            ["Delivery__Channels__webhook__Concurrency"] = Concurrency.ToString(CultureInfo.InvariantCulture),
            ["Delivery__ClaimBatchSize"] = ClaimBatchSize.ToString(CultureInfo.InvariantCulture),
            ["Delivery__PollInterval"] = "00:00:01",
        });
        await Service.StartAsync(TimeSpan.FromSeconds(120));
        _bus = Bus.Factory.CreateUsingRabbitMq(rabbit => rabbit.Host(Amqp, h => h.PublisherConfirmation = true));
        await _bus.StartAsync();

        var csv = new StringBuilder("channel,address,components\r\n");
        foreach (var path in Paths)
            csv.Append(CultureInfo.InvariantCulture, $"webhook,{receiver.Url(path)},{NotifyWithSubscribers.Component}\r\n");
        var client = _bus.CreateRequestClient<ImportSubscribers>(RequestTimeout.After(s: 60));
        var answer = await client.GetResponse<SubscribersImported, CommandRejected>(new ImportSubscribers(csv.ToString(), Confirmed: true));
        Assert.True(answer.Is(out Response<SubscribersImported>? imported) && imported.Message.Created == subscribers,
            $"the import of {subscribers} webhook subscribers: {System.Text.Json.JsonSerializer.Serialize(answer.Message)}");
    }

    /// <summary>Publishes with a publisher confirm, as the relay of Incident.Service does (the event id is the message id).</summary>
    public Task PublishAsync(IncidentOpened incident, Guid messageId) => _bus!.Publish(incident, ctx => ctx.MessageId = messageId);

    /// <summary>Delivery rows per status ("sent=300"), in status order.</summary>
    public Task<List<string>> DeliveryStatusesAsync() =>
        RowsAsync("select status || '=' || count(*) from notify.deliveries group by status order by status");

    public async Task<List<string>> RowsAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        var rows = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            rows.Add(reader.IsDBNull(0) ? "" : reader.GetValue(0).ToString()!);
        return rows;
    }

    public async Task<long> CountAsync(string sql) => long.Parse((await RowsAsync(sql)).Single(), CultureInfo.InvariantCulture);

    /// <summary>
    /// Waits until every delivery is sent, nothing is pending, and the receiver has no request open (a batch commits
    /// after its last answer, so the log is never ahead of the receiver but for rows recorded from their marks). Fails at
    /// once when the service process has ended: nothing would settle any more, and its last output says why.
    /// </summary>
    public Task SettledAsync(TimeSpan timeout) =>
        CheckStream.Until(async () =>
        {
            if (Service.HasExited)
                Assert.Fail($"Notify.Service exited before the fan-out settled: {string.Join('\n', Service.Output.TakeLast(30))}");
            return await DeliveryStatusesAsync() is var statuses && statuses.SequenceEqual([$"sent={subscribers}"]) && receiver.InProgress == 0;
        }, timeout, $"{subscribers} webhook deliveries sent");

    public async ValueTask DisposeAsync()
    {
        if (_bus is not null)
            await _bus.StopAsync();
        if (Service is not null)
            await Service.DisposeAsync();
        if (Amqp is not null)
            await infra.DeleteVirtualHostAsync(Amqp);
        if (ConnectionString.Length > 0)
            await infra.DropDatabaseAsync(ConnectionString);
    }
}
