using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using StatusPlatform.EventSourcing;
using StatusPlatform.EventSourcing.Subscriptions;
using StatusPlatform.Incident.Storage;

namespace StatusPlatform.Incident.Incidents;

/// <summary>Projects incident streams into status.incidents, their updates and their components.</summary>
public sealed class IncidentsProjection : IProjection
{
    public string Name => "status.incidents";

    public async Task ApplyAsync(IReadOnlyList<StoredEvent> events, NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken ct)
    {
        foreach (var e in events)
        {
            switch (e.Data)
            {
                case IncidentOpened o:
                    await ExecuteAsync("""
                        insert into status.incidents (id, name, status, impact, created_at, updated_at, started_at, shortlink, automatic, backfilled)
                        values (@id, @name, @status, @impact, @at, @at, @at,
                                (select rtrim(url, '/') || '/incidents/' || @id from status.page limit 1), @automatic, @backfilled)
                        on conflict (id) do nothing;
                        insert into status.incident_components (incident_id, component_id)
                        select @id, unnest(@components) on conflict do nothing;
                        """, ("id", o.IncidentId), ("name", o.Name), ("status", o.Status), ("impact", o.Impact), ("at", o.OpenedAt),
                        ("automatic", o.Automatic), ("backfilled", o.Backfilled), ("components", o.Components.Select(c => c.ComponentId).ToArray()));
                    await AddUpdateAsync(o.IncidentId, o.UpdateId, o.Status, o.Body, o.Components, o.OpenedAt, o.DeliverNotifications && !o.Backfilled);
                    break;
                case IncidentUpdated u:
                    await ExecuteAsync("""
                        update status.incidents set name = @name, status = @status, impact = @impact, updated_at = @at,
                            monitoring_at = case when @status = 'monitoring' then coalesce(monitoring_at, @at) else monitoring_at end
                        where id = @id;
                        insert into status.incident_components (incident_id, component_id)
                        select @id, unnest(@components) on conflict do nothing;
                        """, ("id", u.IncidentId), ("name", u.Name), ("status", u.Status), ("impact", u.Impact), ("at", u.UpdatedAt),
                        ("components", u.Components.Select(c => c.ComponentId).ToArray()));
                    await AddUpdateAsync(u.IncidentId, u.UpdateId, u.Status, u.Body, u.Components, u.UpdatedAt, u.DeliverNotifications);
                    break;
                case IncidentResolved r:
                    await ExecuteAsync("""
                        update status.incidents set name = @name, status = 'resolved', resolved_at = @at, updated_at = @at,
                            impact = case when @impact = '' then impact else @impact end
                        where id = @id;
                        insert into status.incident_components (incident_id, component_id)
                        select @id, unnest(@components) on conflict do nothing;
                        """, ("id", r.IncidentId), ("name", r.Name), ("at", r.ResolvedAt), ("impact", r.Impact),
                        ("components", r.Components.Select(c => c.ComponentId).ToArray()));
                    await AddUpdateAsync(r.IncidentId, r.UpdateId, "resolved", r.Body, r.Components, r.ResolvedAt, r.DeliverNotifications);
                    break;
                case IncidentPostmortemPublished p:
                    await ExecuteAsync("""
                        update status.incidents set status = 'postmortem', postmortem_body = @body, postmortem_published_at = @at, updated_at = @at
                        where id = @id
                        """, ("id", p.IncidentId), ("body", p.Body), ("at", p.PublishedAt));
                    await AddUpdateAsync(p.IncidentId, $"{p.IncidentId}-pm-{p.PublishedAt.ToUnixTimeMilliseconds()}", "postmortem", p.Body, [], p.PublishedAt, true);
                    break;
                default:
                    continue;
            }
            // The stream version travels with the row: the admin API's ETag, and what If-Match sends back as the expected version.
            await ExecuteAsync("update status.incidents set version = @version where id = @id",
                ("id", e.StreamId[Incident.StreamId("").Length..]), ("version", e.Version));
        }

        Task AddUpdateAsync(string incidentId, string updateId, string status, string body, IReadOnlyList<IncidentComponent> components, DateTimeOffset at,
            bool deliverNotifications) =>
            ExecuteAsync("""
                insert into status.incident_updates (id, incident_id, status, body, created_at, updated_at, display_at, affected_components, deliver_notifications)
                values (@id, @incident, @status, @body, @at, @at, @at, @affected, @deliver) on conflict (id) do nothing
                """, ("id", updateId), ("incident", incidentId), ("status", status), ("body", body), ("at", at), ("deliver", deliverNotifications),
                ("affected", new NpgsqlParameter { Value = AffectedComponents(components), NpgsqlDbType = NpgsqlDbType.Jsonb }));

        Task ExecuteAsync(string sql, params (string Name, object Value)[] parameters) => ProjectionSql.ExecuteAsync(connection, transaction, sql, parameters, ct);
    }

    /// <summary>The wire form of affected_components: one entry per component with its old and new status.</summary>
    private static string AffectedComponents(IReadOnlyList<IncidentComponent> components) =>
        JsonSerializer.Serialize(components.Select(c => new Dictionary<string, string>
        {
            ["code"] = c.ComponentId,
            ["name"] = c.Name,
            ["old_status"] = c.OldStatus,
            ["new_status"] = c.NewStatus,
        }));
}
