using StatusPlatform.Incident.Components;
using StatusPlatform.Incident.Incidents;
using StatusPlatform.Incident.Page;

namespace StatusPlatform.Incident.Tests.History;

/// <summary>
/// One afternoon of a page, as events with the hour each is recorded at (UTC, one day). Website goes down at 11 with
/// an incident, which turns critical at 12; Database (in the Backend group) goes partial at 13; Website recovers and
/// the incident is resolved at 14; Database is removed at 15; Website degrades at 15:30 and goes partial, a change
/// whose transaction started earlier (recorded 14:30) but had to wait for the 15:30 one's lock on the stream.
/// </summary>
public static class RecordedHistory
{
    public static readonly DateOnly Day = new(2024, 6, 3);

    private static readonly ComponentSettings Website = new("Website", null, null, 1, false, true, null, true, false);
    private static readonly ComponentSettings Database = new("Database", null, "backend", 1, false, true, null, true, false);
    private static readonly ComponentSettings Backend = new("Backend", null, null, 2, true, false, null, true, false);
    private static readonly IncidentComponent WebDown = new("web", "Website", "operational", "major_outage");

    public static DateTimeOffset At(double hour) => new DateTimeOffset(Day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).AddHours(hour);

    /// <summary>(stream, event, hour it is recorded at), in the order the store appends them.</summary>
    public static IReadOnlyList<(string Stream, object Event, double Hour)> Appends { get; } =
    [
        ("page", new PageConfigured(new PageSettings("p1", "Status", "http://status.test", "Etc/UTC"), At(10)), 10),
        ("component-backend", new ComponentDefined("backend", Backend, At(10)), 10),
        ("component-web", new ComponentDefined("web", Website, At(10)), 10),
        ("component-db", new ComponentDefined("db", Database, At(10)), 10),
        ("component-web", new ComponentStatusChanged("web", "Website", "operational", "major_outage", "monitor", At(11)), 11),
        ("incident-i1", new IncidentOpened("i1", "u1", "Website is down", "investigating", "major", "We are investigating.", [WebDown], true, "automation", At(11)), 11),
        ("incident-i1", new IncidentUpdated("i1", "u2", "Website is down", "identified", "critical", "Found it.", [WebDown], "ops", At(12)), 12),
        ("component-db", new ComponentStatusChanged("db", "Database", "operational", "partial_outage", "monitor", At(13)), 13),
        ("component-web", new ComponentStatusChanged("web", "Website", "major_outage", "operational", "monitor", At(14)), 14),
        ("incident-i1", new IncidentResolved("i1", "u3", "Website is down", "Recovered.", [WebDown with { NewStatus = "operational" }], true, "automation", At(14)), 14),
        ("component-db", new ComponentRemoved("db", At(15)), 15),
        ("component-web", new ComponentStatusChanged("web", "Website", "operational", "degraded_performance", "monitor", At(15.5)), 15.5),
        ("component-web", new ComponentStatusChanged("web", "Website", "degraded_performance", "partial_outage", "monitor", At(14.5)), 14.5),
    ];
}
