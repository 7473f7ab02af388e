using System.Globalization;
using Npgsql;

namespace StatusPlatform.StatusApi.Tests;

/// <summary>Writes status.* rows the way Incident.Service's projections do, so a test can set up the state it names.</summary>
public sealed class ReadModelRows(NpgsqlDataSource database)
{
    public static DateTimeOffset At(string utc) =>
        DateTimeOffset.Parse(utc, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);

    public Task ClearAsync() =>
        ExecuteAsync("truncate status.page, status.components, status.incidents, status.incident_components, status.incident_updates, status.maintenances cascade");

    public Task PageAsync(string id, string name, string url, string timeZone, string updatedAt) =>
        ExecuteAsync("insert into status.page (id, name, url, time_zone, updated_at) values ($1, $2, $3, $4, $5)",
            id, name, url, timeZone, At(updatedAt));

    public Task ComponentAsync(
        string id, string name, string status, int position, string? groupId = null, bool isGroup = false,
        string createdAt = "2024-01-01T00:00:00Z", string? updatedAt = null, string? description = null,
        bool showcase = true, DateOnly? startDate = null, bool onlyShowIfDegraded = false) =>
        ExecuteAsync(
            """
            insert into status.components (id, name, status, created_at, updated_at, position, description, showcase,
                                           start_date, group_id, is_group, only_show_if_degraded)
            values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
            """,
            id, name, status, At(createdAt), At(updatedAt ?? createdAt), position, description, showcase, startDate, groupId,
            isGroup, onlyShowIfDegraded);

    /// <summary>A component's status changed, as the components projection writes a ComponentStatusChanged.</summary>
    public Task ComponentStatusAsync(string id, string status, DateTimeOffset changedAt) =>
        ExecuteAsync("update status.components set status = $2, updated_at = $3 where id = $1", id, status, changedAt);

    /// <summary>A component renamed by the configuration file: no integration event says so.</summary>
    public Task RenameComponentAsync(string id, string name, DateTimeOffset at) =>
        ExecuteAsync("update status.components set name = $2, updated_at = $3 where id = $1", id, name, at);

    public async Task IncidentAsync(
        string id, string name, string status, string impact, string createdAt, string? updatedAt = null,
        string? monitoringAt = null, string? resolvedAt = null, string? shortlink = null, params string[] componentIds)
    {
        await ExecuteAsync(
            """
            insert into status.incidents (id, name, status, impact, created_at, updated_at, monitoring_at, resolved_at,
                                          started_at, shortlink)
            values ($1, $2, $3, $4, $5, $6, $7, $8, $5, $9)
            """,
            id, name, status, impact, At(createdAt), At(updatedAt ?? createdAt), monitoringAt is null ? null : At(monitoringAt),
            resolvedAt is null ? null : At(resolvedAt), shortlink);
        await ExecuteAsync(
            "insert into status.incident_components (incident_id, component_id) select $1, unnest($2::text[])", id, componentIds);
    }

    public Task IncidentUpdateAsync(
        string id, string incidentId, string status, string body, string createdAt, string? displayAt = null,
        string? affectedComponentsJson = null) =>
        ExecuteAsync(
            """
            insert into status.incident_updates (id, incident_id, status, body, created_at, updated_at, display_at,
                                                 affected_components)
            values ($1, $2, $3, $4, $5, $5, $6, $7::jsonb)
            """,
            id, incidentId, status, body, At(createdAt), At(displayAt ?? createdAt), affectedComponentsJson);

    public async Task MaintenanceAsync(string id, string name, string status, string scheduledFor, string scheduledUntil, string createdAt,
        string? startedAt = null, string? resolvedAt = null, params string[] componentIds)
    {
        await ExecuteAsync(
            """
            insert into status.maintenances (id, name, status, scheduled_for, scheduled_until, created_at, updated_at, started_at, resolved_at)
            values ($1, $2, $3, $4, $5, $6, coalesce($8, $7, $6), $7, $8)
            """,
            id, name, status, At(scheduledFor), At(scheduledUntil), At(createdAt), startedAt is null ? null : At(startedAt),
            resolvedAt is null ? null : At(resolvedAt));
        await ExecuteAsync(
            "insert into status.maintenance_components (maintenance_id, component_id) select $1, unnest($2::text[])", id, componentIds);
    }

    public Task MaintenanceUpdateAsync(string id, string maintenanceId, string status, string body, string createdAt) =>
        ExecuteAsync("insert into status.maintenance_updates (id, maintenance_id, status, body, created_at, display_at) values ($1, $2, $3, $4, $5, $5)",
            id, maintenanceId, status, body, At(createdAt));

    private async Task ExecuteAsync(string sql, params object?[] values)
    {
        await using var command = database.CreateCommand(sql);
        foreach (var value in values)
            command.Parameters.Add(new NpgsqlParameter { Value = value ?? DBNull.Value });
        await command.ExecuteNonQueryAsync();
    }
}
