using StatusPlatform.Contracts;
using StatusPlatform.TestSupport;

namespace StatusPlatform.Incident.Tests.Incidents;

/// <summary>Incident commands over the bus against the running service: answers, read models, integration events, take-over.</summary>
public sealed class IncidentCommandsTests(IncidentServiceWithCatalog service) : IClassFixture<IncidentServiceWithCatalog>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    private Task<string?> StatusOf(string component) => service.ScalarAsync<string>("select status from status.components where id = $1", component);

    private Task<string?> IncidentStatus(string id) => service.ScalarAsync<string>("select status from status.incidents where id = $1", id);

    [Fact]
    public async Task A_person_opens_updates_resolves_and_writes_the_postmortem_of_an_incident()
    {
        await Eventually.Until(async () => await StatusOf("web") == "operational", Wait, "the catalog to be projected");

        var opened = Assert.IsType<CommandAccepted>(await service.CommandAsync(new CreateIncident("alice@example.com", "Checkout errors", "investigating",
            "We are **looking** into it.", [new ComponentStatusChange("web", "partial_outage")])));
        Assert.Equal(1, opened.Version);
        await Eventually.Until(async () => await StatusOf("web") == "partial_outage", Wait, "the incident's status on the component");
        await Eventually.Until(async () => await IncidentStatus(opened.Id) == "investigating", Wait, "the incident on the page");
        Assert.Equal("major", await service.ScalarAsync<string>("select impact from status.incidents where id = $1", opened.Id));
        Assert.Equal("alice@example.com", await service.ScalarAsync<string>(
            "select metadata->>'actor' from events.events where stream_id = $1 and version = 1", $"incident-{opened.Id}"));
        var announced = await Eventually.Until(() => Task.FromResult(service.PublishedOf<IncidentOpened>().FirstOrDefault(o => o.Message.IncidentId == opened.Id)),
            o => o is not null, Wait, "IncidentOpened");
        Assert.Equal(("alice@example.com", false, true), (announced!.Message.Actor, announced.Message.Automatic, announced.Message.DeliverNotifications));

        // A stale expected version is a conflict that changes nothing; the current one goes through.
        var conflict = Assert.IsType<CommandConflict>(await service.CommandAsync(new PostIncidentUpdate("bob", opened.Id, "identified", "Found it.", ExpectedVersion: 7)));
        Assert.Equal((7L, 1L), (conflict.ExpectedVersion, conflict.CurrentVersion));
        var updated = Assert.IsType<CommandAccepted>(await service.CommandAsync(new PostIncidentUpdate("bob", opened.Id, "identified", "Found it.",
            [new ComponentStatusChange("web", "major_outage")], DeliverNotifications: false, ExpectedVersion: 1)));
        Assert.Equal(2, updated.Version);
        await Eventually.Until(async () => await StatusOf("web") == "major_outage", Wait, "the update's status");
        await Eventually.Until(async () => await IncidentStatus(opened.Id) == "identified", Wait, "the update on the page");
        Assert.Equal(2L, await service.ScalarAsync<long>("select version from status.incidents where id = $1", opened.Id)); // the admin API's ETag
        Assert.False(await service.ScalarAsync<bool>("select deliver_notifications from status.incident_updates where incident_id = $1 and status = 'identified'", opened.Id));

        Assert.IsType<CommandAccepted>(await service.CommandAsync(new PostIncidentUpdate("bob", opened.Id, "resolved", "Fixed.")));
        await Eventually.Until(async () => await StatusOf("web") == "operational", Wait, "the component back to what its monitors say");
        await Eventually.Until(async () => await IncidentStatus(opened.Id) == "resolved", Wait, "the incident resolved");

        Assert.IsType<CommandAccepted>(await service.CommandAsync(new PublishPostmortem("alice@example.com", opened.Id, "# What happened\nA bad deploy.")));
        await Eventually.Until(async () => await IncidentStatus(opened.Id) == "postmortem", Wait, "the postmortem");
        Assert.Equal("# What happened\nA bad deploy.", await service.ScalarAsync<string>("select postmortem_body from status.incidents where id = $1", opened.Id));
    }

    [Fact]
    public async Task Bad_commands_are_refused_with_field_errors_and_change_nothing()
    {
        var before = await service.ScalarAsync<long>("select count(*) from events.events");

        var rejected = Assert.IsType<CommandRejected>(await service.CommandAsync(new CreateIncident("alice", "", "investigating", "x",
            [new ComponentStatusChange("nope", "major_outage")])));
        Assert.Contains("name", rejected.Errors.Keys);
        Assert.Contains("components[0].component_id", rejected.Errors.Keys);
        var missing = Assert.IsType<CommandRejected>(await service.CommandAsync(new PostIncidentUpdate("alice", "doesnotexist", "identified", "x")));
        Assert.True(missing.NotFound);
        Assert.IsType<CommandRejected>(await service.CommandAsync(new CreateIncident("", "Name", "investigating", "x")));

        Assert.Equal(before, await service.ScalarAsync<long>("select count(*) from events.events"));
    }

    [Fact]
    public async Task A_taken_over_automatic_incident_reports_recovery_and_waits_for_the_person_to_resolve_it()
    {
        await Eventually.Until(async () => await StatusOf("db") == "operational", Wait, "the catalog to be projected");
        var clock = DateTimeOffset.UtcNow;
        CheckCompleted Check(CheckOutcome outcome)
        {
            clock = clock.AddSeconds(1);
            return new CheckCompleted(Guid.NewGuid(), "db-tcp", "eu", "probe-1", clock, 5, outcome, null, outcome == CheckOutcome.Down ? "connection refused" : null, null);
        }
        await service.SendAsync(Check(CheckOutcome.Down));
        await service.SendAsync(Check(CheckOutcome.Down));
        var incidentId = await Eventually.Until(() => service.ScalarAsync<string>(
            "select i.id from status.incidents i join status.incident_components c on c.incident_id = i.id where c.component_id = 'db' and i.automatic and i.status = 'investigating'"),
            id => id is not null, Wait, "the automatic incident");

        Assert.Equal("automation", await service.ScalarAsync<string>(
            "select metadata->>'actor' from events.events where stream_id = $1 and version = 1", $"incident-{incidentId}"));
        Assert.IsType<CommandAccepted>(await service.CommandAsync(new PostIncidentUpdate("carol", incidentId!, "identified", "The disk is full; cleaning up.")));
        await Eventually.Until(async () => await IncidentStatus(incidentId!) == "identified", Wait, "the person's update");
        await service.SendAsync(Check(CheckOutcome.Up));

        await Eventually.Until(async () => await service.ScalarAsync<long>(
            "select count(*) from status.incident_updates where incident_id = $1 and body = 'Monitoring reports that Database is operational again.'", incidentId!) == 1,
            Wait, "the automatic recovery note");
        await Eventually.Until(async () => await StatusOf("db") == "operational", Wait, "the component to follow its monitors");
        Assert.Equal("identified", await IncidentStatus(incidentId!)); // not resolved by the automation

        Assert.IsType<CommandAccepted>(await service.CommandAsync(new PostIncidentUpdate("carol", incidentId!, "resolved", "Cleaned up; all good.")));
        await Eventually.Until(async () => await IncidentStatus(incidentId!) == "resolved", Wait, "the person's resolve");
    }
}
