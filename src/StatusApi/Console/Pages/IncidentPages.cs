using StatusPlatform.Contracts;
using StatusPlatform.StatusApi.AdminApi;
using StatusPlatform.StatusApi.AdminApi.Incidents;
using StatusPlatform.StatusApi.AdminApi.Pages;
using StatusPlatform.StatusApi.Console.Components;
using StatusPlatform.StatusApi.Console.Reading;
using StatusPlatform.StatusApi.StatusPage.Content;

namespace StatusPlatform.StatusApi.Console.Pages;

/// <summary>
/// Incidents: the list, a new one (blank or from a template), one incident with its updates, and the forms that post an
/// update, resolve it and publish its postmortem. Writes are the admin API's commands (IncidentRequests builds them,
/// IncidentServiceClient sends them) with the signed-in user's name as the actor. Posting on an automatic incident is
/// what takes it over: Incident.Service then leaves its resolution to people.
/// </summary>
public static class IncidentPages
{
    public static async Task<IResult> ListAsync(HttpContext context, ConsoleSite site, AdminReadModel admin, string? q = null)
    {
        var frame = await site.FrameAsync(context, "Incidents");
        var (total, incidents) = await admin.IncidentsAsync(string.IsNullOrWhiteSpace(q) ? null : q.Trim(), unresolvedOnly: false, 0, 50, context.RequestAborted);
        return await site.PageAsync<IncidentListPage>(new IncidentListModel(frame, incidents, total, q));
    }

    public static async Task<IResult> GetNewAsync(HttpContext context, ConsoleSite site, AdminReadModel admin, ConsoleReadModel read, string? template = null)
    {
        var frame = await site.FrameAsync(context, "New incident");
        var templates = await read.TemplatesAsync(context.RequestAborted);
        var chosen = templates.FirstOrDefault(t => t.Id == template);
        var input = new IncidentInput(chosen?.Title ?? "", chosen?.Status ?? IncidentStatus.Investigating, chosen?.Body ?? "",
            new Dictionary<string, string>(), Deliver: true, chosen?.Id);
        return await site.PageAsync<NewIncidentPage>(new NewIncidentModel(frame, templates, await ChoicesAsync(admin, context), input, null, null, false, Empty));
    }

    public static async Task<IResult> PostNewAsync(
        HttpContext context, ConsoleSite site, AdminReadModel admin, ConsoleReadModel read, IncidentServiceClient incidents, SubscriberAudience audience,
        AdminApiOptions options)
    {
        var ct = context.RequestAborted;
        var form = await context.Request.ReadFormAsync(ct);
        var input = IncidentInput.From(form, IncidentStatus.Investigating);
        var frame = await site.FrameAsync(context, "New incident");
        var choices = await ChoicesAsync(admin, context);
        async Task<IResult> FormAgainAsync(IReadOnlyDictionary<string, string[]> errors, string? preview = null, IReadOnlyDictionary<string, int>? reach = null,
            bool asked = false, int status = StatusCodes.Status422UnprocessableEntity) =>
            await site.PageAsync<NewIncidentPage>(new NewIncidentModel(frame, await read.TemplatesAsync(ct), choices, input, preview, reach, asked, errors), status);

        if (form["action"] == "preview")
        {
            return await FormAgainAsync(Empty, SafeMarkdown.ToHtml(input.Fill(input.Body, choices, frame.PageName)),
                await audience.CountAsync([.. input.Components.Keys], null, ct), asked: true, status: StatusCodes.Status200OK);
        }
        if (input.Name.Length == 0)
            return await FormAgainAsync(new Dictionary<string, string[]> { ["name"] = ["is required: it is the incident's title on the page"] });

        var envelope = input.Envelope(choices, frame.PageName, includeName: true);
        var shown = await admin.ComponentStatusesAsync(IncidentRequests.ComponentIdsOf(envelope), ct);
        var (command, errors) = IncidentRequests.ToCreate(envelope, ConsoleAuth.Actor(context), frame.Zone, shown);
        if (command is null)
            return await FormAgainAsync(IncidentInput.FormErrors(errors));
        switch (await incidents.SendAsync(command, ct))
        {
            case CommandAccepted accepted:
                // Wait (briefly) for the projection, so the incident page the browser goes to next shows what was posted.
                await AdminHttp.WaitUntilShownAsync(async c => await admin.UpdateCountAsync(accepted.Id, c) is not null, options.ReadModelWait, site.Time, ct);
                return ConsoleSite.SeeOther($"{ConsoleRoutes.Root}/incidents/{Uri.EscapeDataString(accepted.Id)}", "posted");
            case CommandRejected rejected:
                return await FormAgainAsync(IncidentInput.FormErrors(IncidentRequests.ToBodyPaths(rejected.Errors, command.Components)));
            default:
                throw new InvalidOperationException("Unexpected answer to CreateIncident.");
        }
    }

