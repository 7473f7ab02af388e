using Microsoft.Extensions.DependencyInjection;
using StatusPlatform.Contracts;
using StatusPlatform.EventSourcing.Subscriptions;
using StatusPlatform.Incident.Rebuild;
using StatusPlatform.TestSupport;

namespace StatusPlatform.Incident.Tests.Rebuild;

/// <summary>
/// The read models are a cache of the event store: rebuilding them from the events gives back, row for row, what the
/// live projections wrote, even when the rows were damaged, and the live projections carry on afterwards with
/// nothing applied twice.
/// </summary>
public sealed class ReadModelRebuildTests(IncidentServiceWithCatalog service) : IClassFixture<IncidentServiceWithCatalog>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private static DateTimeOffset _clock = DateTimeOffset.UtcNow;

    private static CheckCompleted Check(CheckOutcome outcome)
    {
        _clock = _clock.AddSeconds(1);
        return new CheckCompleted(Guid.NewGuid(), "web-http", "eu", "probe-1", _clock, 5, outcome,
            outcome == CheckOutcome.Down ? 503 : 200, outcome == CheckOutcome.Down ? "HTTP 503 Service Unavailable" : null, new CheckTimings(null, null, null, 4, 5));
    }

    [Fact]
    public async Task Rebuilding_gives_back_the_live_read_models_and_the_projections_carry_on_after_it()
    {
        await Eventually.Until(async () => await StatusOf("web") == "operational", Wait, "the catalog to be projected");
        // An outage and its recovery: components, incidents with updates, status intervals all get rows.
        await OutageAsync();
        await Eventually.Until(async () => await service.ScalarAsync<long>("select count(*) from status.incidents where status = 'resolved'") == 1,
            Wait, "the automatic incident to be resolved");
        await CaughtUpAsync();
        var live = await DumpAsync();
        Assert.Contains(live, row => row.StartsWith("incident_updates", StringComparison.Ordinal));
        Assert.Contains(live, row => row.StartsWith("component_status_intervals", StringComparison.Ordinal));

        // Damage the read models the way a bad deploy or a hand-edit would.
        await service.ScalarAsync<long>("update status.components set name = 'damaged', status = 'major_outage' where id = 'web'");
        await service.ScalarAsync<long>("delete from status.incident_updates");
        await service.ScalarAsync<long>("insert into status.heartbeat_monitors (token_sha256, monitor_id) values ('stray', 'stray-monitor')");
        Assert.NotEqual(live, await DumpAsync());

        var report = await ActivatorUtilities.CreateInstance<ReadModelRebuild>(service.Services).RunAsync();

        Assert.Equal(live, await DumpAsync());
        Assert.True(report.Events > 0);
        Assert.Equal(await service.ScalarAsync<long>("select coalesce(max(global_position), 0) from events.events where global_position <= $1", report.Position),
            report.Position);
        Assert.Contains("incident_updates", report.Tables);
        Assert.Equal(service.Services.GetServices<IProjection>().Select(p => p.Name).Order(StringComparer.Ordinal), report.Projections);

        // The command line does the same with the service's own configuration (here as command-line settings).
        await service.ScalarAsync<long>("update status.components set name = 'damaged again' where id = 'web'");
        Assert.Equal(0, await RebuildCommand.RunAsync([RebuildCommand.Verb, $"--ConnectionStrings:statusdb={service.Database.ConnectionString}",
            $"--ConnectionStrings:messaging={service.VirtualHost.AmqpUri}", $"--StatusPlatform:ConfigFile={service.ConfigFile}"]));
        Assert.Equal(live, await DumpAsync());

        // The live projections continue from where the rebuild left their checkpoints: a second outage appears once.
        await OutageAsync();
        await Eventually.Until(async () => await service.ScalarAsync<long>("select count(*) from status.incidents where status = 'resolved'") == 2,
            Wait, "the second incident to be projected after the rebuild");
        await CaughtUpAsync();
        Assert.Equal(2, await service.ScalarAsync<long>("select count(*) from status.incidents"));
        Assert.Equal(4, await service.ScalarAsync<long>("select count(*) from status.incident_updates")); // opened + resolved, twice
    }

    private async Task OutageAsync()
    {
        await service.SendAsync(Check(CheckOutcome.Down));
        await service.SendAsync(Check(CheckOutcome.Down));
        await Eventually.Until(async () => await StatusOf("web") == "major_outage", Wait, "the outage");
        await service.SendAsync(Check(CheckOutcome.Up));
        await Eventually.Until(async () => await StatusOf("web") == "operational", Wait, "the recovery");
    }

    private Task<string?> StatusOf(string component) =>
        service.ScalarAsync<string>("select status from status.components where id = $1", component);

    /// <summary>Waits until every projection's checkpoint is at the head of the feed, so the read models are final.</summary>
    private Task CaughtUpAsync() =>
        Eventually.Until(async () => await service.ScalarAsync<long>("""
            select count(*) from events.checkpoints
            where subscription like 'status.%' and position < (select coalesce(max(global_position), 0) from events.events)
            """) == 0 && await service.ScalarAsync<long>("select count(*) from events.events where global_position is null") == 0,
            Wait, "every projection to reach the head of the feed");

    /// <summary>Every row of every status table as "table json", identity columns left out (a rebuild renumbers them).</summary>
    private async Task<List<string>> DumpAsync()
    {
        var rows = new List<string>();
        await using var tables = service.Database.DataSource.CreateCommand("""
            select t.tablename, coalesce(array_agg(c.column_name::text) filter (where c.is_identity = 'YES'), '{}')
            from pg_tables t left join information_schema.columns c on c.table_schema = t.schemaname and c.table_name = t.tablename
            where t.schemaname = 'status' group by t.tablename order by t.tablename
            """);
        var list = new List<(string Table, string[] Identity)>();
        await using (var reader = await tables.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
                list.Add((reader.GetString(0), reader.GetFieldValue<string[]>(1)));
        }
        foreach (var (table, identity) in list)
        {
            await using var select = service.Database.DataSource.CreateCommand($"select (to_jsonb(t) - $1::text[])::text from status.\"{table}\" t order by 1");
            select.Parameters.Add(new Npgsql.NpgsqlParameter<string[]> { TypedValue = identity });
            await using var reader = await select.ExecuteReaderAsync();
            while (await reader.ReadAsync())
                rows.Add($"{table} {reader.GetString(0)}");
        }
        return rows;
    }
}
