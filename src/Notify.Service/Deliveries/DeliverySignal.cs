using System.Threading.Channels;

namespace StatusPlatform.Notify.Deliveries;

/// <summary>
/// Wakes the delivery worker when new deliveries were committed, so mail goes out at once rather than at the next
/// poll. A latch of one: nudges while the worker is busy collapse into one more pass, and none is lost.
/// </summary>
public sealed class DeliverySignal
{
    private readonly Channel<bool> _latch = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    public void Nudge() => _latch.Writer.TryWrite(true);

    /// <summary>Returns when nudged or after <paramref name="timeout"/>, whichever comes first.</summary>
    public async Task WaitAsync(TimeSpan timeout, CancellationToken ct)
    {
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timer.CancelAfter(timeout);
        try
        {
            await _latch.Reader.WaitToReadAsync(timer.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
        }
        _latch.Reader.TryRead(out _);
    }
}
