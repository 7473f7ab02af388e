extern alias IncidentService;

using System.Collections.Concurrent;
using MassTransit;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Npgsql;
using StatusPlatform.Contracts;
using StatusPlatform.EventSourcing;
using StatusPlatform.TestSupport;
using CatalogChanged = IncidentService::StatusPlatform.Incident.Catalog.CatalogChanged;
using EventTypes = IncidentService::StatusPlatform.Incident.EventTypes;
using IncidentProgram = IncidentService::Program;

namespace StatusPlatform.Operations.Tests.Shutdown;

/// <summary>
/// Incident.Service's host stopped while its relay publishes a batch, as SIGTERM stops it: the batch is finished on the
/// still-running bus and its end recorded before the host stops, and the next start publishes the rest, each event once.
/// </summary>
public sealed class RelayShutdownTests : IAsyncLifetime
{
    private const int Events = 5_000;
    private const int RelayBatch = 500; // EventStoreOptions.SubscriptionBatchSize
    private const string Stream = "shutdown-test";

    private readonly ConcurrentQueue<Guid> _received = new();
    private TestDatabase _database = null!;
    private TestVirtualHost _vhost = null!;
    private IBusControl _bus = null!;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync();
        _vhost = await TestVirtualHost.CreateAsync();
        // A subscriber of the integration event, bound before anything is published.
        _bus = Bus.Factory.CreateUsingRabbitMq(rabbit =>
        {
            rabbit.Host(_vhost.AmqpUri);
            rabbit.ReceiveEndpoint($"shutdown-tests-{Guid.NewGuid():N}", endpoint => endpoint.Handler<MonitorCatalogChanged>(context =>
            {
                _received.Enqueue(context.MessageId!.Value);
                return Task.CompletedTask;
            }));
        });
        await _bus.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _bus.StopAsync();
        await _vhost.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task Stopping_the_host_mid_batch_publishes_the_batch_records_its_end_and_a_restart_publishes_the_rest_once()
    {
        // Appended before the service starts, so the relay reads full batches from position 0: each ends at a multiple of 500.
        var options = new EventStoreOptions();
        EventTypes.RegisterIncidentEvents(options.Events);
        await EventSourcing.Schema.EventStoreSchema.MigrateAsync(_database.DataSource, options);
        var store = new EventStore(_database.DataSource, options);
        for (var i = 0; i < Events; i += 250)
            await store.AppendAsync(Stream, ExpectedVersion.Any, Enumerable.Range(i, 250).Select(v => (object)new CatalogChanged(v, DateTimeOffset.UtcNow)));

        var first = StartService();
        Dictionary<Guid, long> positions;
        (long Received, long Checkpoint) inFlight;
        try
        {
            positions = await PositionsAsync();

            // A batch is being published: some of its messages arrived, its checkpoint is not saved yet.
            inFlight = await Eventually.Until(async () => (Received: MaxReceived(positions), Checkpoint: await CheckpointAsync()),
                s => s.Received > s.Checkpoint, TimeSpan.FromSeconds(60), "the relay to be in the middle of a batch");
        }
        finally
        {
            await first.DisposeAsync(); // IHost.StopAsync within HostOptions.ShutdownTimeout, then dispose
        }

        var checkpoint = await CheckpointAsync();
        Assert.True(checkpoint >= inFlight.Received && checkpoint % RelayBatch == 0,
            $"the stop cut the batch in flight: checkpoint {checkpoint}, already published up to {inFlight.Received}");
        Assert.True(checkpoint < positions.Values.Max(), "the relay published everything before the stop; nothing was stopped mid-way");
        // Everything up to the checkpoint reached the broker: none of it is lost when the next start begins after it.
        await Eventually.Until(() => Task.FromResult(positions.Values.Count(p => p <= checkpoint) - Received(positions).Count(p => p <= checkpoint)),
            missing => missing == 0, TimeSpan.FromSeconds(30), $"every event up to the checkpoint {checkpoint} to have been published");

        await using (var second = StartService())
        {
            await Eventually.Until(() => Task.FromResult(Received(positions).Distinct().Count()), n => n == Events, TimeSpan.FromSeconds(120),
                "every event to be published after the restart");
            await Eventually.Until(CheckpointAsync, cp => cp == positions.Values.Max(), TimeSpan.FromSeconds(30), "the relay's checkpoint to reach the last event");
        }
        // The stop finished its batch and recorded its end, so the restart repeated nothing (consumers would dedupe if it had).
        var repeated = Received(positions).GroupBy(p => p).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.True(repeated.Count == 0, $"{repeated.Count} events were published twice, first at position {repeated.DefaultIfEmpty().Min()}");
    }

    [Fact]
    public void The_shutdown_timeout_is_read_from_configuration()
    {
        using var service = StartService(("shutdownTimeoutSeconds", "25"));
        Assert.Equal(TimeSpan.FromSeconds(25), service.Services.GetRequiredService<IOptions<HostOptions>>().Value.ShutdownTimeout);
    }

    private WebApplicationFactory<IncidentProgram> StartService(params (string Key, string Value)[] settings)
    {
        var factory = new WebApplicationFactory<IncidentProgram>().WithWebHostBuilder(web =>
        {
            web.UseSetting("ConnectionStrings:statusdb", _database.ConnectionString);
            web.UseSetting("ConnectionStrings:messaging", _vhost.AmqpUri.ToString());
            foreach (var (key, value) in settings)
                web.UseSetting(key, value);
        });
        _ = factory.Server; // starts the host: schemas, sequencer, projections, relay, bus
        return factory;
    }

    private List<long> Received(Dictionary<Guid, long> positions) =>
        [.. _received.Where(positions.ContainsKey).Select(id => positions[id])];

    private long MaxReceived(Dictionary<Guid, long> positions) => Received(positions).DefaultIfEmpty().Max();

    /// <summary>The test's events by id with their global positions, once the sequencer numbered them all.</summary>
    private async Task<Dictionary<Guid, long>> PositionsAsync()
    {
        await Eventually.Until(async () => await ScalarAsync("select count(*) from events.events where stream_id = $1 and global_position is not null"),
            n => n == Events, TimeSpan.FromSeconds(30), "the sequencer to number the test's events");
        await using var command = _database.DataSource.CreateCommand("select event_id, global_position from events.events where stream_id = $1");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Stream });
        var positions = new Dictionary<Guid, long>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            positions[reader.GetGuid(0)] = reader.GetInt64(1);
        return positions;
    }

    private async Task<long> CheckpointAsync()
    {
        await using var command = _database.DataSource.CreateCommand("select coalesce(max(position), 0) from events.checkpoints where subscription = 'relay.integration'");
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private async Task<long> ScalarAsync(string sql)
    {
        await using var command = _database.DataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Stream });
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