    public static async Task<IResult> GetIncidentAsync(HttpContext context, ConsoleSite site, AdminReadModel admin, ConsoleReadModel read, string id, string? done = null)
    {
        var frame = await site.FrameAsync(context, "Incident", done);
        if (await admin.IncidentAsync(id, context.RequestAborted) is not { } incident)
            return await site.NoticeAsync(context, StatusCodes.Status404NotFound, "No such incident", $"There is no incident '{id}'.");
        var choices = await ChoicesAsync(admin, context);
        var selected = incident.Components.ToDictionary(c => c.Id, c => c.Status, StringComparer.Ordinal);
        var next = incident.Incident.Status is IncidentStatus.Resolved or IncidentStatus.Postmortem ? IncidentStatus.Resolved : incident.Incident.Status;
        var input = new IncidentInput("", next, "", selected, Deliver: true, null);
        return await site.PageAsync<IncidentPage>(await ModelAsync(frame, incident, read, choices, input, context.RequestAborted));
    }

    /// <summary>An update, the resolution (status resolved), or a take-over of an automatic incident: all are one PostIncidentUpdate.</summary>
    public static async Task<IResult> PostUpdateAsync(
        HttpContext context, ConsoleSite site, AdminReadModel admin, ConsoleReadModel read, IncidentServiceClient incidents, SubscriberAudience audience,
        AdminApiOptions options, string id)
    {
        var ct = context.RequestAborted;
        var form = await context.Request.ReadFormAsync(ct);
        var frame = await site.FrameAsync(context, "Incident");
        if (await admin.IncidentAsync(id, ct) is not { } incident)
            return await site.NoticeAsync(context, StatusCodes.Status404NotFound, "No such incident", $"There is no incident '{id}'.");
        var input = IncidentInput.From(form, incident.Incident.Status);
        var choices = await ChoicesAsync(admin, context);
        long? expected = long.TryParse(form["version"], System.Globalization.CultureInfo.InvariantCulture, out var v) && v > 0 ? v : null;
        async Task<IResult> FormAgainAsync(IReadOnlyDictionary<string, string[]> errors, string? preview = null, IReadOnlyDictionary<string, int>? reach = null,
            bool asked = false, string? conflict = null, int status = StatusCodes.Status422UnprocessableEntity)
        {
            var current = await admin.IncidentAsync(id, ct) ?? incident;
            var model = await ModelAsync(frame, current, read, choices, input, ct);
            return await site.PageAsync<IncidentPage>(model with { Preview = preview, Reach = reach, AskedReach = asked, Errors = errors, Conflict = conflict,
                // The version the author saw, kept unless a conflict showed them the newer state.
                Version = conflict is null ? expected ?? model.Version : model.Version }, status);
        }

        if (form["action"] == "preview")
        {
            return await FormAgainAsync(Empty, SafeMarkdown.ToHtml(input.Fill(input.Body, choices, frame.PageName)),
                await audience.CountAsync([.. input.Components.Keys], id, ct), asked: true, status: StatusCodes.Status200OK);
        }
        var envelope = input.Envelope(choices, frame.PageName, includeName: false);
        var shown = await admin.ComponentStatusesAsync(IncidentRequests.ComponentIdsOf(envelope), ct);
        var (command, errors) = IncidentRequests.ToUpdate(envelope, ConsoleAuth.Actor(context), id, incident.Incident.Status, expected, shown);
        if (command is null)
            return await FormAgainAsync(IncidentInput.FormErrors(errors));
        var before = incident.Updates.Count;
        switch (await incidents.SendAsync(command, ct))
        {
            case CommandAccepted accepted:
                await AdminHttp.WaitUntilShownAsync(async c => await admin.UpdateCountAsync(accepted.Id, c) > before, options.ReadModelWait, site.Time, ct);
                return ConsoleSite.SeeOther($"{ConsoleRoutes.Root}/incidents/{Uri.EscapeDataString(id)}", "updated");
            case CommandConflict conflict:
                return await FormAgainAsync(Empty, conflict: Conflict(conflict), status: StatusCodes.Status409Conflict);
            case CommandRejected rejected:
                return await FormAgainAsync(IncidentInput.FormErrors(IncidentRequests.ToBodyPaths(rejected.Errors, command.Components)));
            default:
                throw new InvalidOperationException("Unexpected answer to PostIncidentUpdate.");
        }
    }

