using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.HttpResults;
using StatusPlatform.StatusApi.PublicApi.Serving;

namespace StatusPlatform.StatusApi.PublicApi;

/// <summary>
/// The public Statuspage v2 API (statuspage-api.md section 1): read-only, no authentication, any origin. Every
/// endpoint answers from the page state in memory (<see cref="PageCache"/>), never from the database directly.
/// </summary>
public static class StatusPageApi
{
    /// <summary>Browser widgets on other sites fetch these endpoints directly.</summary>
    public const string CorsPolicy = "public-read";

    /// <summary>Cross-origin readers may see whether a 200 is stale, and revalidate with the ETag.</summary>
    public static readonly string[] ExposedHeaders = ["ETag", PageJson.StaleHeader, PageJson.RefreshedAtHeader];

    private static readonly string[] GetAndHead = [HttpMethods.Get, HttpMethods.Head];

    public static WebApplication MapPublicApi(this WebApplication app)
    {
        app.UseCors();
        var api = app.MapGroup("/api/v2").RequireCors(CorsPolicy);
        // Status monitors probe with HEAD before they trust a page (statuspage-api.md 1.1), so HEAD goes wherever GET does.
        api.MapMethods("/summary.json", GetAndHead, GetSummary);
        api.MapMethods("/status.json", GetAndHead, GetStatus);
        api.MapMethods("/components.json", GetAndHead, GetComponents);
        api.MapMethods("/incidents.json", GetAndHead, GetIncidents);
        api.MapMethods("/incidents/unresolved.json", GetAndHead, GetUnresolvedIncidents);
        api.MapMethods("/scheduled-maintenances.json", GetAndHead, GetScheduledMaintenances);
        api.MapMethods("/scheduled-maintenances/upcoming.json", GetAndHead, GetUpcomingMaintenances);
        api.MapMethods("/scheduled-maintenances/active.json", GetAndHead, GetActiveMaintenances);
        api.MapFallback("{**path}", NotFound);

        // Beyond Statuspage's v2 JSON, from the same page state in memory: feeds (at Statuspage's own paths) and badges.
        app.MapMethods("/history.rss", GetAndHead, GetRss).RequireCors(CorsPolicy);
        app.MapMethods("/history.atom", GetAndHead, GetAtom).RequireCors(CorsPolicy);
        app.MapMethods("/badge.svg", GetAndHead, GetPageBadge).RequireCors(CorsPolicy);
        app.MapMethods("/components/{componentId}/badge.svg", GetAndHead, GetComponentBadge).RequireCors(CorsPolicy);
        return app;
    }

    public static Results<PageJson, ProblemHttpResult> GetSummary(PageCache cache, PublicApiOptions options, HttpContext context) =>
        Serve(cache, options, context, static bodies => bodies.Summary);

    public static Results<PageJson, ProblemHttpResult> GetStatus(PageCache cache, PublicApiOptions options, HttpContext context) =>
        Serve(cache, options, context, static bodies => bodies.Status);

    public static Results<PageJson, ProblemHttpResult> GetComponents(PageCache cache, PublicApiOptions options, HttpContext context) =>
        Serve(cache, options, context, static bodies => bodies.Components);

    /// <summary>The 50 most recent incidents of any status, newest first.</summary>
    public static Results<PageJson, ProblemHttpResult> GetIncidents(PageCache cache, PublicApiOptions options, HttpContext context) =>
        Serve(cache, options, context, static bodies => bodies.Incidents);

    public static Results<PageJson, ProblemHttpResult> GetUnresolvedIncidents(PageCache cache, PublicApiOptions options, HttpContext context) =>
        Serve(cache, options, context, static bodies => bodies.UnresolvedIncidents);

    /// <summary>The 50 newest maintenances: upcoming, in progress and completed (a cancelled one shows as completed).</summary>
    public static Results<PageJson, ProblemHttpResult> GetScheduledMaintenances(PageCache cache, PublicApiOptions options, HttpContext context) =>
        Serve(cache, options, context, static bodies => bodies.ScheduledMaintenances);

    /// <summary>Only status scheduled.</summary>
    public static Results<PageJson, ProblemHttpResult> GetUpcomingMaintenances(PageCache cache, PublicApiOptions options, HttpContext context) =>
        Serve(cache, options, context, static bodies => bodies.UpcomingMaintenances);

    /// <summary>In progress or verifying.</summary>
    public static Results<PageJson, ProblemHttpResult> GetActiveMaintenances(PageCache cache, PublicApiOptions options, HttpContext context) =>
        Serve(cache, options, context, static bodies => bodies.ActiveMaintenances);

    public static Results<PageJson, ProblemHttpResult> GetRss(PageCache cache, PublicApiOptions options, HttpContext context) =>
        Serve(cache, options, context, static bodies => bodies.Rss);

    public static Results<PageJson, ProblemHttpResult> GetAtom(PageCache cache, PublicApiOptions options, HttpContext context) =>
        Serve(cache, options, context, static bodies => bodies.Atom);

    public static Results<PageJson, ProblemHttpResult> GetPageBadge(PageCache cache, PublicApiOptions options, HttpContext context) =>
        Serve(cache, options, context, static bodies => bodies.PageBadge);

    /// <summary>A component's badge; an unknown component is a 404 ProblemDetails (this is not a v2 path).</summary>
    public static Results<PageJson, ProblemHttpResult> GetComponentBadge(string componentId, PageCache cache, PublicApiOptions options, HttpContext context) =>
        cache.Current?.State.For(context.Request).ComponentBadges.ContainsKey(componentId) == false
            ? TypedResults.Problem($"No component '{componentId}'.", statusCode: StatusCodes.Status404NotFound, title: "Unknown component")
            : Serve(cache, options, context, bodies => bodies.ComponentBadges[componentId]);

    /// <summary>
    /// Statuspage answers an unknown v2 path with 404 and an empty body (statuspage-api.md 1.1), and clients that
    /// detect a Statuspage-compatible host rely on it; so the status-code-pages ProblemDetails body is switched off here.
    /// </summary>
    public static NotFound NotFound(HttpContext context)
    {
        if (context.Features.Get<IStatusCodePagesFeature>() is { } statusCodePages)
            statusCodePages.Enabled = false;
        return TypedResults.NotFound();
    }

    private static Results<PageJson, ProblemHttpResult> Serve(
        PageCache cache, PublicApiOptions options, HttpContext context, Func<PageBodies, CachedBody> body)
    {
        if (cache.Current is not { } page)
        {
            // Only between a start without a reachable database and the first read that works.
            context.Response.Headers.RetryAfter = options.RetryAfterHeader;
            return TypedResults.Problem(
                type: "urn:statusplatform:problem:page-not-loaded",
                title: "The status page is not loaded yet",
                detail: "StatusApi has not been able to read the status read model since it started; try again shortly.",
                statusCode: StatusCodes.Status503ServiceUnavailable);
        }
        return new PageJson(body(page.State.For(context.Request)), page, options.CacheControlHeader);
    }
}
