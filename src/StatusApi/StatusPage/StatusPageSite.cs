using System.Globalization;
using Microsoft.AspNetCore.Components;
using StatusPlatform.StatusApi.PublicApi;
using StatusPlatform.StatusApi.StatusPage.Components;
using StatusPlatform.StatusApi.StatusPage.Content;
using StatusPlatform.StatusApi.StatusPage.Live;
using StatusPlatform.StatusApi.StatusPage.Rendering;
using StatusPlatform.StatusApi.StatusPage.Subscriptions;

namespace StatusPlatform.StatusApi.StatusPage;

/// <summary>
/// The HTML status page: /, /history, /incidents/{id}, /sorry, the live stream /events, the theme and the static
/// assets (/status-page/*, /embed/script.js), and the subscription pages. Every read page answers from memory
/// (<see cref="LivePage"/>); only the history and incidents beyond the snapshot ask PostgreSQL, once per page version.
/// </summary>
public static class StatusPageSite
{
    private const int HistoryMonthsPerPage = 3;
    private const int MaxHistoryPage = 120;
    private static readonly string[] GetAndHead = [HttpMethods.Get, HttpMethods.Head];

    public static WebApplication MapStatusPage(this WebApplication app)
    {
        // wwwroot holds the style sheet, live.js and the widget: five minutes, then revalidated.
        app.UseStaticFiles(new StaticFileOptions
        {
            OnPrepareResponse = file => file.Context.Response.Headers.CacheControl = "public, max-age=300",
        });
        app.MapMethods("/", GetAndHead, GetHomeAsync).ExcludeFromDescription();
        app.MapMethods("/history", GetAndHead, GetHistoryAsync).ExcludeFromDescription();
        app.MapMethods("/incidents/{id}", GetAndHead, GetIncidentAsync).ExcludeFromDescription();
        app.MapMethods("/sorry", GetAndHead, GetSorryAsync).ExcludeFromDescription();
        app.MapMethods("/status-page/theme.css", GetAndHead, GetTheme).ExcludeFromDescription();
        app.MapGet("/events", LiveEvents.Stream).ExcludeFromDescription();
        app.MapSubscriptionPages();
        return app;
    }

    public static Task<IResult> GetHomeAsync(HttpContext context, SiteServices site) =>
        site.ServeAsync<HomePage>(context, "/", (state, frame) => PageViews.Home(state, frame, site.Options.UptimeDays, site.Time.GetUtcNow()));

    public static Task<IResult> GetSorryAsync(HttpContext context, SiteServices site, string? component = null) =>
        site.ServeAsync(context, component is null ? "/sorry" : "/sorry?component=" + Uri.EscapeDataString(component), async (state, frame) =>
        {
            ComponentRow? row = null;
            if (component is not null && (row = state.Page!.State.Snapshot.Components.FirstOrDefault(c => c.Id == component)) is null)
                return await site.NoticeAsync(frame, StatusCodes.Status404NotFound, frame.T.NotFoundTitle,
                    string.Format(frame.T.Culture, frame.T.ComponentNotFound, component), PageCaching.Public);
            var html = await site.Pages.GetAsync<SorryPage>($"{frame.PathAndQuery}:{frame.T.Lang}:{frame.LangExplicit}", state.Version,
                () => PageViews.Sorry(state, frame, row));
            return site.Page(html, StatusCodes.Status200OK, PageCaching.Public, frame);
        });

    public static Task<IResult> GetIncidentAsync(HttpContext context, SiteServices site, IncidentArchive archive, string id) =>
        site.ServeAsync(context, "/incidents/" + Uri.EscapeDataString(id), async (state, frame) =>
        {
            IncidentView? incident;
            try
            {
                incident = await archive.FindAsync(id, state);
            }
            catch (Exception e) when (e is Npgsql.NpgsqlException or OperationCanceledException && !context.RequestAborted.IsCancellationRequested)
            {
                // The database is away: the incidents in memory (every open one, the newest 50) can still be shown.
                incident = IncidentArchive.FromSnapshot(id, state.Page!.State.Snapshot);
                if (incident is null)
                    return await site.NoticeAsync(frame, StatusCodes.Status503ServiceUnavailable, frame.T.NotFoundTitle, frame.T.Unavailable, PageCaching.Private);
            }
            if (incident is null)
                return await site.NoticeAsync(frame, StatusCodes.Status404NotFound, frame.T.NotFoundTitle, frame.T.IncidentNotFound, PageCaching.Public);
            var html = await site.Pages.GetAsync<IncidentPage>($"{frame.PathAndQuery}:{frame.T.Lang}:{frame.LangExplicit}", state.Version,
                () => new IncidentModel(frame, incident));
            return site.Page(html, StatusCodes.Status200OK, PageCaching.Public, frame);
        });

