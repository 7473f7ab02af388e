using System.Globalization;
using StatusPlatform.Contracts;
using StatusPlatform.StatusApi.AdminApi;
using StatusPlatform.StatusApi.Console.Components;
using StatusPlatform.StatusApi.Console.Reading;
using StatusPlatform.StatusApi.StatusPage;

namespace StatusPlatform.StatusApi.Console.Pages;

/// <summary>
/// Page settings and branding: name, public URL, time zone, logo, accent colours and custom CSS, changed (admin) with
/// Incident.Service's UpdatePageSettings, which sends only what the form changed. Saving here takes the page over from the
/// configuration file's page section; an empty branding field clears it, so StatusApi's StatusPage options apply again.
/// </summary>
public static class SettingsPages
{
    public static async Task<IResult> GetAsync(HttpContext context, ConsoleSite site, CatalogReadModel catalog, StatusPageOptions options, string? done = null)
    {
        var frame = await site.FrameAsync(context, "Page settings", done);
        var page = await catalog.PageAsync(context.RequestAborted);
        return await site.PageAsync<SettingsPage>(new SettingsModel(frame, page, options, page is null ? null : SettingsForm.Of(page), Empty));
    }

    public static async Task<IResult> PostAsync(HttpContext context, ConsoleSite site, CatalogReadModel catalog, StatusPageOptions options, IncidentServiceClient service)
    {
        var ct = context.RequestAborted;
        var page = await catalog.PageAsync(ct);
        if (page is null)
            return await site.NoticeAsync(context, StatusCodes.Status409Conflict, "No page yet", "Incident.Service has not written the page row yet; nothing to change.");
        var form = SettingsForm.From(await context.Request.ReadFormAsync(ct));
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var status = StatusCodes.Status422UnprocessableEntity;
        if (form.Name.Trim().Length == 0)
            errors["name"] = ["is required"];
        if (errors.Count == 0)
        {
            var command = form.Changes(page, ConsoleAuth.Actor(context));
            if (command is null)
                return ConsoleSite.SeeOther(ConsoleRoutes.Root + "/settings", "unchanged");
            switch (await service.SendAsync(command, ct))
            {
                case CommandAccepted:
                    return ConsoleSite.SeeOther(ConsoleRoutes.Root + "/settings", "settings");
                case CommandConflict:
                    status = StatusCodes.Status409Conflict;
                    errors["page"] = ["was changed by someone else while you edited it; nothing was saved. The form now shows the latest settings: make your change again"];
                    page = await catalog.PageAsync(ct) ?? page;
                    form = SettingsForm.Of(page);
                    break;
                case CommandRejected rejected:
                    errors = rejected.Errors.Count > 0 ? new(rejected.Errors, StringComparer.Ordinal) : new(StringComparer.Ordinal) { ["page"] = [rejected.Title] };
                    break;
                default:
                    throw new InvalidOperationException("Unexpected answer to UpdatePageSettings.");
            }
        }
        var frame = await site.FrameAsync(context, "Page settings");
        return await site.PageAsync<SettingsPage>(new SettingsModel(frame, page, options, form, errors), status);
    }

    private static readonly IReadOnlyDictionary<string, string[]> Empty = new Dictionary<string, string[]>();
}

/// <summary>The settings form as typed; branding fields empty mean "StatusApi's default".</summary>
public sealed record SettingsForm(
    string Name, string Url, string TimeZone, string LogoUrl, string AccentColor, string AccentColorDark, string CustomCss, long Version)
{
    public static SettingsForm Of(PageRecord page) => new(page.Name, page.Url, page.TimeZone, page.LogoUrl ?? "", page.AccentColor ?? "",
        page.AccentColorDark ?? "", page.CustomCss ?? "", page.Version ?? 0);

    public static SettingsForm From(IFormCollection form) => new(form["name"].ToString(), form["url"].ToString().Trim(), form["time_zone"].ToString().Trim(),
        form["logo_url"].ToString().Trim(), form["accent_color"].ToString().Trim(), form["accent_color_dark"].ToString().Trim(),
        form["custom_css"].ToString().Replace("\r\n", "\n", StringComparison.Ordinal),
        long.TryParse(form["version"], CultureInfo.InvariantCulture, out var v) ? v : 0);

    /// <summary>UpdatePageSettings with what differs from the page (null: unchanged; "" clears a branding field), or null when nothing does.</summary>
    public UpdatePageSettings? Changes(PageRecord page, string actor)
    {
        static string? Changed(string value, string? current) => value == (current ?? "") ? null : value;
        var command = new UpdatePageSettings(actor, Changed(Name.Trim(), page.Name), Changed(Url, page.Url), Changed(TimeZone, page.TimeZone),
            Changed(LogoUrl, page.LogoUrl), Changed(AccentColor, page.AccentColor), Changed(AccentColorDark, page.AccentColorDark),
            Changed(CustomCss, page.CustomCss?.Replace("\r\n", "\n", StringComparison.Ordinal)), Version > 0 ? Version : null);
        return command with { ExpectedVersion = null } == new UpdatePageSettings(actor) ? null : command;
    }
}

public sealed record SettingsModel(
    ConsoleFrame Frame, PageRecord? Page, StatusPageOptions Options, SettingsForm? Form, IReadOnlyDictionary<string, string[]> Errors);
