using System.Globalization;
using StatusPlatform.Faults.Fixtures;
using Xunit.Abstractions;

namespace StatusPlatform.Faults;

/// <summary>
/// The broker and the database restart while check results stream into Incident.Service, and each of them while
/// Notify.Service fans an incident out to its subscribers. Both are the private ones of fault-infra.sh, so nothing else
/// on the machine notices.
/// </summary>
[Collection(PrivateInfrastructureCollection.Name)]
public sealed class InfrastructureRestartTests(PrivateInfrastructure infrastructure, ITestOutputHelper output)
{
    private const int Components = 30;
    private const int Cycles = 3;
    private const int Subscribers = 200;
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

    [Fact]
    public async Task A_broker_restart_mid_fan_out_gives_every_subscriber_exactly_one_message_per_notification()
    {
        // Slower than the crash test's fan-out: stopping the broker takes seconds, and the fan-out must still be under way.
        await using var notify = new NotifyWithSubscribers(infrastructure.Infra, Subscribers, mailsPerSecond: 25);
        await notify.StartAsync();
        var incidents = new[] { "Fan-out before", "Fan-out during" }
            .Select(name => NotifyWithSubscribers.Incident($"{name} {Guid.NewGuid():N}"[..30])).ToList();

        await notify.PublishAsync(incidents[0], Guid.NewGuid());
        // Mid fan-out: some subscribers have their mail, most do not.
        await CheckStream.Until(async () => (await notify.MailAsync()).Count >= 10, PhaseTimeout, "the first fan-out under way");
        var published = Task.CompletedTask;
        var atStop = (await notify.MailAsync()).Count; // stopping takes seconds: the connections are cut as it begins
        await infrastructure.WithBrokerDownAsync(async () =>
        {
            // Published while the broker is away (the publisher tries until it is back), and the fan-out of the first
            // goes on meanwhile: it needs the database and the SMTP server, not the broker.
            published = notify.PublishAsync(incidents[1], Guid.NewGuid());
            await Task.Delay(TimeSpan.FromSeconds(3));
        });
        // Published while the broker was down and consumed after it came back: the consumer reconnected.
        await published;
        var whenBack = (await notify.MailAsync()).Count;

        await notify.SettledAsync(Subscribers * incidents.Count, PhaseTimeout);
        var repeats = FanOutAssertions.AssertOneMessagePerNotification(await notify.MailAsync(), notify.Recipients, [.. incidents.Select(i => i.Name)]);
        Assert.Equal(0, repeats); // nothing crashed: not even the at-least-once window may show
        Assert.Equal(["1"], await notify.RowsAsync("select distinct attempts::text from notify.deliveries"));
        Assert.True(atStop < Subscribers, $"the first fan-out was over ({atStop} mails) when the broker began to stop; it proves nothing");
        var queues = await infrastructure.Infra.QueuesAsync(notify.Amqp);
        Assert.DoesNotContain(queues, q => (q.Key.EndsWith("_error", StringComparison.Ordinal) || q.Key.EndsWith("_skipped", StringComparison.Ordinal)) && q.Value > 0);
        output.WriteLine($"{Subscribers} subscribers x {incidents.Count} notifications; mails received when the broker began to stop: {atStop}, when it was back: {whenBack}");
    }

    /// <summary>
    /// The database goes away while batches of claimed deliveries are being sent: their transactions (the row locks and
    /// the outcomes they would commit) die with the sessions. Notify.Service must come through without a restart and
    /// give every subscriber exactly one message, by count: a message the SMTP server accepted must not go out again
    /// because its outcome could not be recorded, and none may be lost because it was recorded but not sent.
    /// </summary>
    [Fact]
    public async Task A_database_restart_mid_fan_out_gives_every_subscriber_exactly_one_message_per_notification()
    {
        await using var notify = new NotifyWithSubscribers(infrastructure.Infra, Subscribers, mailsPerSecond: 25);
        await notify.StartAsync();
        var incident = NotifyWithSubscribers.Incident($"Fan-out db {Guid.NewGuid():N}"[..30]);

        await notify.PublishAsync(incident, Guid.NewGuid());
        await CheckStream.Until(async () => (await notify.MailAsync()).Count >= 10, PhaseTimeout, "the fan-out under way");
        var logAtStop = await notify.DeliveryStatusesAsync();
        var mailsAtStop = (await notify.MailAsync()).Count;
        var mailsWhenDown = 0;
        await infrastructure.WithDatabaseDownAsync(async () =>
        {
            mailsWhenDown = (await notify.MailAsync()).Count;
            // Down longer than the claimed batches take to send (Concurrency x ClaimBatchSize = 80 mails at 25/s), so every
            // batch in flight reaches its next send or its commit while it is away, and the workers' next claims fail too.
            await Task.Delay(TimeSpan.FromSeconds(5));
        });
        var mailsWhenBack = (await notify.MailAsync()).Count;

        await notify.SettledAsync(Subscribers, PhaseTimeout);
        var mails = await notify.MailAsync();
        output.WriteLine($"{Subscribers} subscribers; log before the stop: {string.Join(", ", logAtStop)}; mails before the stop: {mailsAtStop}, " +
            $"when it was down: {mailsWhenDown}, when it was back: {mailsWhenBack}, at the end: {mails.Count} " +
            $"({mails.Count - Subscribers} more than one per subscriber)");

        Assert.False(notify.Service.HasExited, "Notify.Service exited; it must come through a database restart without one");
        // It really was mid fan-out: rows were pending just before the stop, the server had accepted messages whose batch
        // had not recorded them yet (a batch commits after its last send), and not everyone had mail once it was down.
        Assert.Contains(logAtStop, s => s.StartsWith("pending=", StringComparison.Ordinal));
        var sentAtStop = logAtStop.Where(s => s.StartsWith("sent=", StringComparison.Ordinal)).Sum(s => int.Parse(s[5..], CultureInfo.InvariantCulture));
        Assert.True(mailsAtStop > sentAtStop, $"no batch was in flight just before the database went away ({mailsAtStop} mails, {sentAtStop} recorded as sent)");
        Assert.True(mailsWhenDown < Subscribers, $"the fan-out was over ({mailsWhenDown} mails) when the database was down; it proves nothing");
        var queues = await infrastructure.Infra.QueuesAsync(notify.Amqp);
        Assert.DoesNotContain(queues, q => (q.Key.EndsWith("_error", StringComparison.Ordinal) || q.Key.EndsWith("_skipped", StringComparison.Ordinal)) && q.Value > 0);
        FanOutAssertions.AssertOneMessagePerNotification(mails, notify.Recipients, [incident.Name]);
        FanOutAssertions.AssertExactlyOneMessageEach(mails, notify.Recipients, [incident.Name]);
    }
}
