using StatusPlatform.Contracts;

namespace StatusPlatform.Probe.Checks;

/// <summary>Where a check is, or where it stopped: a timeout or a failure is blamed on this phase.</summary>
public enum CheckPhase
{
    Dns,
    Connect,
    Tls,
    Waiting,
    Reading,
}

/// <summary>
/// Times the phases of one check on one clock from its start. Phases that happen again (a redirect opens a new
/// connection) add up, so each phase is the time the check spent in it; time to first byte is that of the last response.
/// </summary>
public sealed class CheckClock(TimeProvider time)
{
    private readonly long _started = time.GetTimestamp();

    public DateTimeOffset StartedAt { get; } = time.GetUtcNow();

    public CheckPhase Phase { get; private set; } = CheckPhase.Dns;

    public double? DnsMs { get; private set; }

    public double? ConnectMs { get; private set; }

    public double? TlsMs { get; private set; }

    public double? FirstByteMs { get; private set; }

    public double ElapsedMs => time.GetElapsedTime(_started).TotalMilliseconds;

    public DateTimeOffset Now => time.GetUtcNow();

    /// <summary>Enters a phase and returns its start, for <see cref="Completed"/>.</summary>
    public long Enter(CheckPhase phase)
    {
        Phase = phase;
        if (phase == CheckPhase.Waiting)
            FirstByteMs = null;
        return time.GetTimestamp();
    }

    public void Completed(CheckPhase phase, long startedAt)
    {
        var ms = time.GetElapsedTime(startedAt).TotalMilliseconds;
        switch (phase)
        {
            case CheckPhase.Dns:
                DnsMs = (DnsMs ?? 0) + ms;
                break;
            case CheckPhase.Connect:
                ConnectMs = (ConnectMs ?? 0) + ms;
                break;
            case CheckPhase.Tls:
                TlsMs = (TlsMs ?? 0) + ms;
                break;
        }
    }

    /// <summary>The first byte of a response arrived; later reads of the same response do not move it.</summary>
    public void FirstByte() => FirstByteMs ??= ElapsedMs;

    public CheckTimings Timings() => new(DnsMs, ConnectMs, TlsMs, FirstByteMs, ElapsedMs);
}
