using System.Security.Cryptography;
using System.Text;
using StatusPlatform.Contracts;

namespace StatusPlatform.Incident.Monitors.Heartbeats;

/// <summary>When a heartbeat monitor is overdue, and the failed result that says so. Pure functions.</summary>
public static class HeartbeatDeadline
{
    /// <summary>
    /// The deadline that has passed, or null while the monitor is on time or already down. The clock starts at the
    /// last ping, or when the monitor was defined if no ping came since (a job that never called is late too).
    /// </summary>
    public static DateTimeOffset? Missed(DateTimeOffset? lastPing, bool isDown, DateTimeOffset since, int intervalSeconds, int graceSeconds, DateTimeOffset now)
    {
        if (isDown)
            return null;
        var from = lastPing is { } ping && ping > since ? ping : since;
        var deadline = from + TimeSpan.FromSeconds(intervalSeconds + graceSeconds);
        return now > deadline ? deadline : null;
    }

    /// <summary>
    /// The failed result for a missed deadline. Its check id is derived from the monitor and the deadline, so two
    /// Incident.Service instances that notice the same silence record it once; it starts at the deadline, so a ping
    /// that arrived after the deadline (and started later) still counts as the newest result.
    /// </summary>
    public static CheckCompleted Result(string monitorId, DateTimeOffset deadline, int intervalSeconds, int graceSeconds)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"heartbeat-deadline:{monitorId}:{deadline.ToUnixTimeMilliseconds()}"));
        return new CheckCompleted(new Guid(hash.AsSpan(0, 16)), monitorId, HeartbeatPings.Region, "incident-service", deadline, 0, CheckOutcome.Down, null,
            $"no heartbeat within {intervalSeconds + graceSeconds} s (interval {intervalSeconds} s + grace {graceSeconds} s)", null);
    }
}
