using MassTransit;
using StatusPlatform.Contracts;
using StatusPlatform.TestSupport;

namespace StatusPlatform.Incident.Tests.Monitors;

/// <summary>Two Incident.Service instances share one database and one queue of results, as two replicas would.</summary>
public sealed class TwoInstancesTests : IAsyncLifetime
{
    private const int Outages = 3;
    private readonly TwoIncidentServices _services = new();

    public Task InitializeAsync() => _services.StartAsync();

    public async Task DisposeAsync() => await _services.DisposeAsync();

    [Fact]
    public async Task Repeated_outages_through_two_instances_give_one_incident_each_and_every_transition_once()
    {
        var clock = DateTimeOffset.UtcNow;
        await Eventually.Until(async () => await StatusAsync() == "operational", TimeSpan.FromSeconds(30), "the catalog on the page");
        for (var outage = 0; outage < Outages; outage++)
        {
            // Each result twice, as a redelivery would, and the pair of failures at once so both instances take one.
            var failures = Enumerable.Range(0, 2).Select(_ => Result(clock = clock.AddSeconds(1), CheckOutcome.Down)).ToList();
            await Task.WhenAll(failures.Concat(failures).Select(Publish));
            await Eventually.Until(async () => await StatusAsync() == "major_outage", TimeSpan.FromSeconds(30), $"outage {outage + 1} on the page");
            var recovery = Result(clock = clock.AddSeconds(1), CheckOutcome.Up);
            await Task.WhenAll(Publish(recovery), Publish(recovery));
            await Eventually.Until(async () => await StatusAsync() == "operational", TimeSpan.FromSeconds(30), $"recovery {outage + 1} on the page");
        }
        await Eventually.Until(async () => await ScalarAsync("select count(*) from status.incidents where status = 'resolved'") == Outages,
            TimeSpan.FromSeconds(30), "every incident resolved on the page");

        Assert.Equal(Outages, await ScalarAsync("select count(*) from status.incident_components where component_id = 'web'"));
        Assert.Equal("monitor_went_down,monitor_recovered,monitor_went_down,monitor_recovered,monitor_went_down,monitor_recovered",
            await TextAsync("select string_agg(event_type, ',' order by version) from events.events where stream_id = 'monitor-web-http' and event_type <> 'monitor_defined'"));
        Assert.Equal(Outages * 2, await ScalarAsync("select count(*) from events.events where stream_id like 'incident-%'"));
        Assert.Equal(Outages * 3, await ScalarAsync("select count(*) from checks.results where monitor_id = 'web-http'"));
    }

    private static CheckCompleted Result(DateTimeOffset startedAt, CheckOutcome outcome) =>
        new(Guid.NewGuid(), "web-http", "eu", "probe-1", startedAt, 5, outcome, outcome == CheckOutcome.Down ? 503 : 200, null, null);

    private Task Publish(CheckCompleted result) => _services.Bus.Publish(result, ctx => ctx.MessageId = result.CheckId);

    private async Task<string?> StatusAsync() => await TextAsync("select status from status.components where id = 'web'");

    private Task<long> ScalarAsync(string sql) => _services.ScalarAsync(sql);

    private Task<string?> TextAsync(string sql) => _services.TextAsync(sql);
}
