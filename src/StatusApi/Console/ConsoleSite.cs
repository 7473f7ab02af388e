using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Components;
using Npgsql;
using StatusPlatform.StatusApi.AdminApi;
using StatusPlatform.StatusApi.AdminApi.Keys;
using StatusPlatform.StatusApi.AdminApi.Subscribers;
using StatusPlatform.StatusApi.Console.Components;
using StatusPlatform.StatusApi.Console.Pages;
using StatusPlatform.StatusApi.Console.Reading;
using StatusPlatform.StatusApi.Console.Rendering;

namespace StatusPlatform.StatusApi.Console;

/// <summary>
/// The admin console under /console: server-rendered HTML forms over the same commands and read model as the admin
/// API (IncidentServiceClient, AdminReadModel), signed in with a cookie session. No page has script: previews are a
/// second submit button, and every form carries an antiforgery token. Reads need any role, incident and maintenance
/// writes, "check now" and subscribers admin or responder; components, monitors, page settings, templates, service windows,
/// users and keys admin.
/// </summary>
public static class ConsoleRoutes
{
    public const string Root = "/console";

    public static WebApplication MapConsole(this WebApplication app)
    {
        var console = app.MapGroup(Root).ExcludeFromDescription()
            .AddEndpointFilter(AnswerUnavailable)
            .AddEndpointFilter(ConsoleAuth.RequireAntiforgery);
        console.MapGet("/console.css", (ConsoleStyleSheet css, HttpContext context) => css.Serve(context));
        console.MapGet("/sign-in", SignInPages.GetSignInAsync);
        console.MapPost("/sign-in", SignInPages.PostSignInAsync);

        var read = console.MapGroup("").RequireAuthorization(ConsoleAuth.Read);
        var incidents = console.MapGroup("").RequireAuthorization(ConsoleAuth.ManageIncidents);
        var admin = console.MapGroup("").RequireAuthorization(ConsoleAuth.ManageEverything);

        read.MapGet("", DashboardPages.GetDashboardAsync);
        read.MapPost("/sign-out", (Delegate)SignInPages.PostSignOutAsync);
        read.MapGet("/incidents", IncidentPages.ListAsync);
        incidents.MapGet("/incidents/new", IncidentPages.GetNewAsync);
        incidents.MapPost("/incidents", IncidentPages.PostNewAsync);
        read.MapGet("/incidents/{id}", IncidentPages.GetIncidentAsync);
        incidents.MapPost("/incidents/{id}/updates", IncidentPages.PostUpdateAsync);
        incidents.MapPost("/incidents/{id}/postmortem", IncidentPages.PostPostmortemAsync);

        read.MapGet("/maintenances", MaintenancePages.GetAsync);
        incidents.MapPost("/maintenances", MaintenancePages.PostScheduleAsync);
        incidents.MapPost("/maintenances/{id}/updates", MaintenancePages.PostUpdateAsync);
        incidents.MapPost("/maintenances/{id}/cancel", MaintenancePages.PostCancelAsync);
        admin.MapPost("/service-windows", MaintenancePages.PostWindowAsync);

        read.MapGet("/components", ComponentPages.GetAsync);
        admin.MapPost("/components", ComponentPages.PostCreateAsync);
        admin.MapPost("/components/{id}", ComponentPages.PostUpdateAsync);
        admin.MapPost("/components/{id}/delete", ComponentPages.PostDeleteAsync);
        read.MapGet("/monitors", MonitorPages.ListAsync);
        admin.MapGet("/monitors/new", MonitorPages.GetNewAsync);
        admin.MapPost("/monitors", MonitorPages.PostCreateAsync);
        read.MapGet("/monitors/{id}", MonitorPages.GetAsync);
        admin.MapPost("/monitors/{id}", MonitorPages.PostUpdateAsync);
        admin.MapPost("/monitors/{id}/delete", MonitorPages.PostDeleteAsync);
        incidents.MapPost("/monitors/{id}/check", MonitorPages.PostCheckAsync);
        read.MapGet("/templates", CatalogPages.GetTemplatesAsync);
        admin.MapPost("/templates", CatalogPages.PostTemplateAsync);
        admin.MapPost("/templates/{id}/delete", CatalogPages.PostDeleteTemplateAsync);
        read.MapGet("/settings", SettingsPages.GetAsync);
        admin.MapPost("/settings", SettingsPages.PostAsync);
        read.MapGet("/history", CatalogPages.GetHistoryAsync);

        // Addresses are personal data: people who post incidents see them, viewers do not.
        incidents.MapGet("/subscribers", SubscriberPages.ListAsync);
        incidents.MapGet("/subscribers/{id}", SubscriberPages.GetAsync);
        admin.MapPost("/subscribers/{id}/reactivate", SubscriberPages.PostReactivateAsync);
        admin.MapPost("/subscribers/{id}/remove", SubscriberPages.PostRemoveAsync);

        admin.MapGet("/users", UserPages.GetAsync);
        admin.MapPost("/users", UserPages.PostUserAsync);
        admin.MapPost("/users/{id}/disable", UserPages.PostDisableAsync);
        admin.MapPost("/keys", UserPages.PostKeyAsync);
        admin.MapPost("/keys/{id}/revoke", UserPages.PostRevokeKeyAsync);
        return app;
    }

