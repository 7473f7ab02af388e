using Microsoft.AspNetCore.Http.HttpResults;
using StatusPlatform.Contracts;
using StatusPlatform.StatusApi.AdminApi.Keys;
using StatusPlatform.StatusApi.AdminApi.Pages;
using static StatusPlatform.StatusApi.AdminApi.AdminHttp;

namespace StatusPlatform.StatusApi.AdminApi.Incidents;

/// <summary>
/// Statuspage's postmortem flow (statuspage-api.md 2.6): PUT …/postmortem saves a draft, PUT …/postmortem/publish sends it to
/// Incident.Service as PublishPostmortem (the incident must be resolved). Revert and delete have no command yet.
/// </summary>
public static class PostmortemApi
{
    /// <summary>Incident.Service's limit on incident and postmortem bodies (Statuspage's too).</summary>
    public const int MaxBodyLength = 25_000;

    public static RouteGroupBuilder MapPostmortemApi(this RouteGroupBuilder page)
    {
        page.MapGet("/incidents/{incident_id}/postmortem", GetPostmortemAsync).RequireAuthorization(AdminPolicies.Read);
        page.MapPut("/incidents/{incident_id}/postmortem", SaveDraftAsync).RequireAuthorization(AdminPolicies.ManageIncidents);
        page.MapPut("/incidents/{incident_id}/postmortem/publish", PublishAsync).RequireAuthorization(AdminPolicies.ManageIncidents);
        return page;
    }

    public static async Task<Results<Ok<AdminPostmortem>, ProblemHttpResult>> GetPostmortemAsync(
        string incident_id, HttpContext context, AdminReadModel read, PostmortemDrafts drafts, CancellationToken ct)
    {
        var id = Id(incident_id);
        if (await read.IncidentAsync(id, ct) is not { } incident)
            return AdminProblems.NotFound("incident", id);
        return TypedResults.Ok(Postmortem(incident, await drafts.GetAsync(id, ct), PageOf(context)));
    }

    /// <summary>Saves <c>{"postmortem": {"body_draft": "…"}}</c>; readers see nothing until it is published.</summary>
    public static async Task<Results<Ok<AdminPostmortem>, ProblemHttpResult>> SaveDraftAsync(
        string incident_id, HttpContext context, AdminReadModel read, PostmortemDrafts drafts, CancellationToken ct)
    {
        var id = Id(incident_id);
        var (body, error) = await ReadBodyAsync<PostmortemEnvelope>(context.Request, "postmortem", ct);
        if (error is not null)
            return error;
        if (string.IsNullOrWhiteSpace(body!.Postmortem?.BodyDraft))
            return AdminProblems.Invalid("postmortem.body_draft", "is required");
        if (body.Postmortem.BodyDraft.Length > MaxBodyLength)
            return AdminProblems.Invalid("postmortem.body_draft", $"must be at most {MaxBodyLength} characters");
        if (await read.IncidentAsync(id, ct) is not { } incident)
            return AdminProblems.NotFound("incident", id);
        var draft = await drafts.SaveAsync(id, body.Postmortem.BodyDraft, Actor(context), ct);
        return TypedResults.Ok(Postmortem(incident, draft, PageOf(context)));
    }

    /// <summary>Publishes the saved draft; If-Match makes it conditional on the incident's version.</summary>
    public static async Task<Results<Ok<AdminPostmortem>, Accepted<CommandEcho>, ProblemHttpResult>> PublishAsync(
        string incident_id, HttpContext context, AdminReadModel read, PostmortemDrafts drafts, IncidentServiceClient incidents,
        AdminApiOptions options, TimeProvider time, CancellationToken ct)
    {
        var id = Id(incident_id);
        if (!AdminProblems.TryReadIfMatch(context.Request, out var expected, out var ifMatchError))
            return AdminProblems.Invalid("If-Match", ifMatchError!);
        // The body is optional here: Statuspage's publish options are all about Twitter and notifications.
        PublishEnvelope? body = null;
        if (context.Request.ContentLength is not 0 && context.Request.HasJsonContentType())
        {
            (body, var error) = await ReadBodyAsync<PublishEnvelope>(context.Request, "postmortem", ct);
            if (error is not null)
                return error;
        }
        if (body?.Postmortem?.NotifySubscribers == false)
            return AdminProblems.Invalid("postmortem.notify_subscribers", "cannot be false: Notify.Service's policy decides who hears of a postmortem");
        if (await read.IncidentAsync(id, ct) is not { } incident)
            return AdminProblems.NotFound("incident", id);
        if (await drafts.GetAsync(id, ct) is not { } draft)
            return AdminProblems.Invalid("postmortem.body_draft", $"there is no draft to publish: save one first with PUT …/incidents/{id}/postmortem");

        var page = PageOf(context);
        var updatesBefore = incident.Updates.Count;
        switch (await incidents.SendAsync(new PublishPostmortem(Actor(context), id, draft.Body, expected), ct))
        {
            case CommandAccepted accepted:
                context.Response.Headers.ETag = AdminProblems.ETag(accepted.Version);
                if (await WaitUntilShownAsync(async c => await read.UpdateCountAsync(id, c) > updatesBefore, options.ReadModelWait, time, ct)
                    && await read.IncidentAsync(id, ct) is { } published)
                    return TypedResults.Ok(Postmortem(published, draft, page));
                return TypedResults.Accepted($"{context.Request.PathBase}/api/v1/pages/{page.Id}/incidents/{id}/postmortem", IncidentsApi.Echo(accepted));
            case CommandRejected { NotFound: true }:
                return AdminProblems.NotFound("incident", id);
            case CommandRejected rejected:
                return AdminProblems.Invalid(rejected.Errors.ToDictionary(e => e.Key == "body" ? "postmortem.body_draft" : $"postmortem.{e.Key}", e => e.Value),
                    rejected.Title);
            case CommandConflict conflict:
                return AdminProblems.Conflict(context, conflict.ExpectedVersion, conflict.CurrentVersion);
            default:
                throw new InvalidOperationException("Unknown command answer.");
        }
    }

    private static AdminPostmortem Postmortem(IncidentDetails incident, PostmortemDraft? draft, AdminPage page) => new(
        incident.Incident.Id, incident.Incident.PostmortemBody, AdminWire.At(incident.Incident.PostmortemPublishedAt, page),
        draft?.Body, AdminWire.At(draft?.UpdatedAt, page));
}

public sealed record PostmortemEnvelope(PostmortemFields? Postmortem);

public sealed record PostmortemFields(string? BodyDraft);

public sealed record PublishEnvelope(PublishFields? Postmortem);

/// <summary>notify_twitter and custom_tweet are accepted and ignored: there is no Twitter integration.</summary>
public sealed record PublishFields(bool? NotifySubscribers, bool? NotifyTwitter, string? CustomTweet);
