using Npgsql;

namespace StatusPlatform.Incident.History.Results;

/// <summary>
/// Keeps checks.* in shape: daily partitions of the raw results from today to <see cref="CheckResultsOptions.PartitionsAheadDays"/>
/// ahead, raw days older than Checks:RawRetentionDays dropped, every completed hour rolled up (the last few again, for
/// late results), rollups older than Checks:RollupRetentionDays deleted. Runs once before the fold starts consuming (it
/// also finishes the move from a pre-partition table) and then every Checks:MaintenanceIntervalSeconds. Several
/// instances take turns through an advisory lock; a run that finds it held does nothing.
/// </summary>
public sealed class CheckResultsMaintenance(NpgsqlDataSource dataSource, IConfiguration configuration, TimeProvider time,
    ILogger<CheckResultsMaintenance> logger) : BackgroundService
{
    private readonly CheckResultsOptions _options = CheckResultsOptions.From(configuration);

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        // Waits for the lock rather than skipping: the fold must not start before a pre-partition table is moved.
        await RunOnceAsync(waitForLock: true, cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_options.MaintenanceInterval, time);
        while (await WaitAsync(timer, stoppingToken))
        {
            try
            {
                await RunOnceAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                logger.LogError(e, "Check results maintenance failed; trying again in {Interval}", _options.MaintenanceInterval);
            }
        }
    }

    /// <summary>One maintenance pass at the current time; false when another instance held the lock.</summary>
    public Task<bool> RunOnceAsync(CancellationToken ct) => RunOnceAsync(waitForLock: false, ct);

    private async Task<bool> RunOnceAsync(bool waitForLock, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var firstKeptDay = today.AddDays(-_options.RawRetentionDays);
        // Partition DDL and the rollup run in separate transactions: the drop's lock on checks.results must not wait
        // for an aggregate over hours of results while the fold queues behind it.
        if (!await InTransactionAsync((c, tx) => MaintainPartitionsAsync(c, tx, today, firstKeptDay, ct), waitForLock, ct))
            return false;
        var currentHour = new DateTimeOffset(now.UtcDateTime.Date.AddHours(now.UtcDateTime.Hour), TimeSpan.Zero);
        return await InTransactionAsync((c, tx) => RollUpAsync(c, tx, currentHour, now.AddDays(-_options.RollupRetentionDays), ct), waitForLock, ct);
    }

    private async Task MaintainPartitionsAsync(NpgsqlConnection connection, NpgsqlTransaction tx, DateOnly today, DateOnly firstKeptDay, CancellationToken ct)
    {
        var existing = await ResultPartitions.ListAsync(connection, tx, ct);
        var legacy = await TableExistsAsync(connection, tx, "checks.results_legacy", ct);
        // Moving a pre-partition table needs the partitions of every day it keeps.
        for (var day = legacy ? firstKeptDay : today; day <= today.AddDays(CheckResultsOptions.PartitionsAheadDays); day = day.AddDays(1))
        {
            if (existing.Add(day))
            {
                await ResultPartitions.CreateAsync(connection, tx, day, ct);
                logger.LogInformation("Created the check results partition of {Day}", day);
            }
        }
        if (legacy)
        {
            var copied = await ResultPartitions.MigrateLegacyAsync(connection, tx, ResultPartitions.StartOf(firstKeptDay), ct);
            logger.LogInformation("Moved {Count} check results from the pre-partition table into daily partitions", copied);
        }
        foreach (var day in existing.Where(d => d < firstKeptDay))
        {
            await ResultPartitions.DropAsync(connection, tx, day, ct);
            logger.LogInformation("Dropped the check results partition of {Day} (retention {Days} days)", day, _options.RawRetentionDays);
        }
        await ResultPartitions.DeleteDefaultBeforeAsync(connection, tx, ResultPartitions.StartOf(firstKeptDay), ct);
    }

    private async Task RollUpAsync(NpgsqlConnection connection, NpgsqlTransaction tx, DateTimeOffset currentHour, DateTimeOffset rollupCutoff, CancellationToken ct)
    {
        if (await HourlyRollups.FirstHourAsync(connection, tx, currentHour, _options.RollupRecomputeHours, ct) is { } from)
            await HourlyRollups.UpsertAsync(connection, tx, from, currentHour, ct);
        await HourlyRollups.DeleteBeforeAsync(connection, tx, rollupCutoff, ct);
    }

    private async Task<bool> InTransactionAsync(Func<NpgsqlConnection, NpgsqlTransaction, Task> work, bool waitForLock, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var lockSql = waitForLock
            ? "select pg_advisory_xact_lock(hashtext('checks.maintenance')) is not null"
            : "select pg_try_advisory_xact_lock(hashtext('checks.maintenance'))";
        await using (var command = new NpgsqlCommand(lockSql, connection, tx))
        {
            if (!(bool)(await command.ExecuteScalarAsync(ct))!)
                return false;
        }
        await work(connection, tx);
        await tx.CommitAsync(ct);
        return true;
    }

    private static async Task<bool> TableExistsAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string name, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("select to_regclass($1) is not null", connection, tx);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = name });
        return (bool)(await command.ExecuteScalarAsync(ct))!;
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken ct)
    {
        try
        {
            return await timer.WaitForNextTickAsync(ct);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
