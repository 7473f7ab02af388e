using Npgsql;

namespace StatusPlatform.Notify.Deliveries;

/// <summary>
/// Records "this delivery is as good as sent" at each send's point of no return (just before the SMTP end of data or
/// the last byte of an HTTP body), committed on its own while the delivery row stays locked by its claim. A process
/// killed after that point has the row pending but marked, and <see cref="DeliveryLog.FinishMarkedAsync"/> records it
/// as sent instead of sending it again; one killed before it has the row pending and unmarked, and the receiver never
/// saw the end of the message. The marks of concurrent sends share one insert and one commit (group commit), so a
/// send waits about one commit for it rather than a commit of its own.
/// </summary>
public sealed class SentMarks(NpgsqlDataSource dataSource)
{
    private readonly Lock _gate = new();
    private List<(Guid Id, TaskCompletionSource Done)> _waiting = [];
    private bool _writing;

    /// <summary>
    /// Completes once the mark is committed. The continuation runs on the writer's thread as soon as the commit
    /// returns (no RunContinuationsAsynchronously): the sender's next step is to send the end, and the time between
    /// the commit and that is the one window in which a crash loses a message.
    /// </summary>
    public Task MarkAsync(Guid deliveryId)
    {
        var done = new TaskCompletionSource();
        lock (_gate)
        {
            _waiting.Add((deliveryId, done));
            if (_writing)
                return done.Task;
            _writing = true;
        }
        _ = Task.Run(WriteAsync);
        return done.Task;
    }

    private async Task WriteAsync()
    {
        while (true)
        {
            List<(Guid Id, TaskCompletionSource Done)> batch;
            lock (_gate)
            {
                if (_waiting.Count == 0)
                {
                    _writing = false;
                    return;
                }
                batch = _waiting;
                _waiting = [];
            }
            try
            {
                await using var insert = dataSource.CreateCommand(
                    "insert into notify.delivery_marks (delivery_id) select unnest($1::uuid[]) on conflict do nothing");
                insert.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = [.. batch.Select(b => b.Id)] });
                await insert.ExecuteNonQueryAsync();
            }
            catch (Exception e)
            {
                foreach (var (_, done) in batch)
                    done.TrySetException(e);
                continue;
            }
            foreach (var (_, done) in batch)
                done.TrySetResult();
        }
    }
}