    /// <summary>
    /// 503 with a page that says what is away, for every console route: PostgreSQL (reads, sessions, the data-protection
    /// keys), Incident.Service (a command not answered in time, which may or may not have been applied: the page says to
    /// look before retrying) or Notify.Service (subscribers).
    /// </summary>
    public static async ValueTask<object?> AnswerUnavailable(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var context = invocation.HttpContext;
        try
        {
            // The session check ran before this filter, in authorization; it leaves a failed database read here.
            if (context.Items[ConsoleAuth.DatabaseDownItem] is Exception down)
                throw down;
            return await next(invocation);
        }
        catch (Exception e) when (DatabaseDown(e) is { } database && !context.RequestAborted.IsCancellationRequested)
        {
            Log(context, database.Message);
            return await context.RequestServices.GetRequiredService<ConsoleSite>().NoticeAsync(context, StatusCodes.Status503ServiceUnavailable,
                "Database unavailable", "PostgreSQL cannot be reached, so the console cannot read or record anything. The public page keeps serving; retry shortly.");
        }
        catch (IncidentServiceUnavailableException e)
        {
            Log(context, e.Message);
            return await context.RequestServices.GetRequiredService<ConsoleSite>().NoticeAsync(context, StatusCodes.Status503ServiceUnavailable,
                "Incident.Service did not answer", $"No answer within {e.Waited.TotalSeconds:0} s. The change may still be applied: look at the incident list before sending it again.");
        }
        catch (NotifyServiceUnavailableException e)
        {
            Log(context, e.Message);
            return await context.RequestServices.GetRequiredService<ConsoleSite>().NoticeAsync(context, StatusCodes.Status503ServiceUnavailable,
                "Notify.Service did not answer", $"Subscribers live in Notify.Service, which did not answer within {e.Waited.TotalSeconds:0} s. Look again before repeating a change.");
        }
    }

    /// <summary>The database error behind an exception: PostgreSQL away, or a failure wrapped by the data-protection or antiforgery code.</summary>
    public static NpgsqlException? DatabaseDown(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is NpgsqlException npgsql)
                return npgsql;
        }
        return null;
    }

    private static void Log(HttpContext context, string reason) =>
        context.RequestServices.GetRequiredService<ILogger<ConsoleOptions>>().LogWarning("Console request {Path} answered 503: {Reason}", context.Request.Path, reason);
}

/// <summary>What every console page needs: the frame (user, CSRF token, page time zone) and the rendering of answers.</summary>
public sealed class ConsoleSite(ConsoleRenderer renderer, IAntiforgery antiforgery, ConsoleReadModel read, TimeProvider time)
{
    public TimeProvider Time => time;

    public async Task<ConsoleFrame> FrameAsync(HttpContext context, string title, string? done = null)
    {
        var page = await TryPageAsync(context.RequestAborted);
        var tokens = antiforgery.GetAndStoreTokens(context);
        var user = context.User.Identity is { IsAuthenticated: true, AuthenticationType: ConsoleAuth.Scheme } identity ? identity.Name : null;
        var role = user is null ? null : ApiRole.All.FirstOrDefault(context.User.IsInRole);
        return new ConsoleFrame(title, user, role, tokens.RequestToken ?? "", page?.Name ?? "Status page", page?.Zone ?? TimeZoneInfo.Utc,
            time.GetUtcNow(), Done(done), context.Request.Path.Value ?? ConsoleRoutes.Root);
    }

