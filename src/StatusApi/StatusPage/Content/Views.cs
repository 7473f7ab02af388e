using StatusPlatform.StatusApi.PublicApi;

namespace StatusPlatform.StatusApi.StatusPage.Content;

/// <summary>What every page needs besides its content: language, the page's name and zone, branding, version, staleness.</summary>
public sealed record PageFrame(
    Texts T, bool LangExplicit, string PathAndQuery, string PageName, TimeZoneInfo Zone, string? LogoUrl, string Version,
    DateTimeOffset? StaleSince, bool Live)
{
    /// <summary>A link on this site that keeps the language when the reader chose it (otherwise the browser's applies again).</summary>
    public string Link(string path) => LangExplicit ? WithLang(path, T.Lang) : path;

    /// <summary>This page in another language.</summary>
    public string InLanguage(string lang) => WithLang(PathAndQuery, lang);

    public string Time(DateTimeOffset instant) => T.Time(instant, Zone);

    private static string WithLang(string path, string lang) => path + (path.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "lang=" + lang;
}

public sealed record ComponentView(
    string Id, string Name, string Status, string? Description, bool IsGroup, IReadOnlyList<ComponentView> Children, UptimeView? Uptime);

/// <summary>Daily uptime bars; <see cref="Overall"/> weighs each day by its counted time.</summary>
public sealed record UptimeView(double? Overall, IReadOnlyList<UptimeDay> Days);

/// <summary>
/// <see cref="Level"/> picks the bar colour: none (no data), ok, partial, major, maintenance. The minutes are as shown
/// (<see cref="ShownMinutes"/>): partial outage unweighted, the time the component was in that status that day.
/// </summary>
public sealed record UptimeDay(
    DateOnly Day, double? Uptime, string Level, IReadOnlyList<string> Incidents, int MajorOutageMinutes = 0, int PartialOutageMinutes = 0,
    int MaintenanceMinutes = 0)
{
    /// <summary>Worth listing as text (the "days with outages, maintenance or incidents" list): anything but a plain day.</summary>
    public bool IsNotable => Incidents.Count > 0 || MajorOutageMinutes > 0 || PartialOutageMinutes > 0 || MaintenanceMinutes > 0;

    /// <summary>
    /// Whole minutes as the page shows them; any time at all is at least one minute, so that a short outage that coloured
    /// the bar is not listed as "0 min".
    /// </summary>
    public static int ShownMinutes(TimeSpan span) =>
        span <= TimeSpan.Zero ? 0 : Math.Max(1, (int)Math.Round(span.TotalMinutes, MidpointRounding.AwayFromZero));
}

public sealed record UpdateView(string Status, string BodyHtml, DateTimeOffset DisplayAt);

public sealed record IncidentView(
    string Id, string Name, string Status, string Impact, DateTimeOffset StartedAt, DateTimeOffset? ResolvedAt,
    IReadOnlyList<string> ComponentNames, IReadOnlyList<UpdateView> Updates, string? PostmortemHtml)
{
    public bool IsUnresolved => Status is "investigating" or "identified" or "monitoring";
}

public sealed record MaintenanceView(
    string Id, string Name, string Status, DateTimeOffset ScheduledFor, DateTimeOffset ScheduledUntil, IReadOnlyList<string> ComponentNames,
    IReadOnlyList<UpdateView> Updates);

public sealed record HomeModel(
    PageFrame Frame, PageStatus Status, IReadOnlyList<ComponentView> Components, IReadOnlyList<IncidentView> ActiveIncidents,
    IReadOnlyList<MaintenanceView> ActiveMaintenances, IReadOnlyList<MaintenanceView> UpcomingMaintenances,
    IReadOnlyList<IncidentView> PastIncidents, int UptimeDays);

public sealed record IncidentModel(PageFrame Frame, IncidentView Incident);

public sealed record HistoryMonth(DateOnly Month, IReadOnlyList<IncidentView> Incidents);

public sealed record HistoryModel(PageFrame Frame, IReadOnlyList<HistoryMonth> Months, int PageIndex, bool HasOlder);

/// <summary>The sorry page: what is wrong (for one component, or anywhere), or that nothing is known to be.</summary>
public sealed record SorryModel(PageFrame Frame, string? ComponentName, PageStatus Status, IReadOnlyList<IncidentView> Incidents,
    IReadOnlyList<MaintenanceView> Maintenances);

/// <summary>A short page with a heading, a message and optionally a link (errors, confirmations).</summary>
public sealed record NoticeModel(PageFrame Frame, string Title, string Message, string? LinkText = null, string? LinkUrl = null);