    public static async Task<IResult> PostPostmortemAsync(
        HttpContext context, ConsoleSite site, AdminReadModel admin, ConsoleReadModel read, IncidentServiceClient incidents, AdminApiOptions options, string id)
    {
        var ct = context.RequestAborted;
        var form = await context.Request.ReadFormAsync(ct);
        var frame = await site.FrameAsync(context, "Incident");
        if (await admin.IncidentAsync(id, ct) is not { } incident)
            return await site.NoticeAsync(context, StatusCodes.Status404NotFound, "No such incident", $"There is no incident '{id}'.");
        var body = form["postmortem"].ToString();
        long? expected = long.TryParse(form["version"], System.Globalization.CultureInfo.InvariantCulture, out var v) && v > 0 ? v : null;
        var choices = await ChoicesAsync(admin, context);
        async Task<IResult> FormAgainAsync(IReadOnlyDictionary<string, string[]> errors, string? conflict = null, int status = StatusCodes.Status422UnprocessableEntity)
        {
            var model = await ModelAsync(frame, await admin.IncidentAsync(id, ct) ?? incident, read, choices,
                new IncidentInput("", IncidentStatus.Resolved, "", new Dictionary<string, string>(), true, null), ct);
            return await site.PageAsync<IncidentPage>(model with { Postmortem = body, Errors = errors, Conflict = conflict }, status);
        }
        if (string.IsNullOrWhiteSpace(body))
            return await FormAgainAsync(new Dictionary<string, string[]> { ["postmortem"] = ["is required"] });
        if (body.Length > PostmortemApi.MaxBodyLength)
            return await FormAgainAsync(new Dictionary<string, string[]> { ["postmortem"] = [$"must be at most {PostmortemApi.MaxBodyLength} characters"] });
        var before = incident.Updates.Count;
        switch (await incidents.SendAsync(new PublishPostmortem(ConsoleAuth.Actor(context), id, body, expected), ct))
        {
            case CommandAccepted:
                await AdminHttp.WaitUntilShownAsync(async c => await admin.UpdateCountAsync(id, c) > before, options.ReadModelWait, site.Time, ct);
                return ConsoleSite.SeeOther($"{ConsoleRoutes.Root}/incidents/{Uri.EscapeDataString(id)}", "postmortem");
            case CommandConflict conflict:
                return await FormAgainAsync(Empty, Conflict(conflict), StatusCodes.Status409Conflict);
            case CommandRejected rejected:
                return await FormAgainAsync(rejected.Errors.ToDictionary(e => e.Key == "body" ? "postmortem" : e.Key, e => e.Value));
            default:
                throw new InvalidOperationException("Unexpected answer to PublishPostmortem.");
        }
    }

    private static readonly IReadOnlyDictionary<string, string[]> Empty = new Dictionary<string, string[]>();

    private static string Conflict(CommandConflict conflict) =>
        $"Someone else changed this incident while you were writing (version {conflict.ExpectedVersion} → {conflict.CurrentVersion}). Nothing was posted. " +
        "Read the latest updates below; your text is kept in the form: send it again to post it.";

    private static async Task<IncidentPageModel> ModelAsync(
        ConsoleFrame frame, IncidentDetails incident, ConsoleReadModel read, IReadOnlyList<ComponentChoice> choices, IncidentInput input, CancellationToken ct)
    {
        var (automatic, version) = await read.IncidentFlagsAsync(incident.Incident.Id, ct) ?? (false, 0);
        return new IncidentPageModel(frame with { Title = incident.Incident.Name }, incident, automatic, version, choices, input, null, null, false, Empty, null, null);
    }

    private static async Task<IReadOnlyList<ComponentChoice>> ChoicesAsync(AdminReadModel admin, HttpContext context) =>
        IncidentInput.Choices((await admin.ComponentsAsync(0, 1000, context.RequestAborted)).Components);
}

public sealed record IncidentListModel(ConsoleFrame Frame, IReadOnlyList<IncidentDetails> Incidents, int Total, string? Query);

public sealed record NewIncidentModel(
    ConsoleFrame Frame, IReadOnlyList<TemplateItem> Templates, IReadOnlyList<ComponentChoice> Components, IncidentInput Input, string? Preview,
    IReadOnlyDictionary<string, int>? Reach, bool AskedReach, IReadOnlyDictionary<string, string[]> Errors);

public sealed record IncidentPageModel(
    ConsoleFrame Frame, IncidentDetails Incident, bool Automatic, long Version, IReadOnlyList<ComponentChoice> Components, IncidentInput Input,
    string? Preview, IReadOnlyDictionary<string, int>? Reach, bool AskedReach, IReadOnlyDictionary<string, string[]> Errors, string? Conflict, string? Postmortem);
