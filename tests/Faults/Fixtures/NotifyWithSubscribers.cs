using System.Globalization;
using System.Text;
using MassTransit;
using Npgsql;
using StatusPlatform.Contracts;

namespace StatusPlatform.Faults.Fixtures;

/// <summary>
/// Notify.Service as a process on a database and virtual host of <paramref name="infra"/>, sending to a MailDev of its
/// own, with <paramref name="subscribers"/> confirmed email subscribers of one component (seeded from the configuration
/// file, as an operator would). Email goes out at <paramref name="mailsPerSecond"/>, so a fan-out lasts long enough for a
/// fault to land in its middle. Digests are off: every notification must reach every subscriber as a message of its own.
/// </summary>
public sealed class NotifyWithSubscribers(Infra infra, int subscribers, int mailsPerSecond = 50) : IAsyncDisposable
{
    public const string Component = "web";
    public const int Concurrency = 4;
    public const int ClaimBatchSize = 20;

    private readonly string _domain = $"fanout-{Guid.NewGuid():N}"[..20] + ".test";
    private readonly string _configFile = Path.Combine(Path.GetTempPath(), $"sp-faults-{Guid.NewGuid():N}.yaml");
    private IBusControl? _publisher;

    public int Subscribers => subscribers;

    public IReadOnlyList<string> Recipients => [.. Enumerable.Range(0, subscribers).Select(i => $"s{i:000}@{_domain}")];

    public string ConnectionString { get; private set; } = "";

    public Uri Amqp { get; private set; } = null!;

    public PrivateMailDev Mail { get; private set; } = null!;

    public ServiceProcess Service { get; private set; } = null!;

    public async Task StartAsync()
    {
        var yaml = new StringBuilder($"components:\n  - id: {Component}\n    name: Website\nsubscribers:\n");
        foreach (var recipient in Recipients)
            yaml.Append(CultureInfo.InvariantCulture, $"  - email: {recipient}\n    components: [{Component}]\n");
        await File.WriteAllTextAsync(_configFile, yaml.ToString());
        ConnectionString = await infra.CreateDatabaseAsync();
        Amqp = await infra.CreateVirtualHostAsync();
        Mail = await PrivateMailDev.StartAsync();
        Service = ServiceProcess.Notify(new Dictionary<string, string>
        {
            ["ConnectionStrings__statusdb"] = ConnectionString,
            ["ConnectionStrings__messaging"] = Amqp.ToString(),
            ["StatusPlatform__ConfigFile"] = _configFile,
            ["Smtp__Port"] = Mail.SmtpPort.ToString(CultureInfo.InvariantCulture),
            ["Notify__Digest__Enabled"] = "false",
            ["Delivery__Channels__email__Concurrency"] = Concurrency.ToString(CultureInfo.InvariantCulture),
            ["Delivery__Channels__email__PerSecond"] = mailsPerSecond.ToString(CultureInfo.InvariantCulture),
            ["Delivery__ClaimBatchSize"] = ClaimBatchSize.ToString(CultureInfo.InvariantCulture),
            ["Delivery__PollInterval"] = "00:00:01",
        });
        await Service.StartAsync(TimeSpan.FromSeconds(120));
        _publisher = Bus.Factory.CreateUsingRabbitMq(rabbit => rabbit.Host(Amqp, h => h.PublisherConfirmation = true));
        await _publisher.StartAsync();
    }

    /// <summary>A manual incident on the subscribers' component, as Incident.Service publishes it (the event id is the message id).</summary>
    public static IncidentOpened Incident(string name) =>
        new($"inc-{Guid.NewGuid():N}"[..16], name, IncidentStatus.Investigating, IncidentImpact.Major, "We are investigating reports of problems.",
            [new AffectedComponent(Component, "Website", ComponentStatus.MajorOutage)], Automatic: false, DateTimeOffset.UtcNow);

    /// <summary>Publishes with a publisher confirm, trying again while the broker is away, as the relay of Incident.Service does.</summary>
    public async Task PublishAsync(IncidentOpened incident, Guid messageId)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await _publisher!.Publish(incident, ctx => ctx.MessageId = messageId, timeout.Token);
                return;
            }
            catch (Exception) when (attempt < 60)
            {
                await Task.Delay(TimeSpan.FromSeconds(1));
            }
        }
    }

    /// <summary>Messages of this test's subscribers that MailDev holds now.</summary>
    public async Task<IReadOnlyList<ReceivedMail>> MailAsync() =>
        [.. (await Mail.MailAsync()).Where(m => m.To.EndsWith("@" + _domain, StringComparison.Ordinal))];

    /// <summary>Delivery rows per status ("sent=600"), in status order.</summary>
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

    /// <summary>
    /// Waits until <paramref name="expected"/> deliveries are sent and nothing is pending, and MailDev holds at least as
    /// many of our messages (the commit of a batch follows its sends, so the inbox is never behind the log). Fails at once
    /// when the service process has ended: nothing would settle any more, and its last output says why.
    /// </summary>
    public Task SettledAsync(int expected, TimeSpan timeout) =>
        CheckStream.Until(async () =>
        {
            if (Service.HasExited)
                Assert.Fail($"Notify.Service exited before the fan-out settled: {string.Join('\n', Service.Output.TakeLast(30))}");
            return await DeliveryStatusesAsync() is var statuses && statuses.SequenceEqual([$"sent={expected}"])
                && (await MailAsync()).Count >= expected;
        }, timeout, $"{expected} deliveries sent and received");

    public async ValueTask DisposeAsync()
    {
        if (_publisher is not null)
            await _publisher.StopAsync();
        if (Service is not null)
            await Service.DisposeAsync();
        if (Mail is not null)
            await Mail.DisposeAsync();
        if (Amqp is not null)
            await infra.DeleteVirtualHostAsync(Amqp);
        if (ConnectionString.Length > 0)
            await infra.DropDatabaseAsync(ConnectionString);
        File.Delete(_configFile);
    }
}
