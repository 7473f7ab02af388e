using System.Data;
using Npgsql;
using StatusPlatform.Contracts;

namespace StatusPlatform.StatusApi.PublicApi;

/// <summary>
/// Reads the public read model (schema <c>status</c>, written by Incident.Service projections) for the v2 endpoints:
/// only <see cref="Serving.PageRefresher"/> calls it, never a request.
/// </summary>
public sealed class StatusReadModel(NpgsqlDataSource dataSource, ILogger<StatusReadModel> logger)
{
    private const string Unresolved = "status in ('investigating', 'identified', 'monitoring')";

    /// <summary>How many incidents incidents.json lists (statuspage-api.md 1.3).</summary>
    public const int RecentIncidentLimit = 50;

    // The incidents the page shows anywhere: every unresolved one (summary.json, unresolved.json) and the 50 newest of
    // any status (incidents.json). An unresolved incident older than the newest 50 is in the first set only.
    private static readonly string Listed = $"""
        (select id from status.incidents where {Unresolved}
         union
         select id from (select id from status.incidents order by created_at desc, id collate "C" desc limit {RecentIncidentLimit}) recent)
        """;

    // The maintenances the page shows: every open one and the 50 newest of any status (scheduled-maintenances.json).
    private static readonly string ListedMaintenances = $"""
        (select id from status.maintenances where status in ('scheduled', 'in_progress', 'verifying')
         union
         select id from (select id from status.maintenances order by scheduled_for desc, id collate "C" desc limit {RecentIncidentLimit}) recent)
        """;

    // Ties are broken on ids with the "C" collation so the order never depends on the database's locale.
    private static readonly string[] Queries =
    [
        "select id, name, url, time_zone, updated_at from status.page order by id collate \"C\" limit 1",
        // The page changes whenever anything on it changes, whether or not its own row was touched.
        """
        select greatest((select max(updated_at) from status.components),
                        (select max(updated_at) from status.incidents),
                        (select max(updated_at) from status.incident_updates),
                        (select max(updated_at) from status.maintenances))
        """,
        // Components interleave by position across parents (statuspage-api.md 1.3). At equal positions: top-level
        // entries before grouped children, children of one group together, then by id.
        """
        select id, name, status, created_at, updated_at, position, description, showcase, start_date, group_id,
               is_group, only_show_if_degraded
        from status.components
        order by position, group_id is not null, group_id collate "C", id collate "C"
        """,
        // Newest first by creation; the reference does not say which timestamp, and created_at never moves.
        $"""
        select id, name, status, impact, created_at, updated_at, monitoring_at, resolved_at, started_at, shortlink
        from status.incidents where id in {Listed}
        order by created_at desc, id collate "C" desc
        """,
        // Newest first by display_at, the time readers see (it can be back-dated); the index serves this order.
        $"""
        select id, incident_id, status, body, created_at, updated_at, display_at, affected_components::text,
               deliver_notifications
        from status.incident_updates
        where incident_id in {Listed}
        order by incident_id, display_at desc, created_at desc, id collate "C" desc
        """,
        $"""
        select incident_id, component_id from status.incident_components
        where incident_id in {Listed}
        """,
        // Newest first by the start of the window.
        $"""
        select id, name, status, impact, created_at, updated_at, started_at, resolved_at, shortlink, scheduled_for, scheduled_until
        from status.maintenances where id in {ListedMaintenances}
        order by scheduled_for desc, id collate "C" desc
        """,
        $"""
        select id, maintenance_id, status, body, created_at, display_at, deliver_notifications
        from status.maintenance_updates where maintenance_id in {ListedMaintenances}
        order by maintenance_id, display_at desc, created_at desc, id collate "C" desc
        """,
        $"""
        select maintenance_id, component_id from status.maintenance_components where maintenance_id in {ListedMaintenances}
        """,
    ];

