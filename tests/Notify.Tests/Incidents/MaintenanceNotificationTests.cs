using MassTransit;
using StatusPlatform.Contracts;
using StatusPlatform.Notify.Tests.Fixtures;
using StatusPlatform.TestSupport;

namespace StatusPlatform.Notify.Tests.Incidents;

/// <summary>Maintenance announcements, reminders and their end reach the subscribers of the components in the window, once each.</summary>
public sealed class MaintenanceNotificationTests
{
    private static readonly DateTimeOffset Start = new(2030, 1, 5, 2, 0, 0, TimeSpan.Zero);

    private static MaintenanceChanged Changed(string status, string body) => new("mnt-1", $"upd-{status}", "Database upgrade", status, body, Start, Start.AddHours(2),
        [new AffectedComponent(ServiceWithSubscribers.Website, "Demo Website", ComponentStatus.UnderMaintenance)], true, "alice", DateTimeOffset.UtcNow);

    [Fact]
    public async Task An_announcement_a_reminder_and_the_completion_each_email_the_components_subscribers_once()
    {
        await using var given = await ServiceWithSubscribers.StartAsync();
        var (scheduled, reminder, completed) = (NewId.NextGuid(), NewId.NextGuid(), NewId.NextGuid());

        await given.Service.PublishAsync(Changed(MaintenanceStatus.Scheduled, "We upgrade **PostgreSQL**."), scheduled);
        await given.Service.PublishAsync(new MaintenanceReminder("mnt-1", "Database upgrade", Start, Start.AddHours(2),
            [new AffectedComponent(ServiceWithSubscribers.Website, "Demo Website", ComponentStatus.UnderMaintenance)], 60), reminder);
        await given.Service.PublishAsync(Changed(MaintenanceStatus.Completed, "Done."), completed);
        await given.Service.PublishAsync(Changed(MaintenanceStatus.Completed, "Done."), completed); // a redelivery

        foreach (var id in new[] { scheduled, reminder, completed })
            await given.Service.WaitUntilSettledAsync(id, expected: 2);
        var emails = await Eventually.Until(() => MailDev.EmailsToAsync(given.WebsiteFan), e => e.Count >= 3, NotifyServiceHost.Patience, "three maintenance emails");
        Assert.Equal(["[Maintenance completed] Demo Website: Database upgrade", "[Maintenance reminder] Demo Website: Database upgrade",
            "[Scheduled maintenance] Demo Website: Database upgrade"], emails.Select(e => e.Subject).Order(StringComparer.Ordinal));
        Assert.Contains("starts in 60 minutes", emails.Single(e => e.Subject!.Contains("reminder", StringComparison.Ordinal)).Text);
        Assert.Contains("2030-01-05 02:00 to 2030-01-05 04:00 UTC", emails.Single(e => e.Subject!.StartsWith("[Scheduled", StringComparison.Ordinal)).Text);
        Assert.Empty(await MailDev.EmailsToAsync(given.ApiFan)); // not in the window
    }
}
