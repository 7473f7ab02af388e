using System.Collections.Concurrent;
using System.Threading.Channels;

namespace StatusPlatform.Notify.Deliveries;

/// <summary>
/// Wakes the delivery worker's channel groups when new deliveries were committed, so messages go out at once rather
/// than at the next poll. A latch of one per group: nudges while a group is busy collapse into one more pass, and none
/// is lost.
/// </summary>
public sealed class DeliverySignal
{
    private readonly ConcurrentDictionary<string, Channel<bool>> _latches = new();

    public void Nudge()
    {
        foreach (var latch in _latches.Values)
            latch.Writer.TryWrite(true);
    }

    /// <summary>Returns when nudged or after <paramref name="timeout"/>, whichever comes first.</summary>
    public async Task WaitAsync(string group, TimeSpan timeout, CancellationToken ct)
    {
        var latch = Latch(group);
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timer.CancelAfter(timeout);
        try
        {
            await latch.Reader.WaitToReadAsync(timer.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
        }
        latch.Reader.TryRead(out _);
    }

    /// <summary>Registers a group before its first pass, so a nudge that comes during that pass is not lost.</summary>
    public void Register(string group) => Latch(group);

    private Channel<bool> Latch(string group) => _latches.GetOrAdd(group,
        _ => Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite }));
}
