using MassTransit;
using StatusPlatform.Contracts;
using StatusPlatform.Notify.Tests.Fixtures;
using StatusPlatform.TestSupport;

namespace StatusPlatform.Notify.Tests.Subscribers;

/// <summary>
/// The admin subscriber commands (StatusApi's /api/v1/pages/{page_id}/subscribers) against real PostgreSQL: search over
/// addresses, channels and states with a total for paging, creating with and without the confirmation mail, the delivery
/// history with the reason for a quarantine, reactivating, unsubscribing, and refusals that change nothing.
/// </summary>
public sealed class AdminSubscriberTests
{
    [Fact]
    public async Task The_search_filters_by_address_channel_and_state_and_pages_with_a_total()
    {
        await using var receiver = await FakeReceiver.StartAsync();
        await using var given = await ServiceWithSubscribers.StartAsync(TestSettings.With());
        var tag = Guid.NewGuid().ToString("N")[..8];
        var pending = await CreateAsync(given, new CreateSubscriber("email", $"pending-{tag}@example.com", [ServiceWithSubscribers.Api]));
        var vouched = await CreateAsync(given, new CreateSubscriber("email", $"vouched-{tag}@example.com", SkipConfirmation: true));
        var hook = await CreateAsync(given, new CreateSubscriber("webhook", receiver.Url($"/{tag}")));
        var sms = await CreateAsync(given, new CreateSubscriber("sms", "+4915112345678"));
        var leaving = await CreateAsync(given, new CreateSubscriber("email", $"leaving-{tag}@example.com", SkipConfirmation: true));
        await given.Service.AskOkAsync<RemoveSubscriber, SubscriberDetails>(new RemoveSubscriber(leaving.Subscriber.SubscriberId));

        Assert.Equal(("pending", true), (pending.Subscriber.State, pending.ConfirmationSent));
        Assert.Equal(("confirmed", false), (vouched.Subscriber.State, vouched.ConfirmationSent));
        Assert.Equal(("confirmed", "page"), (hook.Subscriber.State, hook.Subscriber.Scope));
        Assert.NotNull(hook.WebhookSecret);
        Assert.Equal(["api"], pending.Subscriber.ComponentIds);

        // Everyone but the one who left: the three from the file and four created here.
        var all = await ListAsync(given, new ListSubscribers());
        Assert.Equal(7, all.Total);
        Assert.DoesNotContain(all.Subscribers, s => s.SubscriberId == leaving.Subscriber.SubscriberId);
        Assert.Equal(all.Subscribers.Select(s => s.Address.ToLowerInvariant()).Order(StringComparer.Ordinal), all.Subscribers.Select(s => s.Address.ToLowerInvariant()));

        Assert.Equal([vouched.Subscriber.SubscriberId], (await ListAsync(given, new ListSubscribers(Query: $"VOUCHED-{tag}"))).Subscribers.Select(s => s.SubscriberId));
        Assert.Equal([hook.Subscriber.SubscriberId], (await ListAsync(given, new ListSubscribers(Channel: "webhook"))).Subscribers.Select(s => s.SubscriberId));
        Assert.Equal([sms.Subscriber.SubscriberId], (await ListAsync(given, new ListSubscribers(Channel: "sms"))).Subscribers.Select(s => s.SubscriberId));
        Assert.Equal([pending.Subscriber.SubscriberId], (await ListAsync(given, new ListSubscribers(State: "pending"))).Subscribers.Select(s => s.SubscriberId));
        Assert.Equal([leaving.Subscriber.SubscriberId], (await ListAsync(given, new ListSubscribers(State: "unsubscribed"))).Subscribers.Select(s => s.SubscriberId));
        Assert.Equal(8, (await ListAsync(given, new ListSubscribers(State: "all"))).Total);
        Assert.Equal(6, (await ListAsync(given, new ListSubscribers(State: "confirmed"))).Total);
        // A LIKE wildcard in the text is meant literally.
        Assert.Equal(0, (await ListAsync(given, new ListSubscribers(Query: "%"))).Total);

        var second = await ListAsync(given, new ListSubscribers(Page: 2, PerPage: 3));
        Assert.Equal((7, 2, 3), (second.Total, second.Page, second.PerPage));
        Assert.Equal(all.Subscribers.Skip(3).Take(3).Select(s => s.SubscriberId), second.Subscribers.Select(s => s.SubscriberId));
        var beyond = await ListAsync(given, new ListSubscribers(Page: 9, PerPage: 3));
        Assert.Equal((7, 0), (beyond.Total, beyond.Subscribers.Count));

        var refused = Assert.IsType<CommandRejected>(await given.Service.AskAsync<ListSubscribers, SubscriberList>(
            new ListSubscribers(Channel: "fax", State: "asleep", Page: 0, PerPage: 101)));
        Assert.Equal(["channel", "page", "perPage", "state"], refused.Errors.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_quarantined_webhook_shows_why_with_its_deliveries_and_reactivating_it_lets_messages_through_again()
    {
        await using var receiver = await FakeReceiver.StartAsync();
        await using var given = await ServiceWithSubscribers.StartAsync(TestSettings.With(("Notify:QuarantineAfter", "2"), ("Delivery:MaxAttempts", "10")));
        var hook = await CreateAsync(given, new CreateSubscriber("webhook", receiver.Url("/hook"), [ServiceWithSubscribers.Api]));
        var id = hook.Subscriber.SubscriberId;
        await Eventually.Until(() => Task.FromResult(receiver.To("/hook").Count), n => n == 1, NotifyServiceHost.Patience, "the ping");
        receiver.Respond = _ => (500, "{\"error\":\"boom\"}");

        var failing = NewId.NextGuid();
        var opened = Fixtures.Incidents.Opened(Fixtures.Incidents.Api);
        await given.Service.PublishAsync(opened, failing);
        await given.Service.WaitUntilSettledAsync(failing, expected: 3);

        var quarantined = await given.Service.AskOkAsync<GetSubscriber, SubscriberDetails>(new GetSubscriber(id));
        Assert.Equal(("quarantined", 2), (quarantined.Subscriber.State, quarantined.Subscriber.ConsecutiveFailures));
        Assert.NotNull(quarantined.Subscriber.QuarantinedAt);
        Assert.Contains("HTTP 500", quarantined.QuarantineReason);
        // Newest first: the incident that failed twice, then the ping that went through.
        Assert.Equal<(string, string, int, string?)>([("incident_opened", "failed", 2, opened.IncidentId), ("ping", "sent", 1, null)],
            quarantined.Deliveries.Select(d => (d.Kind, d.Status, d.Attempts, d.IncidentId)));
        Assert.Equal(failing.ToString(), quarantined.Deliveries[0].EventId);
        Assert.Contains("quarantined", quarantined.Deliveries[0].LastError);
        Assert.NotNull(quarantined.Deliveries[1].SentAt);
        Assert.Equal([id], (await ListAsync(given, new ListSubscribers(State: "quarantined"))).Subscribers.Select(s => s.SubscriberId));
        Assert.Single((await given.Service.AskOkAsync<GetSubscriber, SubscriberDetails>(new GetSubscriber(id, History: 1))).Deliveries);

        receiver.Respond = _ => (200, "");
        var reactivated = await given.Service.AskOkAsync<ReactivateSubscriber, SubscriberDetails>(new ReactivateSubscriber(id));
        Assert.Equal(("confirmed", 0, (DateTimeOffset?)null, (string?)null),
            (reactivated.Subscriber.State, reactivated.Subscriber.ConsecutiveFailures, reactivated.Subscriber.QuarantinedAt, reactivated.QuarantineReason));
        // Idempotent: again is the same answer.
        Assert.Equal("confirmed", (await given.Service.AskOkAsync<ReactivateSubscriber, SubscriberDetails>(new ReactivateSubscriber(id))).Subscriber.State);

        var next = NewId.NextGuid();
        await given.Service.PublishAsync(Fixtures.Incidents.Opened(Fixtures.Incidents.Api), next);
        var rows = await given.Service.WaitUntilSettledAsync(next, expected: 3);
        Assert.Equal("sent", Assert.Single(rows, r => r.Recipient == receiver.Url("/hook")).Status);
        Assert.Equal(4, receiver.To("/hook").Count); // the ping, the two failed attempts, the incident after reactivation
    }

    [Fact]
    public async Task Unsubscribing_keeps_the_history_and_a_left_subscriber_is_not_reactivated_changed_or_recreated_behind_its_back()
    {
        await using var given = await ServiceWithSubscribers.StartAsync(TestSettings.With());
        var address = $"member-{Guid.NewGuid():N}@example.com";
        var created = await CreateAsync(given, new CreateSubscriber("email", address, [ServiceWithSubscribers.Website], Locale: "de"));
        var id = created.Subscriber.SubscriberId;

        var changed = await given.Service.AskOkAsync<ChangeSubscriber, SubscriberDetails>(new ChangeSubscriber(id, [ServiceWithSubscribers.Api, ServiceWithSubscribers.Website]));
        Assert.Equal(["api", "website"], changed.Subscriber.ComponentIds);
        Assert.Equal(("components", "de"), (changed.Subscriber.Scope, changed.Subscriber.Locale));
        var localeOnly = await given.Service.AskOkAsync<ChangeSubscriber, SubscriberDetails>(new ChangeSubscriber(id, null, "en"));
        Assert.Equal(["api", "website"], localeOnly.Subscriber.ComponentIds);
        Assert.Equal("en", localeOnly.Subscriber.Locale);

        var removed = await given.Service.AskOkAsync<RemoveSubscriber, SubscriberDetails>(new RemoveSubscriber(id));
        Assert.Equal("unsubscribed", removed.Subscriber.State);
        Assert.NotNull(removed.Subscriber.UnsubscribedAt);
        Assert.Equal("confirmation", Assert.Single(removed.Deliveries).Kind);
        Assert.Equal("unsubscribed", (await given.Service.AskOkAsync<RemoveSubscriber, SubscriberDetails>(new RemoveSubscriber(id))).Subscriber.State);

        var notReactivated = Assert.IsType<CommandRejected>(await given.Service.AskAsync<ReactivateSubscriber, SubscriberDetails>(new ReactivateSubscriber(id)));
        Assert.Equal(["state"], notReactivated.Errors.Keys);
        var notChanged = Assert.IsType<CommandRejected>(await given.Service.AskAsync<ChangeSubscriber, SubscriberDetails>(new ChangeSubscriber(id, [])));
        Assert.Equal(["state"], notChanged.Errors.Keys);
        Assert.True((await given.Service.SubscriberAsync(Guid.Parse(id)))!.Unsubscribed);

        // A confirmed address is refused with the id of who has it; nothing about it changes.
        var taken = Assert.IsType<CommandRejected>(await given.Service.AskAsync<CreateSubscriber, SubscriberCreated>(
            new CreateSubscriber("email", given.WebsiteFan.ToUpperInvariant(), [ServiceWithSubscribers.Api])));
        Assert.Contains("Already subscribed as", taken.Errors["address"][0]);
        var fan = (await ListAsync(given, new ListSubscribers(Query: given.WebsiteFan))).Subscribers.Single();
        Assert.Equal(["website"], fan.ComponentIds);

        // Subscribing the one who left again needs its confirmation again.
        var again = await CreateAsync(given, new CreateSubscriber("email", address));
        Assert.Equal((id, "pending", true), (again.Subscriber.SubscriberId, again.Subscriber.State, again.ConfirmationSent));

        foreach (var unknown in new[] { Guid.NewGuid().ToString(), "not-a-uuid" })
        {
            var missing = Assert.IsType<CommandRejected>(await given.Service.AskAsync<GetSubscriber, SubscriberDetails>(new GetSubscriber(unknown)));
            Assert.True(missing.NotFound);
        }
    }

    [Fact]
    public async Task A_webhook_pointing_inwards_or_an_invalid_request_is_refused_and_records_nothing()
    {
        await using var given = await ServiceWithSubscribers.StartAsync(TestSettings.With(("Notify:AllowPrivateWebhookTargets", "false")));

        var inward = Assert.IsType<CommandRejected>(await given.Service.AskAsync<CreateSubscriber, SubscriberCreated>(
            new CreateSubscriber("slack", "http://127.0.0.1:9/hook", SkipConfirmation: true)));
        Assert.Contains("internal address", inward.Errors["address"][0]);
        var invalid = Assert.IsType<CommandRejected>(await given.Service.AskAsync<CreateSubscriber, SubscriberCreated>(
            new CreateSubscriber("email", "not-an-address", ["bad id!"], Locale: "fr")));
        Assert.Equal(["address", "componentIds", "locale"], invalid.Errors.Keys.Order(StringComparer.Ordinal));

        Assert.Equal(3, (await ListAsync(given, new ListSubscribers(State: "all"))).Total);
        Assert.Empty(await given.Service.DeliveriesAsync());
    }

    private static Task<SubscriberCreated> CreateAsync(ServiceWithSubscribers given, CreateSubscriber command) =>
        given.Service.AskOkAsync<CreateSubscriber, SubscriberCreated>(command);

    private static Task<SubscriberList> ListAsync(ServiceWithSubscribers given, ListSubscribers query) =>
        given.Service.AskOkAsync<ListSubscribers, SubscriberList>(query);
}
