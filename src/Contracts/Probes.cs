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
