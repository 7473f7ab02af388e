namespace StatusPlatform.Contracts;

/// <summary>
/// Heartbeat (push) monitors have no probe: StatusApi turns each ping into a <see cref="CheckCompleted"/> in this
/// region, and Incident.Service adds a failed one when a ping is overdue, so both fold like any other result.
/// </summary>
public static class HeartbeatPings
{
    public const string Region = "heartbeat";
}
