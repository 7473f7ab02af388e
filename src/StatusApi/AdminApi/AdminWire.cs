using System.Text.Json;
using System.Text.Json.Serialization;
using StatusPlatform.StatusApi.AdminApi.Pages;
using StatusPlatform.StatusApi.PublicApi;
using StatusPlatform.StatusApi.PublicApi.Wire;

namespace StatusPlatform.StatusApi.AdminApi;

// The admin API's answers, shaped like Statuspage's Manage API objects (statuspage-api.md 2.4 and 2.6) as far as the read
// model holds the fields; names are written snake_case. Timestamps are strings in the page's time zone with milliseconds,
// exactly as the public v2 API writes them, so one client parser reads both.

/// <summary>
/// Manage API Component (automation_email left out: there is no email automation), plus StatusPlatform's owner (who gets
/// the ticket) and automation (outages open incidents by themselves), written only where the read model holds them.
/// </summary>
public sealed record AdminComponent(
    string Id, string PageId, string? GroupId, string CreatedAt, string UpdatedAt, bool Group, string Name, string? Description,
    int Position, string Status, bool Showcase, bool OnlyShowIfDegraded, string? StartDate,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Owner = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? Automation = null);

/// <summary>Manage API GroupComponent: the group and its components' ids in page order.</summary>
public sealed record AdminComponentGroup(
    string Id, string PageId, string Name, string? Description, IReadOnlyList<string> Components, int Position, string CreatedAt, string UpdatedAt);

/// <summary>Manage API Incident, with the fields the read model holds.</summary>
public sealed record AdminIncident(
    string Id, string Name, string Status, string Impact, string CreatedAt, string UpdatedAt, string? MonitoringAt, string? ResolvedAt,
    string StartedAt, string Shortlink, string PageId, bool Backfilled, string? PostmortemBody, string? PostmortemPublishedAt,
    IReadOnlyList<AdminIncidentUpdate> IncidentUpdates, IReadOnlyList<AdminComponent> Components);

public sealed record AdminIncidentUpdate(
    string Id, string IncidentId, string Status, string Body, string CreatedAt, string UpdatedAt, string DisplayAt,
    IReadOnlyList<AffectedComponent>? AffectedComponents, bool DeliverNotifications);

/// <summary>Manage API Postmortem: the published body (Incident.Service) and the draft (this API).</summary>
public sealed record AdminPostmortem(string IncidentId, string? Body, string? PublishedAt, string? BodyDraft, string? BodyDraftUpdatedAt);

/// <summary>
/// A write Incident.Service accepted that the read model did not show within AdminApi:ReadModelWaitSeconds (202): the
/// id and the stream version it reached, which is also the ETag.
/// </summary>
public sealed record CommandEcho(string Id, long Version, string Detail);

public static class AdminWire
{
    public static AdminComponent Component(ComponentRow c, AdminPage page) => new(
        c.Id, page.Id, c.GroupId, At(c.CreatedAt, page), At(c.UpdatedAt, page), c.IsGroup, c.Name, c.Description, c.Position, c.Status,
        c.Showcase, c.OnlyShowIfDegraded, c.StartDate?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));

    public static AdminComponent Component(Components.ManagedComponent c, AdminPage page) =>
        Component(c.Row, page) with { Owner = c.Owner, Automation = c.Automation };

    public static AdminComponentGroup Group(Components.ManagedComponent g, AdminPage page) => new(
        g.Row.Id, page.Id, g.Row.Name, g.Row.Description, g.Children, g.Row.Position, At(g.Row.CreatedAt, page), At(g.Row.UpdatedAt, page));

    public static AdminIncident Incident(IncidentDetails details, AdminPage page)
    {
        var i = details.Incident;
        return new AdminIncident(
            i.Id, i.Name, i.Status, i.Impact, At(i.CreatedAt, page), At(i.UpdatedAt, page), At(i.MonitoringAt, page), At(i.ResolvedAt, page),
            At(i.StartedAt, page),
            // As on the public page: clients treat shortlink as always there, and the incident's own page is the honest stand-in.
            i.Shortlink ?? $"{page.Url.TrimEnd('/')}/incidents/{Uri.EscapeDataString(i.Id)}",
            page.Id, i.Backfilled, i.PostmortemBody, At(i.PostmortemPublishedAt, page),
            [.. details.Updates.Select(u => Update(u, page))], [.. details.Components.Select(c => Component(c, page))]);
    }

    public static AdminIncidentUpdate Update(IncidentUpdateRow u, AdminPage page) => new(
        u.Id, u.IncidentId, u.Status, u.Body, At(u.CreatedAt, page), At(u.UpdatedAt, page), At(u.DisplayAt, page),
        u.AffectedComponentsJson is null ? null : JsonSerializer.Deserialize(u.AffectedComponentsJson, StatusPageJsonContext.Default.ListAffectedComponent),
        u.DeliverNotifications);

    public static string At(DateTimeOffset instant, AdminPage page) => Timestamps.Format(Timestamps.InZone(instant, page.Zone));

    public static string? At(DateTimeOffset? instant, AdminPage page) => instant is { } value ? At(value, page) : null;
}
