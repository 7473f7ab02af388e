using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using StatusPlatform.Contracts;
using StatusPlatform.StatusApi.AdminApi.Keys;
using static StatusPlatform.StatusApi.AdminApi.AdminHttp;

namespace StatusPlatform.StatusApi.AdminApi.Components;

/// <summary>
/// Components under /api/v1/pages/{page_id} (statuspage-api.md 2.4): Incident.Service's CreateComponent, UpdateComponent
/// and DeleteComponent, plus StatusPlatform's owner, automation and position. Statuspage's <c>status</c> sets a component's
/// status by hand; here that is the manual override (SetComponentOverride), one input to the status the page shows next to
/// monitors, incidents and maintenance (the worst wins), and "" or null lifts it. Components the configuration file
/// defines keep their settings (Incident.Service refuses changes with the reason); their override can still be set.
/// Writes answer with the component once the read model shows them, or 202 with the command's echo when it does not within
/// AdminApi:ReadModelWaitSeconds; the ETag is the component stream's version.
/// </summary>
public static class ComponentsApi
{
    private const string Wrapper = "component";

    public static RouteGroupBuilder MapComponentsApi(this RouteGroupBuilder page)
    {
        page.MapGet("/components", ListComponentsAsync).RequireAuthorization(AdminPolicies.Read);
        page.MapGet("/components.json", ListComponentsAsync).RequireAuthorization(AdminPolicies.Read).ExcludeFromDescription();
        page.MapPost("/components", CreateComponentAsync).RequireAuthorization(AdminPolicies.ManageEverything);
        page.MapPost("/components.json", CreateComponentAsync).RequireAuthorization(AdminPolicies.ManageEverything).ExcludeFromDescription();
        page.MapGet("/components/{component_id}", GetComponentAsync).RequireAuthorization(AdminPolicies.Read);
        page.MapMethods("/components/{component_id}", [HttpMethods.Patch, HttpMethods.Put], UpdateComponentAsync)
            .RequireAuthorization(AdminPolicies.ManageEverything);
        page.MapDelete("/components/{component_id}", DeleteComponentAsync).RequireAuthorization(AdminPolicies.ManageEverything);
        return page;
    }

    /// <summary>Components and groups in the page's order.</summary>
    public static async Task<Results<Ok<List<AdminComponent>>, ProblemHttpResult>> ListComponentsAsync(
        NpgsqlDataSource dataSource, HttpContext context, CancellationToken ct)
    {
        if (!TryReadPaging(context.Request, out var pageNumber, out var perPage, out var pagingError))
            return pagingError!;
        var page = PageOf(context);
        var (total, components) = await ComponentCatalog.ListAsync(dataSource, groups: null, (pageNumber - 1) * perPage, perPage, ct);
        WritePagingHeaders(context, pageNumber, perPage, total);
        return TypedResults.Ok(components.Select(c => AdminWire.Component(c, page)).ToList());
    }

    /// <summary>One component (or group), with the stream version as its ETag where the read model holds it.</summary>
    public static async Task<Results<Ok<AdminComponent>, ProblemHttpResult>> GetComponentAsync(
        string component_id, NpgsqlDataSource dataSource, HttpContext context, CancellationToken ct)
    {
        var id = Id(component_id);
        if (await ComponentCatalog.GetAsync(dataSource, id, ct) is not { } component)
            return AdminProblems.NotFound("component", id);
        if (component.Version is { } version)
            context.Response.Headers.ETag = AdminProblems.ETag(version);
        return TypedResults.Ok(AdminWire.Component(component, PageOf(context)));
    }

