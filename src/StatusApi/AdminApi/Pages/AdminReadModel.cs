using System.Data;
using Npgsql;
using StatusPlatform.Contracts;
using StatusPlatform.StatusApi.PublicApi;

namespace StatusPlatform.StatusApi.AdminApi.Pages;

/// <summary>
/// What the admin API reads from the status read model (written by Incident.Service's projections). Unlike the public
/// endpoints it reads the database on every request: an admin must see what is true now, and when the database is
/// away it must hear 503 rather than an old answer (any NpgsqlException becomes one, see AdminApi).
/// </summary>
public sealed class AdminReadModel(NpgsqlDataSource dataSource)
{
    private const string IncidentColumns = """
        i.id, i.name, i.status, i.impact, i.created_at, i.updated_at, i.monitoring_at, i.resolved_at, i.started_at, i.shortlink,
        i.backfilled, i.postmortem_body, i.postmortem_published_at, i.version
        """;

    private const string ComponentColumns = """
        c.id, c.name, c.status, c.created_at, c.updated_at, c.position, c.description, c.showcase, c.start_date, c.group_id,
        c.is_group, c.only_show_if_degraded
        """;

    // The public page's order: interleaved by position, top-level entries first at equal positions, ties on ids ("C").
    private const string ComponentOrder = "c.position, c.group_id is not null, c.group_id collate \"C\", c.id collate \"C\"";

    private static readonly string UnresolvedFilter =
        $"i.status in ('{IncidentStatus.Investigating}', '{IncidentStatus.Identified}', '{IncidentStatus.Monitoring}')";

