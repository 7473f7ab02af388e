using StatusPlatform.Faults.Fixtures;

namespace StatusPlatform.Faults;

/// <summary>
/// The broker and the database restart while check results stream into Incident.Service. Both are the private ones of
/// fault-infra.sh, so nothing else on the machine notices.
/// </summary>
[Collection(PrivateInfrastructureCollection.Name)]
public sealed class InfrastructureRestartTests(PrivateInfrastructure infrastructure)
{
    private const int Components = 30;
    private const int Cycles = 3;
    private static readonly TimeSpan PhaseTimeout = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task A_broker_restart_mid_stream_loses_and_repeats_no_transition()
    {
        await using var service = new InProcessIncidentService(infrastructure.Infra, CheckStream.Yaml(Components));
        await service.StartAsync();
        var stream = service.Stream(Components, Cycles);

        var running = stream.RunAsync(PhaseTimeout);
        // Mid-stream: a third of the results are in, the rest are queued, in flight or not yet published.
        await CheckStream.Until(async () => await stream.RecordedAsync() >= stream.Total / 3, PhaseTimeout, "a third of the results");
        await infrastructure.WithBrokerDownAsync(() => Task.CompletedTask);
        await running;

        await StreamAssertions.AssertConsistentAsync(stream, infrastructure.Infra, service.Amqp);
    }

    [Fact]
    public async Task A_database_restart_mid_stream_loses_and_repeats_no_transition()
    {
        await using var service = new InProcessIncidentService(infrastructure.Infra, CheckStream.Yaml(Components));
        await service.StartAsync();
        var stream = service.Stream(Components, Cycles);

        var running = stream.RunAsync(PhaseTimeout);
        await CheckStream.Until(async () => await stream.RecordedAsync() >= stream.Total / 3, PhaseTimeout, "a third of the results");
        // Down long enough that results arrive meanwhile and a consumer's first retries fail too (a real restart, not a blip).
        await infrastructure.WithDatabaseDownAsync(() => Task.Delay(TimeSpan.FromSeconds(10)));
        await running;

        await StreamAssertions.AssertConsistentAsync(stream, infrastructure.Infra, service.Amqp);
    }
}
