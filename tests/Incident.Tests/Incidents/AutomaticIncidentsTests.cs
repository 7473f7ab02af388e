using ComponentStatus = StatusPlatform.Contracts.ComponentStatus;
using StatusPlatform.Incident.Components;
using StatusPlatform.Incident.Incidents;
using StatusPlatform.Incident.Monitors;
using ComponentStatusChanged = StatusPlatform.Incident.Components.ComponentStatusChanged;

namespace StatusPlatform.Incident.Tests.Incidents;

/// <summary>Given a component and its monitors, when a monitor changes, then these events.</summary>
public sealed class AutomaticIncidentsTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);
    private static readonly ComponentSettings Website = new("Website", null, null, 1, false, Automation: true, "web@example.com", true, false);

    /// <summary>A component whose monitors last said <paramref name="status"/>, which is also what the page shows.</summary>
    private static Component Comp(string id, ComponentSettings settings, string status, string? automaticIncidentId) =>
        new(id, settings, status, automaticIncidentId, false) { MonitorStatus = status };

    private static Func<string> Sequence()
    {
        var n = 0;
        return () => $"id{++n}";
    }

    [Fact]
    public void All_monitors_down_is_a_major_outage_that_opens_an_automatic_incident()
    {
        var component = Comp("web", Website, ComponentStatus.Operational, null);

        var decision = AutomaticIncidents.Decide(component, [MonitorHealth.Down, MonitorHealth.Down], null, null, Now, Sequence());

        Assert.Equal<object>(
            [new ComponentMonitorStatusChanged("web", "major_outage", Now), new ComponentStatusChanged("web", "Website", "operational", "major_outage", "monitors", Now), new AutomaticIncidentAttached("web", "id1", Now)],
            decision.ComponentEvents);
        var opened = Assert.IsType<IncidentOpened>(Assert.Single(decision.IncidentEvents));
        Assert.Equal("incident-id1", decision.IncidentStreamId);
        Assert.Equal(("id1", "investigating", "critical", true), (opened.IncidentId, opened.Status, opened.Impact, opened.Automatic));
        Assert.Equal("We are investigating reports of problems with Website.", opened.Body);
        Assert.Equal([new IncidentComponent("web", "Website", "operational", "major_outage")], opened.Components);
    }

    [Fact]
    public void Some_monitors_down_is_a_partial_outage()
    {
        var component = Comp("web", Website, ComponentStatus.Operational, null);

        var decision = AutomaticIncidents.Decide(component, [MonitorHealth.Down, MonitorHealth.Up], null, null, Now, Sequence());

        Assert.Equal("partial_outage", decision.ComponentEvents.OfType<ComponentStatusChanged>().Single().NewStatus);
        Assert.Equal("major", Assert.IsType<IncidentOpened>(decision.IncidentEvents[0]).Impact);
    }

    [Fact]
    public void Without_automation_the_status_changes_but_no_incident_opens()
    {
        var component = Comp("web", Website with { Automation = false }, ComponentStatus.Operational, null);

        var decision = AutomaticIncidents.Decide(component, [MonitorHealth.Down], null, null, Now, Sequence());

        Assert.Single(decision.ComponentEvents.OfType<ComponentStatusChanged>());
        Assert.Empty(decision.IncidentEvents);
    }

    [Fact]
    public void A_second_outage_status_does_not_open_a_second_incident()
    {
        var component = Comp("web", Website, ComponentStatus.PartialOutage, "open1");
        var open = new global::StatusPlatform.Incident.Incidents.Incident("open1", "Website is partially unavailable", "investigating", true, []);

        var decision = AutomaticIncidents.Decide(component, [MonitorHealth.Down, MonitorHealth.Down], open, null, Now, Sequence());

        Assert.Single(decision.ComponentEvents.OfType<ComponentStatusChanged>());
        Assert.Empty(decision.IncidentEvents);
    }

    [Fact]
    public void Recovery_resolves_the_automatic_incident_and_detaches_it()
    {
        var component = Comp("web", Website, ComponentStatus.MajorOutage, "open1");
        var open = new global::StatusPlatform.Incident.Incidents.Incident("open1", "Website is unavailable", "investigating", true, []);

        var decision = AutomaticIncidents.Decide(component, [MonitorHealth.Up, MonitorHealth.Up], open, null, Now, Sequence());

        Assert.Equal<object>(
            [new ComponentMonitorStatusChanged("web", "operational", Now), new ComponentStatusChanged("web", "Website", "major_outage", "operational", "monitors", Now), new AutomaticIncidentDetached("web", "open1", Now)],
            decision.ComponentEvents);
        var resolved = Assert.IsType<IncidentResolved>(Assert.Single(decision.IncidentEvents));
        Assert.Equal(("open1", "Website is unavailable", true), (resolved.IncidentId, resolved.Name, resolved.Automatic));
        Assert.Equal("incident-open1", decision.IncidentStreamId);
    }

    [Fact]
    public void Slow_monitors_without_failures_degrade_the_component_without_an_incident()
    {
        var component = Comp("web", Website, ComponentStatus.Operational, null);

        var decision = AutomaticIncidents.Decide(component, [MonitorHealth.Degraded, MonitorHealth.Up], null, null, Now, Sequence());

        Assert.Equal("degraded_performance", Assert.Single(decision.ComponentEvents.OfType<ComponentStatusChanged>()).NewStatus);
        Assert.Empty(decision.IncidentEvents);
    }

    [Fact]
    public void One_monitor_down_and_one_slow_is_a_partial_outage()
    {
        Assert.Equal("partial_outage", AutomaticIncidents.MonitorStatus([MonitorHealth.Down, MonitorHealth.Degraded]));
    }

    [Fact]
    public void A_new_outage_registers_its_incident_in_the_ledger()
    {
        var component = Comp("web", Website, ComponentStatus.Operational, null);

        var decision = AutomaticIncidents.Decide(component, [MonitorHealth.Down], null, null, Now, Sequence());

        Assert.Equal<object>([new AutomaticIncidentRegistered("id1", "web", Now)], decision.LedgerEvents);
    }

    [Fact]
    public void An_outage_starting_while_another_automatic_incident_is_open_joins_it()
    {
        var api = Comp("api", Website with { Name = "API" }, ComponentStatus.Operational, null);
        var open = new global::StatusPlatform.Incident.Incidents.Incident("open1", "Website is unavailable", "investigating", true,
            [new IncidentComponent("web", "Website", "operational", "major_outage")]);

        var decision = AutomaticIncidents.Decide(api, [MonitorHealth.Down], null, open, Now, Sequence());

        Assert.Equal<object>(
            [new ComponentMonitorStatusChanged("api", "major_outage", Now), new ComponentStatusChanged("api", "API", "operational", "major_outage", "monitors", Now), new AutomaticIncidentAttached("api", "open1", Now)],
            decision.ComponentEvents);
        Assert.Equal("incident-open1", decision.IncidentStreamId);
        var update = Assert.IsType<IncidentUpdated>(Assert.Single(decision.IncidentEvents));
        Assert.Equal(("open1", "investigating", "critical", "We are also investigating reports of problems with API."),
            (update.IncidentId, update.Status, update.Impact, update.Body));
        Assert.Equal(["web", "api"], update.Components.Select(c => c.ComponentId));
        Assert.Equal<object>([new AutomaticIncidentJoined("open1", "api", Now)], decision.LedgerEvents);
    }

    [Fact]
    public void One_of_two_components_recovering_updates_the_incident_and_the_last_one_resolves_it()
    {
        var both = new global::StatusPlatform.Incident.Incidents.Incident("open1", "Website is unavailable", "investigating", true,
            [new IncidentComponent("web", "Website", "operational", "major_outage"), new IncidentComponent("api", "API", "operational", "major_outage")]);
        var web = Comp("web", Website, ComponentStatus.MajorOutage, "open1");

        var first = AutomaticIncidents.Decide(web, [MonitorHealth.Up], both, null, Now, Sequence());

        var update = Assert.IsType<IncidentUpdated>(Assert.Single(first.IncidentEvents));
        Assert.Equal("Website is operational again. We are still investigating problems with API.", update.Body);
        Assert.Contains(new AutomaticIncidentDetached("web", "open1", Now), first.ComponentEvents);
        Assert.Empty(first.LedgerEvents);

        var api = Comp("api", Website with { Name = "API" }, ComponentStatus.MajorOutage, "open1");
        var last = AutomaticIncidents.Decide(api, [MonitorHealth.Up], both.Apply(update), null, Now, Sequence());

        var resolved = Assert.IsType<IncidentResolved>(Assert.Single(last.IncidentEvents));
        Assert.All(resolved.Components, c => Assert.Equal("operational", c.NewStatus));
        Assert.Equal<object>([new AutomaticIncidentClosed("open1", Now)], last.LedgerEvents);
    }

    [Fact]
    public void No_change_in_status_decides_nothing()
    {
        var component = Comp("web", Website, ComponentStatus.Operational, null);
        Assert.Same(OutageDecision.None, AutomaticIncidents.Decide(component, [MonitorHealth.Up], null, null, Now, Sequence()));
        Assert.Same(OutageDecision.None, AutomaticIncidents.Decide(component, [], null, null, Now, Sequence()));
    }
}
