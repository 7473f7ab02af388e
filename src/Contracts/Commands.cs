namespace StatusPlatform.Contracts;

// Every write to Incident.Service is a command sent with request/response over the bus, answered by exactly one of
// these three: StatusApi maps them to 200/201, 400/422 and 412.

/// <summary>The command was applied: the id of what it created or changed and that stream's new version.</summary>
public sealed record CommandAccepted(string Id, long Version);

/// <summary>
/// The command was refused and changed nothing; <see cref="Errors"/> maps field names to what is wrong with them.
/// <see cref="RetryAfterSeconds"/>: refused by a rate limit, and the same command may succeed after that long (HTTP 429).
/// </summary>
public sealed record CommandRejected(string Title, IReadOnlyDictionary<string, string[]> Errors, bool NotFound = false, int? RetryAfterSeconds = null);

/// <summary>The command named an expected version and the stream has moved on; nothing was changed.</summary>
public sealed record CommandConflict(string Id, long ExpectedVersion, long CurrentVersion);
