using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using StatusPlatform.Contracts;
using StatusPlatform.StatusApi.AdminApi.Keys;
using static StatusPlatform.StatusApi.AdminApi.AdminHttp;

namespace StatusPlatform.StatusApi.AdminApi.Maintenances;

/// <summary>
/// Scheduled maintenance, recurring service windows and incident templates under /api/v1/pages/{page_id}: ours rather
/// than Statuspage's (which folds maintenances into incidents with scheduled_* fields), in its style. Responders may
/// schedule, update and cancel maintenance; service windows and templates are the admin's. Writes answer 202 with the
/// command's id and the stream version (the ETag) as soon as Incident.Service applied them; GET shows the read model.
/// </summary>
public static class MaintenancesApi
{
    public static RouteGroupBuilder MapMaintenancesApi(this RouteGroupBuilder page)
    {
        page.MapGet("/maintenances", ListAsync).RequireAuthorization(AdminPolicies.Read);
        page.MapPost("/maintenances", ScheduleAsync).RequireAuthorization(AdminPolicies.ManageIncidents);
        page.MapMethods("/maintenances/{maintenance_id}", [HttpMethods.Patch, HttpMethods.Put], UpdateAsync).RequireAuthorization(AdminPolicies.ManageIncidents);
        page.MapDelete("/maintenances/{maintenance_id}", CancelAsync).RequireAuthorization(AdminPolicies.ManageIncidents);
        page.MapPut("/service_windows/{window_id}", DefineWindowAsync).RequireAuthorization(AdminPolicies.ManageEverything);
        page.MapDelete("/service_windows/{window_id}", RemoveWindowAsync).RequireAuthorization(AdminPolicies.ManageEverything);
        page.MapPost("/incident_templates", SaveTemplateAsync).RequireAuthorization(AdminPolicies.ManageEverything);
        page.MapMethods("/incident_templates/{template_id}", [HttpMethods.Patch, HttpMethods.Put], SaveTemplateAsync).RequireAuthorization(AdminPolicies.ManageEverything);
        page.MapDelete("/incident_templates/{template_id}", DeleteTemplateAsync).RequireAuthorization(AdminPolicies.ManageEverything);
        return page;
    }

    public sealed record MaintenanceRequest(string? Name, string? Body, DateTimeOffset? ScheduledFor, DateTimeOffset? ScheduledUntil, List<string>? ComponentIds,
        bool? AutoTransition, List<int>? ReminderMinutesBefore, bool? DeliverNotifications, string? Status);

    public sealed record WindowRequest(string? Name, string? Body, List<string>? ComponentIds, List<int>? Days, string? StartLocalTime, int? DurationMinutes,
        string? TimeZone, int? ScheduleDaysAhead, List<int>? ReminderMinutesBefore);

    public sealed record TemplateRequest(string? Name, string? Title, string? Body, string? Status);

    // The bodies are wrapped as in Statuspage's API: {"maintenance": {...}}.
    public sealed record MaintenanceBody(MaintenanceRequest? Maintenance);

    public sealed record WindowBody(WindowRequest? ServiceWindow);

    public sealed record TemplateBody(TemplateRequest? Template);

    private static async Task<(T? Inner, IResult? Error)> ReadWrappedAsync<TBody, T>(HttpRequest request, string wrapper, Func<TBody, T?> inner, CancellationToken ct)
        where T : class
    {
        var (body, error) = await ReadBodyAsync<TBody>(request, wrapper, ct);
        if (error is not null)
            return (null, error);
        return inner(body!) is { } value ? (value, null) : (null, AdminProblems.Invalid(wrapper, $"is required: send {{\"{wrapper}\": {{...}}}}"));
    }

    public sealed record MaintenanceSummary(
        [property: JsonPropertyName("id")] string Id, [property: JsonPropertyName("name")] string Name, [property: JsonPropertyName("status")] string Status,
        [property: JsonPropertyName("scheduled_for")] DateTimeOffset ScheduledFor, [property: JsonPropertyName("scheduled_until")] DateTimeOffset ScheduledUntil,
        [property: JsonPropertyName("service_window_id")] string? ServiceWindowId, [property: JsonPropertyName("version")] long Version);