    /// <summary>
    /// <c>{"component": {"name": "API", "description": "...", "group_id": "backend", "showcase": true, "only_show_if_degraded": false,
    /// "owner": "team-api", "automation": true, "position": 2, "id": "api"}}</c>; a status other than operational pins it as the
    /// override. The id is derived when not given.
    /// </summary>
    public static async Task<Results<Created<AdminComponent>, Accepted<CommandEcho>, ProblemHttpResult>> CreateComponentAsync(
        HttpContext context, NpgsqlDataSource dataSource, IncidentServiceClient service, AdminApiOptions options, TimeProvider time,
        ILogger<CommandSequence> logger, CancellationToken ct)
    {
        var (body, error) = await ReadBodyAsync<JsonElement?>(context.Request, Wrapper, ct);
        if (error is not null)
            return error;
        var (input, errors) = ComponentRequests.Read(body!.Value);
        if (input is null)
            return AdminProblems.Invalid(errors);

        var actor = Actor(context);
        var steps = new CommandSequence(service, logger);
        var answer = await steps.SendAsync(ComponentRequests.ToCreate(input, actor), ct, created => new DeleteComponent(actor, created.Id, created.Version));
        if (CommandErrors.Problem(answer, context, "component", input.Id ?? "", Wrapper, ComponentRequests.CreateFields) is { } refused)
            return refused;
        var accepted = (CommandAccepted)answer;
        var pinned = input.Status is { Length: > 0 } status && status != ComponentStatus.Operational ? status : null;
        if (pinned is not null)
        {
            // A new stream nobody else writes yet: no expected version needed, and the status was checked above.
            answer = await steps.SendAsync(new SetComponentOverride(actor, accepted.Id, pinned), ct);
            if (answer is not CommandAccepted)
                return await UndoneAsync(steps, CommandErrors.Problem(answer, context, "component", accepted.Id, Wrapper)!);
            accepted = (CommandAccepted)answer;
        }

        var page = PageOf(context);
        context.Response.Headers.ETag = AdminProblems.ETag(accepted.Version);
        var location = $"{context.Request.PathBase}/api/v1/pages/{page.Id}/components/{accepted.Id}";
        ManagedComponent? shown = null;
        if (await WaitUntilShownAsync(async c => (shown = await ComponentCatalog.GetAsync(dataSource, accepted.Id, c)) is { } row
                && (pinned is null || row.Row.Status == pinned), options.ReadModelWait, time, ct))
            return TypedResults.Created(location, AdminWire.Component(shown!, page));
        return TypedResults.Accepted(location, Echo(accepted, "component"));
    }

