using System.Text;
using MassTransit;
using Npgsql;
using StatusPlatform.Contracts;
using StatusPlatform.Notify.Tests.Fixtures;
using StatusPlatform.TestSupport;

namespace StatusPlatform.Notify.Tests.Deliveries;

/// <summary>
/// An event's deliveries are recorded in steps (webhooks before email, a few subscribers per transaction) and sent while
/// the rest is recorded. When the recording stops part-way, the event delivered again records the rest and sends
/// nothing twice.
/// </summary>
public sealed class PartialRecordingTests
{
    private const int Webhooks = 5;

    [Fact]
    public async Task An_event_delivered_again_after_only_its_webhook_rows_were_recorded_ends_with_one_row_and_one_message_per_subscriber()
    {
        await using var receiver = await FakeReceiver.StartAsync();
        // Two subscribers per step: the webhooks take three steps.
        await using var given = await ServiceWithSubscribers.StartAsync(TestSettings.With(("Delivery:RecordBatchSize", "2")));
        var csv = new StringBuilder("channel,address,components\n");
        for (var i = 0; i < Webhooks; i++)
            csv.Append(FormattableString.Invariant($"webhook,{receiver.Url($"/hook/{i}")},{ServiceWithSubscribers.Api}\n"));
        var imported = await given.Service.AskOkAsync<ImportSubscribers, SubscribersImported>(new ImportSubscribers(csv.ToString(), Confirmed: true));
        Assert.Equal(Webhooks, imported.Created);
        // The database refuses email rows: the recording stops after the webhook steps, where a crash could have stopped it.
        await using var refusal = await EmailRowsRefused.StartAsync(given.Database.DataSource);

        var messageId = NewId.NextGuid();
        var opened = Fixtures.Incidents.Opened(Fixtures.Incidents.Api);
        await given.Service.PublishAsync(opened, messageId);

        // The webhook rows were committed and sent although the event is not handled: the recording stopped at the email step.
        await Eventually.Until(refusal.CountAsync, n => n > 0, NotifyServiceHost.Patience, "the email step to be refused");
        await Eventually.Until(() => given.Service.DeliveryDetailsAsync(messageId),
            rows => rows.Count(r => r.Channel == SubscriptionChannel.Webhook && r.Status == "sent") == Webhooks, NotifyServiceHost.Patience,
            "the webhook deliveries to be recorded and sent");
        Assert.DoesNotContain(await given.Service.DeliveryDetailsAsync(messageId), r => r.Channel == SubscriptionChannel.Email);
        Assert.Equal(0, await HandledAsync(given, messageId));

        await refusal.StopAsync();
        await given.Service.PublishAsync(opened, messageId);

        var deliveries = await given.Service.WaitUntilSettledAsync(messageId, expected: Webhooks + 2);
        var details = await given.Service.DeliveryDetailsAsync(messageId);
        Assert.Equal(Webhooks + 2, details.Count);
        Assert.All(details.GroupBy(d => (d.SubscriberId, d.Channel)), g => Assert.Single(g));
        Assert.Equal(2, details.Count(d => d.Channel == SubscriptionChannel.Email));
        Assert.All(deliveries, d => Assert.Equal(("sent", 1), (d.Status, d.Attempts)));
        var perHook = receiver.Received.GroupBy(r => r.Path).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(Webhooks, perHook.Count);
        Assert.All(perHook, hook => Assert.Equal(1, hook.Value));
        foreach (var recipient in new[] { given.ApiFan, given.OpsTeam })
        {
            await Eventually.Until(() => MailDev.EmailsToAsync(recipient), emails => emails.Count >= 1, NotifyServiceHost.Patience, $"an email to {recipient}");
            Assert.Single(await MailDev.EmailsToAsync(recipient));
        }
        Assert.Equal(1, await HandledAsync(given, messageId));
    }

    private static async Task<long> HandledAsync(ServiceWithSubscribers given, Guid messageId)
    {
        await using var command = given.Database.DataSource.CreateCommand("select count(*) from notify.processed_messages where message_id = $1");
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = messageId });
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>A trigger that fails every insert of an email delivery until stopped, and counts (with a sequence, which no rollback undoes) how often.</summary>
    private sealed class EmailRowsRefused(NpgsqlDataSource dataSource) : IAsyncDisposable
    {
        public static async Task<EmailRowsRefused> StartAsync(NpgsqlDataSource dataSource)
        {
            await using var command = dataSource.CreateCommand("""
                create sequence public.email_refusals;
                create function public.refuse_email_delivery() returns trigger language plpgsql as $$
                begin
                    perform nextval('public.email_refusals');
                    raise exception 'test: email deliveries are refused';
                end $$;
                create trigger refuse_email_delivery before insert on notify.deliveries
                    for each row when (new.channel = 'email') execute function public.refuse_email_delivery();
                """);
            await command.ExecuteNonQueryAsync();
            return new EmailRowsRefused(dataSource);
        }

        public async Task<long> CountAsync()
        {
            await using var command = dataSource.CreateCommand("select case when is_called then last_value else 0 end from public.email_refusals");
            return (long)(await command.ExecuteScalarAsync())!;
        }

        public async Task StopAsync()
        {
            await using var command = dataSource.CreateCommand("drop trigger if exists refuse_email_delivery on notify.deliveries");
            await command.ExecuteNonQueryAsync();
        }

        public async ValueTask DisposeAsync() => await StopAsync();
    }
}
