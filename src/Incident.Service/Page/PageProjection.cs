using Npgsql;
using NpgsqlTypes;
using StatusPlatform.EventSourcing;
using StatusPlatform.EventSourcing.Subscriptions;

namespace StatusPlatform.Incident.Page;

/// <summary>Projects the page settings and branding into the single row of status.page.</summary>
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
                insert into status.page (id, name, url, time_zone, updated_at, logo_url, accent_color, accent_color_dark, custom_css, version)
                values (@id, @name, @url, @time_zone, @at, @logo_url, @accent_color, @accent_color_dark, @custom_css, @version)
                on conflict (id) do update set name = excluded.name, url = excluded.url, time_zone = excluded.time_zone, updated_at = excluded.updated_at,
                    logo_url = excluded.logo_url, accent_color = excluded.accent_color, accent_color_dark = excluded.accent_color_dark,
                    custom_css = excluded.custom_css, version = excluded.version
                """, connection, transaction);
            command.Parameters.AddWithValue("id", s.PageId);
            command.Parameters.AddWithValue("name", s.Name);
            command.Parameters.AddWithValue("url", s.Url);
            command.Parameters.AddWithValue("time_zone", s.TimeZone);
            command.Parameters.AddWithValue("at", configured.ConfiguredAt);
            command.Parameters.Add(Text("logo_url", s.LogoUrl));
            command.Parameters.Add(Text("accent_color", s.AccentColor));
            command.Parameters.Add(Text("accent_color_dark", s.AccentColorDark));
            command.Parameters.Add(Text("custom_css", s.CustomCss));
            command.Parameters.AddWithValue("version", e.Version);
            await command.ExecuteNonQueryAsync(ct);
        }
    }

    private static NpgsqlParameter Text(string name, string? value) =>
        new(name, NpgsqlDbType.Text) { Value = (object?)value ?? DBNull.Value };
}
