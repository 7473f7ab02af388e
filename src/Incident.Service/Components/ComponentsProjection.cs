using Npgsql;
using NpgsqlTypes;
using StatusPlatform.EventSourcing;
using StatusPlatform.EventSourcing.Subscriptions;

namespace StatusPlatform.Incident.Components;

/// <summary>
/// Projects component streams into status.components, the rows StatusApi serves. A group's status is the
/// worst of its children's, recomputed whenever a batch touched components.
/// </summary>
public sealed class ComponentsProjection : IProjection
{
    public string Name => "status.components";

    public async Task ApplyAsync(IReadOnlyList<StoredEvent> events, NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken ct)
    {
        var touched = false;
        foreach (var e in events)
        {
            touched |= e.Data switch
            {
                ComponentDefined d => await UpsertAsync(d.ComponentId, d.Settings, d.DefinedAt, d.ManagedBy),
                ComponentReconfigured r => await UpsertAsync(r.ComponentId, r.Settings, r.ReconfiguredAt, r.ManagedBy),
                ComponentRemoved r => await ExecuteAsync("delete from status.components where id = $1", r.ComponentId),
                ComponentStatusChanged s => await ExecuteAsync("update status.components set status = $2, updated_at = $3 where id = $1",
                    s.ComponentId, s.NewStatus, s.ChangedAt),
                _ => false,
            };
            // The stream version is the admin API's ETag: every event of a component's stream moves it, whether or not
            // it changes a public field (an override, an automatic incident attached).
            if (e.StreamId.StartsWith("component-", StringComparison.Ordinal) && e.Data is not ComponentRemoved)
                await ExecuteAsync("update status.components set version = $2 where id = $1", e.StreamId["component-".Length..], e.Version);
        }
        if (touched)
            await ExecuteAsync(WorstChildStatusOfGroups);

        // A reconfiguration without ManagedBy keeps who manages the component.
        Task<bool> UpsertAsync(string id, ComponentSettings s, DateTimeOffset at, string? managedBy) => ExecuteAsync("""
            insert into status.components (id, name, status, created_at, updated_at, position, description, showcase, group_id, is_group, only_show_if_degraded,
                owner, automation, managed_by)
            values ($1, $2, 'operational', $3, $3, $4, $5, $6, $7, $8, $9, $10, $11, coalesce($12, 'file'))
            on conflict (id) do update set name = excluded.name, updated_at = excluded.updated_at, position = excluded.position,
                description = excluded.description, showcase = excluded.showcase, group_id = excluded.group_id,
                is_group = excluded.is_group, only_show_if_degraded = excluded.only_show_if_degraded, owner = excluded.owner,
                automation = excluded.automation, managed_by = coalesce($12, status.components.managed_by)
            """, id, s.Name, at, s.Position, s.Description, s.Showcase, s.GroupId, s.IsGroup, s.OnlyShowIfDegraded, s.Owner, s.Automation, managedBy);

        async Task<bool> ExecuteAsync(string sql, params object?[] values)
        {
            await using var command = new NpgsqlCommand(sql, connection, transaction);
            foreach (var value in values)
                command.Parameters.Add(value is null ? new NpgsqlParameter { Value = DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text } : new NpgsqlParameter { Value = value });
            await command.ExecuteNonQueryAsync(ct);
            return true;
        }
    }

    // Severity order of the wire statuses; a group without children is operational.
    private const string WorstChildStatusOfGroups = """
        with severity(status, rank) as (values ('operational', 0), ('under_maintenance', 1), ('degraded_performance', 2),
                                               ('partial_outage', 3), ('major_outage', 4)),
        worst as (
            select g.id, coalesce((select c.status from status.components c join severity s on s.status = c.status
                                   where c.group_id = g.id order by s.rank desc limit 1), 'operational') as status,
                   (select max(c.updated_at) from status.components c where c.group_id = g.id) as changed_at
            from status.components g where g.is_group
        )
        update status.components g set status = w.status, updated_at = greatest(g.updated_at, w.changed_at)
        from worst w where g.id = w.id and g.status <> w.status
        """;
}
