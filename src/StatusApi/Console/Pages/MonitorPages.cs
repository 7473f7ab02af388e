using StatusPlatform.Contracts;
using StatusPlatform.StatusApi.AdminApi;
using StatusPlatform.StatusApi.AdminApi.Monitors;
using StatusPlatform.StatusApi.Console.Checks;
using StatusPlatform.StatusApi.Console.Components;
using StatusPlatform.StatusApi.Console.Reading;

namespace StatusPlatform.StatusApi.Console.Pages;

/// <summary>
/// Monitors: the list with each one's last check per region, one monitor with its checks, "check now", and (admin)
/// creating, changing and deleting them with Incident.Service's CreateMonitor, UpdateMonitor and DeleteMonitor. For
/// heartbeat and external monitors the console makes the secret, sends only its SHA-256 and shows the secret and the URL
/// to push to once, on the answer page. Monitors the configuration file defines are shown read-only with the reason.
/// </summary>
public static class MonitorPages
{
    public static async Task<IResult> ListAsync(HttpContext context, ConsoleSite site, CatalogReadModel catalog, ConsoleReadModel read, string? done = null)
    {
        var ct = context.RequestAborted;
        var frame = await site.FrameAsync(context, "Monitors", done);
        var monitors = await catalog.MonitorsAsync(ct);
        return await site.PageAsync<MonitorsPage>(new MonitorsModel(frame, monitors, await NamesAsync(catalog, ct), await read.LastChecksAsync(frame.Now, ct)));
    }

    public static async Task<IResult> GetNewAsync(HttpContext context, ConsoleSite site, CatalogReadModel catalog, string? component = null, string? kind = null)
    {
        var frame = await site.FrameAsync(context, "New monitor");
        var form = MonitorForm.New(component ?? "") with { Kind = MonitorForm.Kinds.Contains(kind) ? kind! : "http" };
        return await site.PageAsync<MonitorPage>(await ModelAsync(frame, catalog, null, form, null, context.RequestAborted));
    }

    public static async Task<IResult> GetAsync(
        HttpContext context, ConsoleSite site, CatalogReadModel catalog, ConsoleReadModel read, CheckNowResults checks, string id, Guid? check = null,
        string? done = null)
    {
        var ct = context.RequestAborted;
        var frame = await site.FrameAsync(context, "Monitor", done);
        if (await catalog.MonitorAsync(id, ct) is not { } monitor)
            return await site.NoticeAsync(context, StatusCodes.Status404NotFound, "No such monitor", $"There is no monitor '{id}'.");
        var model = await ModelAsync(frame with { Title = $"Monitor {id}" }, catalog, monitor, MonitorForm.Of(monitor), read, ct);
        if (check is { } requestId && checks.Find(requestId, id) is { } found)
        {
            var regions = model.Checks?.Select(c => c.Region).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList() ?? [];
            var waiting = regions.Where(r => found.Answers.All(a => a.Region != r)).ToList();
            var over = frame.Now - found.RequestedAt > CheckNowResults.Wait || (found.Answers.Count > 0 && waiting.Count == 0);
            model = model with { CheckNow = new CheckNowModel(requestId, found.RequestedAt, found.Answers, waiting, over) };
            // No script in the console: the page reloads itself every two seconds until the regions have answered.
            if (!over)
                model = model with { Frame = model.Frame with { RefreshSeconds = 2 } };
        }
        return await site.PageAsync<MonitorPage>(model);
    }

    public static async Task<IResult> PostCreateAsync(HttpContext context, ConsoleSite site, CatalogReadModel catalog, IncidentServiceClient service)
    {
        var ct = context.RequestAborted;
        var form = MonitorForm.From(await context.Request.ReadFormAsync(ct));
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var token = form.IsPushed ? MonitorRequests.NewToken() : null;
        if (form.ToSpec(token is null ? null : MonitorRequests.Hash(token), errors) is { } spec)
        {
            var answer = await service.SendAsync(new CreateMonitor(ConsoleAuth.Actor(context), spec, form.Id.Length == 0 ? null : form.Id), ct);
            if (answer is CommandAccepted accepted)
                return await SecretOrRedirectAsync(context, site, catalog, accepted.Id, form, token, "monitor");
            errors = Fields(answer, "monitor_id");
        }
        var frame = await site.FrameAsync(context, "New monitor");
        return await site.PageAsync<MonitorPage>(await ModelAsync(frame, catalog, null, form, null, ct) with { Errors = errors }, StatusCodes.Status422UnprocessableEntity);
    }

