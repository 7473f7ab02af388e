using System.Text;
using MassTransit;
using StatusPlatform.Contracts;
using StatusPlatform.Notify.Tests.Fixtures;
using StatusPlatform.TestSupport;

namespace StatusPlatform.Notify.Tests.Deliveries;

/// <summary>Stopping Notify.Service in the middle of a fan-out and starting a new instance: every subscriber gets exactly one message.</summary>
public sealed class FanOutRestartTests
{
    private const int Subscribers = 150;

    [Fact]
    public async Task Stopping_mid_fan_out_and_starting_again_leaves_every_subscriber_with_exactly_one_message()
    {
        await using var receiver = await FakeReceiver.StartAsync();
        // A slow receiver and two senders at a time keep the fan-out going for seconds.
        receiver.Delay = TimeSpan.FromMilliseconds(50);
        await using var given = await ServiceWithSubscribers.StartAsync(TestSettings.With(("Delivery:Channels:webhook:Concurrency", "2")));
        var csv = new StringBuilder("channel,address,components\n");
        for (var i = 0; i < Subscribers; i++)
            csv.Append(CultureInfoInvariant($"webhook,{receiver.Url($"/hook/{i}")},{ServiceWithSubscribers.Api}\n"));
        var imported = await given.Service.AskOkAsync<ImportSubscribers, SubscribersImported>(new ImportSubscribers(csv.ToString(), Confirmed: true));
        Assert.Equal((Subscribers, 0), (imported.Created, imported.Updated));

        var messageId = NewId.NextGuid();
        await given.Service.PublishAsync(Fixtures.Incidents.Opened(Fixtures.Incidents.Api), messageId);
        await Eventually.Until(() => Task.FromResult(receiver.Received.Count), n => n >= 20, NotifyServiceHost.Patience, "the fan-out to be under way");
        await given.StopAsync();

        var stoppedWith = await given.Service.DeliveriesAsync(messageId);
        Assert.Contains(stoppedWith, d => d.Status == "pending"); // it really was stopped mid-way
        Assert.Equal(receiver.Received.Count, stoppedWith.Count(d => d.Status == "sent" && d.Recipient.Contains("/hook/", StringComparison.Ordinal)));

        receiver.Delay = TimeSpan.Zero;
        await given.StartAgainAsync();

        var deliveries = await given.Service.WaitUntilSettledAsync(messageId, expected: Subscribers + 2);
        Assert.All(deliveries, d => Assert.Equal(("sent", 1), (d.Status, d.Attempts)));
        var perHook = receiver.Received.GroupBy(r => r.Path).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(Subscribers, perHook.Count);
        Assert.All(perHook, hook => Assert.Equal(1, hook.Value));
    }

    private static string CultureInfoInvariant(FormattableString text) => FormattableString.Invariant(text);
}
