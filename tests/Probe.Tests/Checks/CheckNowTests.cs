using System.Collections.Concurrent;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using StatusPlatform.Contracts;
using StatusPlatform.Probe.Scheduling;
using StatusPlatform.Probe.Tests.Fixtures;
using StatusPlatform.TestSupport;

namespace StatusPlatform.Probe.Tests.Checks;

/// <summary>"Check now": the probe that owns the monitor in its region checks it once, outside its schedule, and answers with the request's id.</summary>
public sealed class CheckNowTests : BrokerAndTarget
{
    private readonly ConcurrentQueue<CheckNowCompleted> _answers = new();
    private IBusControl _listener = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _listener = MassTransit.Bus.Factory.CreateUsingRabbitMq(rabbit =>
        {
            rabbit.Host(VirtualHost.AmqpUri);
            rabbit.ReceiveEndpoint("test-check-now-answers", endpoint => endpoint.Handler<CheckNowCompleted>(context =>
            {
                _answers.Enqueue(context.Message);
                return Task.CompletedTask;
            }));
        });
        await _listener.StartAsync();
    }

    public override async Task DisposeAsync()
    {
        await _listener.StopAsync();
        await base.DisposeAsync();
    }

    [Fact]
    public async Task The_owner_checks_the_monitor_at_once_and_answers_with_the_result_it_also_published_as_a_check()
    {
        Target.Set("/slow-grid", TargetMode.Failing);
        // Ten minutes between scheduled checks: the answer cannot wait for the schedule.
        var probe = await StartProbeWithCatalogAsync(HttpMonitor("slow-grid", Target.Url("/slow-grid"), intervalSeconds: 600, timeoutSeconds: 2));
        // A probe can join its region before its catalog arrives; it then answers "not in the catalog (yet)", tested below.
        await Eventually.Until(() => Task.FromResult(probe.Services.GetRequiredService<MonitorScheduler>().MonitorIds.Contains("slow-grid")),
            TimeSpan.FromSeconds(30), "the catalog at the probe");

        var answer = (await AskAsync("slow-grid", "the check-now answer"))!;

        Assert.Equal(("slow-grid", "test-region", "probe-1", null), (answer.MonitorId, answer.Region, answer.ProbeInstance, answer.Problem));
        var result = Assert.IsType<CheckCompleted>(answer.Result);
        Assert.Equal((CheckOutcome.Down, 503), (result.Outcome, result.StatusCode));
        // The same check went out as a normal result, so Incident.Service records and folds it.
        await ResultsAsync("slow-grid", 1, "the published check");
        Assert.Contains(Bus.ResultsFor("slow-grid"), r => r.Message.CheckId == result.CheckId);
        Assert.True(Target.Requests("/slow-grid") >= 1);
    }

    [Fact]
    public async Task A_monitor_the_probe_does_not_run_is_answered_with_the_reason_and_no_check()
    {
        await StartProbeWithCatalogAsync(HttpMonitor("known", Target.Url("/known"), intervalSeconds: 600));

        var answer = (await AskAsync("not-in-the-catalog", "the answer about an unknown monitor"))!;

        Assert.Null(answer.Result);
        Assert.Contains("catalog does not have it", answer.Problem, StringComparison.Ordinal);
        Assert.Empty(Bus.ResultsFor("not-in-the-catalog"));
    }

    // A probe owns nothing until it has joined its region (a warm-up of a few seconds): ask again each second until one answers.
    private Task<CheckNowCompleted?> AskAsync(string monitorId, string what)
    {
        var lastAsked = DateTimeOffset.MinValue;
        return Eventually.Until(async () =>
        {
            var answer = _answers.FirstOrDefault(a => a.MonitorId == monitorId);
            if (answer is null && DateTimeOffset.UtcNow - lastAsked > TimeSpan.FromSeconds(1))
            {
                lastAsked = DateTimeOffset.UtcNow;
                await _listener.Publish(new CheckNowRequested(Guid.NewGuid(), monitorId, "tester", lastAsked));
            }
            return answer;
        }, a => a is not null, TimeSpan.FromSeconds(30), what);
    }
}
