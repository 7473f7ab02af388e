using System.Diagnostics.Metrics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace StatusPlatform.EventSourcing.Sequencing;

/// <summary>
/// Numbers committed events into a dense, gap-free global position. Identity values are handed out at insert
/// and commit out of order, so a reader trusting them would skip events; instead one leader (a session-level
/// advisory lock) numbers whatever is committed and still unnumbered, in insert order, in one statement per
/// batch, and notifies subscribers once per batch. A leader that dies loses its lock with its connection, and
/// an uncommitted batch with it, so a takeover neither skips nor repeats a position.
/// </summary>
public sealed class Sequencer(EventStore store, ILogger<Sequencer> logger, TimeProvider? time = null) : BackgroundService
{
    private static readonly Meter Meter = new("StatusPlatform.EventStore");
    private static readonly Counter<long> Sequenced = Meter.CreateCounter<long>("statusplatform.eventstore.sequencer.events", "{event}", "Events given a global position");

    private readonly EventStoreOptions _options = store.Options;
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private volatile bool _isLeader;

    public bool IsLeader => _isLeader;

    /// <summary>The backend pid of the leader connection, for tests and diagnostics.</summary>
    public int? LeaderProcessId { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await store.DataSource.OpenConnectionAsync(stoppingToken);
                if (await TryTakeLeadershipAsync(connection, stoppingToken))
                {
                    _isLeader = true;
                    LeaderProcessId = connection.ProcessID;
                    logger.LogInformation("Sequencer for schema {Schema} is leader (backend {Pid})", _options.Schema, connection.ProcessID);
                    await LeadAsync(connection, stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "Sequencer for schema {Schema} lost its connection; retrying", _options.Schema);
            }
            finally
            {
                _isLeader = false;
                LeaderProcessId = null;
            }
            await Task.Delay(_options.LeaderRetryInterval, _time, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    private async Task<bool> TryTakeLeadershipAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("select pg_try_advisory_lock(hashtext($1))", connection);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = $"{_options.Schema}.sequencer" });
        return (bool)(await command.ExecuteScalarAsync(ct))!;
    }

    private async Task LeadAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        var s = _options.Schema;
        await using var number = new NpgsqlCommand($"""
            with batch as (
                select seq from {s}.events where global_position is null order by seq limit $1
            ), base as (
                select coalesce(max(global_position), 0) as position from {s}.events
            ), numbered as (
                select b.seq, base.position + row_number() over (order by b.seq) as position from batch b cross join base
            ), updated as (
                update {s}.events e set global_position = n.position from numbered n where e.seq = n.seq returning n.position
            )
            select count(*), coalesce(max(position), 0) from updated
            """, connection);
        number.Parameters.Add(new NpgsqlParameter<int> { TypedValue = _options.SequencerBatchSize });
        await number.PrepareAsync(ct);
        await using var notify = new NpgsqlCommand("select pg_notify($1, $2)", connection);
        notify.Parameters.Add(new NpgsqlParameter<string> { TypedValue = _options.NotifyChannel });
        notify.Parameters.Add(new NpgsqlParameter<string> { TypedValue = "" });

        while (!ct.IsCancellationRequested)
        {
            long count, highWaterMark;
            await using (var reader = await number.ExecuteReaderAsync(ct))
            {
                await reader.ReadAsync(ct);
                count = reader.GetInt64(0);
                highWaterMark = reader.GetInt64(1);
            }
            if (count > 0)
            {
                Sequenced.Add(count);
                notify.Parameters[1].Value = highWaterMark.ToString(System.Globalization.CultureInfo.InvariantCulture);
                await notify.ExecuteNonQueryAsync(ct);
            }
            // A full batch means more is waiting: go again at once.
            if (count < _options.SequencerBatchSize)
                await Task.Delay(_options.SequencerInterval, _time, ct);
        }
    }
}