    /// <summary>
    /// One consistent snapshot: a projection committing between two queries cannot tear it. A database Incident.Service
    /// has not migrated yet holds no page, which is what empty tables say too, so it reads as empty rather than failing.
    /// </summary>
    public async Task<StatusSnapshot> ReadAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await ReadRowsAsync(cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.UndefinedTable or PostgresErrorCodes.InvalidSchemaName)
        {
            logger.LogWarning("The status read model does not exist yet ({Reason}); serving an empty page until Incident.Service creates it", e.MessageText);
            return StatusSnapshot.Empty;
        }
    }

    private async Task<StatusSnapshot> ReadRowsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
        await using var batch = new NpgsqlBatch(connection, transaction);
        foreach (var sql in Queries)
            batch.BatchCommands.Add(new NpgsqlBatchCommand(sql));
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);

        var page = await reader.ReadAsync(cancellationToken)
            ? new PageRow(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetFieldValue<DateTimeOffset>(4))
            : null;

        await reader.NextResultAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var contentUpdatedAt = reader.IsDBNull(0) ? (DateTimeOffset?)null : reader.GetFieldValue<DateTimeOffset>(0);

        await reader.NextResultAsync(cancellationToken);
        var components = new List<ComponentRow>();
        while (await reader.ReadAsync(cancellationToken))
        {
            components.Add(new ComponentRow(
                reader.GetString(0), reader.GetString(1), reader.GetString(2),
                reader.GetFieldValue<DateTimeOffset>(3), reader.GetFieldValue<DateTimeOffset>(4), reader.GetInt32(5),
                reader.IsDBNull(6) ? null : reader.GetString(6), reader.GetBoolean(7),
                reader.IsDBNull(8) ? null : reader.GetFieldValue<DateOnly>(8), reader.IsDBNull(9) ? null : reader.GetString(9),
                reader.GetBoolean(10), reader.GetBoolean(11)));
        }

        await reader.NextResultAsync(cancellationToken);
        var incidents = new List<IncidentRow>();
        while (await reader.ReadAsync(cancellationToken))
        {
            incidents.Add(new IncidentRow(
                reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
                reader.GetFieldValue<DateTimeOffset>(4), reader.GetFieldValue<DateTimeOffset>(5),
                reader.IsDBNull(6) ? null : reader.GetFieldValue<DateTimeOffset>(6),
                reader.IsDBNull(7) ? null : reader.GetFieldValue<DateTimeOffset>(7),
                reader.GetFieldValue<DateTimeOffset>(8), reader.IsDBNull(9) ? null : reader.GetString(9)));
        }

        await reader.NextResultAsync(cancellationToken);
        var updates = new List<IncidentUpdateRow>();
        while (await reader.ReadAsync(cancellationToken))
        {
            updates.Add(new IncidentUpdateRow(
                reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
                reader.GetFieldValue<DateTimeOffset>(4), reader.GetFieldValue<DateTimeOffset>(5), reader.GetFieldValue<DateTimeOffset>(6),
                reader.IsDBNull(7) ? null : reader.GetString(7), reader.GetBoolean(8)));
        }

        await reader.NextResultAsync(cancellationToken);
        var incidentComponents = new List<(string IncidentId, string ComponentId)>();
        while (await reader.ReadAsync(cancellationToken))
            incidentComponents.Add((reader.GetString(0), reader.GetString(1)));

        await reader.NextResultAsync(cancellationToken);
        var maintenances = new List<MaintenanceRow>();
        while (await reader.ReadAsync(cancellationToken))
        {
            maintenances.Add(new MaintenanceRow(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
                reader.GetFieldValue<DateTimeOffset>(4), reader.GetFieldValue<DateTimeOffset>(5),
                reader.IsDBNull(6) ? null : reader.GetFieldValue<DateTimeOffset>(6), reader.IsDBNull(7) ? null : reader.GetFieldValue<DateTimeOffset>(7),
                reader.IsDBNull(8) ? null : reader.GetString(8), reader.GetFieldValue<DateTimeOffset>(9), reader.GetFieldValue<DateTimeOffset>(10)));
        }

        await reader.NextResultAsync(cancellationToken);
        var maintenanceUpdates = new List<MaintenanceUpdateRow>();
        while (await reader.ReadAsync(cancellationToken))
        {
            maintenanceUpdates.Add(new MaintenanceUpdateRow(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
                reader.GetFieldValue<DateTimeOffset>(4), reader.GetFieldValue<DateTimeOffset>(5), reader.GetBoolean(6)));
        }

        await reader.NextResultAsync(cancellationToken);
        var maintenanceComponents = new List<(string MaintenanceId, string ComponentId)>();
        while (await reader.ReadAsync(cancellationToken))
            maintenanceComponents.Add((reader.GetString(0), reader.GetString(1)));

        return new StatusSnapshot(page, contentUpdatedAt, components, incidents, updates, incidentComponents)
        {
            Maintenances = maintenances,
            MaintenanceUpdates = maintenanceUpdates,
            MaintenanceComponents = maintenanceComponents,
        };
    }
}

