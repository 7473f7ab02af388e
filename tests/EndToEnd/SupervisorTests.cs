using StatusPlatform.AppHost;
using StatusPlatform.TestSupport;

namespace StatusPlatform.EndToEnd;

public sealed class SupervisorTests
{
    [Fact]
    public async Task A_service_that_crashes_is_started_again_and_becomes_healthy()
    {
        await using var vhost = await TestVirtualHost.CreateAsync();
        var log = new StringWriter();
        await using var supervisor = new Supervisor(new Dictionary<string, string> { ["ConnectionStrings__messaging"] = vhost.AmqpUri.ToString() }, TextWriter.Synchronized(log));
        var probe = await supervisor.StartAsync(ServiceProject.Probe, null, CancellationToken.None);
        var firstPid = probe.ProcessId;
        using var stop = new CancellationTokenSource();
        var watching = supervisor.WatchAsync(stop.Token);

        probe.Kill();

        await Eventually.Until(() => Task.FromResult(probe.Restarts == 1 && probe.ProcessId is { } pid && pid != firstPid),
            TimeSpan.FromSeconds(30), "the supervisor to start the probe again");
        Assert.Equal("200 Healthy", await probe.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60)));
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => watching);
        Assert.Contains("probe exited; restarting", log.ToString());
    }
}
