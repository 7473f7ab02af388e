using System.Globalization;
using MassTransit;
using StatusPlatform.Contracts;
using StatusPlatform.StatusApi.AdminApi;
using StatusPlatform.StatusApi.Console.Components;
using StatusPlatform.StatusApi.Console.Reading;

namespace StatusPlatform.StatusApi.Console.Pages;

/// <summary>Templates, and the page as it was at a chosen moment.</summary>
public static class CatalogPages
{
    private static readonly TimeSpan HistoryTimeout = TimeSpan.FromSeconds(10);

    public static async Task<IResult> GetTemplatesAsync(HttpContext context, ConsoleSite site, ConsoleReadModel read, string? edit = null, string? done = null)
    {
        var frame = await site.FrameAsync(context, "Templates", done);
        var templates = await read.TemplatesAsync(context.RequestAborted);
        var editing = templates.FirstOrDefault(t => t.Id == edit);
        var input = editing is null ? new TemplateInput(null, "", "", "", IncidentStatus.Investigating, 0)
            : new TemplateInput(editing.Id, editing.Name, editing.Title, editing.Body, editing.Status, editing.Version);
        return await site.PageAsync<TemplatesPage>(new TemplatesModel(frame, templates, input, Empty));
    }

    public static async Task<IResult> PostTemplateAsync(HttpContext context, ConsoleSite site, ConsoleReadModel read, IncidentServiceClient service)
    {
        var ct = context.RequestAborted;
        var form = await context.Request.ReadFormAsync(ct);
        var input = new TemplateInput(form["id"].ToString() is { Length: > 0 } id ? id : null, form["name"].ToString().Trim(), form["title"].ToString().Trim(),
            form["body"].ToString(), form["status"].ToString(), long.TryParse(form["version"], CultureInfo.InvariantCulture, out var v) ? v : 0);
        var answer = await service.SendAsync(new SaveIncidentTemplate(ConsoleAuth.Actor(context), input.Name, input.Title, input.Body, input.Id,
            input.Status.Length == 0 ? IncidentStatus.Investigating : input.Status, input.Id is null || input.Version == 0 ? null : input.Version), ct);
        var errors = answer switch
        {
            CommandAccepted => null,
            CommandConflict => new Dictionary<string, string[]> { ["template"] = ["was changed by someone else meanwhile; reload it and edit again"] },
            CommandRejected rejected => rejected.Errors,
            _ => throw new InvalidOperationException("Unexpected answer to SaveIncidentTemplate."),
        };
        if (errors is null)
            return ConsoleSite.SeeOther(ConsoleRoutes.Root + "/templates", "template");
        var frame = await site.FrameAsync(context, "Templates");
        return await site.PageAsync<TemplatesPage>(new TemplatesModel(frame, await read.TemplatesAsync(ct), input, errors), StatusCodes.Status422UnprocessableEntity);
    }

    public static async Task<IResult> PostDeleteTemplateAsync(HttpContext context, ConsoleSite site, IncidentServiceClient service, string id)
    {
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        long? expected = long.TryParse(form["version"], CultureInfo.InvariantCulture, out var v) && v > 0 ? v : null;
        return await service.SendAsync(new DeleteIncidentTemplate(ConsoleAuth.Actor(context), id, expected), context.RequestAborted) switch
        {
            CommandAccepted => ConsoleSite.SeeOther(ConsoleRoutes.Root + "/templates", "deleted"),
            CommandConflict => await site.NoticeAsync(context, StatusCodes.Status409Conflict, "Changed meanwhile", "Someone changed this template first; nothing was deleted."),
            CommandRejected rejected => await site.NoticeAsync(context, rejected.NotFound ? StatusCodes.Status404NotFound : StatusCodes.Status400BadRequest,
                "Not deleted", rejected.Title),
            _ => throw new InvalidOperationException("Unexpected answer to DeleteIncidentTemplate."),
        };
    }

    /// <summary>Time travel: the page at a moment (datetime-local in the page's zone), asked of Incident.Service as /api/v2/history/at.json does.</summary>
    public static async Task<IResult> GetHistoryAsync(HttpContext context, ConsoleSite site, IBus bus, string? at = null)
    {
        var frame = await site.FrameAsync(context, "The page at a moment");
        if (string.IsNullOrEmpty(at))
            return await site.PageAsync<HistoryPage>(new HistoryModel(frame, frame.LocalInput(frame.Now.AddHours(-1)), null, null));
        var errors = new Dictionary<string, string[]>();
        if (MaintenancePages.Local(at, frame.Zone, "at", errors) is not { } moment)
            return await site.PageAsync<HistoryPage>(new HistoryModel(frame, at, null, errors["at"][0]), StatusCodes.Status400BadRequest);
        try
        {
            var response = await bus.CreateRequestClient<GetPageAt>(RequestTimeout.After(ms: (int)HistoryTimeout.TotalMilliseconds))
                .GetResponse<PageAt, HistoryRequestRejected>(new GetPageAt(moment), context.RequestAborted);
            return response.Is(out Response<PageAt>? page)
                ? await site.PageAsync<HistoryPage>(new HistoryModel(frame, at, page.Message, null))
                : await site.PageAsync<HistoryPage>(new HistoryModel(frame, at, null, response.Is(out Response<HistoryRequestRejected>? r) ? r.Message.Reason : "Refused."),
                    StatusCodes.Status400BadRequest);
        }
        catch (Exception e) when (e is RequestTimeoutException or MassTransitException && !context.RequestAborted.IsCancellationRequested)
        {
            return await site.PageAsync<HistoryPage>(new HistoryModel(frame, at, null,
                $"Incident.Service did not answer within {HistoryTimeout.TotalSeconds:0} s; the page's history is computed there. Retry shortly."),
                StatusCodes.Status503ServiceUnavailable);
        }
    }

    private static readonly IReadOnlyDictionary<string, string[]> Empty = new Dictionary<string, string[]>();
}

public sealed record TemplateInput(string? Id, string Name, string Title, string Body, string Status, long Version);

public sealed record TemplatesModel(ConsoleFrame Frame, IReadOnlyList<TemplateItem> Templates, TemplateInput Input, IReadOnlyDictionary<string, string[]> Errors);

public sealed record HistoryModel(ConsoleFrame Frame, string At, PageAt? Page, string? Error);
