using System.Collections.Immutable;
using StatusPlatform.Contracts;
using StatusPlatform.Incident.Components;
using StatusPlatform.Incident.Incidents;
using StatusPlatform.Incident.Monitors;
using ComponentStatusChanged = StatusPlatform.Incident.Components.ComponentStatusChanged;
using IncidentState = StatusPlatform.Incident.Incidents.Incident;
using IncidentOpened = StatusPlatform.Incident.Incidents.IncidentOpened;
using IncidentPostmortemPublished = StatusPlatform.Incident.Incidents.IncidentPostmortemPublished;
using IncidentResolved = StatusPlatform.Incident.Incidents.IncidentResolved;
using IncidentUpdated = StatusPlatform.Incident.Incidents.IncidentUpdated;

namespace StatusPlatform.Incident.Tests.Incidents;

/// <summary>Given components and an incident, when a person's command, then these events (or these field errors). No I/O.</summary>
public sealed class ManualIncidentsTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);
    private static readonly ComponentSettings Settings = new("Website", null, null, 1, false, Automation: true, "web@example.com", true, false);
    private static readonly Component Web = new("web", Settings, ComponentStatus.Operational, null, false);
    private static readonly Component Api = new("api", Settings with { Name = "API" }, ComponentStatus.Operational, null, false);
    private static readonly Component Group = new("backend", Settings with { Name = "Backend", IsGroup = true }, ComponentStatus.Operational, null, false);
    private static readonly Dictionary<string, Component> Components = new() { ["web"] = Web, ["api"] = Api, ["backend"] = Group };

    private static CreateIncident Create(params ComponentStatusChange[] changes) =>
        new("alice@example.com", "Checkout errors", IncidentStatus.Investigating, "We are **looking** into it.", changes);

    [Theory]
    [InlineData("operational", new string[0], null, false, "operational")]
    [InlineData("major_outage", new string[0], null, false, "major_outage")]
    [InlineData("operational", new[] { "partial_outage" }, null, false, "partial_outage")]
    [InlineData("major_outage", new[] { "degraded_performance" }, null, false, "major_outage")]
    [InlineData("degraded_performance", new[] { "partial_outage", "major_outage" }, null, false, "major_outage")]
    [InlineData("operational", new string[0], "degraded_performance", false, "degraded_performance")]
    [InlineData("major_outage", new string[0], "operational", false, "major_outage")]
    [InlineData("operational", new string[0], null, true, "under_maintenance")]
    [InlineData("major_outage", new string[0], null, true, "under_maintenance")]
    [InlineData("major_outage", new[] { "partial_outage" }, null, true, "partial_outage")]
    [InlineData("operational", new string[0], "major_outage", true, "major_outage")]
    public void The_displayed_status_blends_monitors_incidents_override_and_maintenance(string monitors, string[] incidents, string? manual, bool maintenance,
        string expected) =>
        Assert.Equal(expected, ComponentStatusRules.Displayed(monitors, incidents, manual, maintenance));

    [Fact]
    public void Opening_sets_the_named_components_statuses_and_computes_the_impact()
    {
        var decision = ManualIncidents.Open(Create(new ComponentStatusChange("web", "partial_outage"), new ComponentStatusChange("api", "degraded_performance")), Components, "inc1", "upd1", Now);

        Assert.False(decision.Rejected);
        var opened = Assert.IsType<IncidentOpened>(Assert.Single(decision.IncidentEvents));
        Assert.Equal(("inc1", "upd1", "investigating", "major", false, "alice@example.com", true),
            (opened.IncidentId, opened.UpdateId, opened.Status, opened.Impact, opened.Automatic, opened.OpenedBy, opened.DeliverNotifications));
        Assert.Equal([new IncidentComponent("web", "Website", "operational", "partial_outage"), new IncidentComponent("api", "API", "operational", "degraded_performance")],
            opened.Components);
        Assert.Equal<object>([new ComponentIncidentStatusSet("web", "inc1", "partial_outage", Now),
            new ComponentStatusChanged("web", "Website", "operational", "partial_outage", "incident", Now)], decision.ComponentEvents["web"]);
        Assert.Equal(2, decision.ComponentEvents["api"].Count);
    }

    [Fact]
    public void An_impact_override_wins_over_the_computed_impact()
    {
        var decision = ManualIncidents.Open(Create(new ComponentStatusChange("web", "degraded_performance")) with { ImpactOverride = "critical" }, Components, "inc1", "upd1", Now);

        Assert.Equal("critical", Assert.IsType<IncidentOpened>(decision.IncidentEvents[0]).Impact);
    }

    [Theory]
    [InlineData("", "investigating", "web", "major_outage", null, "name")]
    [InlineData("Down", "resolved", "web", "major_outage", null, "status")]
    [InlineData("Down", "investigating", "nope", "major_outage", null, "components[0].component_id")]
    [InlineData("Down", "investigating", "backend", "major_outage", null, "components[0].component_id")]
    [InlineData("Down", "investigating", "web", "on_fire", null, "components[0].status")]
    [InlineData("Down", "investigating", "web", "major_outage", "huge", "impact_override")]
    public void Bad_input_is_refused_with_the_field_and_no_events(string name, string status, string component, string componentStatus, string? impact, string field)
    {
        var command = new CreateIncident("alice", name, status, "", [new ComponentStatusChange(component, componentStatus)], impact);

        var decision = ManualIncidents.Open(command, Components, "inc1", "upd1", Now);

        Assert.True(decision.Rejected);
        Assert.Contains(field, decision.Errors.Keys);
        Assert.Empty(decision.IncidentEvents);
        Assert.Empty(decision.ComponentEvents);
    }

    [Fact]
    public void A_body_beyond_the_limit_is_refused()
    {
        var decision = ManualIncidents.Open(Create() with { Body = new string('x', ManualIncidents.MaxBodyLength + 1) }, Components, "inc1", "upd1", Now);
        Assert.Equal(["body"], decision.Errors.Keys);
    }

    [Fact]
    public void A_backfilled_incident_is_opened_and_resolved_in_the_past_without_notifications_or_status_changes()
    {
        var command = Create(new ComponentStatusChange("web", "major_outage")) with { BackfillStartedAt = Now.AddDays(-3), BackfillResolvedAt = Now.AddDays(-3).AddHours(2) };

        var decision = ManualIncidents.Open(command, Components, "inc1", "upd1", Now);

        var opened = Assert.IsType<IncidentOpened>(decision.IncidentEvents[0]);
        var resolved = Assert.IsType<IncidentResolved>(decision.IncidentEvents[1]);
        Assert.Equal((Now.AddDays(-3), true, false, "critical"), (opened.OpenedAt, opened.Backfilled, opened.DeliverNotifications, opened.Impact));
        Assert.Equal((Now.AddDays(-3).AddHours(2), false), (resolved.ResolvedAt, resolved.DeliverNotifications));
        Assert.Empty(decision.ComponentEvents);

        Assert.Contains("backfill_resolved_at", ManualIncidents.Open(command with { BackfillResolvedAt = Now.AddDays(-4) }, Components, "i", "u", Now).Errors.Keys);
        Assert.Contains("backfill_resolved_at", ManualIncidents.Open(command with { BackfillResolvedAt = Now.AddHours(1) }, Components, "i", "u", Now).Errors.Keys);
        Assert.Contains("backfill", ManualIncidents.Open(command with { BackfillResolvedAt = null }, Components, "i", "u", Now).Errors.Keys);
    }

    private static (IncidentState Incident, Dictionary<string, Component> Components) Opened(params ComponentStatusChange[] changes)
    {
        var decision = ManualIncidents.Open(Create(changes), Components, "inc1", "upd1", Now);
        var components = new Dictionary<string, Component>(Components);
        foreach (var (id, events) in decision.ComponentEvents)
            components[id] = events.Aggregate(components[id], Apply);
        return (IncidentState.Create((IncidentOpened)decision.IncidentEvents[0]), components);
    }

    private static Component Apply(Component c, object e) => e switch
    {
        ComponentIncidentStatusSet s => c.Apply(s),
        ComponentStatusChanged s => c.Apply(s),
        ComponentOverrideSet s => c.Apply(s),
        AutomaticIncidentDetached s => c.Apply(s),
        _ => c,
    };

    [Fact]
    public void An_update_changes_status_and_merges_component_statuses()
    {
        var (incident, components) = Opened(new ComponentStatusChange("web", "major_outage"));

        var decision = ManualIncidents.Update(incident, new PostIncidentUpdate("bob", "inc1", "identified", "Found it.", [new("web", "partial_outage"), new("api", "degraded_performance")]),
            components, false, "upd2", Now.AddMinutes(5));

        var updated = Assert.IsType<IncidentUpdated>(Assert.Single(decision.IncidentEvents));
        Assert.Equal(("identified", "major", "bob"), (updated.Status, updated.Impact, updated.UpdatedBy));
        Assert.Equal(["web", "api"], updated.Components.Select(c => c.ComponentId));
        Assert.Equal("partial_outage", decision.ComponentEvents["web"].OfType<ComponentStatusChanged>().Single().NewStatus);
    }

    [Fact]
    public void Resolving_stops_setting_statuses_detaches_an_automatic_incident_and_closes_it_in_the_ledger()
    {
        var (incident, components) = Opened(new ComponentStatusChange("web", "major_outage"));
        components["web"] = components["web"] with { AutomaticIncidentId = "inc1" };

        var decision = ManualIncidents.Update(incident, new PostIncidentUpdate("bob", "inc1", "resolved", "All good."), components, true, "upd2", Now.AddHours(1));

        var resolved = Assert.IsType<IncidentResolved>(Assert.Single(decision.IncidentEvents));
        Assert.Equal(("bob", false), (resolved.ResolvedBy, resolved.Automatic));
        Assert.Equal<object>([new ComponentIncidentStatusSet("web", "inc1", null, Now.AddHours(1)),
            new ComponentStatusChanged("web", "Website", "major_outage", "operational", "incident", Now.AddHours(1)),
            new AutomaticIncidentDetached("web", "inc1", Now.AddHours(1))], decision.ComponentEvents["web"]);
        Assert.Equal<object>([new AutomaticIncidentClosed("inc1", Now.AddHours(1))], decision.LedgerEvents);
    }

    [Fact]
    public void A_resolved_incident_takes_no_more_updates_but_a_postmortem()
    {
        var (incident, components) = Opened();
        var resolved = incident.Apply((IncidentResolved)ManualIncidents.Update(incident, new PostIncidentUpdate("bob", "inc1", "resolved", "Done."), components, false, "u2", Now).IncidentEvents[0]);

        Assert.Contains("status", ManualIncidents.Update(resolved, new PostIncidentUpdate("bob", "inc1", "monitoring", "Again?"), components, false, "u3", Now).Errors.Keys);
        Assert.Contains("status", ManualIncidents.Postmortem(incident, new PublishPostmortem("bob", "inc1", "Too early"), Now).Errors.Keys);
        var postmortem = Assert.IsType<IncidentPostmortemPublished>(Assert.Single(ManualIncidents.Postmortem(resolved, new PublishPostmortem("bob", "inc1", "# What happened"), Now).IncidentEvents));
        Assert.Equal(("Checkout errors", "# What happened"), (postmortem.Name, postmortem.Body));
        Assert.Equal("postmortem", resolved.Apply(postmortem).Status);
    }

    [Fact]
    public void A_person_posting_on_an_automatic_incident_takes_it_over()
    {
        var automatic = new IncidentState("auto1", "Website is unavailable", "investigating", true, [new IncidentComponent("web", "Website", "operational", "major_outage")]);
        var component = Web with { Status = ComponentStatus.MajorOutage, MonitorStatus = ComponentStatus.MajorOutage, AutomaticIncidentId = "auto1" };

        var update = (IncidentUpdated)ManualIncidents.Update(automatic, new PostIncidentUpdate("carol", "auto1", "identified", "A bad deploy; rolling back."),
            new Dictionary<string, Component> { ["web"] = component }, true, "u2", Now).IncidentEvents[0];
        var takenOver = automatic.Apply(update);
        Assert.True(takenOver.TakenOver);

        // Recovery now reports, and leaves the resolve to the person.
        var recovery = AutomaticIncidents.Decide(component, [MonitorHealth.Up], takenOver, null, Now.AddMinutes(10), () => "u3");

        var observed = Assert.IsType<IncidentUpdated>(Assert.Single(recovery.IncidentEvents));
        Assert.Equal(("identified", "Monitoring reports that Website is operational again.", "automation"), (observed.Status, observed.Body, observed.UpdatedBy));
        Assert.Contains(new AutomaticIncidentDetached("web", "auto1", Now.AddMinutes(10)), recovery.ComponentEvents);
        Assert.Equal<object>([new AutomaticIncidentClosed("auto1", Now.AddMinutes(10))], recovery.LedgerEvents);
        Assert.False(automatic.Apply(observed).TakenOver); // the automation's own updates never count as a take-over
    }

    [Fact]
    public void No_automatic_incident_opens_during_maintenance_but_the_monitor_status_is_recorded()
    {
        var component = Web with { ActiveMaintenances = ImmutableHashSet.Create("mnt1") };

        var decision = AutomaticIncidents.Decide(component, [MonitorHealth.Down], null, null, Now, () => "x");

        Assert.Empty(decision.IncidentEvents);
        Assert.Empty(decision.LedgerEvents);
        Assert.Equal<object>([new ComponentMonitorStatusChanged("web", "major_outage", Now),
            new ComponentStatusChanged("web", "Website", "operational", "under_maintenance", "monitors", Now)], decision.ComponentEvents);
    }

    [Fact]
    public void An_override_is_one_more_source_and_lifting_it_restores_the_blend()
    {
        var set = ManualIncidents.Override(Web, new SetComponentOverride("dave", "web", "degraded_performance"), Now);
        Assert.Equal<object>([new ComponentOverrideSet("web", "degraded_performance", "dave", Now),
            new ComponentStatusChanged("web", "Website", "operational", "degraded_performance", "override", Now)], set.ComponentEvents["web"]);
        var overridden = set.ComponentEvents["web"].Aggregate(Web, Apply);

        var lifted = ManualIncidents.Override(overridden, new SetComponentOverride("dave", "web", null), Now);
        Assert.Equal("operational", lifted.ComponentEvents["web"].OfType<ComponentStatusChanged>().Single().NewStatus);
        Assert.Contains("status", ManualIncidents.Override(Web, new SetComponentOverride("dave", "web", "purple"), Now).Errors.Keys);
        Assert.Empty(ManualIncidents.Override(overridden, new SetComponentOverride("dave", "web", "degraded_performance"), Now).ComponentEvents);
    }
}
