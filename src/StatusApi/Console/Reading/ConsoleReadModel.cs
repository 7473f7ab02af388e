using Npgsql;
using StatusPlatform.StatusApi.PublicApi;

namespace StatusPlatform.StatusApi.Console.Reading;

/// <summary>
/// What the console reads beyond the admin API's read model (AdminReadModel, which it uses for incidents and
/// components): the page row, maintenances, templates, which incidents automation opened, and the last checks per
/// monitor and region. Always from the database, never from memory: an operator must see what is true now.
/// </summary>
public sealed class ConsoleReadModel(NpgsqlDataSource dataSource)
{
    public async Task<PageSettings?> PageAsync(CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("select id, name, url, time_zone, updated_at from status.page order by id limit 1");
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct)
            ? new PageSettings(reader.GetString(0), reader.GetString(1), reader.GetString(2), Timestamps.FindZone(reader.GetString(3)), reader.GetFieldValue<DateTimeOffset>(4))
            : null;
    }

    /// <summary>Whether automation opened the incident and its stream version (the expected version of the next write).</summary>
    public async Task<(bool Automatic, long Version)?> IncidentFlagsAsync(string id, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("select automatic, version from status.incidents where id = $1");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = id });
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? (reader.GetBoolean(0), reader.GetInt64(1)) : null;
    }

    public async Task<IReadOnlySet<string>> AutomaticIncidentsAsync(IReadOnlyCollection<string> ids, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("select id from status.incidents where automatic and id = any($1)");
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. ids] });
        await using var reader = await command.ExecuteReaderAsync(ct);
        var automatic = new HashSet<string>(StringComparer.Ordinal);
        while (await reader.ReadAsync(ct))
            automatic.Add(reader.GetString(0));
        return automatic;
    }

    /// <summary>Maintenances not yet over (scheduled, in progress, verifying) and those that ended in the last week, soonest first.</summary>
    public async Task<IReadOnlyList<MaintenanceItem>> MaintenancesAsync(DateTimeOffset now, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""
            select m.id, m.name, m.status, m.scheduled_for, m.scheduled_until, m.auto_transition, m.service_window_id, m.version,
                   coalesce(array_agg(c.name order by c.position, c.id) filter (where c.id is not null), array[]::text[])
            from status.maintenances m
            left join status.maintenance_components mc on mc.maintenance_id = m.id
            left join status.components c on c.id = mc.component_id
            where m.status in ('scheduled', 'in_progress', 'verifying') or m.scheduled_until > $1 - interval '7 days'
            group by m.id order by m.scheduled_for, m.id limit 200
            """);
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = now });
        await using var reader = await command.ExecuteReaderAsync(ct);
        var items = new List<MaintenanceItem>();
        while (await reader.ReadAsync(ct))
        {
            items.Add(new MaintenanceItem(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetFieldValue<DateTimeOffset>(3),
                reader.GetFieldValue<DateTimeOffset>(4), reader.GetBoolean(5), reader.IsDBNull(6) ? null : reader.GetString(6), reader.GetInt64(7),
                reader.GetFieldValue<string[]>(8)));
        }
        return items;
    }

    public async Task<IReadOnlyList<TemplateItem>> TemplatesAsync(CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("select id, name, title, body, status, version from status.incident_templates order by name, id");
        await using var reader = await command.ExecuteReaderAsync(ct);
        var items = new List<TemplateItem>();
        while (await reader.ReadAsync(ct))
            items.Add(new TemplateItem(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4), reader.GetInt64(5)));
        return items;
    }

    /// <summary>
    /// The newest check of each monitor in each region within the last day, with its timings and error. Null when the
    /// checks schema is not there (Incident.Service has not created it yet): the dashboard says so instead of failing.
    /// </summary>
    public async Task<IReadOnlyList<LastCheck>?> LastChecksAsync(DateTimeOffset now, CancellationToken ct)
    {
        // The time bound lets PostgreSQL skip all but the newest partitions of checks.results.
        await using var command = dataSource.CreateCommand("""
            select distinct on (monitor_id, region) monitor_id, region, probe_instance, started_at, duration_ms, outcome, status_code, failure_reason,
                   timings ->> 'DnsMs', timings ->> 'ConnectMs', timings ->> 'TlsMs', timings ->> 'FirstByteMs'
            from checks.results where started_at > $1
            order by monitor_id, region, started_at desc
            """);
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = now.AddDays(-1) });
        try
        {
            await using var reader = await command.ExecuteReaderAsync(ct);
            var checks = new List<LastCheck>();
            while (await reader.ReadAsync(ct))
            {
                checks.Add(new LastCheck(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetFieldValue<DateTimeOffset>(3),
                    reader.GetDouble(4), reader.GetString(5), reader.IsDBNull(6) ? null : reader.GetInt32(6), reader.IsDBNull(7) ? null : reader.GetString(7),
                    Number(reader, 8), Number(reader, 9), Number(reader, 10), Number(reader, 11)));
            }
            return checks;
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.UndefinedTable or PostgresErrorCodes.InvalidSchemaName)
        {
            return null;
        }
    }

    private static double? Number(NpgsqlDataReader reader, int i) =>
        reader.IsDBNull(i) || !double.TryParse(reader.GetString(i), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var value)
            ? null
            : value;
}

public sealed record PageSettings(string Id, string Name, string Url, TimeZoneInfo Zone, DateTimeOffset UpdatedAt);

public sealed record MaintenanceItem(
    string Id, string Name, string Status, DateTimeOffset ScheduledFor, DateTimeOffset ScheduledUntil, bool AutoTransition, string? ServiceWindowId,
    long Version, IReadOnlyList<string> Components);

public sealed record TemplateItem(string Id, string Name, string Title, string Body, string Status, long Version);

/// <summary>One check as the probe reported it; timings in milliseconds, null for phases that did not happen.</summary>
public sealed record LastCheck(
    string MonitorId, string Region, string ProbeInstance, DateTimeOffset StartedAt, double DurationMs, string Outcome, int? StatusCode,
    string? FailureReason, double? DnsMs, double? ConnectMs, double? TlsMs, double? FirstByteMs);
