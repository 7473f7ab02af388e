using System.Globalization;
using StatusPlatform.Contracts;
using StatusPlatform.StatusApi.AdminApi;
using StatusPlatform.StatusApi.AdminApi.Pages;
using StatusPlatform.StatusApi.Console.Components;
using StatusPlatform.StatusApi.Console.Reading;

namespace StatusPlatform.StatusApi.Console.Pages;

/// <summary>
/// Maintenance: the list, scheduling one (datetime-local inputs in the page's time zone), reminders as minutes before
/// the start, updates and cancelling; recurring service windows (admin). The commands are the admin API's.
/// </summary>
public static class MaintenancePages
{
    public static async Task<IResult> GetAsync(HttpContext context, ConsoleSite site, AdminReadModel admin, ConsoleReadModel read, string? done = null)
    {
        var frame = await site.FrameAsync(context, "Maintenance", done);
        var start = frame.Now.AddDays(1);
        var input = new MaintenanceInput("", "", frame.LocalInput(start), frame.LocalInput(start.AddHours(1)), [], true, "60", true);
        return await site.PageAsync<MaintenancePage>(await ModelAsync(frame, admin, read, input, WindowInput.Default(frame.Zone.Id), Empty, context.RequestAborted));
    }

    public static async Task<IResult> PostScheduleAsync(HttpContext context, ConsoleSite site, AdminReadModel admin, ConsoleReadModel read, IncidentServiceClient service)
    {
        var ct = context.RequestAborted;
        var form = await context.Request.ReadFormAsync(ct);
        var frame = await site.FrameAsync(context, "Maintenance");
        var input = new MaintenanceInput(form["name"].ToString().Trim(), form["body"].ToString(), form["scheduled_for"].ToString(), form["scheduled_until"].ToString(),
            [.. form["component"].OfType<string>()], form["auto_transition"] == "true", form["reminders"].ToString(), form["deliver"] == "true");
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var from = Local(input.ScheduledFor, frame.Zone, "scheduled_for", errors);
        var until = Local(input.ScheduledUntil, frame.Zone, "scheduled_until", errors);
        var reminders = Minutes(input.Reminders, "reminders", errors);
        if (input.Name.Length == 0)
            errors["name"] = ["is required"];
        if (errors.Count == 0)
        {
            var answer = await service.SendAsync(new ScheduleMaintenance(ConsoleAuth.Actor(context), input.Name, input.Body, from!.Value, until!.Value,
                input.Components, input.AutoTransition, reminders, input.Deliver), ct);
            if (answer is CommandAccepted)
                return ConsoleSite.SeeOther(ConsoleRoutes.Root + "/maintenances", "scheduled");
            if (answer is CommandRejected rejected)
                errors = rejected.Errors.ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);
        }
        return await site.PageAsync<MaintenancePage>(await ModelAsync(frame, admin, read, input, WindowInput.Default(frame.Zone.Id), errors, ct),
            StatusCodes.Status422UnprocessableEntity);
    }

    public static async Task<IResult> PostUpdateAsync(HttpContext context, ConsoleSite site, AdminReadModel admin, ConsoleReadModel read, IncidentServiceClient service, string id)
    {
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var expected = Version(form);
        var answer = await service.SendAsync(new PostMaintenanceUpdate(ConsoleAuth.Actor(context), id, form["status"].ToString(), form["body"].ToString(),
            form["deliver"] == "true", expected), context.RequestAborted);
        return await AnswerAsync(context, site, admin, read, answer, "updated");
    }

    public static async Task<IResult> PostCancelAsync(HttpContext context, ConsoleSite site, AdminReadModel admin, ConsoleReadModel read, IncidentServiceClient service, string id)
    {
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var body = form["body"].ToString();
        var answer = await service.SendAsync(new CancelMaintenance(ConsoleAuth.Actor(context), id, body.Length == 0 ? null : body, Version(form)), context.RequestAborted);
        return await AnswerAsync(context, site, admin, read, answer, "cancelled");
    }

    /// <summary>A weekly window: days (0 = Sunday), a local start time and a duration, in an IANA time zone.</summary>
    public static async Task<IResult> PostWindowAsync(HttpContext context, ConsoleSite site, AdminReadModel admin, ConsoleReadModel read, IncidentServiceClient service)
    {
        var ct = context.RequestAborted;
        var form = await context.Request.ReadFormAsync(ct);
        var frame = await site.FrameAsync(context, "Maintenance");
        var window = new WindowInput(form["window_id"].ToString().Trim(), form["name"].ToString().Trim(), form["body"].ToString(),
            [.. form["component"].OfType<string>()], [.. form["day"].OfType<string>()], form["start"].ToString(), form["duration"].ToString(),
            form["time_zone"].ToString().Trim(), form["reminders"].ToString());
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var days = window.Days.Select(d => int.TryParse(d, CultureInfo.InvariantCulture, out var day) ? day : -1).ToList();
        var duration = int.TryParse(window.Duration, CultureInfo.InvariantCulture, out var minutes) ? minutes : 0;
        var reminders = Minutes(window.Reminders, "window.reminders", errors);
        if (window.Id.Length == 0)
            errors["window.window_id"] = ["is required: a short id such as weekly-db-patching"];
        if (errors.Count == 0)
        {
            var answer = await service.SendAsync(new DefineServiceWindow(ConsoleAuth.Actor(context), window.Id, window.Name, window.Body, window.Components,
                days, window.Start, duration, window.TimeZone, 14, reminders), ct);
            if (answer is CommandAccepted)
                return ConsoleSite.SeeOther(ConsoleRoutes.Root + "/maintenances", "window");
            if (answer is CommandRejected rejected)
                errors = rejected.Errors.ToDictionary(e => "window." + e.Key, e => e.Value, StringComparer.Ordinal);
        }
        var start = frame.Now.AddDays(1);
        var input = new MaintenanceInput("", "", frame.LocalInput(start), frame.LocalInput(start.AddHours(1)), [], true, "60", true);
        return await site.PageAsync<MaintenancePage>(await ModelAsync(frame, admin, read, input, window, errors, ct), StatusCodes.Status422UnprocessableEntity);
    }

    private static readonly IReadOnlyDictionary<string, string[]> Empty = new Dictionary<string, string[]>();

    private static async Task<IResult> AnswerAsync(HttpContext context, ConsoleSite site, AdminReadModel admin, ConsoleReadModel read, object answer, string done)
    {
        switch (answer)
        {
            case CommandAccepted:
                return ConsoleSite.SeeOther(ConsoleRoutes.Root + "/maintenances", done);
            case CommandRejected { NotFound: true }:
                return await site.NoticeAsync(context, StatusCodes.Status404NotFound, "No such maintenance", "It does not exist (any more).");
            case CommandConflict:
                return await site.NoticeAsync(context, StatusCodes.Status409Conflict, "Changed meanwhile",
                    "Someone else changed this maintenance first; nothing was changed. Go back to the list, which shows the latest state, and try again.");
            case CommandRejected rejected:
                var frame = await site.FrameAsync(context, "Maintenance");
                var start = frame.Now.AddDays(1);
                var input = new MaintenanceInput("", "", frame.LocalInput(start), frame.LocalInput(start.AddHours(1)), [], true, "60", true);
                return await site.PageAsync<MaintenancePage>(await ModelAsync(frame, admin, read, input, WindowInput.Default(frame.Zone.Id),
                    rejected.Errors.ToDictionary(e => "update." + e.Key, e => e.Value), context.RequestAborted), StatusCodes.Status422UnprocessableEntity);
            default:
                throw new InvalidOperationException("Unexpected answer to a maintenance command.");
        }
    }

    private static async Task<MaintenanceModel> ModelAsync(
        ConsoleFrame frame, AdminReadModel admin, ConsoleReadModel read, MaintenanceInput input, WindowInput window, IReadOnlyDictionary<string, string[]> errors,
        CancellationToken ct) =>
        new(frame, await read.MaintenancesAsync(frame.Now, ct), IncidentInput.Choices((await admin.ComponentsAsync(0, 1000, ct)).Components), input, window, errors);

    /// <summary>A datetime-local value ("2026-11-21T14:30") read in the page's time zone.</summary>
    public static DateTimeOffset? Local(string raw, TimeZoneInfo zone, string field, Dictionary<string, string[]> errors)
    {
        if (!DateTime.TryParseExact(raw, ["yyyy-MM-ddTHH:mm", "yyyy-MM-ddTHH:mm:ss"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
        {
            errors[field] = [$"'{raw}' is not a date and time (pick one in the calendar)"];
            return null;
        }
        if (zone.IsInvalidTime(local))
        {
            errors[field] = [$"{raw} does not exist in {zone.Id} (the clocks skip it)"];
            return null;
        }
        return new DateTimeOffset(local, zone.GetUtcOffset(local));
    }

    private static List<int>? Minutes(string raw, string field, Dictionary<string, string[]> errors)
    {
        var parts = raw.Split([',', ' '], StringSplitOptions.RemoveEmptyEntries);
        var minutes = new List<int>();
        foreach (var part in parts)
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var m) || m <= 0)
            {
                errors[field] = [$"'{part}' is not a whole number of minutes; list them like 60, 1440"];
                return null;
            }
            minutes.Add(m);
        }
        return minutes.Count == 0 ? [] : minutes;
    }

    private static long? Version(IFormCollection form) =>
        long.TryParse(form["version"], CultureInfo.InvariantCulture, out var v) && v > 0 ? v : null;
}

public sealed record MaintenanceInput(
    string Name, string Body, string ScheduledFor, string ScheduledUntil, IReadOnlyList<string> Components, bool AutoTransition, string Reminders, bool Deliver);

public sealed record WindowInput(
    string Id, string Name, string Body, IReadOnlyList<string> Components, IReadOnlyList<string> Days, string Start, string Duration, string TimeZone, string Reminders)
{
    public static WindowInput Default(string zone) => new("", "", "", [], [], "02:00", "60", zone, "60");
}

public sealed record MaintenanceModel(
    ConsoleFrame Frame, IReadOnlyList<MaintenanceItem> Maintenances, IReadOnlyList<ComponentChoice> Components, MaintenanceInput Input, WindowInput Window,
    IReadOnlyDictionary<string, string[]> Errors);
