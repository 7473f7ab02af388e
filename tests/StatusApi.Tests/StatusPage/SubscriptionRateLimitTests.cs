using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MassTransit;
using StatusPlatform.Contracts;

namespace StatusPlatform.StatusApi.Tests.StatusPage;

/// <summary>
/// <see cref="PageWithOutage"/> behind a proxy that sets X-Forwarded-For, three subscription requests per client and
/// minute, and a stand-in for Notify.Service that refuses one address by its per-address limit (as the real one does
/// after Notify:SubscriptionMailsPerAddress mails; Notify.Tests covers that side).
/// </summary>
public sealed class PageWithSubscriptionLimits : PageWithOutage
{
    public const int PerMinute = 3;
    public const int NotifyRetryAfterSeconds = 1740;
    private IBusControl? _notify;

    public ConcurrentQueue<Subscribe> Subscribes { get; } = new();

    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["StatusPage:SubscriptionRequestsPerMinute"] = $"{PerMinute}",
        ["StatusPage:ClientAddressHeader"] = "X-Forwarded-For",
    };

    protected override async Task SeedAsync(ReadModelRows rows)
    {
        await base.SeedAsync(rows);
        _notify = Bus.Factory.CreateUsingRabbitMq(rabbit =>
        {
            rabbit.Host(VirtualHost.AmqpUri);
            rabbit.ReceiveEndpoint($"fake-notify-{Guid.NewGuid():N}", endpoint => endpoint.Handler<Subscribe>(async context =>
            {
                Subscribes.Enqueue(context.Message);
                object answer = context.Message.Address.StartsWith("flooded", StringComparison.Ordinal)
                    ? new CommandRejected("Too many subscription mails to this address.",
                        new Dictionary<string, string[]> { ["address"] = ["This address was sent 3 subscription messages recently; try again in 29 minutes."] },
                        RetryAfterSeconds: NotifyRetryAfterSeconds)
                    : new SubscriptionCreated("sub-1", context.Message.Channel, ConfirmationSent: true);
                await context.RespondAsync(answer, answer.GetType());
            }));
        });
        await _notify.StartAsync();
    }

    public override async Task DisposeAsync()
    {
        if (_notify is not null)
            await _notify.StopAsync();
        await base.DisposeAsync();
    }
}

/// <summary>Each test is a client of its own (an address in X-Forwarded-For), so the tests do not share a budget.</summary>
public sealed class SubscriptionRateLimitTests(PageWithSubscriptionLimits page) : IClassFixture<PageWithSubscriptionLimits>
{
    [Fact]
    public async Task A_client_over_its_limit_gets_429_with_retry_after_and_a_problem_and_notify_never_hears_of_it()
    {
        var client = "203.0.113.10";
        for (var i = 0; i < PageWithSubscriptionLimits.PerMinute; i++)
        {
            using var accepted = await SubscribeAsync(client, $"ann-{i}@example.test");
            Assert.Equal(HttpStatusCode.Created, accepted.StatusCode);
        }

        using var refused = await SubscribeAsync(client, "ann-over@example.test");

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.InRange(refused.Headers.RetryAfter?.Delta?.TotalSeconds ?? 0, 1, 60);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(("urn:statusplatform:problem:rate-limited", 429), (problem.GetProperty("type").GetString(), problem.GetProperty("status").GetInt32()));
        Assert.Contains("StatusPage:SubscriptionRequestsPerMinute", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(page.Subscribes, s => s.Address == "ann-over@example.test");

        // Another client (the proxy's header) has a budget of its own; so do the token routes share this client's.
        using var other = await SubscribeAsync("203.0.113.11", "bob@example.test");
        Assert.Equal(HttpStatusCode.Created, other.StatusCode);
        using var manage = new HttpRequestMessage(HttpMethod.Get, "/api/v2/subscriptions/some-token") { Headers = { { "X-Forwarded-For", client } } };
        using var limitedToo = await page.Client.SendAsync(manage);
        Assert.Equal(HttpStatusCode.TooManyRequests, limitedToo.StatusCode);
    }

    [Fact]
    public async Task The_html_form_over_the_limit_answers_with_a_page_and_retry_after()
    {
        var client = "2001:db8:1:2::10";
        for (var i = 0; i < PageWithSubscriptionLimits.PerMinute; i++)
        {
            using var accepted = await PostFormAsync($"2001:db8:1:2::{i + 20}", $"cy-{i}@example.test"); // the same /64: one client
            Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        }

        using var refused = await PostFormAsync(client, "cy-over@example.test");

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Equal("text/html", refused.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Too many requests from your address", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain(page.Subscribes, s => s.Address == "cy-over@example.test");
    }

    [Fact]
    public async Task An_address_notify_refuses_by_its_limit_gets_429_with_notify_s_retry_after_on_the_api_and_the_form()
    {
        using var api = await SubscribeAsync("203.0.113.30", "flooded@example.test");
        Assert.Equal(HttpStatusCode.TooManyRequests, api.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(PageWithSubscriptionLimits.NotifyRetryAfterSeconds), api.Headers.RetryAfter?.Delta);
        var problem = await api.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("urn:statusplatform:problem:rate-limited", problem.GetProperty("type").GetString());
        Assert.Contains("try again in 29 minutes", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);

        using var form = await PostFormAsync("203.0.113.31", "flooded@example.test");
        Assert.Equal(HttpStatusCode.TooManyRequests, form.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(PageWithSubscriptionLimits.NotifyRetryAfterSeconds), form.Headers.RetryAfter?.Delta);
        Assert.Contains("Please try again in 29 minutes", await form.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private async Task<HttpResponseMessage> SubscribeAsync(string client, string address)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v2/subscriptions")
        {
            Content = JsonContent.Create(new { channel = "email", address }),
            Headers = { { "X-Forwarded-For", client } },
        };
        return await page.Client.SendAsync(request);
    }

    private async Task<HttpResponseMessage> PostFormAsync(string client, string address)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/subscribe")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["channel"] = "email", ["address"] = address, ["scope"] = "page" }),
            Headers = { { "X-Forwarded-For", client } },
        };
        return await page.Client.SendAsync(request);
    }
}
