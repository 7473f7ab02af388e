using Npgsql;
using StatusPlatform.EventSourcing;
using StatusPlatform.EventSourcing.Subscriptions;

namespace StatusPlatform.Incident.Page;

/// <summary>Projects the page settings into the single row of status.page.</summary>
public sealed class PageProjection : IProjection
{
    public string Name => "status.page";

    public async Task ApplyAsync(IReadOnlyList<StoredEvent> events, NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken ct)
    {
        foreach (var e in events)
        {
            if (e.Data is not PageConfigured { Settings: var s } configured)
                continue;
            await using var command = new NpgsqlCommand("""
                delete from status.page where id <> @id;
                insert into status.page (id, name, url, time_zone, updated_at) values (@id, @name, @url, @time_zone, @at)
                on conflict (id) do update set name = excluded.name, url = excluded.url, time_zone = excluded.time_zone, updated_at = excluded.updated_at
                """, connection, transaction);
            command.Parameters.AddWithValue("id", s.PageId);
            command.Parameters.AddWithValue("name", s.Name);
            command.Parameters.AddWithValue("url", s.Url);
            command.Parameters.AddWithValue("time_zone", s.TimeZone);
            command.Parameters.AddWithValue("at", configured.ConfiguredAt);
            await command.ExecuteNonQueryAsync(ct);
        }
    }
}
