using System.Text;
using System.Text.RegularExpressions;
using MassTransit;
using StatusPlatform.Contracts;
using StatusPlatform.Notify.Security;
using StatusPlatform.Notify.Tests.Fixtures;
using StatusPlatform.TestSupport;

namespace StatusPlatform.Notify.Tests.Subscribers;

/// <summary>
/// Email subscriptions through the bus commands StatusApi will pass through: double opt-in, one-click unsubscribe,
/// the manage link, and refusal of tampered or expired tokens. Real SMTP (MailDev).
/// </summary>
public sealed partial class EmailSubscriptionTests
{
    [Fact]
    public async Task An_unconfirmed_address_gets_the_confirmation_mail_and_nothing_about_incidents()
    {
        await using var given = await ServiceWithSubscribers.StartAsync(TestSettings.With());
        var address = $"unconfirmed-{Guid.NewGuid():N}@example.com";
        var created = await given.Service.AskOkAsync<Subscribe, SubscriptionCreated>(new Subscribe("email", address, [ServiceWithSubscribers.Website]));
        Assert.Equal((true, (string?)null), (created.ConfirmationSent, created.ManageToken));
        var confirmation = Assert.Single(await ArrivedAsync(address, 1));
        Assert.Equal("Confirm your subscription to status updates", confirmation.Subject);

        var messageId = NewId.NextGuid();
        await given.Service.PublishAsync(Fixtures.Incidents.Opened(Fixtures.Incidents.Website), messageId);

        // The website's configured subscribers get theirs; by then the unconfirmed one's would be recorded too.
        var deliveries = await given.Service.WaitUntilSettledAsync(messageId, expected: 2);
        Assert.DoesNotContain(deliveries, d => d.Recipient == address);
        Assert.Single(await ArrivedAsync(given.WebsiteFan, 1));
        Assert.Single(await MailDev.EmailsToAsync(address));
    }

    [Fact]
    public async Task A_confirmed_subscriber_gets_valid_multipart_mail_with_one_click_unsubscribe_that_works()
    {
        await using var given = await ServiceWithSubscribers.StartAsync(TestSettings.With());
        var address = $"confirmed-{Guid.NewGuid():N}@example.com";
        await given.Service.AskOkAsync<Subscribe, SubscriptionCreated>(new Subscribe("email", address, [ServiceWithSubscribers.Api], Locale: "de"));
        var confirmLink = LinkIn((await ArrivedAsync(address, 1))[0].Text!, "confirm");
        var details = await given.Service.AskOkAsync<ConfirmSubscription, SubscriptionDetails>(new ConfirmSubscription(TokenOf(confirmLink)));
        Assert.Equal((true, "components", "de"), (details.Confirmed, details.Scope, details.Locale));

        var opened = Fixtures.Incidents.Opened(Fixtures.Incidents.Api);
        await given.Service.PublishAsync(opened, NewId.NextGuid());

        var email = (await ArrivedAsync(address, 2)).Single(e => e.Subject.Contains(opened.Name, StringComparison.Ordinal));
        Assert.StartsWith("[Untersuchung] Demo API: ", email.Subject);
        var mime = await MimeMessage.ParseAsync(await MailDev.SourceAsync(email));
        Assert.Equal("multipart/alternative", mime.ContentType);
        Assert.Equal(["text/plain", "text/html"], mime.Parts.Select(p => p.ContentType));
        Assert.All(mime.Parts, p => Assert.Equal("utf-8", p.Charset));
        Assert.Contains(opened.Body, mime.Parts[0].Text);
        Assert.Contains("<li>Demo API: teilweiser Ausfall</li>", mime.Parts[1].Text);
        Assert.Equal("List-Unsubscribe=One-Click", mime.Headers["List-Unsubscribe-Post"]);
        var unsubscribe = UnsubscribeHeader().Match(mime.Headers["List-Unsubscribe"]);
        Assert.True(unsubscribe.Success, mime.Headers["List-Unsubscribe"]);
        Assert.Contains(unsubscribe.Groups[1].Value, mime.Parts[0].Text);

        var accepted = await given.Service.AskOkAsync<Unsubscribe, CommandAccepted>(new Unsubscribe(TokenOf(unsubscribe.Groups[1].Value)));
        Assert.Equal(details.SubscriberId, accepted.Id);
        var next = NewId.NextGuid();
        await given.Service.PublishAsync(Fixtures.Incidents.Opened(Fixtures.Incidents.Api), next);
        var deliveries = await given.Service.WaitUntilSettledAsync(next, expected: 2);
        Assert.DoesNotContain(deliveries, d => d.Recipient == address);
        Assert.Equal(2, (await MailDev.EmailsToAsync(address)).Count);
    }