    public static Task<IResult> GetHistoryAsync(HttpContext context, SiteServices site, IncidentArchive archive, string? page = null) =>
        site.ServeAsync(context, page is null ? "/history" : "/history?page=" + Uri.EscapeDataString(page), async (state, frame) =>
        {
            var index = 0;
            if (page is not null && (!int.TryParse(page, NumberStyles.None, CultureInfo.InvariantCulture, out index) || index > MaxHistoryPage))
                return await site.NoticeAsync(frame, StatusCodes.Status400BadRequest, frame.T.IncidentHistory,
                    $"page must be a whole number from 0 to {MaxHistoryPage}.", PageCaching.Private);
            var newest = IncidentArchive.MonthStart(site.Time.GetUtcNow(), frame.Zone, index * HistoryMonthsPerPage);
            var months = new List<HistoryMonth>();
            try
            {
                for (var i = 0; i < HistoryMonthsPerPage; i++)
                {
                    var month = newest.AddMonths(-i);
                    var incidents = await archive.InRangeAsync(IncidentArchive.StartOf(month, frame.Zone), IncidentArchive.StartOf(month.AddMonths(1), frame.Zone), state);
                    months.Add(new HistoryMonth(month, incidents));
                }
            }
            catch (Exception e) when (e is Npgsql.NpgsqlException or OperationCanceledException && !context.RequestAborted.IsCancellationRequested)
            {
                return await site.NoticeAsync(frame, StatusCodes.Status503ServiceUnavailable, frame.T.IncidentHistory, frame.T.Unavailable, PageCaching.Private);
            }
            var html = await site.Pages.GetAsync<HistoryPage>($"{frame.PathAndQuery}:{frame.T.Lang}:{frame.LangExplicit}", state.Version,
                () => new HistoryModel(frame, months, index, index < MaxHistoryPage));
            return site.Page(html, StatusCodes.Status200OK, PageCaching.Public, frame);
        });

    public static IResult GetTheme(Theme theme, HttpContext context) => theme.Serve(context);
}

/// <summary>What every page handler needs, resolved once: language, page state, rendering, and the answers built from them.</summary>
public sealed class SiteServices(LivePage live, HtmlPages pages, StatusPageOptions options, PublicApiOptions publicOptions, TimeProvider time)
{
    private readonly string _imageSources = ImageSources(options.LogoUrl);

    public HtmlPages Pages => pages;

    public StatusPageOptions Options => options;

    public TimeProvider Time => time;

    /// <summary>A page kept per version under its path and language.</summary>
    public Task<IResult> ServeAsync<TComponent>(HttpContext context, string path, Func<LiveState, PageFrame, object> model) where TComponent : IComponent =>
        ServeAsync(context, path, async (state, frame) =>
        {
            var html = await pages.GetAsync<TComponent>($"{path}:{frame.T.Lang}:{frame.LangExplicit}", state.Version, () => model(state, frame));
            return Page(html, StatusCodes.Status200OK, PageCaching.Public, frame);
        });

    /// <summary>
    /// Resolves language and state, answering a bad <c>lang</c> (400) and a page never loaded (503) itself.
    /// <paramref name="path"/> is the page's canonical path and query (what the language links point to), so a kept page
    /// never carries the query of the reader who happened to render it.
    /// </summary>
    public async Task<IResult> ServeAsync(HttpContext context, string path, Func<LiveState, PageFrame, Task<IResult>> serve)
    {
        var (texts, langExplicit, error) = Texts.Choose(context.Request);
        var state = live.Current;
        var frame = PageViews.Frame(state, texts ?? Texts.En, langExplicit && error is null, path, options);
        if (error is not null)
            return await NoticeAsync(frame, StatusCodes.Status400BadRequest, "Bad request", error, PageCaching.Private);
        if (state.Page is null)
        {
            // Only between a start without a reachable database and the first read that works.
            context.Response.Headers.RetryAfter = publicOptions.RetryAfterHeader;
            return await NoticeAsync(frame, StatusCodes.Status503ServiceUnavailable, frame.PageName, frame.T.Unavailable, PageCaching.Private);
        }
        return await serve(state, frame);
    }

    public IResult Page(RenderedHtml html, int status, PageCaching caching, PageFrame frame) =>
        new HtmlPage(html, status, caching, varyByLanguage: !frame.LangExplicit, publicOptions.CacheControlHeader, _imageSources);

    /// <summary>A short page (errors, confirmations), rendered per request: these are rare or personal.</summary>
    public async Task<IResult> NoticeAsync(PageFrame frame, int status, string title, string message, PageCaching caching, string? linkText = null, string? linkUrl = null)
    {
        var html = await pages.RenderAsync<NoticePage>(new NoticeModel(frame with { Live = false }, title, message, linkText ?? frame.T.BackToStatus, linkUrl ?? frame.Link("/")));
        return Page(html, status, caching, frame);
    }

    // The logo may live elsewhere; the CSP names its origin rather than allowing every image host.
    private static string ImageSources(string? logoUrl) =>
        logoUrl is not null && Uri.TryCreate(logoUrl, UriKind.Absolute, out var logo) && logo.Scheme is "http" or "https"
            ? $"'self' data: {logo.GetLeftPart(UriPartial.Authority)}"
            : "'self' data:";
}
