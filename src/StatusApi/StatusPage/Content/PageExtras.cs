using System.Globalization;
using System.Text;
using Npgsql;
using StatusPlatform.Incident.History.Uptime;

namespace StatusPlatform.StatusApi.StatusPage.Content;

/// <summary>
/// What the HTML page shows beyond the v2 snapshot (PageCache): maintenances, daily uptime, and the incidents behind
/// the uptime tooltips. Read by <see cref="Live.LivePage"/> on a page change and periodically, never per request.
/// </summary>
public sealed record PageExtras(
    IReadOnlyList<MaintenanceRow> Maintenances,
    IReadOnlyDictionary<string, UptimeReport> Uptime,
    DateOnly FirstDay,
    DateOnly LastDay,
    IReadOnlyList<IncidentSpan> RecentIncidents,
    DateTimeOffset UptimeReadAt)
{
    public static PageExtras Empty { get; } = new([], new Dictionary<string, UptimeReport>(), DateOnly.MinValue, DateOnly.MinValue, [], DateTimeOffset.MinValue);

    /// <summary>What the pages show of these extras, as text: equal fingerprints render equal pages, so no live update is sent.</summary>
    public string Fingerprint()
    {
        var text = new StringBuilder();
        foreach (var m in Maintenances)
        {
            text.Append(m.Id).Append('|').Append(m.Status).Append('|').Append(m.Name).Append('|').Append(m.ScheduledFor.UtcTicks)
                .Append('|').Append(m.ScheduledUntil.UtcTicks).Append('|').Append(string.Join(',', m.ComponentIds)).Append('\n');
            foreach (var u in m.Updates)
                text.Append(u.Id).Append('|').Append(u.Status).Append('|').Append(u.Body).Append('\n');
        }
        text.Append(FirstDay.DayNumber).Append('\n');
        foreach (var (id, report) in Uptime.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            text.Append(id).Append(':');
            // Rounded as displayed: today's uptime moves every second during an outage, the page only by 0.01%, and the
            // outage and maintenance minutes of the day details by a minute (maintenance does not move the uptime at all).
            foreach (var day in report.Days)
            {
                text.Append(day.Uptime is { } u ? Math.Round(u * 10000).ToString(CultureInfo.InvariantCulture) : "-")
                    .Append('/').Append(UptimeDay.ShownMinutes(day.MajorOutage)).Append('/').Append(UptimeDay.ShownMinutes(day.PartialOutage))
                    .Append('/').Append(UptimeDay.ShownMinutes(day.Maintenance)).Append(',');
            }
            text.Append('\n');
        }
        foreach (var i in RecentIncidents)
            text.Append(i.Id).Append('|').Append(i.Name).Append('|').Append(i.ResolvedAt?.UtcTicks).Append('|').Append(string.Join(',', i.ComponentIds)).Append('\n');
        return text.ToString();
    }
}

public sealed record MaintenanceRow(
    string Id, string Name, string Status, DateTimeOffset ScheduledFor, DateTimeOffset ScheduledUntil, DateTimeOffset? StartedAt,
    DateTimeOffset? ResolvedAt, IReadOnlyList<string> ComponentIds, IReadOnlyList<MaintenanceUpdateRow> Updates)
{
    public bool IsActive => Status is "in_progress" or "verifying";
}

public sealed record MaintenanceUpdateRow(string Id, string Status, string Body, DateTimeOffset DisplayAt);

/// <summary>An incident's time span and components, for the uptime tooltips ("incidents that day").</summary>
public sealed record IncidentSpan(string Id, string Name, string Impact, DateTimeOffset StartedAt, DateTimeOffset? ResolvedAt, IReadOnlyList<string> ComponentIds);

