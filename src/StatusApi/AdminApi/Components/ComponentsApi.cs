using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using StatusPlatform.Contracts;
using StatusPlatform.StatusApi.AdminApi.Keys;
using StatusPlatform.StatusApi.AdminApi.Pages;
using StatusPlatform.StatusApi.PublicApi;
using static StatusPlatform.StatusApi.AdminApi.AdminHttp;

namespace StatusPlatform.StatusApi.AdminApi.Components;

/// <summary>
/// Components under /api/v1/pages/{page_id} (statuspage-api.md 2.4). Statuspage's PATCH of a component's status sets it
/// by hand; here that is Incident.Service's manual override (SetComponentOverride), one input to the status the page
/// shows next to monitors, incidents and maintenance (the worst wins), and "" or null lifts it. Names, positions and groups
/// come from the configuration file, so this API does not change them.
/// </summary>
public static class ComponentsApi
{
    private static readonly string[] Settings = ["name", "description", "group_id", "showcase", "only_show_if_degraded", "start_date", "position"];

    public static RouteGroupBuilder MapComponentsApi(this RouteGroupBuilder page)
    {
        page.MapGet("/components", ListComponentsAsync).RequireAuthorization(AdminPolicies.Read);
        page.MapGet("/components.json", ListComponentsAsync).RequireAuthorization(AdminPolicies.Read).ExcludeFromDescription();
        page.MapGet("/components/{component_id}", GetComponentAsync).RequireAuthorization(AdminPolicies.Read);
        page.MapMethods("/components/{component_id}", [HttpMethods.Patch, HttpMethods.Put], SetComponentStatusAsync)
            .RequireAuthorization(AdminPolicies.ManageEverything);
        return page;
    }

    /// <summary>Components and groups in the page's order.</summary>
    public static async Task<Results<Ok<List<AdminComponent>>, ProblemHttpResult>> ListComponentsAsync(
        AdminReadModel read, HttpContext context, CancellationToken ct)
    {
        if (!TryReadPaging(context.Request, out var pageNumber, out var perPage, out var pagingError))
            return pagingError!;
        var page = PageOf(context);
        var (total, components) = await read.ComponentsAsync((pageNumber - 1) * perPage, perPage, ct);
        WritePagingHeaders(context, pageNumber, perPage, total);
        return TypedResults.Ok(components.Select(c => AdminWire.Component(c, page)).ToList());
    }

    public static async Task<Results<Ok<AdminComponent>, ProblemHttpResult>> GetComponentAsync(
        string component_id, AdminReadModel read, HttpContext context, CancellationToken ct)
    {
        var id = Id(component_id);
        return await read.ComponentAsync(id, ct) is { } component
            ? TypedResults.Ok(AdminWire.Component(component, PageOf(context)))
            : AdminProblems.NotFound("component", id);
    }

    /// <summary>
    /// <c>{"component": {"status": "major_outage"}}</c> pins the status; <c>""</c> or null lifts the pin. Answers with the
    /// component once the page shows the pinned status, or 202 when it does not within AdminApi:ReadModelWaitSeconds (a
    /// worse status from a monitor or an incident outranks the pin, or the read model lags). Lifting answers at once with
    /// the row as it is: what the page shows next depends on the other inputs.
    /// </summary>
    public static async Task<Results<Ok<AdminComponent>, Accepted<CommandEcho>, ProblemHttpResult>> SetComponentStatusAsync(
        string component_id, HttpContext context, AdminReadModel read, IncidentServiceClient incidents, AdminApiOptions options,
        TimeProvider time, CancellationToken ct)
    {
        var id = Id(component_id);
        if (!AdminProblems.TryReadIfMatch(context.Request, out var expected, out var ifMatchError))
            return AdminProblems.Invalid("If-Match", ifMatchError!);
        var (body, error) = await ReadBodyAsync<JsonElement?>(context.Request, "component", ct);
        if (error is not null)
            return error;
        var (status, errors) = ReadStatus(body!.Value);
        if (errors.Count > 0)
            return AdminProblems.Invalid(errors);
        if (await read.ComponentAsync(id, ct) is null)
            return AdminProblems.NotFound("component", id);

        var page = PageOf(context);
        switch (await incidents.SendAsync(new SetComponentOverride(Actor(context), id, status, expected), ct))
        {
            case CommandAccepted accepted:
                context.Response.Headers.ETag = AdminProblems.ETag(accepted.Version);
                ComponentRow? shown = null;
                if (await WaitUntilShownAsync(async c => (shown = await read.ComponentAsync(id, c)) is { } row && (status is null || row.Status == status),
                        status is null ? TimeSpan.Zero : options.ReadModelWait, time, ct))
                    return TypedResults.Ok(AdminWire.Component(shown!, page));
                return TypedResults.Accepted($"{context.Request.PathBase}/api/v1/pages/{page.Id}/components/{id}", new CommandEcho(accepted.Id,
                    accepted.Version, $"The override is set; the page does not show {status} (yet): a worse status from a monitor, incident or maintenance outranks it, or the read model lags."));
            case CommandRejected { NotFound: true }:
                return AdminProblems.NotFound("component", id);
            case CommandRejected rejected:
                return AdminProblems.Invalid(rejected.Errors.ToDictionary(e => $"component.{e.Key}", e => e.Value), rejected.Title);
            case CommandConflict conflict:
                return AdminProblems.Conflict(context, conflict.ExpectedVersion, conflict.CurrentVersion);
            default:
                throw new InvalidOperationException("Unknown command answer.");
        }
    }

    // Parsed by hand: a missing status, an explicit null and "" differ, and settings must be refused by name, not dropped.
    private static (string? Status, Dictionary<string, string[]> Errors) ReadStatus(JsonElement body)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (body.ValueKind != JsonValueKind.Object || !body.TryGetProperty("component", out var component) || component.ValueKind != JsonValueKind.Object)
        {
            errors["component"] = ["is required: send {\"component\": {\"status\": \"...\"}}"];
            return (null, errors);
        }
        foreach (var property in component.EnumerateObject().Where(p => p.Name != "status"))
        {
            errors[$"component.{property.Name}"] = [Settings.Contains(property.Name)
                ? "is set by the configuration file (config as code); this API changes only status"
                : "is not a field of a component"];
        }
        if (!component.TryGetProperty("status", out var status))
            errors["component.status"] = ["is required: a component status, or \"\" to lift the manual override"];
        else if (status.ValueKind is not (JsonValueKind.String or JsonValueKind.Null))
            errors["component.status"] = ["must be a string"];
        var value = status.ValueKind == JsonValueKind.String ? status.GetString() : null;
        return (string.IsNullOrEmpty(value) ? null : value, errors);
    }
}
