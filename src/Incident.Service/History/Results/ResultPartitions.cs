using System.Globalization;
using Npgsql;

namespace StatusPlatform.Incident.History.Results;

/// <summary>
/// The DDL of checks.results' daily partitions (UTC days, named results_yyyyMMdd) and the move of a pre-partition
/// table's rows. Runs in the caller's transaction; names and bounds are built from dates only, never from input.
/// </summary>
internal static class ResultPartitions
{
    private const string Prefix = "results_";

    /// <summary>The days that have a partition.</summary>
    public static async Task<SortedSet<DateOnly>> ListAsync(NpgsqlConnection connection, NpgsqlTransaction tx, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("""
            select c.relname from pg_inherits i join pg_class c on c.oid = i.inhrelid
            where i.inhparent = 'checks.results'::regclass
            """, connection, tx);
        var days = new SortedSet<DateOnly>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var name = reader.GetString(0);
            if (name.StartsWith(Prefix, StringComparison.Ordinal)
                && DateOnly.TryParseExact(name[Prefix.Length..], "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
                days.Add(day);
        }
        return days;
    }

    /// <summary>
    /// Creates the day's partition. Rows of that day already in the default partition move into it first (attaching
    /// fails otherwise). Built apart and attached, which locks the parent less than CREATE ... PARTITION OF.
    /// </summary>
    public static async Task CreateAsync(NpgsqlConnection connection, NpgsqlTransaction tx, DateOnly day, CancellationToken ct)
    {
        var table = $"checks.{Name(day)}";
        var (from, to) = (Bound(day), Bound(day.AddDays(1)));
        await using var command = new NpgsqlCommand($"""
            create table {table} (like checks.results including defaults);
            with moved as (delete from checks.results_default where started_at >= {from} and started_at < {to} returning *)
            insert into {table} select * from moved;
            alter table checks.results attach partition {table} for values from ({from}) to ({to});
            """, connection, tx);
        await command.ExecuteNonQueryAsync(ct);
    }

    public static async Task DropAsync(NpgsqlConnection connection, NpgsqlTransaction tx, DateOnly day, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand($"drop table checks.{Name(day)}", connection, tx);
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Deletes rows older than <paramref name="cutoff"/> from the default partition, which no partition drop reaches.</summary>
    public static async Task<int> DeleteDefaultBeforeAsync(NpgsqlConnection connection, NpgsqlTransaction tx, DateTimeOffset cutoff, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("delete from checks.results_default where started_at < $1", connection, tx);
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = cutoff.ToUniversalTime() });
        return await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// Moves the rows from <paramref name="cutoff"/> on out of the pre-partition table (renamed to checks.results_legacy by
    /// checks-schema.sql) and drops it. The caller has made sure it exists and created the partitions of those days.
    /// </summary>
    public static async Task<int> MigrateLegacyAsync(NpgsqlConnection connection, NpgsqlTransaction tx, DateTimeOffset cutoff, CancellationToken ct)
    {
        // The columns of the table as the version before partitioning left it.
        const string columns = "check_id, monitor_id, region, probe_instance, started_at, duration_ms, outcome, status_code, failure_reason, timings, received_at, connectivity_lost";
        await using var command = new NpgsqlCommand($"""
            insert into checks.results ({columns}) select {columns} from checks.results_legacy where started_at >= $1 on conflict do nothing
            """, connection, tx);
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = cutoff.ToUniversalTime() });
        var copied = await command.ExecuteNonQueryAsync(ct);
        await using (var drop = new NpgsqlCommand("drop table checks.results_legacy", connection, tx))
            await drop.ExecuteNonQueryAsync(ct);
        return copied;
    }

    public static DateTimeOffset StartOf(DateOnly day) => new(day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc));

    private static string Name(DateOnly day) => Prefix + day.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    private static string Bound(DateOnly day) => $"'{day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)} 00:00:00+00'";
}
