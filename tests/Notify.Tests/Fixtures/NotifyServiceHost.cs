using System.Collections.Concurrent;
using MassTransit;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using StatusPlatform.TestSupport;

namespace StatusPlatform.Notify.Tests.Fixtures;

/// <summary>A subscriber row as the tests look at it.</summary>
public sealed record SubscriberRow(Guid Id, string Channel, string Address, bool Confirmed, bool Unsubscribed, int ConsecutiveFailures, DateTimeOffset? QuarantinedAt);

/// <summary>A delivery row with its channel, kind and subscriber.</summary>
public sealed record DeliveryDetail(Guid Id, Guid EventId, Guid SubscriberId, string Channel, string Recipient, string Kind, string Status, int Attempts, string? LastError);

/// <summary>A delivery row as the tests look at it.</summary>
public sealed record DeliveryRow(Guid Id, Guid EventId, string Recipient, string Subject, string Status, int Attempts, string? LastError, DateTimeOffset? SentAt);

/// <summary>
/// One Notify.Service running in-process (WebApplicationFactory) against a given database, virtual host and
/// configuration file. Started means healthy: schema migrated, subscribers seeded, bus connected with its queues
/// bound, so a message published now reaches the consumer.
/// </summary>
public sealed class NotifyServiceHost : IAsyncDisposable
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly WebApplicationFactory<Program> _factory;
    private readonly TestDatabase _database;
    private readonly ConsumeCounter _consumed = new();

    private NotifyServiceHost(WebApplicationFactory<Program> factory, TestDatabase database)
    {
        _factory = factory;
        _database = database;
    }

    public IBus Bus => _factory.Services.GetRequiredService<IBus>();

    public IServiceProvider Services => _factory.Services;

    public static async Task<NotifyServiceHost> StartAsync(
        TestDatabase database, TestVirtualHost vhost, string? configFile, IReadOnlyDictionary<string, string>? settings = null)
    {
        // MassTransit keeps its log context in an ambient (async-local) slot and fills it only when empty; a host
        // started where an earlier, disposed host's context is still visible would log into a disposed factory.
        LogContext.Current = null;
        var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            web.UseSetting("ConnectionStrings:statusdb", database.ConnectionString);
            web.UseSetting("ConnectionStrings:messaging", vhost.AmqpUri.ToString());
            web.UseSetting("StatusPlatform:ConfigFile", configFile ?? "");
            // So long that only the consumer's nudge, or the sweep at start-up, can explain a prompt email.
            web.UseSetting("Delivery:PollInterval", "01:00:00");
            foreach (var (key, value) in settings ?? new Dictionary<string, string>())
                web.UseSetting(key, value);
        });
        var host = new NotifyServiceHost(factory, database);
        try
        {
            host.Bus.ConnectConsumeObserver(host._consumed);
            using var http = factory.CreateClient();
            await Eventually.Until(async () => (await http.GetAsync(new Uri("/health", UriKind.Relative))).IsSuccessStatusCode,
                Patience, "Notify.Service to report healthy");
            return host;
        }
        catch
        {
            await factory.DisposeAsync();
            throw;
        }
    }

    public Task PublishAsync<T>(T message, Guid messageId) where T : class =>
        Bus.Publish(message, context => context.MessageId = messageId);

    /// <summary>Sends a command as StatusApi would (request/response) and returns the answer: <typeparamref name="TOk"/> or CommandRejected.</summary>
    public async Task<object> AskAsync<TRequest, TOk>(TRequest request)
        where TRequest : class
        where TOk : class
    {
        var client = Bus.CreateRequestClient<TRequest>(RequestTimeout.After(s: 30));
        var response = await client.GetResponse<TOk, Contracts.CommandRejected>(request);
        return response.Message;
    }

    /// <summary>Like <see cref="AskAsync{TRequest, TOk}"/>, failing the test unless the answer is <typeparamref name="TOk"/>.</summary>
    public async Task<TOk> AskOkAsync<TRequest, TOk>(TRequest request)
        where TRequest : class
        where TOk : class
    {
        var answer = await AskAsync<TRequest, TOk>(request);
        return answer as TOk ?? throw new Xunit.Sdk.XunitException($"Expected {typeof(TOk).Name}, got {System.Text.Json.JsonSerializer.Serialize(answer)}");
    }

    /// <summary>A subscriber's row as the tests look at it.</summary>
    public async Task<SubscriberRow?> SubscriberAsync(Guid id)
    {
        await using var command = _database.DataSource.CreateCommand("""
            select id, channel, coalesce(email, endpoint, phone_number), confirmed, unsubscribed_at is not null, consecutive_failures, quarantined_at
            from notify.subscribers where id = $1
            """);
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = id });
        await using var reader = await command.ExecuteReaderAsync();
        return await reader.ReadAsync()
            ? new SubscriberRow(reader.GetGuid(0), reader.GetString(1), reader.GetString(2), reader.GetBoolean(3), reader.GetBoolean(4), reader.GetInt32(5),
                reader.IsDBNull(6) ? null : reader.GetFieldValue<DateTimeOffset>(6))
            : null;
    }

    /// <summary>Every delivery row with its channel and kind.</summary>
    public async Task<IReadOnlyList<DeliveryDetail>> DeliveryDetailsAsync(Guid? eventId = null)
    {
        await using var command = _database.DataSource.CreateCommand("""
            select id, event_id, subscriber_id, channel, recipient, coalesce(kind, ''), status, attempts, last_error
            from notify.deliveries where $1::uuid is null or event_id = $1 order by recipient, created_at
            """);
        command.Parameters.Add(new NpgsqlParameter<Guid?> { TypedValue = eventId });
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new Printable<DeliveryDetail>();
        while (await reader.ReadAsync())
        {
            rows.Add(new DeliveryDetail(reader.GetGuid(0), reader.GetGuid(1), reader.GetGuid(2), reader.GetString(3), reader.GetString(4), reader.GetString(5),
                reader.GetString(6), reader.GetInt32(7), reader.IsDBNull(8) ? null : reader.GetString(8)));
        }
        return rows;
    }

    /// <summary>Waits until the consumer finished <paramref name="times"/> deliveries of the message (redeliveries included).</summary>
    public Task WaitUntilConsumedAsync(Guid messageId, int times = 1) =>
        Eventually.Until(() => Task.FromResult(_consumed.Count(messageId)), n => n >= times, Patience, $"message {messageId} to be consumed {times} time(s)");

    /// <summary>Waits until no delivery of the event is pending any more, and returns them all.</summary>
    public Task<IReadOnlyList<DeliveryRow>> WaitUntilSettledAsync(Guid eventId, int expected) =>
        Eventually.Until(() => DeliveriesAsync(eventId), rows => rows.Count >= expected && rows.All(r => r.Status != "pending"),
            Patience, $"{expected} deliveries of {eventId} to be sent or failed");

    public async Task<IReadOnlyList<DeliveryRow>> DeliveriesAsync(Guid? eventId = null)
    {
        await using var command = _database.DataSource.CreateCommand("""
            select id, event_id, recipient, subject, status, attempts, last_error, sent_at
            from notify.deliveries where $1::uuid is null or event_id = $1 order by recipient
            """);
        command.Parameters.Add(new NpgsqlParameter<Guid?> { TypedValue = eventId });
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new Printable<DeliveryRow>();
        while (await reader.ReadAsync())
        {
            rows.Add(new DeliveryRow(reader.GetGuid(0), reader.GetGuid(1), reader.GetString(2), reader.GetString(3), reader.GetString(4),
                reader.GetInt32(5), reader.IsDBNull(6) ? null : reader.GetString(6), reader.IsDBNull(7) ? null : reader.GetFieldValue<DateTimeOffset>(7)));
        }
        return rows;
    }

    public async ValueTask DisposeAsync() => await _factory.DisposeAsync();

    /// <summary>A list that shows its items when Eventually reports a timeout.</summary>
    private sealed class Printable<T> : List<T>
    {
        public override string ToString() => $"[{string.Join(", ", this)}]";
    }

    private sealed class ConsumeCounter : IConsumeObserver
    {
        private readonly ConcurrentDictionary<Guid, int> _counts = new();

        public int Count(Guid messageId) => _counts.GetValueOrDefault(messageId);

        public Task PreConsume<T>(ConsumeContext<T> context) where T : class => Task.CompletedTask;

        public Task PostConsume<T>(ConsumeContext<T> context) where T : class
        {
            if (context.MessageId is { } id)
                _counts.AddOrUpdate(id, 1, (_, n) => n + 1);
            return Task.CompletedTask;
        }

        public Task ConsumeFault<T>(ConsumeContext<T> context, Exception exception) where T : class => Task.CompletedTask;
    }
}
