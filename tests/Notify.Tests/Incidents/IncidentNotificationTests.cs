using MassTransit;
using StatusPlatform.Notify.Tests.Fixtures;
using StatusPlatform.TestSupport;

namespace StatusPlatform.Notify.Tests.Incidents;

/// <summary>Incident events published on the bus become one email per subscriber of the affected components, through real SMTP.</summary>
public sealed class IncidentNotificationTests
{
    [Fact]
    public async Task An_opened_incident_emails_each_subscriber_of_its_component_once_and_nobody_else()
    {
        await using var given = await ServiceWithSubscribers.StartAsync();
        var opened = Fixtures.Incidents.Opened(Fixtures.Incidents.Website);
        var messageId = NewId.NextGuid();

        await given.Service.PublishAsync(opened, messageId);

        var deliveries = await given.Service.WaitUntilSettledAsync(messageId, expected: 2);
        Assert.Equal(new[] { given.OpsTeam, given.WebsiteFan }.Order(StringComparer.Ordinal), deliveries.Select(d => d.Recipient));
        Assert.All(deliveries, d => Assert.Equal(("sent", 1), (d.Status, d.Attempts)));
        foreach (var delivery in deliveries)
        {
            var email = Assert.Single(await ArrivedAsync(delivery.Recipient, count: 1));
            Assert.Equal($"[Investigating] Demo Website: {opened.Name}", email.Subject);
            Assert.Contains(opened.Body, email.Text);
            Assert.Contains(opened.Body, email.Html);
            Assert.Contains("<li>Demo Website: major outage</li>", email.Html);
            Assert.Equal($"<{delivery.Id:N}@statusplatform.local>", email.MessageId);
        }
        Assert.Empty(await MailDev.EmailsToAsync(given.ApiFan));
    }

    [Fact]
    public async Task The_same_message_delivered_twice_sends_one_email_and_records_one_delivery_per_subscriber()
    {
        await using var given = await ServiceWithSubscribers.StartAsync();
        var opened = Fixtures.Incidents.Opened(Fixtures.Incidents.Api);
        var messageId = NewId.NextGuid();

        await given.Service.PublishAsync(opened, messageId);
        await given.Service.PublishAsync(opened, messageId);

        await given.Service.WaitUntilConsumedAsync(messageId, times: 2);
        var deliveries = await given.Service.WaitUntilSettledAsync(messageId, expected: 2);
        Assert.Equal(new[] { given.ApiFan, given.OpsTeam }.Order(StringComparer.Ordinal), deliveries.Select(d => d.Recipient));
        foreach (var recipient in new[] { given.ApiFan, given.OpsTeam })
            Assert.Single(await ArrivedAsync(recipient, count: 1));
        Assert.Empty(await MailDev.EmailsToAsync(given.WebsiteFan));
    }

    [Fact]
    public async Task A_resolved_incident_sends_exactly_one_more_email_to_each_subscriber()
    {
        await using var given = await ServiceWithSubscribers.StartAsync();
        var opened = Fixtures.Incidents.Opened(Fixtures.Incidents.Website, Fixtures.Incidents.Api);
        var (openedId, resolvedId) = (NewId.NextGuid(), NewId.NextGuid());
        await given.Service.PublishAsync(opened, openedId);
        await given.Service.WaitUntilSettledAsync(openedId, expected: 3);

        await given.Service.PublishAsync(Fixtures.Incidents.Resolved(opened), resolvedId);

        var deliveries = await given.Service.WaitUntilSettledAsync(resolvedId, expected: 3);
        Assert.Equal(3, deliveries.Count);
        foreach (var recipient in new[] { given.WebsiteFan, given.OpsTeam, given.ApiFan })
        {
            var emails = await ArrivedAsync(recipient, count: 2);
            Assert.Equal(
                [$"[Investigating] Demo Website, Demo API: {opened.Name}", $"[Resolved] Demo Website, Demo API: {opened.Name}"],
                emails.Select(e => e.Subject).Order(StringComparer.Ordinal));
        }
    }

    /// <summary>Waits for <paramref name="count"/> emails to the address; a duplicate would already be in MailDev, as its row is settled.</summary>
    private static Task<IReadOnlyList<ReceivedEmail>> ArrivedAsync(string recipient, int count) =>
        Eventually.Until(() => MailDev.EmailsToAsync(recipient), emails => emails.Count >= count, NotifyServiceHost.Patience, $"{count} email(s) to {recipient}");
}
