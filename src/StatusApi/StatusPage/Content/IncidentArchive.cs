using System.Collections.Concurrent;
using Npgsql;
using StatusPlatform.StatusApi.PublicApi;
using StatusPlatform.StatusApi.StatusPage.Live;
using StatusPlatform.Incident.History.Uptime;

namespace StatusPlatform.StatusApi.StatusPage.Content;

/// <summary>
/// Incidents beyond the snapshot in memory: the history by month and any single incident (with its postmortem). One
/// read per question and page version, shared by every request that asks it meanwhile, so a crowd on an incident's
/// page costs one query per change of the page, not one per reader.
/// </summary>
public sealed class IncidentArchive(NpgsqlDataSource dataSource)
{
    // Ids come from the URL, so anyone can ask for many; past this many cached answers the cache starts over.
    private const int MaxEntries = 512;
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(10);

    private const string IncidentSql = """
        select id, name, status, impact, started_at, resolved_at, postmortem_body from status.incidents where id = $1
        """;

    private const string IncidentsInRangeSql = """
        select id, name, status, impact, started_at, resolved_at, null::text from status.incidents
        where started_at >= $1 and started_at < $2 order by started_at desc, id collate "C" desc
        """;

    private const string UpdatesSql = """
        select incident_id, status, body, display_at from status.incident_updates where incident_id = any($1)
        order by incident_id, display_at desc, created_at desc, id collate "C" desc
        """;

    private const string ComponentsSql = """
        select ic.incident_id, c.name from status.incident_components ic join status.components c on c.id = ic.component_id
        where ic.incident_id = any($1) order by c.name collate "C"
        """;

    private readonly ConcurrentDictionary<string, (string Version, Lazy<Task<List<IncidentView>>> Answer)> _answers = new(StringComparer.Ordinal);

    /// <summary>The incident, or null when there is none with this id.</summary>
    public async Task<IncidentView?> FindAsync(string id, LiveState state) =>
        (await CachedAsync($"incident:{id}", state.Version,
            () => ReadAsync(IncidentSql, [new NpgsqlParameter<string> { TypedValue = id }]))).FirstOrDefault();

    /// <summary>Incidents that started in [from, to), newest first, with their updates.</summary>
    public Task<List<IncidentView>> InRangeAsync(DateTimeOffset from, DateTimeOffset to, LiveState state) =>
        CachedAsync($"range:{from.UtcTicks}:{to.UtcTicks}", state.Version, () => ReadAsync(IncidentsInRangeSql,
            [new NpgsqlParameter<DateTimeOffset> { TypedValue = from }, new NpgsqlParameter<DateTimeOffset> { TypedValue = to }]));

    /// <summary>The first day of the month <paramref name="monthsBack"/> months before the one <paramref name="now"/> is in, in the page's zone.</summary>
    public static DateOnly MonthStart(DateTimeOffset now, TimeZoneInfo zone, int monthsBack)
    {
        var local = TimeZoneInfo.ConvertTime(now, zone);
        return new DateOnly(local.Year, local.Month, 1).AddMonths(-monthsBack);
    }

    public static DateTimeOffset StartOf(DateOnly day, TimeZoneInfo zone) => UptimeCalculator.StartOfDay(day, zone);

    /// <summary>The snapshot's own view of an incident, when the database cannot be asked.</summary>
    public static IncidentView? FromSnapshot(string id, StatusSnapshot snapshot) =>
        snapshot.Incidents.Any(i => i.Id == id) ? PageViews.Incidents(snapshot).First(i => i.Id == id) : null;

    private async Task<List<IncidentView>> CachedAsync(string key, string version, Func<Task<List<IncidentView>>> read)
    {
        if (!_answers.TryGetValue(key, out var entry) || entry.Version != version)
        {
            if (_answers.Count >= MaxEntries)
                _answers.Clear();
            (string Version, Lazy<Task<List<IncidentView>>> Answer) fresh = (version, new Lazy<Task<List<IncidentView>>>(read));
            entry = _answers.AddOrUpdate(key, fresh, (_, existing) => existing.Version == version ? existing : fresh);
        }
        try
        {
            return await entry.Answer.Value;
        }
        catch (Exception)
        {
            // A failed read is not kept: the next request tries again.
            _answers.TryRemove(KeyValuePair.Create(key, entry));
            throw;
        }
    }

    // Several readers await one read, so no single reader's cancellation may end it; a timeout bounds it instead.
    private async Task<List<IncidentView>> ReadAsync(string sql, NpgsqlParameter[] parameters)
    {
        using var timeout = new CancellationTokenSource(ReadTimeout);
        var ct = timeout.Token;
        var rows = new List<(string Id, string Name, string Status, string Impact, DateTimeOffset Started, DateTimeOffset? Resolved, string? Postmortem)>();
        await using (var command = dataSource.CreateCommand(sql))
        {
            command.Parameters.AddRange(parameters);
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
                rows.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetFieldValue<DateTimeOffset>(4),
                    reader.IsDBNull(5) ? null : reader.GetFieldValue<DateTimeOffset>(5), reader.IsDBNull(6) ? null : reader.GetString(6)));
        }
        if (rows.Count == 0)
            return [];
        string[] ids = [.. rows.Select(r => r.Id)];
        var updates = new List<(string IncidentId, UpdateView Update)>();
        var components = new List<(string IncidentId, string Name)>();
        await using (var batch = dataSource.CreateBatch())
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand(UpdatesSql) { Parameters = { new NpgsqlParameter<string[]> { TypedValue = ids } } });
            batch.BatchCommands.Add(new NpgsqlBatchCommand(ComponentsSql) { Parameters = { new NpgsqlParameter<string[]> { TypedValue = ids } } });
            await using var reader = await batch.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
                updates.Add((reader.GetString(0), new UpdateView(reader.GetString(1), SafeMarkdown.ToHtml(reader.GetString(2)), reader.GetFieldValue<DateTimeOffset>(3))));
            await reader.NextResultAsync(ct);
            while (await reader.ReadAsync(ct))
                components.Add((reader.GetString(0), reader.GetString(1)));
        }
        var updatesOf = updates.ToLookup(u => u.IncidentId, u => u.Update);
        var componentsOf = components.ToLookup(c => c.IncidentId, c => c.Name);
        return [.. rows.Select(r => new IncidentView(r.Id, r.Name, r.Status, r.Impact, r.Started, r.Resolved, [.. componentsOf[r.Id]],
            [.. updatesOf[r.Id]], r.Postmortem is null ? null : SafeMarkdown.ToHtml(r.Postmortem)))];
    }
}
