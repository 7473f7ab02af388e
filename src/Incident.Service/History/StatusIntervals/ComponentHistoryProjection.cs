using Npgsql;
using StatusPlatform.EventSourcing;
using StatusPlatform.EventSourcing.Subscriptions;
using StatusPlatform.Incident.Components;

namespace StatusPlatform.Incident.History.StatusIntervals;

/// <summary>
/// Projects component streams into status.component_status_intervals: a component's life as consecutive stretches of
/// one status each, the current one open (ended_at null). Definition opens the first (operational, as the aggregate
/// starts), each status change closes the open stretch and opens the next, removal closes it and a re-add opens one
/// again with the status the aggregate kept. Groups get none: their status is derived from their children.
/// </summary>
/// <remarks>
/// Event times come from the clock of whichever instance decided, so a change may carry a time a little before the
/// open stretch's start; times are clamped so that stretches never run backwards or overlap.
/// </remarks>
public sealed class ComponentHistoryProjection : IProjection
{
    public string Name => "status.component_status_intervals";

    public async Task ApplyAsync(IReadOnlyList<StoredEvent> events, NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken ct)
    {
        foreach (var e in events)
        {
            switch (e.Data)
            {
                case ComponentDefined { Settings.IsGroup: false } d:
                    await OpenAsync(d.ComponentId, Contracts.ComponentStatus.Operational, d.DefinedAt);
                    break;
                case ComponentReconfigured { Settings.IsGroup: true } r:
                    await CloseAsync(r.ComponentId, r.ReconfiguredAt);
                    break;
                case ComponentReconfigured r:
                    // Re-added after removal (or a group turned component): the aggregate kept its last status.
                    await OpenAsync(r.ComponentId, null, r.ReconfiguredAt);
                    break;
                case ComponentRemoved r:
                    await CloseAsync(r.ComponentId, r.RemovedAt);
                    break;
                case ComponentStatusChanged s when await CloseAsync(s.ComponentId, s.ChangedAt) is { } endedAt:
                    await OpenAsync(s.ComponentId, s.NewStatus, endedAt);
                    break;
            }
        }

        // Opens a stretch unless one is open; a null status continues the last one the component had.
        async Task OpenAsync(string componentId, string? status, DateTimeOffset at)
        {
            await using var command = new NpgsqlCommand("""
                insert into status.component_status_intervals (component_id, status, started_at)
                select @id,
                       coalesce(@status, (select status from status.component_status_intervals where component_id = @id
                                          order by started_at desc, id desc limit 1), 'operational'),
                       greatest(@at, (select max(ended_at) from status.component_status_intervals where component_id = @id))
                on conflict (component_id) where ended_at is null do nothing
                """, connection, transaction);
            command.Parameters.Add(new NpgsqlParameter<string>("id", componentId));
            command.Parameters.Add(new NpgsqlParameter("status", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)status ?? DBNull.Value });
            command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("at", at.ToUniversalTime()));
            await command.ExecuteNonQueryAsync(ct);
        }

        // Ends the open stretch; returns its end, or null when none was open.
        async Task<DateTimeOffset?> CloseAsync(string componentId, DateTimeOffset at)
        {
            await using var command = new NpgsqlCommand("""
                update status.component_status_intervals set ended_at = greatest(started_at, @at)
                where component_id = @id and ended_at is null returning ended_at
                """, connection, transaction);
            command.Parameters.Add(new NpgsqlParameter<string>("id", componentId));
            command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("at", at.ToUniversalTime()));
            return await command.ExecuteScalarAsync(ct) is DateTime endedAt ? new DateTimeOffset(endedAt, TimeSpan.Zero) : null;
        }
    }
}
