using System.Text.Json;
using Npgsql;
using StatusPlatform.StatusApi.AdminApi.Components;

namespace StatusPlatform.StatusApi.Console.Reading;

/// <summary>
/// Components, monitors and the page's settings as the console's editing pages need them, from Incident.Service's read
/// model. Columns that only newer projections write (managed_by, owner, automation, version, branding) are read through
/// to_jsonb, so an older read model shows them as unknown instead of failing the page.
/// </summary>
public sealed class CatalogReadModel(NpgsqlDataSource dataSource)
{
    /// <summary>Every component and group in the page's order, with who manages it when the read model says.</summary>
    public async Task<IReadOnlyList<CatalogComponent>> ComponentsAsync(CancellationToken ct)
    {
        var (_, components) = await ComponentCatalog.ListAsync(dataSource, null, 0, 10_000, ct);
        var managedBy = new Dictionary<string, string>(StringComparer.Ordinal);
        var monitors = new Dictionary<string, int>(StringComparer.Ordinal);
        await using (var command = dataSource.CreateCommand("select c.id, to_jsonb(c) ->> 'managed_by' from status.components c"))
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                if (!reader.IsDBNull(1))
                    managedBy[reader.GetString(0)] = reader.GetString(1);
            }
        }
        foreach (var monitor in await MonitorsAsync(ct) ?? [])
            monitors[monitor.ComponentId] = monitors.GetValueOrDefault(monitor.ComponentId) + 1;
        return [.. components.Select(c => new CatalogComponent(c, managedBy.GetValueOrDefault(c.Row.Id), monitors.GetValueOrDefault(c.Row.Id)))];
    }

    /// <summary>Every monitor by id; null when status.monitors does not exist yet (an Incident.Service without monitor commands).</summary>
    public async Task<IReadOnlyList<CatalogMonitor>?> MonitorsAsync(CancellationToken ct) => await ReadMonitorsAsync(null, ct);

    public async Task<CatalogMonitor?> MonitorAsync(string id, CancellationToken ct) => await ReadMonitorsAsync(id, ct) is [var monitor, ..] ? monitor : null;

    /// <summary>The page row with its branding and version; null before Incident.Service wrote it.</summary>
    public async Task<PageRecord?> PageAsync(CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""
            select p.id, p.name, p.url, p.time_zone, to_jsonb(p) ->> 'logo_url', to_jsonb(p) ->> 'accent_color', to_jsonb(p) ->> 'accent_color_dark',
                   to_jsonb(p) ->> 'custom_css', (to_jsonb(p) ->> 'version')::bigint
            from status.page p order by p.id limit 1
            """);
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct))
            return null;
        string? Text(int i) => reader.IsDBNull(i) ? null : reader.GetString(i);
        return new PageRecord(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), Text(4), Text(5), Text(6), Text(7),
            reader.IsDBNull(8) ? null : reader.GetInt64(8));
    }

    private async Task<IReadOnlyList<CatalogMonitor>?> ReadMonitorsAsync(string? id, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""
            select id, component_id, kind, settings::text, managed_by, updated_at, version from status.monitors
            where $1::text is null or id = $1 order by id collate "C"
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)id ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        try
        {
            await using var reader = await command.ExecuteReaderAsync(ct);
            var monitors = new List<CatalogMonitor>();
            while (await reader.ReadAsync(ct))
            {
                using var settings = JsonDocument.Parse(reader.GetString(3));
                monitors.Add(new CatalogMonitor(reader.GetString(0), reader.GetString(1), reader.GetString(2), settings.RootElement.Clone(),
                    reader.GetString(4), reader.GetFieldValue<DateTimeOffset>(5), reader.GetInt64(6)));
            }
            return monitors;
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.UndefinedTable or PostgresErrorCodes.InvalidSchemaName)
        {
            return null;
        }
    }
}

/// <summary>A component or group; <see cref="ManagedBy"/> is "file", "api", or null when the read model does not say.</summary>
public sealed record CatalogComponent(ManagedComponent Component, string? ManagedBy, int Monitors)
{
    public bool IsFileManaged => ManagedBy == "file";
}

/// <summary>A monitor as status.monitors holds it: its settings in the admin API's snake_case shape (never a push secret).</summary>
public sealed record CatalogMonitor(string Id, string ComponentId, string Kind, JsonElement Settings, string ManagedBy, DateTimeOffset UpdatedAt, long Version)
{
    public bool IsFileManaged => ManagedBy == "file";

    /// <summary>Probes run these kinds; heartbeat and external monitors are pushed to, so "check now" has nothing to run.</summary>
    public bool IsProbed => Kind is "http" or "tcp" or "tls" or "dns" or "icmp";

    public string? Target => Text("target");

    public int? IntervalSeconds => Settings.TryGetProperty("interval_seconds", out var v) && v.TryGetInt32(out var i) ? i : null;

    public string? Text(string name) => Settings.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}

/// <summary>The page row: name, public URL, IANA time zone, branding (null: StatusApi's StatusPage options apply) and stream version.</summary>
public sealed record PageRecord(
    string Id, string Name, string Url, string TimeZone, string? LogoUrl, string? AccentColor, string? AccentColorDark, string? CustomCss, long? Version);