    /// <summary>
    /// The frame of an error page, which must render when the database is what failed: no page row then, and no antiforgery
    /// token (the keys live in the database) and so no sign-out form that works; the page only says what is away.
    /// </summary>
    private async Task<ConsoleFrame> NoticeFrameAsync(HttpContext context, string title)
    {
        try
        {
            return await FrameAsync(context, title);
        }
        catch (Exception e) when (ConsoleRoutes.DatabaseDown(e) is not null)
        {
            return new ConsoleFrame(title, null, null, "", "Status page", TimeZoneInfo.Utc, time.GetUtcNow(), null, context.Request.Path.Value ?? ConsoleRoutes.Root);
        }
    }

    public Task<IResult> PageAsync<TComponent>(object model, int status = StatusCodes.Status200OK) where TComponent : IComponent =>
        renderer.PageAsync<TComponent>(model, status);

    public async Task<IResult> NoticeAsync(HttpContext context, int status, string title, string message) =>
        await renderer.PageAsync<NoticePage>(new NoticeModel(await NoticeFrameAsync(context, title), message), status);

    /// <summary>After a successful form: 303 to the page that shows the result (a reload does not send the form again).</summary>
    public static IResult SeeOther(string path, string done) => TypedResults.Redirect($"{path}{(path.Contains('?', StringComparison.Ordinal) ? '&' : '?')}done={done}");

    // The page row is only a title and a time zone here; a missing status schema must not stop sign-in.
    private async Task<PageSettings?> TryPageAsync(CancellationToken ct)
    {
        try
        {
            return await read.PageAsync(ct);
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.UndefinedTable or PostgresErrorCodes.InvalidSchemaName)
        {
            return null;
        }
    }

    // Confirmations come from a fixed list, never from the query string itself, so a link cannot put words in the console's mouth.
    private static string? Done(string? key) => key switch
    {
        "posted" => "Posted. It is on the public page as soon as Incident.Service has applied it (usually within a second).",
        "updated" => "Update posted.",
        "postmortem" => "Postmortem published.",
        "scheduled" => "Maintenance scheduled.",
        "window" => "Service window saved; Incident.Service schedules its occurrences ahead.",
        "cancelled" => "Maintenance cancelled.",
        "template" => "Template saved.",
        "deleted" => "Deleted.",
        "user" => "User created.",
        "disabled" => "User disabled; their sessions have ended.",
        "revoked" => "Key revoked.",
        "component" => "Saved. The page shows it as soon as Incident.Service has applied it.",
        "monitor" => "Monitor saved; the probes pick it up within seconds.",
        "settings" => "Page settings saved.",
        "unchanged" => "Nothing changed, so nothing was sent.",
        "reactivated" => "Quarantine lifted: the subscriber gets messages again.",
        "removed" => "Subscription ended.",
        _ => null,
    };
}

/// <summary>The chrome of every console page.</summary>
public sealed record ConsoleFrame(
    string Title, string? User, string? Role, string CsrfToken, string PageName, TimeZoneInfo Zone, DateTimeOffset Now, string? Done, string Path)
{
    /// <summary>A page still waiting for something (check-now answers) reloads itself after this many seconds: the console has no script.</summary>
    public int? RefreshSeconds { get; init; }

    public bool CanPost => Role is ApiRole.Admin or ApiRole.Responder;

    public bool IsAdmin => Role == ApiRole.Admin;

    public string Time(DateTimeOffset? at) => at is { } t
        ? TimeZoneInfo.ConvertTime(t, Zone).ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture)
        : "";

    /// <summary>A value for a datetime-local input, in the page's time zone.</summary>
    public string LocalInput(DateTimeOffset at) =>
        TimeZoneInfo.ConvertTime(at, Zone).ToString("yyyy-MM-ddTHH:mm", System.Globalization.CultureInfo.InvariantCulture);
}

public sealed record NoticeModel(ConsoleFrame Frame, string Message);