    [Fact]
    public async Task The_manage_link_shows_and_changes_the_choice_and_changed_or_foreign_tokens_are_refused()
    {
        await using var given = await ServiceWithSubscribers.StartAsync(TestSettings.With());
        var address = $"manage-{Guid.NewGuid():N}@example.com";
        await given.Service.AskOkAsync<Subscribe, SubscriptionCreated>(new Subscribe("email", address, [ServiceWithSubscribers.Api]));
        var confirmed = await given.Service.AskOkAsync<ConfirmSubscription, SubscriptionDetails>(
            new ConfirmSubscription(TokenOf(LinkIn((await ArrivedAsync(address, 1))[0].Text!, "confirm"))));

        var shown = await given.Service.AskOkAsync<GetSubscription, SubscriptionDetails>(new GetSubscription(confirmed.ManageToken));
        Assert.Equal(address, shown.Address);
        Assert.Equal(["api"], shown.ComponentIds);
        var changed = await given.Service.AskOkAsync<UpdateSubscription, SubscriptionDetails>(
            new UpdateSubscription(confirmed.ManageToken, [ServiceWithSubscribers.Website]));
        Assert.Equal("components", changed.Scope);
        Assert.Equal(["website"], changed.ComponentIds);

        var tampered = confirmed.ManageToken[..^2] + (confirmed.ManageToken[^2] == 'A' ? "B" : "A") + confirmed.ManageToken[^1];
        Assert.True(((CommandRejected)await given.Service.AskAsync<GetSubscription, SubscriptionDetails>(new GetSubscription(tampered))).NotFound);
        Assert.True(((CommandRejected)await given.Service.AskAsync<GetSubscription, SubscriptionDetails>(new GetSubscription("guess"))).NotFound);
        // A token for another subscriber id, signed with another key, is refused like any forgery.
        var forged = Tokens("not-the-service-key-not-the-service-key").Issue(TokenPurpose.Manage, Guid.Parse(confirmed.SubscriberId));
        Assert.True(((CommandRejected)await given.Service.AskAsync<GetSubscription, SubscriptionDetails>(new GetSubscription(forged))).NotFound);
        // An unsubscribe link cannot manage, and a confirmation link cannot unsubscribe.
        var unsubscribeToken = Tokens(TestSettings.SigningKey).Issue(TokenPurpose.Unsubscribe, Guid.Parse(confirmed.SubscriberId));
        Assert.IsType<CommandRejected>(await given.Service.AskAsync<GetSubscription, SubscriptionDetails>(new GetSubscription(unsubscribeToken)));
        var confirmToken = Tokens(TestSettings.SigningKey).Issue(TokenPurpose.Confirm, Guid.Parse(confirmed.SubscriberId), DateTimeOffset.UtcNow.AddHours(1));
        Assert.IsType<CommandRejected>(await given.Service.AskAsync<Unsubscribe, CommandAccepted>(new Unsubscribe(confirmToken)));
        Assert.False((await given.Service.SubscriberAsync(Guid.Parse(confirmed.SubscriberId)))!.Unsubscribed);
    }

