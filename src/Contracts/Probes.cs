namespace StatusPlatform.Contracts;

/// <summary>
/// A probe instance says it is alive, every few seconds, to every probe (each hears it on a queue of its own and keeps
/// those of its region); probes of one region split the monitors among the members they hear from.
/// <see cref="StartedAt"/> names this run of the instance, so a restarted instance with the same id is a new member.
/// <see cref="ActiveFrom"/> is the first slot time it checks monitors: its start plus a warm-up in which it hears the
/// others, so a joining probe and the members it takes monitors from switch at the same slot. The others count it as
/// gone when nothing more is heard from it for <see cref="Lifetime"/> (missed heartbeats x heartbeat interval).
/// </summary>
public sealed record ProbeHeartbeat(
    string Region,
    string InstanceId,
    DateTimeOffset StartedAt,
    DateTimeOffset ActiveFrom,
    DateTimeOffset SentAt,
    TimeSpan Lifetime);

/// <summary>
/// A probe instance is stopping: it checks the slots before <see cref="LeavingAt"/> and the others take over from that
/// slot on, instead of waiting for its heartbeats to run out.
/// </summary>
public sealed record ProbeLeaving(string Region, string InstanceId, DateTimeOffset StartedAt, DateTimeOffset LeavingAt);

/// <summary>
/// A person asks for one check of a monitor now, outside its schedule, from every region (the console's "check now").
/// Every probe hears it; in each region the probe that owns the monitor runs it once, publishes the result as a normal
/// <see cref="CheckCompleted"/> (so it is recorded and folded like any check) and answers with <see cref="CheckNowCompleted"/>.
/// A request older than a minute when it arrives is dropped: the person has stopped waiting for it.
/// </summary>
public sealed record CheckNowRequested(Guid RequestId, string MonitorId, string RequestedBy, DateTimeOffset RequestedAt);

/// <summary>
/// One region's answer to <see cref="CheckNowRequested"/>: the check it ran, or (with <see cref="Result"/> null) why it ran
/// none, such as a monitor not (yet) in that probe's catalog.
/// </summary>
public sealed record CheckNowCompleted(Guid RequestId, string MonitorId, string Region, string ProbeInstance, CheckCompleted? Result, string? Problem = null);
