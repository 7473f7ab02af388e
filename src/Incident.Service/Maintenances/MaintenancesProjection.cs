using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using StatusPlatform.Contracts;
using StatusPlatform.EventSourcing;
using StatusPlatform.EventSourcing.Subscriptions;
using StatusPlatform.Incident.Storage;

namespace StatusPlatform.Incident.Maintenances;

/// <summary>Projects maintenance streams into status.maintenances, their components and their updates.</summary>
public sealed class MaintenancesProjection : IProjection
{
    public string Name => "status.maintenances";

    public async Task ApplyAsync(IReadOnlyList<StoredEvent> events, NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken ct)
    {
        foreach (var e in events)
        {
            switch (e.Data)
            {
                case MaintenanceScheduled s:
                    await ExecuteAsync("""
                        insert into status.maintenances (id, name, status, scheduled_for, scheduled_until, created_at, updated_at, shortlink, auto_transition, service_window_id)
                        values (@id, @name, 'scheduled', @for, @until, @at, @at,
                                (select rtrim(url, '/') || '/incidents/' || @id from status.page limit 1), @auto, @window)
                        on conflict (id) do nothing;
                        insert into status.maintenance_components (maintenance_id, component_id) select @id, unnest(@components) on conflict do nothing;
                        """, ("id", s.MaintenanceId), ("name", s.Name), ("for", s.ScheduledFor), ("until", s.ScheduledUntil), ("at", s.ScheduledAt),
                        ("auto", s.AutoTransition), ("window", (object?)s.ServiceWindowId ?? DBNull.Value),
                        ("components", s.Components.Select(c => c.ComponentId).ToArray()));
                    await AddUpdateAsync(s.MaintenanceId, s.UpdateId, MaintenanceStatus.Scheduled, s.Body, s.Components, s.ScheduledAt, s.DeliverNotifications);
                    break;
                case MaintenanceUpdated u:
                    await ExecuteAsync("""
                        update status.maintenances set status = @status, updated_at = @at,
                            started_at = case when @status in ('in_progress', 'verifying') then coalesce(started_at, @at) else started_at end,
                            resolved_at = case when @status = 'completed' then @at else resolved_at end
                        where id = @id
                        """, ("id", u.MaintenanceId), ("status", u.Status), ("at", u.UpdatedAt));
                    await AddUpdateAsync(u.MaintenanceId, u.UpdateId, u.Status, u.Body, u.Components, u.UpdatedAt, u.DeliverNotifications);
                    break;
                case MaintenanceCancelled c:
                    await ExecuteAsync("update status.maintenances set status = 'cancelled', updated_at = @at, resolved_at = @at where id = @id",
                        ("id", c.MaintenanceId), ("at", c.CancelledAt));
                    await AddUpdateAsync(c.MaintenanceId, c.UpdateId, MaintenanceStatus.Completed, c.Body, c.Components, c.CancelledAt, true);
                    break;
                default:
                    continue;
            }
            await ExecuteAsync("update status.maintenances set version = @version where id = @id",
                ("id", e.StreamId[Maintenance.StreamId("").Length..]), ("version", e.Version));
        }

        Task AddUpdateAsync(string maintenanceId, string updateId, string status, string body, IReadOnlyList<MaintenanceComponent> components,
            DateTimeOffset at, bool deliver) => ExecuteAsync("""
                insert into status.maintenance_updates (id, maintenance_id, status, body, created_at, display_at, affected_components, deliver_notifications)
                values (@id, @maintenance, @status, @body, @at, @at, @affected, @deliver) on conflict (id) do nothing
                """, ("id", updateId), ("maintenance", maintenanceId), ("status", status), ("body", body), ("at", at), ("deliver", deliver),
            ("affected", new NpgsqlParameter
            {
                Value = JsonSerializer.Serialize(components.Select(c => new Dictionary<string, string> { ["code"] = c.ComponentId, ["name"] = c.Name })),
                NpgsqlDbType = NpgsqlDbType.Jsonb,
            }));

        Task ExecuteAsync(string sql, params (string Name, object Value)[] parameters) => ProjectionSql.ExecuteAsync(connection, transaction, sql, parameters, ct);
    }
}
