using Microsoft.AspNetCore.Http.HttpResults;
using StatusPlatform.Contracts;
using StatusPlatform.StatusApi.AdminApi.Keys;
using StatusPlatform.StatusApi.AdminApi.Pages;
using static StatusPlatform.StatusApi.AdminApi.AdminHttp;

namespace StatusPlatform.StatusApi.AdminApi.Incidents;

/// <summary>
/// Incidents under /api/v1/pages/{page_id}, after Statuspage's Manage API (statuspage-api.md 2.6). Reads come from the
/// read model; writes become Incident.Service commands carrying the key's name as the actor, and answer with the incident
/// as the read model shows it once it shows the write (201/200), or 202 with the command's echo if it has not within
/// AdminApi:ReadModelWaitSeconds. The ETag of a write's answer is the incident stream's version; If-Match sends it back as
/// the command's ExpectedVersion.
/// </summary>
public static class IncidentsApi
{
    public static RouteGroupBuilder MapIncidentsApi(this RouteGroupBuilder page)
    {
        page.MapGet("/incidents", ListIncidentsAsync).RequireAuthorization(AdminPolicies.Read);
        page.MapGet("/incidents.json", ListIncidentsAsync).RequireAuthorization(AdminPolicies.Read).ExcludeFromDescription();
        page.MapGet("/incidents/unresolved", ListUnresolvedIncidentsAsync).RequireAuthorization(AdminPolicies.Read);
        page.MapGet("/incidents/unresolved.json", ListUnresolvedIncidentsAsync).RequireAuthorization(AdminPolicies.Read).ExcludeFromDescription();
        page.MapPost("/incidents", CreateIncidentAsync).RequireAuthorization(AdminPolicies.ManageIncidents);
        page.MapPost("/incidents.json", CreateIncidentAsync).RequireAuthorization(AdminPolicies.ManageIncidents).ExcludeFromDescription();
        page.MapGet("/incidents/{incident_id}", GetIncidentAsync).RequireAuthorization(AdminPolicies.Read);
        page.MapMethods("/incidents/{incident_id}", [HttpMethods.Patch, HttpMethods.Put], UpdateIncidentAsync).RequireAuthorization(AdminPolicies.ManageIncidents);
        page.MapGet("/incidents/{incident_id}/incident_updates", ListIncidentUpdatesAsync).RequireAuthorization(AdminPolicies.Read);
        return page;
    }

    /// <summary>Every incident, newest first; <c>q</c> searches names, statuses, postmortems and update bodies.</summary>
    public static async Task<Results<Ok<List<AdminIncident>>, ProblemHttpResult>> ListIncidentsAsync(
        string? q, AdminReadModel read, HttpContext context, CancellationToken ct) =>
        await ListAsync(q, unresolvedOnly: false, read, context, ct);

    /// <summary>Investigating, identified and monitoring incidents, newest first.</summary>
    public static async Task<Results<Ok<List<AdminIncident>>, ProblemHttpResult>> ListUnresolvedIncidentsAsync(
        AdminReadModel read, HttpContext context, CancellationToken ct) =>
        await ListAsync(null, unresolvedOnly: true, read, context, ct);

    /// <summary>
    /// One incident, with the incident stream's version as its ETag (status.incidents.version, written by Incident.Service's
    /// projection), which If-Match sends back as the expected version. A row projected before versions existed has none.
    /// </summary>
    public static async Task<Results<Ok<AdminIncident>, ProblemHttpResult>> GetIncidentAsync(
        string incident_id, AdminReadModel read, HttpContext context, CancellationToken ct)
    {
        var id = Id(incident_id);
        if (await read.IncidentAsync(id, ct) is not { } incident)
            return AdminProblems.NotFound("incident", id);
        if (incident.Incident.Version > 0)
            context.Response.Headers.ETag = AdminProblems.ETag(incident.Incident.Version);
        return TypedResults.Ok(AdminWire.Incident(incident, PageOf(context)));
    }

    /// <summary>The incident's updates, newest first (Statuspage has no such list; the incident carries them too).</summary>
    public static async Task<Results<Ok<List<AdminIncidentUpdate>>, ProblemHttpResult>> ListIncidentUpdatesAsync(
        string incident_id, AdminReadModel read, HttpContext context, CancellationToken ct)
    {
        var id = Id(incident_id);
        if (await read.IncidentAsync(id, ct) is not { } incident)
            return AdminProblems.NotFound("incident", id);
        return TypedResults.Ok(incident.Updates.Select(u => AdminWire.Update(u, PageOf(context))).ToList());
    }

