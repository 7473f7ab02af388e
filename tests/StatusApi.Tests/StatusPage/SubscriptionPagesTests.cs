using System.Collections.Concurrent;
using System.Net;
using MassTransit;
using StatusPlatform.Contracts;

namespace StatusPlatform.StatusApi.Tests.StatusPage;

/// <summary>
/// <see cref="PageWithOutage"/> and a stand-in for Notify.Service answering the subscription commands on the fixture's
/// virtual host as src/Contracts/Subscriptions.cs says it does (Notify.Service's own tests cover the real one).
/// </summary>
public sealed class PageWithSubscriptions : PageWithOutage
{
    public const string GoodToken = "good-token";
    private IBusControl? _notify;

    public ConcurrentQueue<object> Commands { get; } = new();

    protected override async Task SeedAsync(ReadModelRows rows)
    {
        await base.SeedAsync(rows);
        _notify = Bus.Factory.CreateUsingRabbitMq(rabbit =>
        {
            rabbit.Host(VirtualHost.AmqpUri);
            rabbit.ReceiveEndpoint($"fake-notify-{Guid.NewGuid():N}", endpoint =>
            {
                endpoint.Handler<Subscribe>(context => Answer(context, context.Message.Address.Contains('@', StringComparison.Ordinal)
                    ? new SubscriptionCreated("sub-1", context.Message.Channel, ConfirmationSent: true)
                    : new CommandRejected("The subscription request is not valid.", new Dictionary<string, string[]> { ["address"] = ["Not an email address."] })));
                endpoint.Handler<ConfirmSubscription>(context => Answer(context, context.Message.Token == GoodToken
                    ? Details(confirmed: true)
                    : NotFound()));
                endpoint.Handler<Unsubscribe>(context => Answer(context, context.Message.Token == GoodToken ? new CommandAccepted("sub-1", 0) : NotFound()));
                endpoint.Handler<GetSubscription>(context => Answer(context, context.Message.ManageToken == GoodToken ? Details(confirmed: true) : NotFound()));
                endpoint.Handler<UpdateSubscription>(context => Answer(context, Details(confirmed: true) with { ComponentIds = context.Message.ComponentIds ?? [] }));
            });
        });
        await _notify.StartAsync();
    }

    public override async Task DisposeAsync()
    {
        if (_notify is not null)
            await _notify.StopAsync();
        await base.DisposeAsync();
    }

    private async Task Answer<T>(ConsumeContext<T> context, object answer) where T : class
    {
        Commands.Enqueue(context.Message);
        await context.RespondAsync(answer, answer.GetType());
    }

    private static SubscriptionDetails Details(bool confirmed) =>
        new("sub-1", SubscriptionChannel.Email, "ada@example.test", SubscriptionScope.Page, [], null, "en", confirmed, null, GoodToken);

    private static CommandRejected NotFound() =>
        new("No subscription for this link.", new Dictionary<string, string[]> { ["token"] = ["The link is not valid."] }, NotFound: true);
}

public sealed class SubscriptionPagesTests(PageWithSubscriptions page) : IClassFixture<PageWithSubscriptions>
{
    [Fact]
    public async Task The_subscribe_form_offers_channels_and_components()
    {
        var html = await page.GetHtmlAsync("/subscribe");

        Assert.Contains("<form method=\"post\" action=\"/subscribe\"", html);
        Assert.Contains("value=\"email\" checked", html);
        Assert.Contains("value=\"webhook\"", html);
        Assert.Contains("value=\"api\" /> Backend › API", html);
    }

    [Fact]
    public async Task Subscribing_by_email_sends_the_command_with_components_and_language_and_asks_to_confirm()
    {
        using var response = await PostAsync("/subscribe?lang=de", new()
        {
            ["channel"] = "email", ["address"] = "ada@example.test", ["scope"] = "components", ["component"] = "api",
        });
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        Assert.Contains("Fast geschafft", html);
        var command = page.Commands.OfType<Subscribe>().Single(c => c.Address == "ada@example.test");
        Assert.Equal(["api"], command.ComponentIds);
        Assert.Equal("de", command.Locale);
    }

    [Fact]
    public async Task A_rejected_subscription_shows_the_form_again_with_the_field_error()
    {
        using var response = await PostAsync("/subscribe", new() { ["channel"] = "email", ["address"] = "not-an-address", ["scope"] = "page" });
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Contains("address: Not an email address.", html);
        Assert.Contains("value=\"not-an-address\"", html);
    }

    [Fact]
    public async Task The_confirmation_link_asks_for_a_click_and_the_click_confirms()
    {
        var form = await page.GetHtmlAsync($"/subscriptions/confirm?token={PageWithSubscriptions.GoodToken}");
        Assert.Contains("<form method=\"post\" action=\"/subscriptions/confirm\"", form);
        Assert.DoesNotContain(page.Commands.OfType<ConfirmSubscription>(), c => c.Token == PageWithSubscriptions.GoodToken);

        using var response = await PostAsync("/subscriptions/confirm", new() { ["token"] = PageWithSubscriptions.GoodToken });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Your subscription is confirmed.", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_bad_link_is_answered_as_not_valid()
    {
        using var response = await PostAsync("/subscriptions/confirm", new() { ["token"] = "forged" });

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("This link is not valid", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_manage_page_shows_the_subscription_and_saves_changes()
    {
        var html = await page.GetHtmlAsync($"/subscriptions/manage?token={PageWithSubscriptions.GoodToken}");
        Assert.Contains("ada@example.test", html);

        using var response = await PostAsync("/subscriptions/manage", new()
        {
            ["token"] = PageWithSubscriptions.GoodToken, ["scope"] = "components", ["component"] = "db", ["locale"] = "de",
        });
        Assert.Contains("Saved.", await response.Content.ReadAsStringAsync());
        var command = page.Commands.OfType<UpdateSubscription>().Last();
        Assert.Equal(["db"], command.ComponentIds);
        Assert.Equal("de", command.Locale);
    }

    [Fact]
    public async Task One_click_unsubscribe_from_a_mail_client_unsubscribes()
    {
        // RFC 8058: the token is in the List-Unsubscribe URL, the body only says it is a one-click request.
        using var response = await PostAsync($"/subscriptions/unsubscribe?token={PageWithSubscriptions.GoodToken}",
            new() { ["List-Unsubscribe"] = "One-Click" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("You are unsubscribed", await response.Content.ReadAsStringAsync());
    }

    private Task<HttpResponseMessage> PostAsync(string path, Dictionary<string, string> fields) =>
        page.Client.PostAsync(new Uri(path, UriKind.Relative), new FormUrlEncodedContent(fields));
}
