using System.Globalization;

namespace StatusPlatform.StatusApi.PublicApi.Serving;

/// <summary>
/// The page state the public endpoints answer from, and how fresh it is. <see cref="PageRefresher"/> is its only
/// writer; readers take <see cref="Current"/> once per request and get an immutable, consistent pair of both.
/// </summary>
public sealed class PageCache
{
    private volatile ServedPage? _current;

    /// <summary>Null until the read model was read once; after that never null again, however long the database is away.</summary>
    public ServedPage? Current => _current;

    /// <summary>A read succeeded: serve it, fresh. Rows equal to the served ones keep the served bodies (and their ETags).</summary>
    public void Loaded(StatusSnapshot snapshot, DateTimeOffset at)
    {
        var current = _current;
        var state = current is not null && current.State.Snapshot.HasSameRowsAs(snapshot) ? current.State : new PageState(snapshot);
        _current = new ServedPage(state, at, FailingSince: null);
    }

    /// <summary>A read failed: keep serving what was last read, marked stale from now on.</summary>
    public void Failed(DateTimeOffset at)
    {
        if (_current is { } current)
            _current = current with { FailingSince = current.FailingSince ?? at };
    }
}

/// <summary>
/// A page state and its freshness: <see cref="RefreshedAt"/> is the last successful read, <see cref="FailingSince"/>
/// the first failed read after it (null while reads succeed).
/// </summary>
public sealed record ServedPage(PageState State, DateTimeOffset RefreshedAt, DateTimeOffset? FailingSince)
{
    public bool IsStale => FailingSince is not null;

    /// <summary>The value of <see cref="PageJson.RefreshedAtHeader"/>: ISO 8601 in UTC with milliseconds.</summary>
    public string RefreshedAtText => RefreshedAt.UtcDateTime.ToString("yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fff'Z'", CultureInfo.InvariantCulture);
}
