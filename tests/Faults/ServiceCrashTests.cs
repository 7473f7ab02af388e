using StatusPlatform.Faults.Fixtures;

namespace StatusPlatform.Faults;

/// <summary>Incident.Service is killed with SIGKILL while it folds a stream of results, and started again.</summary>
public sealed class ServiceCrashTests
{
    private const int Components = 30;
    private const int Cycles = 3;
    private static readonly TimeSpan PhaseTimeout = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task A_killed_and_restarted_incident_service_loses_and_repeats_no_transition()
    {
        var infra = Infra.Shared;
        var configFile = Path.Combine(Path.GetTempPath(), $"sp-faults-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(configFile, CheckStream.Yaml(Components));
        var database = await infra.CreateDatabaseAsync();
        var amqp = await infra.CreateVirtualHostAsync();
        var service = new IncidentProcess(new Dictionary<string, string>
        {
            ["ConnectionStrings__statusdb"] = database,
            ["ConnectionStrings__messaging"] = amqp.ToString(),
            ["StatusPlatform__ConfigFile"] = configFile,
        });
        try
        {
            await service.StartAsync(TimeSpan.FromSeconds(120));
            var stream = new CheckStream(database, amqp, Components, Cycles);
            var running = stream.RunAsync(PhaseTimeout);

            await CheckStream.Until(async () => await stream.RecordedAsync() >= stream.Total / 3, PhaseTimeout, "a third of the results");
            await service.KillAsync();
            var recordedAtKill = await stream.RecordedAsync();
            await service.StartAsync(TimeSpan.FromSeconds(120));
            await running;

            Assert.True(recordedAtKill < stream.Total, "the kill came after the last result; it proves nothing");
            await StreamAssertions.AssertConsistentAsync(stream, infra, amqp);
        }
        finally
        {
            await service.DisposeAsync();
            await infra.DeleteVirtualHostAsync(amqp);
            await infra.DropDatabaseAsync(database);
            File.Delete(configFile);
        }
    }
}
