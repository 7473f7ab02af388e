using StatusPlatform.Contracts;
using StatusPlatform.Incident.Catalog;
using StatusPlatform.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace StatusPlatform.Incident.Tests.Components;

/// <summary>Components, groups and templates written over the bus, and what the configuration file keeps for itself.</summary>
public sealed class ComponentCommandsTests(IncidentServiceWithCatalog service) : IClassFixture<IncidentServiceWithCatalog>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    private Task<string?> Column(string column, string id) => service.ScalarAsync<string>($"select {column} from status.components where id = $1", id);

    [Fact]
    public async Task A_group_and_a_component_are_created_moved_renamed_and_deleted_and_survive_a_reapplied_file()
    {
        await Eventually.Until(async () => await Column("name", "web") == "Website", Wait, "the catalog to be projected");

        Assert.Equal("payments", Assert.IsType<CommandAccepted>(await service.CommandAsync(new CreateComponent("alice", "Payments", "payments", IsGroup: true, Position: 5))).Id);
        var card = Assert.IsType<CommandAccepted>(await service.CommandAsync(new CreateComponent("alice", "Card API", "card-api", GroupId: "payments", Owner: "pay@example.com")));
        await Eventually.Until(async () => await Column("group_id", "card-api") == "payments", Wait, "the new component in its group");

        Assert.IsType<CommandConflict>(await service.CommandAsync(new UpdateComponent("bob", "card-api", Name: "Cards", ExpectedVersion: card.Version + 5)));
        Assert.IsType<CommandAccepted>(await service.CommandAsync(new UpdateComponent("bob", "card-api", Name: "Cards", GroupId: "", ExpectedVersion: card.Version)));
        await Eventually.Until(async () => await Column("name", "card-api") == "Cards" && await Column("group_id", "card-api") is null, Wait, "renamed and moved to the top");

        // The file is applied again (a restart): it keeps its own components and leaves the API's alone.
        var applier = service.Services.GetRequiredService<CatalogApplier>();
        await applier.ApplyAsync(CatalogFile.Parse(IncidentServiceWithCatalog.Yaml, "test.yaml"), CancellationToken.None);
        Assert.Equal("Cards", await Column("name", "card-api"));
        Assert.Equal(0L, await service.ScalarAsync<long>(
            "select count(*) from events.events where stream_id = 'component-card-api' and event_type = 'component_removed'"));

        Assert.IsType<CommandAccepted>(await service.CommandAsync(new DeleteComponent("bob", "card-api")));
        Assert.IsType<CommandAccepted>(await service.CommandAsync(new DeleteComponent("bob", "payments")));
        await Eventually.Until(async () => await Column("id", "card-api") is null && await Column("id", "payments") is null, Wait, "both gone from the page");
    }

    [Fact]
    public async Task The_files_components_and_bad_input_are_refused_with_the_reason()
    {
        await Eventually.Until(async () => await Column("name", "web") == "Website", Wait, "the catalog to be projected");
        var before = await service.ScalarAsync<long>("select count(*) from events.events");

        var fileOwned = Assert.IsType<CommandRejected>(await service.CommandAsync(new UpdateComponent("bob", "web", Name: "Site")));
        Assert.Contains("configuration file", fileOwned.Errors["component_id"][0]);
        Assert.IsType<CommandRejected>(await service.CommandAsync(new DeleteComponent("bob", "backend")));
        var invalid = Assert.IsType<CommandRejected>(await service.CommandAsync(new CreateComponent("alice", "", "Bad Id!", GroupId: "web", Position: 0)));
        Assert.Equal(["component_id", "group_id", "name", "position"], invalid.Errors.Keys.Order());
        var notAGroup = Assert.IsType<CommandRejected>(await service.CommandAsync(new CreateComponent("alice", "Thing", "thing", GroupId: "web")));
        Assert.Contains("group_id", notAGroup.Errors.Keys);
        Assert.IsType<CommandRejected>(await service.CommandAsync(new CreateComponent("alice", "Taken", "web")));
        Assert.True(Assert.IsType<CommandRejected>(await service.CommandAsync(new DeleteComponent("bob", "nope"))).NotFound);

        Assert.Equal(before, await service.ScalarAsync<long>("select count(*) from events.events"));
    }

    [Fact]
    public async Task Templates_are_saved_changed_and_deleted()
    {
        var saved = Assert.IsType<CommandAccepted>(await service.CommandAsync(new SaveIncidentTemplate("alice", "Outage", "{component} is down",
            "We are investigating problems with {component}.", "db-down")));
        await Eventually.Until(async () => await service.ScalarAsync<string>("select title from status.incident_templates where id = 'db-down'") == "{component} is down",
            Wait, "the template");
        Assert.IsType<CommandConflict>(await service.CommandAsync(new SaveIncidentTemplate("alice", "Outage", "x", "y", "db-down", ExpectedVersion: 9)));
        Assert.IsType<CommandAccepted>(await service.CommandAsync(new SaveIncidentTemplate("alice", "Outage", "{component} is unavailable", "Body", "db-down",
            ExpectedVersion: saved.Version)));
        Assert.Contains("status", Assert.IsType<CommandRejected>(await service.CommandAsync(new SaveIncidentTemplate("alice", "X", "Y", "Z", Status: "postmortem"))).Errors.Keys);

        Assert.IsType<CommandAccepted>(await service.CommandAsync(new DeleteIncidentTemplate("alice", "db-down")));
        await Eventually.Until(async () => await service.ScalarAsync<long>("select count(*) from status.incident_templates where id = 'db-down'") == 0, Wait, "the template gone");
    }
}
