using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Primitives;
using StatusPlatform.StatusApi.PublicApi.Feeds;
using StatusPlatform.StatusApi.PublicApi.Wire;

namespace StatusPlatform.StatusApi.PublicApi.Serving;

/// <summary>One v2 response body, serialized once per change, with its strong ETag (a hash of exactly these bytes).</summary>
public sealed class CachedBody
{
    private static readonly StringValues Json = "application/json; charset=utf-8";

    private CachedBody(byte[] bytes, StringValues contentType)
    {
        Bytes = bytes;
        ContentType = contentType;
        // Computed once per change, so its cost does not matter; 128 bits of SHA-256 make two page versions sharing a tag
        // practically impossible, and every replica computes the same tag for the same bytes.
        ETag = $"\"{Convert.ToHexStringLower(SHA256.HashData(bytes).AsSpan(0, 16))}\"";
        ETagHeader = ETag;
        ContentLength = bytes.Length;
    }

    public byte[] Bytes { get; }

    /// <summary>The Content-Type header: JSON for the v2 API, XML for the feeds, SVG for the badges.</summary>
    public StringValues ContentType { get; }

    public long ContentLength { get; }

    /// <summary>The quoted entity tag, e.g. <c>"3f…"</c>.</summary>
    public string ETag { get; }

    /// <summary>The same, ready for the response headers without an allocation per request.</summary>
    public StringValues ETagHeader { get; }

    public static CachedBody Of<T>(T value, JsonTypeInfo<T> typeInfo) => new(JsonSerializer.SerializeToUtf8Bytes(value, typeInfo), Json);

    public static CachedBody Of(byte[] bytes, string contentType) => new(bytes, contentType);
}

/// <summary>Every v2 body of one page state.</summary>
public sealed class PageBodies
{
    private PageBodies(StatusPageView view)
    {
        var json = StatusPageJsonContext.Default;
        Summary = CachedBody.Of(new SummaryResponse(view.Page, view.Components, view.UnresolvedIncidents, view.OpenMaintenances, view.Status), json.SummaryResponse);
        Status = CachedBody.Of(new StatusResponse(view.Page, view.Status), json.StatusResponse);
        Components = CachedBody.Of(new ComponentsResponse(view.Page, view.Components), json.ComponentsResponse);
        Incidents = CachedBody.Of(new IncidentsResponse(view.Page, view.Incidents), json.IncidentsResponse);
        UnresolvedIncidents = CachedBody.Of(new IncidentsResponse(view.Page, view.UnresolvedIncidents), json.IncidentsResponse);
        ScheduledMaintenances = CachedBody.Of(new ScheduledMaintenancesResponse(view.Page, view.Maintenances), json.ScheduledMaintenancesResponse);
        UpcomingMaintenances = CachedBody.Of(new ScheduledMaintenancesResponse(view.Page, view.UpcomingMaintenances), json.ScheduledMaintenancesResponse);
        ActiveMaintenances = CachedBody.Of(new ScheduledMaintenancesResponse(view.Page, view.ActiveMaintenances), json.ScheduledMaintenancesResponse);
        Rss = CachedBody.Of(HistoryFeeds.Rss(view.Page, view.Incidents), HistoryFeeds.RssContentType);
        Atom = CachedBody.Of(HistoryFeeds.Atom(view.Page, view.Incidents), HistoryFeeds.AtomContentType);
        PageBadge = CachedBody.Of(StatusBadges.ForPage(view.Status), StatusBadges.ContentType);
        ComponentBadges = view.Components.ToDictionary(c => c.Id, c => CachedBody.Of(StatusBadges.ForComponent(c.Name, c.Status), StatusBadges.ContentType),
            StringComparer.Ordinal);
    }

    public CachedBody Summary { get; }

    public CachedBody Status { get; }

    public CachedBody Components { get; }

    public CachedBody Incidents { get; }

    public CachedBody UnresolvedIncidents { get; }

    public CachedBody ScheduledMaintenances { get; }

    public CachedBody UpcomingMaintenances { get; }

    public CachedBody ActiveMaintenances { get; }

    public CachedBody Rss { get; }

    public CachedBody Atom { get; }

    public CachedBody PageBadge { get; }

    public IReadOnlyDictionary<string, CachedBody> ComponentBadges { get; }

    public static PageBodies Render(StatusSnapshot snapshot, string requestOrigin) => new(StatusPageView.From(snapshot, requestOrigin));
}

/// <summary>
/// One snapshot of the read model with its bodies. With a page row the bodies are rendered here, once, before the
/// state is served, so no request (the first after a change included) pays for serializing.
/// </summary>
public sealed class PageState
{
    // Without a page row the page's url is the address it was asked on (see StatusPageView), so the bodies depend on
    // the Host header. That lasts only until Incident.Service projects the page settings; the Host is the client's
    // to choose, so only a few origins are kept and any further one is rendered per request.
    private const int MaxOrigins = 8;

    private readonly PageBodies? _bodies;
    private readonly ConcurrentDictionary<string, PageBodies> _byOrigin = new(StringComparer.Ordinal);

    public PageState(StatusSnapshot snapshot)
    {
        Snapshot = snapshot;
        if (snapshot.Page is { } page)
            _bodies = PageBodies.Render(snapshot, page.Url);
    }

    public StatusSnapshot Snapshot { get; }

    public PageBodies For(HttpRequest request)
    {
        if (_bodies is not null)
            return _bodies;
        var origin = $"{request.Scheme}://{request.Host}";
        if (_byOrigin.TryGetValue(origin, out var bodies))
            return bodies;
        bodies = PageBodies.Render(Snapshot, origin);
        if (_byOrigin.Count < MaxOrigins)
            _byOrigin.TryAdd(origin, bodies);
        return bodies;
    }
}
