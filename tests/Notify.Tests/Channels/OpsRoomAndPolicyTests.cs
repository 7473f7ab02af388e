using System.Text;
using System.Text.Json;
using MassTransit;
using StatusPlatform.Contracts;
using StatusPlatform.Notify.Tests.Fixtures;
using StatusPlatform.TestSupport;

namespace StatusPlatform.Notify.Tests.Channels;

/// <summary>
/// The default policy end to end: an automatic incident's opening reaches only the ops room; people hear of it when
/// it persists, and of its resolution; SMS goes out on open and resolve only; the quiet rule holds back a second
/// message; deliver_notifications=false reaches only the ops room.
/// </summary>
public sealed class OpsRoomAndPolicyTests
{
    private const string Phone = "+4915112345678";

    [Fact]
    public async Task An_automatic_incident_reaches_the_ops_room_first_and_people_when_it_persists_and_when_it_resolves()
    {
        await using var receiver = await FakeReceiver.StartAsync();
        await using var given = await ServiceWithSubscribers.StartAsync(Settings(receiver, ("Notify:PersistentOutageMinutes", "0.01"), ("Notify:QuietMinutes", "0")));
        await given.Service.AskOkAsync<Subscribe, SubscriptionCreated>(new Subscribe("sms", Phone));
        await given.Service.AskOkAsync<Subscribe, SubscriptionCreated>(new Subscribe("discord", receiver.Url("/discord"), [ServiceWithSubscribers.Api]));
        await Eventually.Until(() => Task.FromResult(receiver.To("/discord").Count), n => n == 1, NotifyServiceHost.Patience, "the discord welcome");
        var opened = Fixtures.Incidents.Opened(Fixtures.Incidents.Api) with { Automatic = true };
        var openedId = NewId.NextGuid();

        await given.Service.PublishAsync(opened, openedId);

        var first = Assert.Single(await given.Service.WaitUntilSettledAsync(openedId, expected: 1));
        Assert.Equal(receiver.Url("/ops"), first.Recipient);
        using (var slack = JsonDocument.Parse(Assert.Single(receiver.To("/ops")).Body))
            Assert.Contains(opened.Name, slack.RootElement.GetProperty("text").GetString());

        // Still open after Notify:PersistentOutageMinutes: now the people hear of it, SMS included.
        var persisting = await Eventually.Until(() => given.Service.DeliveryDetailsAsync(),
            rows => rows.Count(r => r.Kind == "incident_persisting" && r.Status == "sent") == 4, NotifyServiceHost.Patience, "the persisting notices");
        Assert.Equal(["discord", "email", "email", "sms"], persisting.Where(r => r.Kind == "incident_persisting").Select(r => r.Channel).Order(StringComparer.Ordinal));
        var sms = Assert.Single(receiver.To("/sms"));
        var form = System.Web.HttpUtility.ParseQueryString(sms.Body);
        Assert.Equal((Phone, "+15550001"), (form["To"], form["From"]));
        Assert.Contains(opened.Name, form["Body"]);
        Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("AC123:secret-token")), sms.Header("Authorization"));
        Assert.Single(receiver.To("/ops")); // the room saw the opening; the persisting notice is for people
        Assert.Equal(2, receiver.To("/discord").Count);

        // A human update: people hear it, but not by SMS.
        var updateId = NewId.NextGuid();
        await given.Service.PublishAsync(new IncidentUpdated(opened.IncidentId, "u2", opened.Name, IncidentStatus.Identified, "Found it.", opened.Components,
            DateTimeOffset.UtcNow), updateId);
        var update = await given.Service.WaitUntilSettledAsync(updateId, expected: 4);
        Assert.Equal(4, update.Count); // ops room, two emails, discord
        Assert.Single(receiver.To("/sms"));

        // The resolution goes to everybody who was told, SMS included.
        var resolvedId = NewId.NextGuid();
        await given.Service.PublishAsync(Fixtures.Incidents.Resolved(opened) with { Automatic = true }, resolvedId);
        Assert.Equal(5, (await given.Service.WaitUntilSettledAsync(resolvedId, expected: 5)).Count);
        Assert.Equal(2, receiver.To("/sms").Count);
    }

    [Fact]
    public async Task An_automatic_incident_that_resolves_before_it_persists_reaches_only_the_ops_room()
    {
        await using var receiver = await FakeReceiver.StartAsync();
        await using var given = await ServiceWithSubscribers.StartAsync(Settings(receiver));
        await given.Service.AskOkAsync<Subscribe, SubscriptionCreated>(new Subscribe("sms", Phone));
        var opened = Fixtures.Incidents.Opened(Fixtures.Incidents.Api) with { Automatic = true };
        var (openedId, resolvedId) = (NewId.NextGuid(), NewId.NextGuid());

        await given.Service.PublishAsync(opened, openedId);
        await given.Service.PublishAsync(Fixtures.Incidents.Resolved(opened) with { Automatic = true }, resolvedId);

        Assert.Equal(receiver.Url("/ops"), Assert.Single(await given.Service.WaitUntilSettledAsync(openedId, expected: 1)).Recipient);
        Assert.Equal(receiver.Url("/ops"), Assert.Single(await given.Service.WaitUntilSettledAsync(resolvedId, expected: 1)).Recipient);
        Assert.Empty(receiver.To("/sms"));
        Assert.Empty(await MailDev.EmailsToAsync(given.ApiFan));
    }

    [Fact]
    public async Task Deliver_notifications_false_reaches_only_the_ops_room()
    {
        await using var receiver = await FakeReceiver.StartAsync();
        await using var given = await ServiceWithSubscribers.StartAsync(Settings(receiver));
        var messageId = NewId.NextGuid();

        await given.Service.PublishAsync(Fixtures.Incidents.Opened(Fixtures.Incidents.Api) with { DeliverNotifications = false }, messageId);

        Assert.Equal(receiver.Url("/ops"), Assert.Single(await given.Service.WaitUntilSettledAsync(messageId, expected: 1)).Recipient);
        Assert.Empty(await MailDev.EmailsToAsync(given.ApiFan));
    }

    [Fact]
    public async Task The_quiet_rule_holds_back_a_second_message_within_minutes_but_not_the_resolution()
    {
        await using var receiver = await FakeReceiver.StartAsync();
        await using var given = await ServiceWithSubscribers.StartAsync(Settings(receiver));
        var opened = Fixtures.Incidents.Opened(Fixtures.Incidents.Api);
        var (openedId, updateId, resolvedId) = (NewId.NextGuid(), NewId.NextGuid(), NewId.NextGuid());
        await given.Service.PublishAsync(opened, openedId);
        await given.Service.WaitUntilSettledAsync(openedId, expected: 3);

        await given.Service.PublishAsync(new IncidentUpdated(opened.IncidentId, "u2", opened.Name, IncidentStatus.Identified, "Found it.", opened.Components,
            DateTimeOffset.UtcNow), updateId);
        var update = await given.Service.WaitUntilSettledAsync(updateId, expected: 3);
        Assert.Equal(["sent", "suppressed", "suppressed"], update.Select(d => d.Recipient == receiver.Url("/ops") ? "sent" : d.Status).Order(StringComparer.Ordinal));
        Assert.Equal("sent", update.Single(d => d.Recipient == receiver.Url("/ops")).Status); // the ops room sees everything

        await given.Service.PublishAsync(Fixtures.Incidents.Resolved(opened), resolvedId);
        Assert.All(await given.Service.WaitUntilSettledAsync(resolvedId, expected: 3), d => Assert.Equal("sent", d.Status));
        var emails = await Eventually.Until(() => MailDev.EmailsToAsync(given.ApiFan), e => e.Count >= 2, NotifyServiceHost.Patience, "two emails");
        Assert.Equal(2, emails.Count);
    }

    private static Dictionary<string, string> Settings(FakeReceiver receiver, params (string, string)[] more) => TestSettings.With(
    [
        ("Notify:OpsRoom:Url", receiver.Url("/ops")),
        ("Notify:OpsRoom:Platform", "slack"),
        ("Notify:Sms:BaseUrl", receiver.Url("/sms")),
        ("Notify:Sms:AccountSid", "AC123"),
        ("Notify:Sms:AuthToken", "secret-token"),
        ("Notify:Sms:From", "+15550001"),
        ("Notify:PersistentOutageCheckInterval", "00:00:00.200"),
        .. more,
    ]);
}