    public static async Task<Results<Ok<List<MaintenanceSummary>>, ProblemHttpResult>> ListAsync(NpgsqlDataSource dataSource, HttpContext context, CancellationToken ct)
    {
        if (!TryReadPaging(context.Request, out var pageNumber, out var perPage, out var pagingError))
            return pagingError!;
        await using var command = dataSource.CreateCommand("""
            select id, name, status, scheduled_for, scheduled_until, service_window_id, version, count(*) over ()
            from status.maintenances order by scheduled_for desc, id collate "C" desc offset $1 limit $2
            """);
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = (pageNumber - 1) * perPage });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = perPage });
        var list = new List<MaintenanceSummary>();
        var total = 0;
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            list.Add(new MaintenanceSummary(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetFieldValue<DateTimeOffset>(3),
                reader.GetFieldValue<DateTimeOffset>(4), reader.IsDBNull(5) ? null : reader.GetString(5), reader.GetInt64(6)));
            total = (int)reader.GetInt64(7);
        }
        WritePagingHeaders(context, pageNumber, perPage, total);
        return TypedResults.Ok(list);
    }

    public static async Task<IResult> ScheduleAsync(HttpContext context, IncidentServiceClient service, CancellationToken ct)
    {
        var (body, error) = await ReadWrappedAsync<MaintenanceBody, MaintenanceRequest>(context.Request, "maintenance", b => b.Maintenance, ct);
        if (error is not null)
            return error;
        var missing = new Dictionary<string, string[]>();
        if (body!.ScheduledFor is null)
            missing["maintenance.scheduled_for"] = ["is required"];
        if (body.ScheduledUntil is null)
            missing["maintenance.scheduled_until"] = ["is required"];
        if (missing.Count > 0)
            return AdminProblems.Invalid(missing);
        return Answer(context, await service.SendAsync(new ScheduleMaintenance(Actor(context), body.Name ?? "", body.Body ?? "", body.ScheduledFor!.Value,
            body.ScheduledUntil!.Value, body.ComponentIds ?? [], body.AutoTransition ?? true, body.ReminderMinutesBefore, body.DeliverNotifications ?? true), ct), "maintenance");
    }

    public static async Task<IResult> UpdateAsync(string maintenance_id, HttpContext context, IncidentServiceClient service, CancellationToken ct)
    {
        if (!AdminProblems.TryReadIfMatch(context.Request, out var expected, out var ifMatchError))
            return AdminProblems.Invalid("If-Match", ifMatchError!);
        var (body, error) = await ReadWrappedAsync<MaintenanceBody, MaintenanceRequest>(context.Request, "maintenance", b => b.Maintenance, ct);
        if (error is not null)
            return error;
        return Answer(context, await service.SendAsync(new PostMaintenanceUpdate(Actor(context), Id(maintenance_id), body!.Status ?? "", body.Body ?? "",
            body.DeliverNotifications ?? true, expected), ct), "maintenance");
    }

    public static async Task<IResult> CancelAsync(string maintenance_id, HttpContext context, IncidentServiceClient service, CancellationToken ct)
    {
        if (!AdminProblems.TryReadIfMatch(context.Request, out var expected, out var ifMatchError))
            return AdminProblems.Invalid("If-Match", ifMatchError!);
        return Answer(context, await service.SendAsync(new CancelMaintenance(Actor(context), Id(maintenance_id), null, expected), ct), "maintenance");
    }

    public static async Task<IResult> DefineWindowAsync(string window_id, HttpContext context, IncidentServiceClient service, CancellationToken ct)
    {
        var (body, error) = await ReadWrappedAsync<WindowBody, WindowRequest>(context.Request, "service_window", b => b.ServiceWindow, ct);
        if (error is not null)
            return error;
        return Answer(context, await service.SendAsync(new DefineServiceWindow(Actor(context), window_id, body!.Name ?? "", body.Body ?? "", body.ComponentIds ?? [],
            body.Days ?? [], body.StartLocalTime ?? "", body.DurationMinutes ?? 0, body.TimeZone ?? "", body.ScheduleDaysAhead ?? 14, body.ReminderMinutesBefore), ct),
            "service_window");
    }

    public static async Task<IResult> RemoveWindowAsync(string window_id, HttpContext context, IncidentServiceClient service, CancellationToken ct) =>
        Answer(context, await service.SendAsync(new RemoveServiceWindow(Actor(context), window_id), ct), "service_window");

    public static async Task<IResult> SaveTemplateAsync(HttpContext context, IncidentServiceClient service, CancellationToken ct, string? template_id = null)
    {
        if (!AdminProblems.TryReadIfMatch(context.Request, out var expected, out var ifMatchError))
            return AdminProblems.Invalid("If-Match", ifMatchError!);
        var (body, error) = await ReadWrappedAsync<TemplateBody, TemplateRequest>(context.Request, "template", b => b.Template, ct);
        if (error is not null)
            return error;
        return Answer(context, await service.SendAsync(new SaveIncidentTemplate(Actor(context), body!.Name ?? "", body.Title ?? "", body.Body ?? "",
            template_id, body.Status ?? IncidentStatus.Investigating, expected), ct), "template");
    }

    public static async Task<IResult> DeleteTemplateAsync(string template_id, HttpContext context, IncidentServiceClient service, CancellationToken ct)
    {
        if (!AdminProblems.TryReadIfMatch(context.Request, out var expected, out var ifMatchError))
            return AdminProblems.Invalid("If-Match", ifMatchError!);
        return Answer(context, await service.SendAsync(new DeleteIncidentTemplate(Actor(context), template_id, expected), ct), "template");
    }

    /// <summary>Accepted: 202 with the id and version (also the ETag); refused: 400 with the fields under the body's wrapper, or 404; conflict: 412.</summary>
    private static IResult Answer(HttpContext context, object answer, string wrapper)
    {
        switch (answer)
        {
            case CommandAccepted accepted:
                context.Response.Headers.ETag = AdminProblems.ETag(accepted.Version);
                return TypedResults.Accepted((string?)null, new CommandEcho(accepted.Id, accepted.Version, "Incident.Service applied the command."));
            case CommandRejected { NotFound: true }:
                return AdminProblems.NotFound(wrapper, context.Request.RouteValues.Values.OfType<string>().LastOrDefault() ?? "");
            case CommandRejected rejected:
                return AdminProblems.Invalid(rejected.Errors.ToDictionary(e => $"{wrapper}.{e.Key}", e => e.Value), rejected.Title);
            case CommandConflict conflict:
                return AdminProblems.Conflict(context, conflict.ExpectedVersion, conflict.CurrentVersion);
            default:
                throw new InvalidOperationException("Unknown command answer.");
        }
    }
}