    public async Task<AdminPage?> PageAsync(string pageId, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("select id, url, time_zone from status.page where id = $1");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = pageId });
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? new AdminPage(reader.GetString(0), reader.GetString(1), Timestamps.FindZone(reader.GetString(2))) : null;
    }

    /// <summary>
    /// One page of incidents, newest first, with their updates and components, read in one snapshot. <paramref name="query"/>
    /// searches name, status, postmortem and update bodies (Statuspage's <c>q</c>).
    /// </summary>
    public async Task<(int Total, IReadOnlyList<IncidentDetails> Incidents)> IncidentsAsync(
        string? query, bool unresolvedOnly, int offset, int limit, CancellationToken ct)
    {
        var filters = new List<string>();
        if (unresolvedOnly)
            filters.Add(UnresolvedFilter);
        if (query is not null)
        {
            filters.Add("""
                (i.name ilike $1 or i.status ilike $1 or i.postmortem_body ilike $1
                 or exists (select 1 from status.incident_updates u where u.incident_id = i.id and u.body ilike $1))
                """);
        }
        var where = filters.Count == 0 ? "" : "where " + string.Join(" and ", filters);
        var pattern = query is null ? "%" : "%" + query.Replace(@"\", @"\\", StringComparison.Ordinal)
            .Replace("%", @"\%", StringComparison.Ordinal).Replace("_", @"\_", StringComparison.Ordinal) + "%";

        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
        await using var batch = new NpgsqlBatch(connection, transaction)
        {
            BatchCommands =
            {
                Command($"select count(*)::int from status.incidents i {where}", pattern),
                Command($"""
                    select {IncidentColumns} from status.incidents i {where}
                    order by i.created_at desc, i.id collate "C" desc offset $2 limit $3
                    """, pattern, offset, limit),
            },
        };
        int total;
        var incidents = new List<IncidentRecord>();
        await using (var reader = await batch.ExecuteReaderAsync(ct))
        {
            await reader.ReadAsync(ct);
            total = reader.GetInt32(0);
            await reader.NextResultAsync(ct);
            while (await reader.ReadAsync(ct))
                incidents.Add(ReadIncident(reader));
        }
        return (total, await DetailsAsync(connection, transaction, incidents, ct));
    }

    public async Task<IncidentDetails?> IncidentAsync(string id, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
        await using var command = new NpgsqlCommand($"select {IncidentColumns} from status.incidents i where i.id = $1", connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = id });
        IncidentRecord? incident = null;
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            if (await reader.ReadAsync(ct))
                incident = ReadIncident(reader);
        }
        return incident is null ? null : (await DetailsAsync(connection, transaction, [incident], ct))[0];
    }

    /// <summary>
    /// How many updates the incident has, or null when it does not exist. Every accepted incident command adds one (an
    /// update, the resolution or the postmortem), so a count above the one read before the command means the read model
    /// shows it; the read model holds no stream versions to compare instead.
    /// </summary>
    public async Task<int?> UpdateCountAsync(string incidentId, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""
            select (select count(*)::int from status.incident_updates where incident_id = $1)
            from status.incidents where id = $1
            """);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = incidentId });
        return await command.ExecuteScalarAsync(ct) as int?;
    }

    public async Task<(int Total, IReadOnlyList<ComponentRow> Components)> ComponentsAsync(int offset, int limit, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
        await using var batch = new NpgsqlBatch(connection, transaction)
        {
            BatchCommands =
            {
                Command("select count(*)::int from status.components"),
                Command($"select {ComponentColumns} from status.components c order by {ComponentOrder} offset $1 limit $2", offset, limit),
            },
        };
        await using var reader = await batch.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        var total = reader.GetInt32(0);
        await reader.NextResultAsync(ct);
        var components = new List<ComponentRow>();
        while (await reader.ReadAsync(ct))
            components.Add(ReadComponent(reader, 0));
        return (total, components);
    }

    public async Task<ComponentRow?> ComponentAsync(string id, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand($"select {ComponentColumns} from status.components c where c.id = $1");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = id });
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? ReadComponent(reader, 0) : null;
    }

    /// <summary>The displayed status of each of these components that exists.</summary>
    public async Task<IReadOnlyDictionary<string, string>> ComponentStatusesAsync(IReadOnlyCollection<string> ids, CancellationToken ct)
    {
        var statuses = new Dictionary<string, string>(StringComparer.Ordinal);
        if (ids.Count == 0)
            return statuses;
        await using var command = dataSource.CreateCommand("select id, status from status.components where id = any($1)");
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. ids] });
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            statuses[reader.GetString(0)] = reader.GetString(1);
        return statuses;
    }

    private static async Task<IReadOnlyList<IncidentDetails>> DetailsAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, List<IncidentRecord> incidents, CancellationToken ct)
    {
        if (incidents.Count == 0)
            return [];
        var ids = incidents.Select(i => i.Id).ToArray();
        await using var batch = new NpgsqlBatch(connection, transaction)
        {
            BatchCommands =
            {
                // Newest first by display_at, the time readers see, as the public endpoints order them.
                Command("""
                    select id, incident_id, status, body, created_at, updated_at, display_at, affected_components::text, deliver_notifications
                    from status.incident_updates where incident_id = any($1)
                    order by incident_id, display_at desc, created_at desc, id collate "C" desc
                    """, (object)ids),
                Command($"""
                    select ic.incident_id, {ComponentColumns}
                    from status.incident_components ic join status.components c on c.id = ic.component_id
                    where ic.incident_id = any($1) order by {ComponentOrder}
                    """, (object)ids),
            },
        };
        await using var reader = await batch.ExecuteReaderAsync(ct);
        var updates = new List<IncidentUpdateRow>();
        while (await reader.ReadAsync(ct))
        {
            updates.Add(new IncidentUpdateRow(
                reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
                reader.GetFieldValue<DateTimeOffset>(4), reader.GetFieldValue<DateTimeOffset>(5), reader.GetFieldValue<DateTimeOffset>(6),
                reader.IsDBNull(7) ? null : reader.GetString(7), reader.GetBoolean(8)));
        }
        await reader.NextResultAsync(ct);
        var components = new List<(string IncidentId, ComponentRow Component)>();
        while (await reader.ReadAsync(ct))
            components.Add((reader.GetString(0), ReadComponent(reader, 1)));

        var updatesById = updates.ToLookup(u => u.IncidentId);
        var componentsById = components.ToLookup(c => c.IncidentId, c => c.Component);
        return [.. incidents.Select(i => new IncidentDetails(i, [.. updatesById[i.Id]], [.. componentsById[i.Id]]))];
    }

    private static NpgsqlBatchCommand Command(string sql, params object[] values)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var value in values)
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        return command;
    }

    private static IncidentRecord ReadIncident(NpgsqlDataReader r) => new(
        r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetFieldValue<DateTimeOffset>(4), r.GetFieldValue<DateTimeOffset>(5),
        r.IsDBNull(6) ? null : r.GetFieldValue<DateTimeOffset>(6), r.IsDBNull(7) ? null : r.GetFieldValue<DateTimeOffset>(7),
        r.GetFieldValue<DateTimeOffset>(8), r.IsDBNull(9) ? null : r.GetString(9), r.GetBoolean(10),
        r.IsDBNull(11) ? null : r.GetString(11), r.IsDBNull(12) ? null : r.GetFieldValue<DateTimeOffset>(12), r.GetInt64(13));

    private static ComponentRow ReadComponent(NpgsqlDataReader r, int o) => new(
        r.GetString(o), r.GetString(o + 1), r.GetString(o + 2), r.GetFieldValue<DateTimeOffset>(o + 3), r.GetFieldValue<DateTimeOffset>(o + 4),
        r.GetInt32(o + 5), r.IsDBNull(o + 6) ? null : r.GetString(o + 6), r.GetBoolean(o + 7),
        r.IsDBNull(o + 8) ? null : r.GetFieldValue<DateOnly>(o + 8), r.IsDBNull(o + 9) ? null : r.GetString(o + 9),
        r.GetBoolean(o + 10), r.GetBoolean(o + 11));
}

/// <summary>The page a /pages/{page_id} path names: its public URL and time zone (timestamps are written in it).</summary>
public sealed record AdminPage(string Id, string Url, TimeZoneInfo Zone);

/// <summary>An incident row with what the admin API shows beyond the public one (backfill, postmortem).</summary>
public sealed record IncidentRecord(
    string Id, string Name, string Status, string Impact, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt,
    DateTimeOffset? MonitoringAt, DateTimeOffset? ResolvedAt, DateTimeOffset StartedAt, string? Shortlink, bool Backfilled,
    string? PostmortemBody, DateTimeOffset? PostmortemPublishedAt, long Version = 0);

public sealed record IncidentDetails(IncidentRecord Incident, IReadOnlyList<IncidentUpdateRow> Updates, IReadOnlyList<ComponentRow> Components);