/// <summary>The SQL of <see cref="PageExtras"/>; uptime itself comes from Incident.Service's <see cref="UptimeQuery"/>.</summary>
public sealed class PageExtrasReadModel(NpgsqlDataSource dataSource, ILogger<PageExtrasReadModel> logger)
{
    // Open and upcoming maintenances, and the ones that ended in the last week.
    private const string MaintenancesSql = """
        select m.id, m.name, m.status, m.scheduled_for, m.scheduled_until, m.started_at, m.resolved_at,
               coalesce((select array_agg(component_id order by component_id) from status.maintenance_components c where c.maintenance_id = m.id), '{}')
        from status.maintenances m
        where m.status in ('scheduled', 'in_progress', 'verifying') or m.resolved_at > $1
        order by m.scheduled_for, m.id collate "C"
        """;

    private const string MaintenanceUpdatesSql = """
        select u.id, u.maintenance_id, u.status, u.body, u.display_at from status.maintenance_updates u
        where u.maintenance_id = any($1)
        order by u.maintenance_id, u.display_at desc, u.id collate "C" desc
        """;

    private const string IncidentSpansSql = """
        select i.id, i.name, i.impact, i.started_at, i.resolved_at,
               coalesce((select array_agg(component_id order by component_id) from status.incident_components c where c.incident_id = i.id), '{}')
        from status.incidents i
        where i.started_at < $2 and (i.resolved_at is null or i.resolved_at >= $1)
        order by i.started_at, i.id collate "C"
        """;

    public async Task<IReadOnlyList<MaintenanceRow>> ReadMaintenancesAsync(DateTimeOffset now, CancellationToken ct)
    {
        try
        {
            var rows = new List<(string Id, string Name, string Status, DateTimeOffset For, DateTimeOffset Until, DateTimeOffset? Started, DateTimeOffset? Resolved, string[] Components)>();
            await using (var command = dataSource.CreateCommand(MaintenancesSql))
            {
                command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = now.AddDays(-7) });
                await using var reader = await command.ExecuteReaderAsync(ct);
                while (await reader.ReadAsync(ct))
                    rows.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetFieldValue<DateTimeOffset>(3),
                        reader.GetFieldValue<DateTimeOffset>(4), reader.IsDBNull(5) ? null : reader.GetFieldValue<DateTimeOffset>(5),
                        reader.IsDBNull(6) ? null : reader.GetFieldValue<DateTimeOffset>(6), reader.GetFieldValue<string[]>(7)));
            }
            var updates = new List<(string MaintenanceId, MaintenanceUpdateRow Update)>();
            if (rows.Count > 0)
            {
                await using var command = dataSource.CreateCommand(MaintenanceUpdatesSql);
                command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. rows.Select(r => r.Id)] });
                await using var reader = await command.ExecuteReaderAsync(ct);
                while (await reader.ReadAsync(ct))
                    updates.Add((reader.GetString(1), new MaintenanceUpdateRow(reader.GetString(0), reader.GetString(2), reader.GetString(3), reader.GetFieldValue<DateTimeOffset>(4))));
            }
            var byMaintenance = updates.ToLookup(u => u.MaintenanceId, u => u.Update);
            return [.. rows.Select(r => new MaintenanceRow(r.Id, r.Name, r.Status, r.For, r.Until, r.Started, r.Resolved, r.Components, [.. byMaintenance[r.Id]]))];
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.UndefinedTable or PostgresErrorCodes.InvalidSchemaName)
        {
            logger.LogDebug("No maintenance tables yet ({Reason}); the page shows no maintenance", e.MessageText);
            return [];
        }
    }

    public async Task<IReadOnlyList<IncidentSpan>> ReadIncidentSpansAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(IncidentSpansSql);
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = from });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = to });
        await using var reader = await command.ExecuteReaderAsync(ct);
        var spans = new List<IncidentSpan>();
        while (await reader.ReadAsync(ct))
            spans.Add(new IncidentSpan(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetFieldValue<DateTimeOffset>(3),
                reader.IsDBNull(4) ? null : reader.GetFieldValue<DateTimeOffset>(4), reader.GetFieldValue<string[]>(5)));
        return spans;
    }
}