    /// <summary>Opens an incident (or records a past one with backfilled, backfill_date and backfill_resolved_at).</summary>
    public static async Task<Results<Created<AdminIncident>, Accepted<CommandEcho>, ProblemHttpResult>> CreateIncidentAsync(
        HttpContext context, AdminReadModel read, IncidentServiceClient incidents, AdminApiOptions options, TimeProvider time, CancellationToken ct)
    {
        var (body, error) = await ReadBodyAsync<IncidentEnvelope>(context.Request, "incident", ct);
        if (error is not null)
            return error;
        var page = PageOf(context);
        var shown = await read.ComponentStatusesAsync(IncidentRequests.ComponentIdsOf(body!), ct);
        var (command, errors) = IncidentRequests.ToCreate(body!, Actor(context), page.Zone, shown);
        if (command is null)
            return AdminProblems.Invalid(errors);

        switch (await incidents.SendAsync(command, ct))
        {
            case CommandAccepted accepted:
                context.Response.Headers.ETag = AdminProblems.ETag(accepted.Version);
                var location = $"{context.Request.PathBase}/api/v1/pages/{page.Id}/incidents/{accepted.Id}";
                if (await WaitUntilShownAsync(async c => await read.UpdateCountAsync(accepted.Id, c) is not null, options.ReadModelWait, time, ct)
                    && await read.IncidentAsync(accepted.Id, ct) is { } incident)
                    return TypedResults.Created(location, AdminWire.Incident(incident, page));
                return TypedResults.Accepted(location, Echo(accepted));
            case CommandRejected rejected:
                return AdminProblems.Invalid(IncidentRequests.ToBodyPaths(rejected.Errors, command.Components), rejected.Title);
            case CommandConflict conflict:
                return AdminProblems.Conflict(context, conflict.ExpectedVersion, conflict.CurrentVersion);
            default:
                throw new InvalidOperationException("Unknown command answer.");
        }
    }

    /// <summary>
    /// Posts an update (status, body, components, deliver_notifications, name); status resolved resolves the incident. As in
    /// Statuspage, PATCH and PUT both do this; a missing status keeps the current one.
    /// </summary>
    public static async Task<Results<Ok<AdminIncident>, Accepted<CommandEcho>, ProblemHttpResult>> UpdateIncidentAsync(
        string incident_id, HttpContext context, AdminReadModel read, IncidentServiceClient incidents, AdminApiOptions options, TimeProvider time,
        CancellationToken ct)
    {
        var id = Id(incident_id);
        if (!AdminProblems.TryReadIfMatch(context.Request, out var expected, out var ifMatchError))
            return AdminProblems.Invalid("If-Match", ifMatchError!);
        var (body, error) = await ReadBodyAsync<IncidentEnvelope>(context.Request, "incident", ct);
        if (error is not null)
            return error;
        var page = PageOf(context);
        if (await read.IncidentAsync(id, ct) is not { } current)
            return AdminProblems.NotFound("incident", id);
        var updatesBefore = current.Updates.Count;
        var shown = await read.ComponentStatusesAsync(IncidentRequests.ComponentIdsOf(body!), ct);
        var (command, errors) = IncidentRequests.ToUpdate(body!, Actor(context), id, current.Incident.Status, expected, shown);
        if (command is null)
            return AdminProblems.Invalid(errors);

        return await AnswerAsync(await incidents.SendAsync(command, ct), command.Components, updatesBefore, context, read, options, time, ct);
    }

    /// <summary>
    /// The answer to an accepted write of an existing incident: every such write adds an update, so the read model shows it
    /// once the incident has more updates than before the command.
    /// </summary>
    public static async Task<Results<Ok<AdminIncident>, Accepted<CommandEcho>, ProblemHttpResult>> AnswerAsync(
        object answer, IReadOnlyList<ComponentStatusChange>? sent, int updatesBefore, HttpContext context, AdminReadModel read,
        AdminApiOptions options, TimeProvider time, CancellationToken ct)
    {
        var page = PageOf(context);
        switch (answer)
        {
            case CommandAccepted accepted:
                context.Response.Headers.ETag = AdminProblems.ETag(accepted.Version);
                if (await WaitUntilShownAsync(async c => await read.UpdateCountAsync(accepted.Id, c) > updatesBefore, options.ReadModelWait, time, ct)
                    && await read.IncidentAsync(accepted.Id, ct) is { } incident)
                    return TypedResults.Ok(AdminWire.Incident(incident, page));
                return TypedResults.Accepted($"{context.Request.PathBase}/api/v1/pages/{page.Id}/incidents/{accepted.Id}", Echo(accepted));
            case CommandRejected { NotFound: true } rejected:
                return TypedResults.Problem(rejected.Title, statusCode: StatusCodes.Status404NotFound, title: "Unknown incident",
                    type: AdminProblems.Type("not-found"));
            case CommandRejected rejected:
                return AdminProblems.Invalid(IncidentRequests.ToBodyPaths(rejected.Errors, sent), rejected.Title);
            case CommandConflict conflict:
                return AdminProblems.Conflict(context, conflict.ExpectedVersion, conflict.CurrentVersion);
            default:
                throw new InvalidOperationException("Unknown command answer.");
        }
    }

    public static CommandEcho Echo(CommandAccepted accepted) => new(accepted.Id, accepted.Version,
        "Incident.Service applied the command; the read model did not show it yet. GET the incident shortly.");

    private static async Task<Results<Ok<List<AdminIncident>>, ProblemHttpResult>> ListAsync(
        string? q, bool unresolvedOnly, AdminReadModel read, HttpContext context, CancellationToken ct)
    {
        if (!TryReadPaging(context.Request, out var pageNumber, out var perPage, out var pagingError))
            return pagingError!;
        var page = PageOf(context);
        var (total, incidents) = await read.IncidentsAsync(string.IsNullOrWhiteSpace(q) ? null : q.Trim(), unresolvedOnly,
            (pageNumber - 1) * perPage, perPage, ct);
        WritePagingHeaders(context, pageNumber, perPage, total);
        return TypedResults.Ok(incidents.Select(i => AdminWire.Incident(i, page)).ToList());
    }
}
