using System.Diagnostics;

namespace StatusPlatform.Probe.Scheduling;

/// <summary>
/// When this probe's process started, on the scheduler's clock: "every monitor checked within one interval of a
/// (re)start" counts from here, so start-up (runtime, bus, catalog, warm-up) is inside the interval, not before it.
/// </summary>
public sealed record ProbeStart(DateTimeOffset At)
{
    /// <summary>
    /// From the operating system's start time of this process. A host running inside a longer-lived process gets that
    /// process's start, long past, and so the plain grid from its first check on (the tests' in-process host pins it).
    /// </summary>
    public static ProbeStart OfThisProcess(TimeProvider time)
    {
        using var process = Process.GetCurrentProcess();
        // The age of the process carries over to any clock; its start as a wall-clock time would not.
        return new ProbeStart(time.GetUtcNow() - (DateTime.UtcNow - process.StartTime.ToUniversalTime()));
    }
}
