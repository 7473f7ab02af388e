using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.HttpResults;
using StatusPlatform.StatusApi.PublicApi.Wire;

namespace StatusPlatform.StatusApi.PublicApi;

/// <summary>The public Statuspage v2 API (statuspage-api.md section 1): read-only, no authentication, any origin.</summary>
public static class StatusPageApi
{
    /// <summary>Browser widgets on other sites fetch these endpoints directly.</summary>
    public const string CorsPolicy = "public-read";

    private static readonly string[] GetAndHead = [HttpMethods.Get, HttpMethods.Head];

    public static WebApplication MapPublicApi(this WebApplication app)
    {
        app.UseCors();
        var api = app.MapGroup("/api/v2").RequireCors(CorsPolicy);
        // Status monitors probe with HEAD before they trust a page (statuspage-api.md 1.1), so HEAD goes wherever GET does.
        api.MapMethods("/summary.json", GetAndHead, GetSummary);
        api.MapMethods("/status.json", GetAndHead, GetStatus);
        api.MapMethods("/components.json", GetAndHead, GetComponents);
        api.MapMethods("/incidents/unresolved.json", GetAndHead, GetUnresolvedIncidents);
        api.MapFallback("{**path}", NotFound);
        return app;
    }

    public static async Task<StatusPageJson<SummaryResponse>> GetSummary(StatusReadModel readModel, HttpRequest request, CancellationToken cancellationToken)
    {
        var view = await ReadAsync(readModel, request, cancellationToken);
        return new(new SummaryResponse(view.Page, view.Components, view.UnresolvedIncidents, [], view.Status),
            StatusPageJsonContext.Default.SummaryResponse);
    }

    public static async Task<StatusPageJson<StatusResponse>> GetStatus(StatusReadModel readModel, HttpRequest request, CancellationToken cancellationToken)
    {
        var view = await ReadAsync(readModel, request, cancellationToken);
        return new(new StatusResponse(view.Page, view.Status), StatusPageJsonContext.Default.StatusResponse);
    }

    public static async Task<StatusPageJson<ComponentsResponse>> GetComponents(StatusReadModel readModel, HttpRequest request, CancellationToken cancellationToken)
    {
        var view = await ReadAsync(readModel, request, cancellationToken);
        return new(new ComponentsResponse(view.Page, view.Components), StatusPageJsonContext.Default.ComponentsResponse);
    }

    public static async Task<StatusPageJson<IncidentsResponse>> GetUnresolvedIncidents(StatusReadModel readModel, HttpRequest request, CancellationToken cancellationToken)
    {
        var view = await ReadAsync(readModel, request, cancellationToken);
        return new(new IncidentsResponse(view.Page, view.UnresolvedIncidents), StatusPageJsonContext.Default.IncidentsResponse);
    }

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

    private static async Task<StatusPageView> ReadAsync(StatusReadModel readModel, HttpRequest request, CancellationToken cancellationToken) =>
        StatusPageView.From(await readModel.ReadAsync(cancellationToken), $"{request.Scheme}://{request.Host}");
}