    public static async Task<IResult> PostUpdateAsync(
        HttpContext context, ConsoleSite site, CatalogReadModel catalog, ConsoleReadModel read, IncidentServiceClient service, string id)
    {
        var ct = context.RequestAborted;
        if (await catalog.MonitorAsync(id, ct) is not { } current)
            return await site.NoticeAsync(context, StatusCodes.Status404NotFound, "No such monitor", $"There is no monitor '{id}'.");
        var form = MonitorForm.From(await context.Request.ReadFormAsync(ct)) with { Id = id };
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (form.RotateToken && !form.IsPushed)
            errors["rotate_token"] = ["only heartbeat and external monitors have a secret"];
        // A new secret when asked for, or when the monitor becomes one that is pushed to; otherwise the current one stays.
        var token = form.IsPushed && (form.RotateToken || current.Kind is not ("heartbeat" or "external")) ? MonitorRequests.NewToken() : null;
        var status = StatusCodes.Status422UnprocessableEntity;
        if (form.ToSpec(token is null ? null : MonitorRequests.Hash(token), errors) is { } spec && errors.Count == 0)
        {
            var answer = await service.SendAsync(new UpdateMonitor(ConsoleAuth.Actor(context), id, spec, form.Version > 0 ? form.Version : null), ct);
            switch (answer)
            {
                case CommandAccepted:
                    return await SecretOrRedirectAsync(context, site, catalog, id, form, token, "monitor");
                case CommandRejected { NotFound: true }:
                    return await site.NoticeAsync(context, StatusCodes.Status404NotFound, "No such monitor", $"There is no monitor '{id}' (any more).");
                case CommandConflict:
                    status = StatusCodes.Status409Conflict;
                    errors["monitor_id"] = ["was changed by someone else while you edited it; nothing was saved. The form now shows the latest settings: make your change again"];
                    current = await catalog.MonitorAsync(id, ct) ?? current;
                    form = MonitorForm.Of(current);
                    break;
                default:
                    errors = Fields(answer, "monitor_id");
                    break;
            }
        }
        var frame = await site.FrameAsync(context, $"Monitor {id}");
        return await site.PageAsync<MonitorPage>(await ModelAsync(frame, catalog, current, form, read, ct) with { Errors = errors }, status);
    }

    public static async Task<IResult> PostDeleteAsync(
        HttpContext context, ConsoleSite site, CatalogReadModel catalog, ConsoleReadModel read, IncidentServiceClient service, string id)
    {
        var ct = context.RequestAborted;
        var posted = await context.Request.ReadFormAsync(ct);
        long? expected = long.TryParse(posted["version"], System.Globalization.CultureInfo.InvariantCulture, out var v) && v > 0 ? v : null;
        var answer = await service.SendAsync(new DeleteMonitor(ConsoleAuth.Actor(context), id, expected), ct);
        if (answer is CommandAccepted)
            return ConsoleSite.SeeOther(ConsoleRoutes.Root + "/monitors", "deleted");
        if (answer is CommandRejected { NotFound: true } || await catalog.MonitorAsync(id, ct) is not { } current)
            return await site.NoticeAsync(context, StatusCodes.Status404NotFound, "No such monitor", $"There is no monitor '{id}' (any more).");
        var errors = answer is CommandConflict
            ? new Dictionary<string, string[]> { ["monitor_id"] = ["was changed by someone else meanwhile; nothing was deleted. Look at it again first"] }
            : Fields(answer, "monitor_id");
        var frame = await site.FrameAsync(context, $"Monitor {id}");
        return await site.PageAsync<MonitorPage>(await ModelAsync(frame, catalog, current, MonitorForm.Of(current), read, ct) with { Errors = errors },
            answer is CommandConflict ? StatusCodes.Status409Conflict : StatusCodes.Status422UnprocessableEntity);
    }

    /// <summary>"Check now": asks every region to run the monitor once; the monitor's page then shows the answers as they come.</summary>
    public static async Task<IResult> PostCheckAsync(HttpContext context, ConsoleSite site, CatalogReadModel catalog, CheckNowResults checks, string id)
    {
        var ct = context.RequestAborted;
        if (await catalog.MonitorAsync(id, ct) is not { } monitor)
            return await site.NoticeAsync(context, StatusCodes.Status404NotFound, "No such monitor", $"There is no monitor '{id}'.");
        if (!monitor.IsProbed)
            return await site.NoticeAsync(context, StatusCodes.Status400BadRequest, "Nothing to check",
                $"'{id}' is a {monitor.Kind} monitor: it is pushed to, not checked by the probes, so there is nothing to run now.");
        if (await checks.RequestAsync(id, ConsoleAuth.Actor(context), ct) is not { } requestId)
            return await site.NoticeAsync(context, StatusCodes.Status503ServiceUnavailable, "Message broker unavailable",
                "RabbitMQ did not take the request, so no probe heard it. Retry shortly.");
        return TypedResults.Redirect($"{ConsoleRoutes.Root}/monitors/{Uri.EscapeDataString(id)}?check={requestId}");
    }

