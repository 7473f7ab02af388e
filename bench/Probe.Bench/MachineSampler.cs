using System.Globalization;

namespace StatusPlatform.Probe.Bench;

/// <summary>How many cores all processes used together over one quarter second.</summary>
internal readonly record struct MachineSample(DateTimeOffset At, double BusyCores);

/// <summary>
/// Samples the CPU use of every process four times a second while a run is measured, so that a late check can be set
/// beside what else the shared machine was doing at that moment. It adds up <c>/proc/&lt;pid&gt;/stat</c> rather than
/// reading <c>/proc/stat</c>, whose counters this sandboxed machine does not keep (its user time stands still).
/// </summary>
internal sealed class MachineSampler : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly List<MachineSample> _samples = [];
    private readonly Task _loop;

    private MachineSampler() => _loop = RunAsync(_stop.Token);

    public static MachineSampler Start() => new();

    public async Task<IReadOnlyList<MachineSample>> StopAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        return _samples;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
    }

    private async Task RunAsync(CancellationToken ct)
    {
        var before = Read();
        var at = DateTimeOffset.UtcNow;
        using var ticks = new PeriodicTimer(TimeSpan.FromMilliseconds(250));
        try
        {
            while (await ticks.WaitForNextTickAsync(ct))
            {
                var (after, now) = (Read(), DateTimeOffset.UtcNow);
                // A process new since the last sample counts all its time (it began within it); one that exited drops out.
                var used = after.Sum(p => p.Value - before.GetValueOrDefault(p.Key));
                _samples.Add(new MachineSample(now, used / ProbeProcess.ClockTicks / (now - at).TotalSeconds));
                (before, at) = (after, now);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>User + system clock ticks of every process, by pid.</summary>
    private static Dictionary<int, long> Read()
    {
        var ticks = new Dictionary<int, long>();
        foreach (var folder in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(folder), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
                continue;
            try
            {
                var stat = File.ReadAllText(Path.Combine(folder, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                ticks[pid] = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            }
            catch (IOException)
            {
                // The process exited while being read.
            }
        }
        return ticks;
    }
}
