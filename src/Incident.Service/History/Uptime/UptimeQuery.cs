using Npgsql;

namespace StatusPlatform.Incident.History.Uptime;

/// <summary>
/// Daily uptime read from status.component_status_intervals in the page's time zone (status.page, UTC until the
/// page is configured), for StatusApi's uptime bars. The SQL of the uptime read lives here and nowhere else; the
/// arithmetic is <see cref="UptimeCalculator"/>'s. Depends on Npgsql and this folder only, so StatusApi can compile it in.
/// </summary>
public sealed class UptimeQuery(NpgsqlDataSource dataSource)
{
    private const string DefaultTimeZone = "Etc/UTC";

    private const string PageTimeZoneSql = "select time_zone from status.page limit 1";

    // Every interval that overlaps [from, to): started before its end and not ended before its start.
    private const string IntervalsSql = """
        select component_id, status, started_at, ended_at from status.component_status_intervals
        where ($1::text is null or component_id = $1) and started_at < $3 and (ended_at is null or ended_at > $2)
        order by component_id, started_at, id
        """;

    /// <summary>One component's uptime per day from <paramref name="firstDay"/> to <paramref name="lastDay"/> (both included, page calendar).</summary>
    public async Task<UptimeReport> GetDailyUptimeAsync(string componentId, DateOnly firstDay, DateOnly lastDay, DateTimeOffset now, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(componentId);
        var reports = await ReadAsync(componentId, firstDay, lastDay, now, ct);
        return reports.TryGetValue(componentId, out var report)
            ? report
            : UptimeCalculator.Calculate([], firstDay, lastDay, await GetPageTimeZoneAsync(ct), now);
    }

    /// <summary>The uptime per day of every component that has a status history in the range, by component id.</summary>
    public Task<IReadOnlyDictionary<string, UptimeReport>> GetDailyUptimeAsync(DateOnly firstDay, DateOnly lastDay, DateTimeOffset now, CancellationToken ct = default) =>
        ReadAsync(null, firstDay, lastDay, now, ct);

    /// <summary>The page's time zone, whose midnights delimit the days.</summary>
    public async Task<TimeZoneInfo> GetPageTimeZoneAsync(CancellationToken ct = default)
    {
        await using var command = dataSource.CreateCommand(PageTimeZoneSql);
        var name = await command.ExecuteScalarAsync(ct) as string ?? DefaultTimeZone;
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(name);
        }
        catch (TimeZoneNotFoundException e)
        {
            throw new InvalidOperationException($"The page's time zone '{name}' is not known on this machine (IANA names, e.g. Europe/Berlin).", e);
        }
    }

    private async Task<IReadOnlyDictionary<string, UptimeReport>> ReadAsync(string? componentId, DateOnly firstDay, DateOnly lastDay, DateTimeOffset now, CancellationToken ct)
    {
        UptimeCalculator.CheckRange(firstDay, lastDay);
        var zone = await GetPageTimeZoneAsync(ct);
        var from = UptimeCalculator.StartOfDay(firstDay, zone);
        var to = UptimeCalculator.StartOfDay(lastDay.AddDays(1), zone);

        var byComponent = new Dictionary<string, List<StatusInterval>>(StringComparer.Ordinal);
        await using (var command = dataSource.CreateCommand(IntervalsSql))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = (object?)componentId ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
            command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = from });
            command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = to });
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                var id = reader.GetString(0);
                if (!byComponent.TryGetValue(id, out var list))
                    byComponent[id] = list = [];
                list.Add(new StatusInterval(reader.GetString(1), reader.GetFieldValue<DateTimeOffset>(2),
                    reader.IsDBNull(3) ? null : reader.GetFieldValue<DateTimeOffset>(3)));
            }
        }
        return byComponent.ToDictionary(p => p.Key, p => UptimeCalculator.Calculate(p.Value, firstDay, lastDay, zone, now), StringComparer.Ordinal);
    }
}
