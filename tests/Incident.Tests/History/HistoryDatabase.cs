using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using StatusPlatform.EventSourcing;
using StatusPlatform.EventSourcing.Schema;
using StatusPlatform.Incident.History.Results;
using StatusPlatform.Incident.Storage;
using StatusPlatform.TestSupport;

namespace StatusPlatform.Incident.Tests.History;

/// <summary>A clock that says what the test tells it.</summary>
public sealed class TestClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}

/// <summary>A database of its own with Incident.Service's schemas (status, checks) and its event store, nothing running.</summary>
public sealed class HistoryDatabase : IAsyncDisposable
{
    private HistoryDatabase(TestDatabase database, EventStore store)
    {
        Database = database;
        Store = store;
    }

    public TestDatabase Database { get; }

    public EventStore Store { get; }

    public static async Task<HistoryDatabase> CreateAsync(Func<TestDatabase, Task>? before = null)
    {
        var database = await TestDatabase.CreateAsync();
        if (before is not null)
            await before(database);
        await new IncidentSchema(database.DataSource).StartAsync(CancellationToken.None);
        var options = new EventStoreOptions { SequencerInterval = TimeSpan.FromMilliseconds(10), SubscriptionPollInterval = TimeSpan.FromMilliseconds(200) };
        options.Events.RegisterIncidentEvents();
        await EventStoreSchema.MigrateAsync(database.DataSource, options);
        return new HistoryDatabase(database, new EventStore(database.DataSource, options));
    }

    public CheckResultsMaintenance Maintenance(TimeProvider clock, int rawRetentionDays = 7) =>
        new(Database.DataSource, new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Checks:RawRetentionDays"] = rawRetentionDays.ToString(System.Globalization.CultureInfo.InvariantCulture),
        }).Build(), clock, NullLogger<CheckResultsMaintenance>.Instance);

    public async Task ExecuteAsync(string sql, params object[] parameters)
    {
        await using var command = Database.DataSource.CreateCommand(sql);
        foreach (var p in parameters)
            command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = p });
        await command.ExecuteNonQueryAsync();
    }

    public async Task<List<T>> ListAsync<T>(string sql, params object[] parameters)
    {
        await using var command = Database.DataSource.CreateCommand(sql);
        foreach (var p in parameters)
            command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = p });
        var rows = new List<T>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            rows.Add(reader.GetFieldValue<T>(0));
        return rows;
    }

    public async ValueTask DisposeAsync() => await Database.DisposeAsync();
}
