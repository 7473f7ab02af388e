using Npgsql;

namespace StatusPlatform.Incident.History.Results;

/// <summary>One monitor's results in one region over one UTC hour; latencies are null when no result got an answer.</summary>
public sealed record ResponseTimePoint(string Region, DateTimeOffset Hour, int Count, int Failures, double? P50Ms, double? P95Ms, double? MaxMs);

/// <summary>
/// The response-time series of a monitor from checks.result_rollups_hourly, for StatusApi's charts: one point per
/// region and completed UTC hour in [from, to), in time order. Depends on Npgsql only, so StatusApi can compile it in.
/// </summary>
public sealed class ResponseTimeQuery(NpgsqlDataSource dataSource)
{
    /// <summary>Bounds one answer (ten years of hours per region).</summary>
    public static readonly TimeSpan MaxRange = TimeSpan.FromDays(3660);

    private const string SeriesSql = """
        select region, hour, count, failures, p50_ms, p95_ms, max_ms from checks.result_rollups_hourly
        where monitor_id = $1 and hour >= $2 and hour < $3 order by hour, region
        """;

    public async Task<IReadOnlyList<ResponseTimePoint>> GetSeriesAsync(string monitorId, DateTimeOffset from, DateTimeOffset to, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(monitorId);
        if (to <= from)
            throw new ArgumentException($"The range must end after it starts ({from:O} .. {to:O}).", nameof(to));
        if (to - from > MaxRange)
            throw new ArgumentOutOfRangeException(nameof(to), $"The range spans {(to - from).TotalDays:0} days; at most {MaxRange.TotalDays:0} at a time.");

        await using var command = dataSource.CreateCommand(SeriesSql);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = monitorId });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = from.ToUniversalTime() });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = to.ToUniversalTime() });
        var points = new List<ResponseTimePoint>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            points.Add(new ResponseTimePoint(reader.GetString(0), reader.GetFieldValue<DateTimeOffset>(1), reader.GetInt32(2), reader.GetInt32(3),
                reader.IsDBNull(4) ? null : reader.GetDouble(4), reader.IsDBNull(5) ? null : reader.GetDouble(5), reader.IsDBNull(6) ? null : reader.GetDouble(6)));
        }
        return points;
    }
}