/// <summary>
/// The rows of one read, in the order the wire wants them. <see cref="Incidents"/> holds every unresolved incident and
/// the newest <see cref="StatusReadModel.RecentIncidentLimit"/> of any status, newest first.
/// </summary>
public sealed record StatusSnapshot(
    PageRow? Page,
    DateTimeOffset? ContentUpdatedAt,
    IReadOnlyList<ComponentRow> Components,
    IReadOnlyList<IncidentRow> Incidents,
    IReadOnlyList<IncidentUpdateRow> Updates,
    IReadOnlyList<(string IncidentId, string ComponentId)> IncidentComponents)
{
    public static StatusSnapshot Empty { get; } = new(null, null, [], [], [], []);

    /// <summary>Every open maintenance and the newest of any status, newest window first.</summary>
    public IReadOnlyList<MaintenanceRow> Maintenances { get; init; } = [];

    public IReadOnlyList<MaintenanceUpdateRow> MaintenanceUpdates { get; init; } = [];

    public IReadOnlyList<(string MaintenanceId, string ComponentId)> MaintenanceComponents { get; init; } = [];

    /// <summary>Row for row the same content (the row records compare by value), so nothing needs rendering again.</summary>
    public bool HasSameRowsAs(StatusSnapshot other) =>
        Page == other.Page && ContentUpdatedAt == other.ContentUpdatedAt && Components.SequenceEqual(other.Components)
        && Incidents.SequenceEqual(other.Incidents) && Updates.SequenceEqual(other.Updates)
        && IncidentComponents.SequenceEqual(other.IncidentComponents) && Maintenances.SequenceEqual(other.Maintenances)
        && MaintenanceUpdates.SequenceEqual(other.MaintenanceUpdates) && MaintenanceComponents.SequenceEqual(other.MaintenanceComponents);
}

public sealed record PageRow(string Id, string Name, string Url, string TimeZone, DateTimeOffset UpdatedAt);

public sealed record ComponentRow(
    string Id, string Name, string Status, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, int Position,
    string? Description, bool Showcase, DateOnly? StartDate, string? GroupId, bool IsGroup, bool OnlyShowIfDegraded);

public sealed record IncidentRow(
    string Id, string Name, string Status, string Impact, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt,
    DateTimeOffset? MonitoringAt, DateTimeOffset? ResolvedAt, DateTimeOffset StartedAt, string? Shortlink)
{
    public bool IsUnresolved => Status is IncidentStatus.Investigating or IncidentStatus.Identified or IncidentStatus.Monitoring;
}

/// <summary>A maintenance row; status "cancelled" (ours) is shown as completed on the wire.</summary>
public sealed record MaintenanceRow(
    string Id, string Name, string Status, string Impact, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, DateTimeOffset? StartedAt,
    DateTimeOffset? ResolvedAt, string? Shortlink, DateTimeOffset ScheduledFor, DateTimeOffset ScheduledUntil)
{
    public string WireStatus => Status == "cancelled" ? MaintenanceStatus.Completed : Status;
}

public sealed record MaintenanceUpdateRow(
    string Id, string MaintenanceId, string Status, string Body, DateTimeOffset CreatedAt, DateTimeOffset DisplayAt, bool DeliverNotifications);

/// <summary><see cref="AffectedComponentsJson"/> is the jsonb column as text, parsed when the update is built.</summary>
public sealed record IncidentUpdateRow(
    string Id, string IncidentId, string Status, string Body, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt,
    DateTimeOffset DisplayAt, string? AffectedComponentsJson, bool DeliverNotifications);