    [Fact]
    public async Task Subscribing_a_confirmed_address_again_changes_nothing_and_mails_its_owner_the_manage_link()
    {
        await using var given = await ServiceWithSubscribers.StartAsync(TestSettings.With());
        var address = $"again-{Guid.NewGuid():N}@example.com";
        var first = await given.Service.AskOkAsync<Subscribe, SubscriptionCreated>(new Subscribe("email", address, [ServiceWithSubscribers.Api]));
        var confirmed = await given.Service.AskOkAsync<ConfirmSubscription, SubscriptionDetails>(
            new ConfirmSubscription(TokenOf(LinkIn((await ArrivedAsync(address, 1))[0].Text!, "confirm"))));

        var again = await given.Service.AskOkAsync<Subscribe, SubscriptionCreated>(new Subscribe("email", address, [ServiceWithSubscribers.Website]));

        Assert.Equal(first with { SubscriberId = again.SubscriberId }, again); // the same answer as for a new address
        var mail = (await ArrivedAsync(address, 2)).Single(m => m.Subject == "You are already subscribed to status updates");
        Assert.Contains("/subscriptions/manage?token=", mail.Text);
        var now = await given.Service.AskOkAsync<GetSubscription, SubscriptionDetails>(new GetSubscription(confirmed.ManageToken));
        Assert.Equal(["api"], now.ComponentIds);
        Assert.True(now.Confirmed);
    }

    [Fact]
    public async Task An_expired_confirmation_link_is_refused_and_confirms_nothing()
    {
        await using var given = await ServiceWithSubscribers.StartAsync(TestSettings.With());
        var address = $"expired-{Guid.NewGuid():N}@example.com";
        var created = await given.Service.AskOkAsync<Subscribe, SubscriptionCreated>(new Subscribe("email", address));
        var expired = Tokens(TestSettings.SigningKey).Issue(TokenPurpose.Confirm, Guid.Parse(created.SubscriberId), DateTimeOffset.UtcNow.AddMinutes(-1));

        var answer = Assert.IsType<CommandRejected>(await given.Service.AskAsync<ConfirmSubscription, SubscriptionDetails>(new ConfirmSubscription(expired)));

        Assert.Contains("expired", answer.Errors["token"][0]);
        Assert.False((await given.Service.SubscriberAsync(Guid.Parse(created.SubscriberId)))!.Confirmed);
    }

    [Fact]
    public async Task Bad_input_is_answered_with_field_errors()
    {
        await using var given = await ServiceWithSubscribers.StartAsync(TestSettings.With());

        var answer = Assert.IsType<CommandRejected>(await given.Service.AskAsync<Subscribe, SubscriptionCreated>(
            new Subscribe("pigeon", "x", ["bad id!"], Locale: "fr")));

        Assert.Equal(["channel", "componentIds", "locale"], answer.Errors.Keys.Order(StringComparer.Ordinal));
        var badAddress = Assert.IsType<CommandRejected>(await given.Service.AskAsync<Subscribe, SubscriptionCreated>(new Subscribe("sms", "0151 123")));
        Assert.Contains("E.164", badAddress.Errors["address"][0]);
        var both = Assert.IsType<CommandRejected>(await given.Service.AskAsync<Subscribe, SubscriptionCreated>(
            new Subscribe("email", "ok@example.com", ["web"], IncidentId: "inc-1")));
        Assert.Contains("not both", both.Errors["incidentId"][0]);
    }

    private static SubscriberTokens Tokens(string key)
    {
        var tokens = new SubscriberTokens(TimeProvider.System);
        tokens.UseKey(Encoding.UTF8.GetBytes(key));
        return tokens;
    }

    private static Task<IReadOnlyList<ReceivedEmail>> ArrivedAsync(string recipient, int count) =>
        Eventually.Until(() => MailDev.EmailsToAsync(recipient), emails => emails.Count >= count, NotifyServiceHost.Patience, $"{count} email(s) to {recipient}");

    public static string LinkIn(string text, string kind) =>
        Regex.Match(text, $@"https?://\S+/subscriptions/{kind}\?token=[A-Za-z0-9_.-]+") is { Success: true } m ? m.Value : throw new Xunit.Sdk.XunitException($"No {kind} link in: {text}");

    public static string TokenOf(string link) => link[(link.IndexOf("token=", StringComparison.Ordinal) + 6)..];

    [GeneratedRegex(@"^<(https?://\S+/subscriptions/unsubscribe\?token=[A-Za-z0-9_.-]+)>$")]
    private static partial Regex UnsubscribeHeader();
}
