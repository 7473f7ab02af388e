using Npgsql;
using StatusPlatform.StatusApi.AdminApi.Components;
using StatusPlatform.StatusApi.AdminApi.Incidents;
using StatusPlatform.StatusApi.AdminApi.Keys;
using StatusPlatform.StatusApi.AdminApi.Maintenances;
using StatusPlatform.StatusApi.AdminApi.Monitors;
using StatusPlatform.StatusApi.AdminApi.Pages;
using StatusPlatform.StatusApi.AdminApi.Subscribers;

namespace StatusPlatform.StatusApi.AdminApi;

/// <summary>
/// The admin v1 API under /api/v1, after Statuspage's Manage API: keys, pages, and per page (/pages/{page_id}) incidents,
/// incident updates, postmortems, components, component groups, the page's settings, monitors and maintenance. Every route needs a key, is rate-limited per key, and answers 503 when
/// PostgreSQL or Incident.Service cannot be reached. Also serves the OpenAPI document and the Swagger UI.
/// </summary>
public static class AdminApi
{
    public const string RateLimitPolicy = "admin-per-key";

    public static WebApplication MapAdminApi(this WebApplication app)
    {
        // Explicit, so they run after the exception handler and status-code pages, and before the rate limiter, which
        // partitions by the key the authorization step authenticated.
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();

        var api = app.MapGroup("/api/v1").RequireRateLimiting(RateLimitPolicy).AddEndpointFilter(AnswerUnavailable).WithTags("Admin v1");
        api.MapKeysApi();
        api.MapPagesApi();
        var page = api.MapGroup("/pages/{page_id}").AddEndpointFilter(AdminHttp.RequirePage);
        page.MapIncidentsApi();
        page.MapPostmortemApi();
        page.MapComponentsApi();
        page.MapComponentGroupsApi();
        page.MapPageApi();
        page.MapMonitorsApi();
        page.MapMaintenancesApi();
        page.MapSubscribersApi();

        app.MapOpenApi();
        app.UseSwaggerUI(ui =>
        {
            ui.RoutePrefix = "docs";
            ui.DocumentTitle = "StatusPlatform API";
            ui.SwaggerEndpoint("/openapi/v1.json", "StatusPlatform API v1");
        });
        return app;
    }

    /// <summary>
    /// 503 when a dependency is away, in one place for every admin route: PostgreSQL unreachable (or its schemas not there
    /// yet), or Incident.Service not answering a command in time. Other database errors are bugs and stay 500s.
    /// </summary>
    public static async ValueTask<object?> AnswerUnavailable(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        try
        {
            return await next(invocation);
        }
        catch (NpgsqlException e) when (IsUnavailable(e) && !invocation.HttpContext.RequestAborted.IsCancellationRequested)
        {
            invocation.HttpContext.RequestServices.GetRequiredService<ILogger<AdminApiOptions>>()
                .LogWarning("Admin request {Path} answered 503: the database is unavailable ({Reason})", invocation.HttpContext.Request.Path, e.Message);
            return AdminProblems.DatabaseUnavailable();
        }
        catch (IncidentServiceUnavailableException e)
        {
            invocation.HttpContext.RequestServices.GetRequiredService<ILogger<AdminApiOptions>>()
                .LogWarning("Admin request {Path} answered 503: {Reason}", invocation.HttpContext.Request.Path, e.Message);
            return AdminProblems.IncidentServiceUnavailable(e.Waited);
        }
    }

    private static bool IsUnavailable(NpgsqlException e) => e is not PostgresException p || p.SqlState is
        PostgresErrorCodes.InvalidCatalogName // the database is gone
        or PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown or PostgresErrorCodes.CannotConnectNow
        or PostgresErrorCodes.TooManyConnections
        or PostgresErrorCodes.UndefinedTable or PostgresErrorCodes.InvalidSchemaName // not created yet (by us or Incident.Service)
        || p.SqlState.StartsWith("08", StringComparison.Ordinal); // connection exceptions
}
