using StatusPlatform.Contracts;
using StatusPlatform.TestSupport;

namespace StatusPlatform.Incident.Tests.History;

/// <summary>Results through the broker into the partitioned checks.results: redeliveries count once, any start time is accepted.</summary>
public sealed class RawResultsThroughTheFoldTests(IncidentServiceWithCatalog service) : IClassFixture<IncidentServiceWithCatalog>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    private static CheckCompleted Down(DateTimeOffset startedAt) =>
        new(Guid.NewGuid(), "web-http", "eu", "probe-1", startedAt, 5, CheckOutcome.Down, 503, "HTTP 503", null);

    private Task<long> CountAsync(Guid checkId) => service.ScalarAsync<long>("select count(*) from checks.results where check_id = $1", checkId);

    [Fact]
    public async Task A_redelivered_result_is_recorded_and_folded_once_and_results_outside_every_partition_land_in_the_default_one()
    {
        var now = DateTimeOffset.UtcNow;
        Assert.Equal(1, await service.ScalarAsync<long>("select count(*) from pg_class where relname = $1",
            $"results_{DateOnly.FromDateTime(now.UtcDateTime):yyyyMMdd}")); // today's partition exists once the service has started
        var (farBehind, today, farAhead) = (Down(now.AddDays(-30)), Down(now), Down(now.AddDays(30)));
        var later = Down(now.AddSeconds(10)); // the second failure of today's run (results weeks apart are not one run)

        foreach (var result in new[] { farBehind, today, today, later, farAhead, farAhead })
            await service.SendAsync(result);

        foreach (var result in new[] { farBehind, today, farAhead })
            await Eventually.Until(async () => await CountAsync(result.CheckId) == 1, Wait, $"result {result.CheckId} to be recorded");
        Assert.Equal(["checks.results_default", "checks.results_default"], await ListAsync(
            "select tableoid::regclass::text from checks.results where check_id in ($1, $2)", farBehind.CheckId, farAhead.CheckId));
        Assert.Equal(1, await CountAsync(today.CheckId));
        Assert.Equal(1, await CountAsync(farAhead.CheckId));
        // The fold went on past every one of them: today's two failures take the component down.
        await Eventually.Until(async () => await service.ScalarAsync<string>("select status from status.components where id = 'web'") == "major_outage",
            Wait, "the failures to be folded into an outage");
    }

    private async Task<List<string>> ListAsync(string sql, params object[] parameters)
    {
        await using var command = service.Database.DataSource.CreateCommand(sql);
        foreach (var p in parameters)
            command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = p });
        var rows = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            rows.Add(reader.GetString(0));
        return rows;
    }
}
