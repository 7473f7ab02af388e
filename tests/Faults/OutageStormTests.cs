using System.Globalization;
using System.Text;
using MassTransit;
using StatusPlatform.Contracts;
using StatusPlatform.Faults.Fixtures;

namespace StatusPlatform.Faults;

/// <summary>
/// A thousand monitors (200 components of 5) fail at once, as when a shared dependency goes: the fold must record every
/// transition once and the page must show one automatic incident naming every component, not hundreds.
/// Counts, not timings, are asserted.
/// </summary>
public sealed class OutageStormTests
{
    // SP_STORM_COMPONENTS shrinks the storm for a quick local run; CI runs the full thousand monitors.
    private static readonly int Components = int.Parse(Environment.GetEnvironmentVariable("SP_STORM_COMPONENTS") ?? "200", CultureInfo.InvariantCulture);
    private const int MonitorsPerComponent = 5;
    private static readonly int Monitors = Components * MonitorsPerComponent;
    private static readonly TimeSpan Wait = TimeSpan.FromMinutes(4);

    [Fact]
    public async Task A_thousand_monitors_failing_at_once_open_one_grouped_incident_and_recover_into_its_resolution()
    {
        await using var service = new InProcessIncidentService(Infra.Shared, Yaml());
        await service.StartAsync();
        var stream = service.Stream(Components, 1);
        await CheckStream.Until(async () => await stream.ScalarAsync<long>("select count(*) from status.components") == Components,
            Wait, "the catalog on the page");
        var bus = Bus.Factory.CreateUsingRabbitMq(rabbit => rabbit.Host(service.Amqp));
        await bus.StartAsync();
        try
        {
            var clock = DateTimeOffset.UtcNow;
            await PublishAllAsync(bus, clock, CheckOutcome.Down);
            try
            {
                await CheckStream.Until(async () => await stream.ScalarAsync<long>("select count(*) from status.components where status = 'major_outage'") == Components,
                    Wait, "every component in a major outage");
            }
            catch (TimeoutException e)
            {
                var state = await stream.RowsAsync("""
                    select c.id || ' ' || c.status || ' events: ' || (select string_agg(e.event_type || coalesce(':' || (e.data->>'status'), ''), ',' order by e.version)
                        from events.events e where e.stream_id = 'component-' || c.id)
                    from status.components c where c.status <> 'major_outage' order by c.id
                    """);
                throw new TimeoutException($"{e.Message}; components not in a major outage:\n{string.Join('\n', state)}", e);
            }

            Assert.Equal(Monitors, await stream.ScalarAsync<long>("select count(*) from events.events where event_type = 'monitor_went_down'"));
            Assert.Equal(Monitors, await stream.ScalarAsync<long>("select count(distinct stream_id) from events.events where event_type = 'monitor_went_down'"));
            await CheckStream.Until(async () => await stream.ScalarAsync<long>("select count(*) from status.incident_components") == Components,
                Wait, "every component on an incident");
            Assert.Equal(1, await stream.ScalarAsync<long>("select count(*) from status.incidents"));
            Assert.Equal(Components, await stream.ScalarAsync<long>("select count(distinct stream_id) from events.events where event_type = 'automatic_incident_attached'"));
            Assert.Equal(Components, await stream.ScalarAsync<long>("select count(*) from events.events where event_type = 'automatic_incident_attached'"));

            await PublishAllAsync(bus, clock.AddSeconds(1), CheckOutcome.Up);
            await CheckStream.Until(async () => await stream.ScalarAsync<long>("select count(*) from status.incidents where status = 'resolved'") == 1,
                Wait, "the grouped incident resolved");
            Assert.Equal(0, await stream.ScalarAsync<long>("select count(*) from status.components where status <> 'operational'"));
            Assert.Equal(Monitors, await stream.ScalarAsync<long>("select count(*) from events.events where event_type = 'monitor_recovered'"));
            Assert.Equal(1, await stream.ScalarAsync<long>("select count(*) from events.events where event_type = 'incident_resolved'"));
            Assert.DoesNotContain(await Infra.Shared.QueuesAsync(service.Amqp), q => q.Key.EndsWith("_error", StringComparison.Ordinal) && q.Value > 0);
        }
        finally
        {
            await bus.StopAsync();
        }
    }

    private static Task PublishAllAsync(IBus bus, DateTimeOffset at, CheckOutcome outcome) =>
        Task.WhenAll(Enumerable.Range(0, Monitors).Select(i =>
        {
            var result = CheckStream.Result($"m{i:0000}", at, outcome);
            return bus.Publish(result, ctx => ctx.MessageId = result.CheckId);
        }));

    private static string Yaml()
    {
        var yaml = new StringBuilder(CheckStream.Yaml(Components).Split("monitors:")[0]).AppendLine("monitors:");
        for (var i = 0; i < Monitors; i++)
        {
            yaml.AppendLine(CultureInfo.InvariantCulture, $"  - id: m{i:0000}").AppendLine(CultureInfo.InvariantCulture, $"    component: {CheckStream.ComponentId(i / MonitorsPerComponent)}")
                .AppendLine(CultureInfo.InvariantCulture, $"    url: http://127.0.0.1:9/{i}").AppendLine("    interval: 10s")
                .AppendLine("    failure_threshold: 1").AppendLine("    success_threshold: 1");
        }
        return yaml.ToString();
    }
}