    /// <summary>A secret is shown on the answer itself, this once (a redirect would have to carry it); anything else goes to the monitor.</summary>
    private static async Task<IResult> SecretOrRedirectAsync(
        HttpContext context, ConsoleSite site, CatalogReadModel catalog, string id, MonitorForm form, string? token, string done)
    {
        if (token is null)
            return ConsoleSite.SeeOther($"{ConsoleRoutes.Root}/monitors/{Uri.EscapeDataString(id)}", done);
        var frame = await site.FrameAsync(context, $"Monitor {id}", done);
        var monitor = await catalog.MonitorAsync(id, context.RequestAborted);
        var secret = new MonitorSecret(token, MonitorRequests.PushUrl(context.Request, form.Kind, form.ExternalSource, token));
        return await site.PageAsync<MonitorPage>(await ModelAsync(frame, catalog, monitor, monitor is null ? form with { Id = id } : MonitorForm.Of(monitor), null,
            context.RequestAborted) with { Secret = secret, Created = monitor is null ? id : null });
    }

    private static async Task<MonitorModel> ModelAsync(
        ConsoleFrame frame, CatalogReadModel catalog, CatalogMonitor? monitor, MonitorForm form, ConsoleReadModel? read, CancellationToken ct)
    {
        var components = (await catalog.ComponentsAsync(ct)).Where(c => !c.Component.Row.IsGroup).ToList();
        var names = await NamesAsync(catalog, ct);
        var checks = monitor is null || read is null ? null
            : (await read.LastChecksAsync(frame.Now, ct))?.Where(c => c.MonitorId == monitor.Id).ToList();
        return new MonitorModel(frame, monitor, form, [.. components.Select(c => new ComponentChoice(c.Component.Row.Id,
            names.GetValueOrDefault(c.Component.Row.Id, c.Component.Row.Name), c.Component.Row.Status))], checks, Empty, null, null, null);
    }

    /// <summary>Component names with their group ("Backend › API"), by id.</summary>
    private static async Task<IReadOnlyDictionary<string, string>> NamesAsync(CatalogReadModel catalog, CancellationToken ct)
    {
        var components = await catalog.ComponentsAsync(ct);
        var groups = components.Where(c => c.Component.Row.IsGroup).ToDictionary(c => c.Component.Row.Id, c => c.Component.Row.Name, StringComparer.Ordinal);
        return components.ToDictionary(c => c.Component.Row.Id, c => c.Component.Row.GroupId is { } g && groups.TryGetValue(g, out var group)
            ? $"{group} › {c.Component.Row.Name}" : c.Component.Row.Name, StringComparer.Ordinal);
    }

    private static Dictionary<string, string[]> Fields(object answer, string whole) => answer switch
    {
        CommandRejected { Errors.Count: > 0 } rejected => new Dictionary<string, string[]>(rejected.Errors, StringComparer.Ordinal),
        CommandRejected rejected => new Dictionary<string, string[]>(StringComparer.Ordinal) { [whole] = [rejected.Title] },
        CommandConflict => new Dictionary<string, string[]>(StringComparer.Ordinal) { [whole] = ["was changed by someone else meanwhile; nothing was saved"] },
        _ => throw new InvalidOperationException("Unexpected answer to a monitor command."),
    };

    private static readonly IReadOnlyDictionary<string, string[]> Empty = new Dictionary<string, string[]>();
}

public sealed record MonitorsModel(
    ConsoleFrame Frame, IReadOnlyList<CatalogMonitor>? Monitors, IReadOnlyDictionary<string, string> ComponentNames, IReadOnlyList<LastCheck>? Checks);

/// <summary>A pushed monitor's secret and URL, shown once on the page that made them.</summary>
public sealed record MonitorSecret(string Token, string PushUrl);

/// <summary>A check-now request and the regions' answers so far; <see cref="Waiting"/> are regions that reported before and have not answered.</summary>
public sealed record CheckNowModel(Guid RequestId, DateTimeOffset RequestedAt, IReadOnlyList<CheckNowCompleted> Answers, IReadOnlyList<string> Waiting, bool Over);

public sealed record MonitorModel(
    ConsoleFrame Frame, CatalogMonitor? Monitor, MonitorForm Form, IReadOnlyList<ComponentChoice> Components, IReadOnlyList<LastCheck>? Checks,
    IReadOnlyDictionary<string, string[]> Errors, MonitorSecret? Secret, CheckNowModel? CheckNow, string? Created);
