namespace StatusPlatform.Faults.Fixtures;

/// <summary>
/// What must hold after a stream of check results, whatever failed on the way: every result recorded once, every
/// monitor transition recorded once and in order, every outage in exactly one automatic incident, nothing dead-lettered,
/// and the read models equal to what projecting the events again from scratch gives.
/// </summary>
public static class StreamAssertions
{
    private static readonly string[] RebuiltProjections = ["status.components", "status.incidents", "status.component_status_intervals"];

    // Full rows, as JSON; the tables the three projections above write.
    private static readonly string[] ReadModels =
    [
        "select to_jsonb(c)::text from status.components c order by id",
        "select to_jsonb(i)::text from status.incidents i order by id",
        "select to_jsonb(u)::text from status.incident_updates u order by id",
        "select to_jsonb(c)::text from status.incident_components c order by incident_id, component_id",
        // Without the serial id, which a rebuild numbers afresh.
        "select (to_jsonb(h) - 'id')::text from status.component_status_intervals h order by 1",
    ];

    public static async Task AssertConsistentAsync(CheckStream stream, Infra infra, Uri amqp)
    {
        Assert.Equal(stream.Total, await stream.ScalarAsync<long>("select count(*) from checks.results"));
        Assert.Equal(stream.Total, await stream.ScalarAsync<long>("select count(distinct check_id) from checks.results"));

        // Every transition exactly once: per monitor, down and up alternating, once per cycle.
        var expected = string.Join(",", Enumerable.Repeat("monitor_went_down,monitor_recovered", stream.Cycles));
        var transitions = await stream.RowsAsync("""
            select stream_id || '=' || string_agg(event_type, ',' order by version) from events.events
            where stream_id like 'monitor-%' and event_type in ('monitor_went_down', 'monitor_recovered', 'monitor_degraded')
            group by stream_id order by stream_id
            """);
        Assert.Equal(Enumerable.Range(0, stream.Components).Select(i => $"monitor-{CheckStream.MonitorId(i)}={expected}"), transitions);

        // Every outage joined exactly one automatic incident, and every incident was resolved.
        await CheckStream.Until(async () => await stream.ScalarAsync<long>("select count(*) from status.incidents where status <> 'resolved'") == 0,
            TimeSpan.FromSeconds(60), "every incident resolved on the page");
        Assert.Equal(Enumerable.Range(0, stream.Components).Select(i => $"component-{CheckStream.ComponentId(i)}={stream.Cycles}"),
            await stream.RowsAsync("""
                select stream_id || '=' || count(*) from events.events where event_type = 'automatic_incident_attached'
                group by stream_id order by stream_id
                """));
        Assert.Equal(0, await stream.ScalarAsync<long>("select count(*) from status.components where status <> 'operational'"));

        // Nothing went to an error queue (a result there is a transition that never happened).
        var queues = await infra.QueuesAsync(amqp);
        Assert.DoesNotContain(queues, q => (q.Key.EndsWith("_error", StringComparison.Ordinal) || q.Key.EndsWith("_skipped", StringComparison.Ordinal)) && q.Value > 0);

        await AssertReadModelsEqualRebuildAsync(stream);
    }

    /// <summary>Resets the checkpoints of the projections and empties their tables; the running service projects everything again.</summary>
    public static async Task AssertReadModelsEqualRebuildAsync(CheckStream stream)
    {
        await WaitForProjectionsAsync(stream);
        var live = await SnapshotAsync(stream);
        // One transaction: a projection batch either ends before the reset or starts from zero after it.
        await stream.ExecuteAsync($"""
            delete from events.checkpoints where subscription in ({string.Join(", ", RebuiltProjections.Select(p => $"'{p}'"))});
            truncate status.incidents cascade;
            truncate status.component_status_intervals;
            delete from status.components;
            """);
        await WaitForProjectionsAsync(stream);
        var rebuilt = await SnapshotAsync(stream);
        for (var i = 0; i < ReadModels.Length; i++)
            Assert.Equal(live[i], rebuilt[i]);
    }

    private static Task WaitForProjectionsAsync(CheckStream stream) =>
        CheckStream.Until(async () => await stream.ScalarAsync<long>("""
            select count(*) from events.checkpoints c
            where c.subscription = any($1) and c.position = (select coalesce(max(global_position), 0) from events.events)
            """, (object)RebuiltProjections) == RebuiltProjections.Length
            && await stream.ScalarAsync<long>("select count(*) from events.events where global_position is null") == 0,
            TimeSpan.FromSeconds(120), "the projections to reach the end of the feed");

    private static async Task<List<List<string>>> SnapshotAsync(CheckStream stream)
    {
        var snapshot = new List<List<string>>();
        foreach (var sql in ReadModels)
            snapshot.Add(await stream.RowsAsync(sql));
        return snapshot;
    }
}