    /// <summary>
    /// Changes what the body gives (PATCH and PUT alike, as on Statuspage). Fields equal to what the component has are not
    /// changes, so a client that sends the whole component back with a new status only sets the override. <c>status</c>:
    /// a component status pins it, <c>""</c> or null lifts the pin.
    /// </summary>
    public static async Task<Results<Ok<AdminComponent>, Accepted<CommandEcho>, ProblemHttpResult>> UpdateComponentAsync(
        string component_id, HttpContext context, NpgsqlDataSource dataSource, IncidentServiceClient service, AdminApiOptions options,
        TimeProvider time, ILogger<CommandSequence> logger, CancellationToken ct)
    {
        var id = Id(component_id);
        if (!AdminProblems.TryReadIfMatch(context.Request, out var expected, out var ifMatchError))
            return AdminProblems.Invalid("If-Match", ifMatchError!);
        var (body, error) = await ReadBodyAsync<JsonElement?>(context.Request, Wrapper, ct);
        if (error is not null)
            return error;
        var (input, errors) = ComponentRequests.Read(body!.Value);
        if (input is not null && input.Id is { } bodyId && bodyId != id)
            errors["component.id"] = [$"cannot be changed (the path names '{id}')"];
        if (input is null || errors.Count > 0)
            return AdminProblems.Invalid(errors);
        if (await ComponentCatalog.GetAsync(dataSource, id, ct) is not { } current)
            return AdminProblems.NotFound("component", id);

        var page = PageOf(context);
        var actor = Actor(context);
        var update = ComponentRequests.ToUpdate(input, current, actor, expected);
        if (update is null && !input.StatusGiven)
        {
            if (expected is { } named && current.Version is { } version && named != version)
                return AdminProblems.Conflict(context, named, version);
            if (current.Version is { } unchanged)
                context.Response.Headers.ETag = AdminProblems.ETag(unchanged);
            return TypedResults.Ok(AdminWire.Component(current, page));
        }

        var steps = new CommandSequence(service, logger);
        CommandAccepted? accepted = null;
        if (update is not null)
        {
            var answer = await steps.SendAsync(update, ct, applied => ComponentRequests.Reverse(current, update, applied.Version));
            if (CommandErrors.Problem(answer, context, "component", id, Wrapper, ComponentRequests.UpdateFields) is { } refused)
                return refused;
            accepted = (CommandAccepted)answer;
        }
        var pinned = string.IsNullOrEmpty(input.Status) ? null : input.Status;
        if (input.StatusGiven)
        {
            // If-Match was checked by the update when there was one; the override then follows whatever the folds did since.
            var answer = await steps.SendAsync(new SetComponentOverride(actor, id, pinned, update is null ? expected : null), ct);
            if (CommandErrors.Problem(answer, context, "component", id, Wrapper, ComponentRequests.UpdateFields) is { } refused)
                return update is null ? refused : await UndoneAsync(steps, refused);
            accepted = (CommandAccepted)answer;
        }

        context.Response.Headers.ETag = AdminProblems.ETag(accepted!.Version);
        ManagedComponent? shown = null;
        var wait = update is null && pinned is null ? TimeSpan.Zero : options.ReadModelWait;
        if (await WaitUntilShownAsync(async c => (shown = await ComponentCatalog.GetAsync(dataSource, id, c)) is { } row
                && (update is null || ComponentRequests.Shows(row, update, accepted.Version)) && (pinned is null || row.Row.Status == pinned), wait, time, ct))
            return TypedResults.Ok(AdminWire.Component(shown!, page));
        return TypedResults.Accepted($"{context.Request.PathBase}/api/v1/pages/{page.Id}/components/{id}", new CommandEcho(accepted.Id, accepted.Version,
            pinned is null
                ? "Incident.Service applied the change; the read model did not show it yet. GET the component shortly."
                : $"The override is set; the page does not show {pinned} (yet): a worse status from a monitor, incident or maintenance outranks it, or the read model lags."));
    }

    /// <summary>Removes a component (204); a group must be empty first (DELETE /component-groups/{id} empties it itself).</summary>
    public static async Task<Results<NoContent, Accepted<CommandEcho>, ProblemHttpResult>> DeleteComponentAsync(
        string component_id, HttpContext context, NpgsqlDataSource dataSource, IncidentServiceClient service, AdminApiOptions options,
        TimeProvider time, CancellationToken ct)
    {
        var id = Id(component_id);
        if (!AdminProblems.TryReadIfMatch(context.Request, out var expected, out var ifMatchError))
            return AdminProblems.Invalid("If-Match", ifMatchError!);
        if (await ComponentCatalog.GetAsync(dataSource, id, ct) is null)
            return AdminProblems.NotFound("component", id);
        var answer = await service.SendAsync(new DeleteComponent(Actor(context), id, expected), ct);
        if (CommandErrors.Problem(answer, context, "component", id, Wrapper, ComponentRequests.UpdateFields) is { } refused)
            return refused;
        var accepted = (CommandAccepted)answer;
        if (await WaitUntilShownAsync(async c => await ComponentCatalog.GetAsync(dataSource, id, c) is null, options.ReadModelWait, time, ct))
            return TypedResults.NoContent();
        return TypedResults.Accepted((string?)null, Echo(accepted, "component"));
    }

    /// <summary>The answer to a request whose later command was refused: the refusal, once the earlier commands are reversed.</summary>
    public static async Task<ProblemHttpResult> UndoneAsync(CommandSequence steps, ProblemHttpResult refused)
    {
        await steps.UndoAsync();
        return steps.Undone ? refused : CommandErrors.HalfApplied(refused.ProblemDetails.Detail ?? refused.ProblemDetails.Title ?? "A command was refused.");
    }

    public static CommandEcho Echo(CommandAccepted accepted, string what) => new(accepted.Id, accepted.Version,
        $"Incident.Service applied the command; the read model did not show it yet. GET the {what} shortly.");
}
