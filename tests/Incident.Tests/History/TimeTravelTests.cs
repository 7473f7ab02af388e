using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using StatusPlatform.Contracts;
using StatusPlatform.EventSourcing;
using StatusPlatform.TestSupport;
using IncidentComponent = StatusPlatform.Incident.Incidents.IncidentComponent;
using InternalIncidentOpened = StatusPlatform.Incident.Incidents.IncidentOpened;
using InternalIncidentResolved = StatusPlatform.Incident.Incidents.IncidentResolved;
using InternalStatusChanged = StatusPlatform.Incident.Components.ComponentStatusChanged;

namespace StatusPlatform.Incident.Tests.History;

/// <summary>
/// Incident.Service with its catalog, and then a recorded history appended to its store: Website goes down (t1), an
/// incident opens (t2), both end in one transaction (t3). The recording times are read back from the store.
/// </summary>
public sealed class ServiceWithRecordedHistory : IAsyncLifetime
{
    private IBusControl _bus = null!;

    public IncidentServiceWithCatalog Service { get; } = new();

    public DateTimeOffset T0 { get; private set; }
    public DateTimeOffset T1 { get; private set; }
    public DateTimeOffset T2 { get; private set; }
    public DateTimeOffset T3 { get; private set; }

    public IRequestClient<GetPageAt> PageAt { get; private set; } = null!;
    public IRequestClient<GetChanges> Changes { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Service.InitializeAsync();
        var wait = TimeSpan.FromSeconds(30);
        await Eventually.Until(async () => await Service.ScalarAsync<string>("select status from status.components where id = 'web'") == "operational",
            wait, "the catalog to be projected");
        T0 = await LastRecordedAsync();

        var store = Service.Services.GetRequiredService<EventStore>();
        IncidentComponent web = new("web", "Website", "operational", "major_outage");
        await store.AppendAsync("component-web", ExpectedVersion.Any, [new InternalStatusChanged("web", "Website", "operational", "major_outage", "test", DateTimeOffset.UtcNow)]);
        T1 = await LastRecordedAsync();
        await store.AppendAsync("incident-tt1", ExpectedVersion.NoStream, [new InternalIncidentOpened("tt1", "u1", "Website is down", "investigating", "major",
            "Looking.", [web], false, "ops", DateTimeOffset.UtcNow)]);
        T2 = await LastRecordedAsync();
        await using (var session = await store.OpenSessionAsync())
        {
            session.Append("component-web", ExpectedVersion.Any, new InternalStatusChanged("web", "Website", "major_outage", "operational", "test", DateTimeOffset.UtcNow));
            session.Append("incident-tt1", ExpectedVersion.Exactly(1), new InternalIncidentResolved("tt1", "u2", "Website is down", "Fixed.",
                [web with { NewStatus = "operational" }], false, "ops", DateTimeOffset.UtcNow));
            await session.SaveChangesAsync();
        }
        T3 = await LastRecordedAsync();
        await Eventually.Until(async () => await Service.ScalarAsync<long>("select count(*) from events.events where global_position is null") == 0,
            wait, "the history to be sequenced");

        _bus = Bus.Factory.CreateUsingRabbitMq(rabbit => rabbit.Host(Service.VirtualHost.AmqpUri));
        await _bus.StartAsync();
        PageAt = _bus.CreateRequestClient<GetPageAt>(RequestTimeout.After(s: 30));
        Changes = _bus.CreateRequestClient<GetChanges>(RequestTimeout.After(s: 30));
    }

    private async Task<DateTimeOffset> LastRecordedAsync() =>
        new(await Service.ScalarAsync<DateTime>("select max(recorded_at) from events.events"));

    public async Task DisposeAsync()
    {
        await _bus.StopAsync();
        await Service.DisposeAsync();
    }
}

/// <summary>Time travel over the bus against a history recorded in the store.</summary>
public sealed class TimeTravelTests(ServiceWithRecordedHistory history) : IClassFixture<ServiceWithRecordedHistory>
{
    private static DateTimeOffset Between(DateTimeOffset a, DateTimeOffset b) => a + (b - a) / 2;

    private async Task<PageAt> PageAtAsync(DateTimeOffset at) => (await history.PageAt.GetResponse<PageAt>(new GetPageAt(at))).Message;

    private static string Web(PageAt page) => page.Components.Single(c => c.ComponentId == "web").Status;

    [Fact]
    public async Task The_page_as_of_a_moment_between_recorded_events()
    {
        Assert.True(history.T0 < history.T1 && history.T1 < history.T2 && history.T2 < history.T3, "the appends were recorded in order");

        var before = await PageAtAsync(history.T0);
        Assert.Equal(("operational", "none"), (Web(before), before.Indicator));
        Assert.Equal("operational", before.Components.Single(c => c.ComponentId == "backend").Status);

        var down = await PageAtAsync(Between(history.T1, history.T2));
        Assert.Equal(("major_outage", "major", "Partial System Outage"), (Web(down), down.Indicator, down.Description));
        Assert.Empty(down.UnresolvedIncidents);

        var withIncident = await PageAtAsync(Between(history.T2, history.T3));
        var incident = Assert.Single(withIncident.UnresolvedIncidents);
        Assert.Equal(("tt1", "investigating", "major"), (incident.IncidentId, incident.Status, incident.Impact));

        var after = await PageAtAsync(history.T3);
        Assert.Equal(("operational", "none"), (Web(after), after.Indicator));
        Assert.Empty(after.UnresolvedIncidents);
    }

    [Fact]
    public async Task The_changes_between_two_moments_and_a_reversed_range_refused()
    {
        var changes = (await history.Changes.GetResponse<Changes>(new GetChanges(history.T0, history.T3))).Message;
        Assert.False(changes.Truncated);
        Assert.Equal([
            (history.T1, PageChangeKind.ComponentStatusChanged, "web"),
            (history.T1, PageChangeKind.PageStatusChanged, "statusplatform"),
            (history.T2, PageChangeKind.IncidentOpened, "tt1"),
            (history.T3, PageChangeKind.ComponentStatusChanged, "web"),
            (history.T3, PageChangeKind.IncidentResolved, "tt1"),
            (history.T3, PageChangeKind.PageStatusChanged, "statusplatform"),
        ], changes.Items.Select(c => (c.At, c.Kind, c.SubjectId)));

        var response = await history.Changes.GetResponse<Changes, HistoryRequestRejected>(new GetChanges(history.T3, history.T0));
        Assert.True(response.Is(out Response<HistoryRequestRejected>? rejected));
        Assert.Contains("before it starts", rejected!.Message.Reason);
    }
}
