using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace StatusPlatform.EventSourcing.Bench;

/// <summary>
/// LISTENs on the sequencer's channel the way subscriptions wake up (FeedNotifier), and stamps each notification the
/// moment it arrives. The payload is the high-water mark, so a position counts as observed at the first notification
/// whose high-water mark reaches it.
/// </summary>
internal sealed class FeedListener : IAsyncDisposable
{
    private readonly NpgsqlConnection _connection;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<(long HighWaterMark, long Timestamp)> _notifications = [];
    private readonly Lock _lock = new();
    private Task _loop = Task.CompletedTask;

    private FeedListener(NpgsqlConnection connection) => _connection = connection;

    public long HighWaterMark
    {
        get
        {
            lock (_lock)
                return _notifications.Count == 0 ? 0 : _notifications[^1].HighWaterMark;
        }
    }

    public static async Task<FeedListener> StartAsync(EventStore store, CancellationToken ct)
    {
        var connection = await store.DataSource.OpenConnectionAsync(ct);
        var listener = new FeedListener(connection);
        connection.Notification += (_, e) => listener.Record(long.Parse(e.Payload, CultureInfo.InvariantCulture), Stopwatch.GetTimestamp());
        // The channel name is EventStoreOptions.NotifyChannel, which the store keeps internal.
        await using (var listen = new NpgsqlCommand($"listen {store.Options.Schema}_sequenced", connection))
            await listen.ExecuteNonQueryAsync(ct);
        listener._loop = listener.WaitForNotificationsAsync();
        return listener;
    }

    /// <summary>Waits until a notification reports <paramref name="position"/> or later; false after <paramref name="timeout"/>.</summary>
    public async Task<bool> WaitForAsync(long position, TimeSpan timeout, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        while (HighWaterMark < position)
        {
            if (clock.Elapsed > timeout || _loop.IsCompleted)
                return false;
            await Task.Delay(10, ct);
        }
        return true;
    }

    /// <summary>When the client first learned that <paramref name="position"/> exists (a <see cref="Stopwatch"/> timestamp), or null.</summary>
    public long? ObservedAt(long position)
    {
        lock (_lock)
        {
            // High-water marks only grow, so the first notification that covers the position is a binary search away.
            int lo = 0, hi = _notifications.Count;
            while (lo < hi)
            {
                var mid = (lo + hi) / 2;
                if (_notifications[mid].HighWaterMark < position)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            return lo < _notifications.Count ? _notifications[lo].Timestamp : null;
        }
    }

    /// <summary>Milliseconds between consecutive notifications: the sequencer's cycle while it has work every round.</summary>
    public List<double> Intervals(long fromTimestamp, long toTimestamp)
    {
        lock (_lock)
            return [.. _notifications.Zip(_notifications.Skip(1))
                .Where(p => p.First.Timestamp >= fromTimestamp && p.Second.Timestamp < toTimestamp)
                .Select(p => Stopwatch.GetElapsedTime(p.First.Timestamp, p.Second.Timestamp).TotalMilliseconds)];
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }
        _stop.Dispose();
        await _connection.DisposeAsync();
    }

    private void Record(long highWaterMark, long timestamp)
    {
        lock (_lock)
            _notifications.Add((highWaterMark, timestamp));
    }

    private async Task WaitForNotificationsAsync()
    {
        // Notifications are only read while the connection waits, so it does nothing else.
        while (!_stop.IsCancellationRequested)
            await _connection.WaitAsync(_stop.Token);
    }
}
