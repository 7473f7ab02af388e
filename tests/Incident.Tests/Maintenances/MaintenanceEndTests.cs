using StatusPlatform.Incident.Components;
using StatusPlatform.Incident.Incidents;
using ComponentStatus = StatusPlatform.Contracts.ComponentStatus;
using IncidentRecord = StatusPlatform.Incident.Incidents.Incident;

namespace StatusPlatform.Incident.Tests.Maintenances;

/// <summary>Given components leaving a maintenance (the end applied), when their monitors still fail, then one automatic incident. No I/O.</summary>
public sealed class MaintenanceEndTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);

    private static Func<string> Sequence()
    {
        var n = 0;
        return () => $"id{++n}";
    }

    /// <summary>A component whose window just ended: the page still shows under_maintenance, its monitors say <paramref name="monitors"/>.</summary>
    private static Component Leaving(string id, string name, string monitors, bool automation = true) =>
        new(id, new ComponentSettings(name, null, null, 1, false, automation, null, true, false), ComponentStatus.UnderMaintenance, null, false) { MonitorStatus = monitors };

    [Fact]
    public void Components_still_failing_when_the_window_ends_open_one_incident_naming_them_all()
    {
        var decision = AutomaticIncidents.AfterMaintenance(
            [Leaving("db", "Database", ComponentStatus.MajorOutage), Leaving("mail", "Mail", ComponentStatus.PartialOutage), Leaving("web", "Website", ComponentStatus.Operational)],
            null, Now, Sequence());

        Assert.Equal("incident-id1", decision.IncidentStreamId);
        var opened = Assert.IsType<IncidentOpened>(Assert.Single(decision.IncidentEvents));
        Assert.Equal(("Database and Mail are unavailable", "investigating", "critical", true, AutomaticIncidents.Actor),
            (opened.Name, opened.Status, opened.Impact, opened.Automatic, opened.OpenedBy));
        Assert.Contains("Database and Mail", opened.Body);
        Assert.Equal([new IncidentComponent("db", "Database", "under_maintenance", "major_outage"), new IncidentComponent("mail", "Mail", "under_maintenance", "partial_outage")],
            opened.Components);
        Assert.Equal(["db", "mail"], decision.ComponentEvents.Keys.Order(StringComparer.Ordinal));
        Assert.Equal<object>([new AutomaticIncidentAttached("db", "id1", Now)], decision.ComponentEvents["db"]);
        Assert.Equal<object>([new AutomaticIncidentRegistered("id1", "db", Now), new AutomaticIncidentJoined("id1", "mail", Now)], decision.LedgerEvents);
    }

    [Fact]
    public void One_component_partly_down_gets_an_incident_of_its_own()
    {
        var opened = Assert.IsType<IncidentOpened>(Assert.Single(AutomaticIncidents.AfterMaintenance([Leaving("db", "Database", ComponentStatus.PartialOutage)], null, Now,
            Sequence()).IncidentEvents));

        Assert.Equal(("Database is partially unavailable", "major"), (opened.Name, opened.Impact));
    }

    [Fact]
    public void Recovered_slow_still_maintained_unautomated_or_already_attached_components_open_nothing()
    {
        Component[] components =
        [
            Leaving("a", "A", ComponentStatus.Operational),
            Leaving("b", "B", ComponentStatus.DegradedPerformance),
            Leaving("c", "C", ComponentStatus.MajorOutage) with { ActiveMaintenances = ["other-window"] },
            Leaving("d", "D", ComponentStatus.MajorOutage, automation: false),
            Leaving("e", "E", ComponentStatus.MajorOutage) with { AutomaticIncidentId = "open1" },
        ];

        var decision = AutomaticIncidents.AfterMaintenance(components, null, Now, Sequence());

        Assert.Same(MaintenanceEndDecision.None, decision);
    }

    [Fact]
    public void An_automatic_incident_opened_moments_ago_is_joined_instead()
    {
        var open = new IncidentRecord("open1", "Website is unavailable", "investigating", true, [new IncidentComponent("web", "Website", "operational", "major_outage")]);

        var decision = AutomaticIncidents.AfterMaintenance([Leaving("db", "Database", ComponentStatus.PartialOutage)], open, Now, Sequence());

        Assert.Equal("incident-open1", decision.IncidentStreamId);
        var update = Assert.IsType<IncidentUpdated>(Assert.Single(decision.IncidentEvents));
        Assert.Equal(("We are also investigating reports of problems with Database.", "critical"), (update.Body, update.Impact));
        Assert.Equal(["web", "db"], update.Components.Select(c => c.ComponentId));
        Assert.Equal<object>([new AutomaticIncidentAttached("db", "open1", Now)], decision.ComponentEvents["db"]);
        Assert.Equal<object>([new AutomaticIncidentJoined("open1", "db", Now)], decision.LedgerEvents);

        // A person has taken that one over: ours is a new incident, not an update in their name.
        var takenOver = AutomaticIncidents.AfterMaintenance([Leaving("db", "Database", ComponentStatus.PartialOutage)], open with { TakenOver = true }, Now, Sequence());
        Assert.IsType<IncidentOpened>(Assert.Single(takenOver.IncidentEvents));
    }
}
