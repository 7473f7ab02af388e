using Npgsql;
using StatusPlatform.StatusApi.PublicApi;

namespace StatusPlatform.StatusApi.AdminApi.Components;

/// <summary>
/// A component (or group) as the admin API shows it: the read-model row, the ids of a group's children, and what
/// status.components holds beyond the public fields when Incident.Service's projection writes it (owner, automation, the
/// stream version): read through to_jsonb, so a read model without those columns reads as null instead of failing.
/// </summary>
public sealed record ManagedComponent(ComponentRow Row, IReadOnlyList<string> Children, string? Owner, bool? Automation, long? Version);

/// <summary>Reads components and groups from status.components (Incident.Service's projection) for the admin API.</summary>
public static class ComponentCatalog
{
    private const string Columns = """
        c.id, c.name, c.status, c.created_at, c.updated_at, c.position, c.description, c.showcase, c.start_date, c.group_id,
        c.is_group, c.only_show_if_degraded, to_jsonb(c) ->> 'owner', (to_jsonb(c) ->> 'automation')::boolean,
        (to_jsonb(c) ->> 'version')::bigint,
        array(select k.id from status.components k where k.group_id = c.id order by k.position, k.id collate "C")
        """;

    // The public page's order: interleaved by position, top-level entries first at equal positions, ties on ids ("C").
    private const string Order = "c.position, c.group_id is not null, c.group_id collate \"C\", c.id collate \"C\"";

    /// <summary>One page of components: every one (<paramref name="groups"/> null), only groups (true) or only non-groups (false).</summary>
    public static async Task<(int Total, IReadOnlyList<ManagedComponent> Components)> ListAsync(
        NpgsqlDataSource dataSource, bool? groups, int offset, int limit, CancellationToken ct)
    {
        var filter = groups is null ? "" : "where c.is_group = $1";
        await using var command = dataSource.CreateCommand($"""
            select {Columns}, count(*) over ()::int from status.components c {filter}
            order by {Order} offset ${(groups is null ? 1 : 2)} limit ${(groups is null ? 2 : 3)}
            """);
        if (groups is { } isGroup)
            command.Parameters.Add(new NpgsqlParameter<bool> { TypedValue = isGroup });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = offset });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = limit });
        var list = new List<ManagedComponent>();
        var total = -1;
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                list.Add(Read(reader));
                total = reader.GetInt32(16);
            }
        }
        // A page beyond the last has no rows to carry the window count.
        return (total >= 0 ? total : await CountAsync(dataSource, groups, ct), list);
    }

    public static async Task<ManagedComponent?> GetAsync(NpgsqlDataSource dataSource, string id, CancellationToken ct) =>
        (await GetManyAsync(dataSource, [id], ct)).GetValueOrDefault(id);

    /// <summary>Those of <paramref name="ids"/> that exist, by id.</summary>
    public static async Task<Dictionary<string, ManagedComponent>> GetManyAsync(NpgsqlDataSource dataSource, IReadOnlyCollection<string> ids, CancellationToken ct)
    {
        var found = new Dictionary<string, ManagedComponent>(StringComparer.Ordinal);
        if (ids.Count == 0)
            return found;
        await using var command = dataSource.CreateCommand($"select {Columns} from status.components c where c.id = any($1)");
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. ids] });
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var component = Read(reader);
            found[component.Row.Id] = component;
        }
        return found;
    }

    private static async Task<int> CountAsync(NpgsqlDataSource dataSource, bool? groups, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(groups is null
            ? "select count(*)::int from status.components"
            : "select count(*)::int from status.components where is_group = $1");
        if (groups is { } isGroup)
            command.Parameters.Add(new NpgsqlParameter<bool> { TypedValue = isGroup });
        return (int)(await command.ExecuteScalarAsync(ct))!;
    }

    private static ManagedComponent Read(NpgsqlDataReader r) => new(
        new ComponentRow(
            r.GetString(0), r.GetString(1), r.GetString(2), r.GetFieldValue<DateTimeOffset>(3), r.GetFieldValue<DateTimeOffset>(4),
            r.GetInt32(5), r.IsDBNull(6) ? null : r.GetString(6), r.GetBoolean(7), r.IsDBNull(8) ? null : r.GetFieldValue<DateOnly>(8),
            r.IsDBNull(9) ? null : r.GetString(9), r.GetBoolean(10), r.GetBoolean(11)),
        r.GetFieldValue<string[]>(15), r.IsDBNull(12) ? null : r.GetString(12), r.IsDBNull(13) ? null : r.GetBoolean(13),
        r.IsDBNull(14) ? null : r.GetInt64(14));
}
