using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using MassTransit;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Logging;
using StatusPlatform.Contracts;
using StatusPlatform.TestSupport;

namespace StatusPlatform.Security;

/// <summary>
/// Tokens that travel in URL paths and query strings (heartbeat and alert receivers, subscription manage tokens, the
/// confirm, manage and unsubscribe links) with every log category at Trace, as an operator chasing a problem might set
/// them: ASP.NET Core then logs each request's path and query, HttpClient each outbound URL. Neither the captured log
/// (what every provider, the OTLP one included, receives) nor a finished span (what the exporter receives) may hold a
/// token; the request lines must still be there, with the token replaced.
/// </summary>
public sealed class SecretRedactionTests : IAsyncLifetime
{
    private const string HeartbeatToken = "hb-redact-5f1c2e7a9b3d4c6e8f0a11";
    private const string WebhookToken = "wh-redact-8e2d4f6a1c3b5d7e9f0b22";
    private const string ManageToken = "mt-redact-c0ffee0123456789abcdef33";
    private const string ConfirmToken = "ct-redact-deadbeef0123456789abcd44";
    private const string UnsubscribeToken = "ut-redact-0badcafe0123456789abcd55";
    private const string OutboundSecret = "T000/B000/ob-redact-secret-0123456789";
    private static readonly string[] Secrets = [HeartbeatToken, WebhookToken, ManageToken, ConfirmToken, UnsubscribeToken, OutboundSecret, "ob-redact-secret"];

    private readonly ConcurrentQueue<string> _log = new();
    private readonly ConcurrentQueue<string> _spans = new();
    private TestDatabase _database = null!;
    private TestVirtualHost _vhost = null!;
    private WebApplicationFactory<Program> _factory = null!;
    private IBusControl _notifyStandIn = null!;
    private ActivityListener? _listener;

    public async Task InitializeAsync()
    {
        _database = await SeededReadModel.CreateAsync(HeartbeatToken, WebhookToken);
        _vhost = await TestVirtualHost.CreateAsync();

        // Notify.Service's side of the subscription commands: the manage token is known, the others are not.
        _notifyStandIn = Bus.Factory.CreateUsingRabbitMq(rabbit =>
        {
            rabbit.Host(_vhost.AmqpUri);
            rabbit.ReceiveEndpoint($"notify-stand-in-{Guid.NewGuid():N}", endpoint =>
            {
                var details = new SubscriptionDetails("sub-1", SubscriptionChannel.Email, "ada@example.test", SubscriptionScope.Page, [], null, "en", true, null, ManageToken);
                var notFound = new CommandRejected("No subscription for this link.", new Dictionary<string, string[]> { ["token"] = ["not valid"] }, NotFound: true);
                endpoint.Handler<GetSubscription>(c => Answer(c, c.Message.ManageToken == ManageToken ? details : notFound));
                endpoint.Handler<UpdateSubscription>(c => Answer(c, c.Message.ManageToken == ManageToken ? details : notFound));
                endpoint.Handler<ConfirmSubscription>(c => Answer(c, c.Message.Token == ConfirmToken ? details : notFound));
                endpoint.Handler<Unsubscribe>(c => Answer(c, new CommandAccepted("sub-1", 0)));
            });
        });
        await _notifyStandIn.StartAsync();

        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(web => web
            .UseEnvironment("Production")
            .UseSetting("ConnectionStrings:statusdb", _database.ConnectionString)
            .UseSetting("ConnectionStrings:messaging", _vhost.AmqpUri.ToString())
            .UseSetting("Logging:LogLevel:Default", "Trace")
            .UseSetting("Logging:LogLevel:Microsoft.AspNetCore", "Trace")
            .UseSetting("Logging:LogLevel:MassTransit", "Trace")
            .UseSetting("Logging:LogLevel:System.Net.Http.HttpClient", "Trace")
            .UseSetting("StatusPage:SubscriptionRequestsPerMinute", "1000")
            .ConfigureLogging(logging => logging.AddProvider(new LogCapture(_log))));
        _ = _factory.Server;
        // Registered after the host's telemetry SDK: listeners hear a span's end in that order, so this one sees it as the
        // SDK's processors (redaction, then the exporter) left it.
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal) || source.Name.StartsWith("StatusPlatform", StringComparison.Ordinal)
                || source.Name.StartsWith("MassTransit", StringComparison.Ordinal) || source.Name == "Npgsql" || source.Name == "System.Net.Http",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity => _spans.Enqueue($"{activity.Source.Name} {activity.DisplayName} {string.Join(' ', activity.TagObjects.Select(t => $"{t.Key}={t.Value}"))}"),
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public async Task DisposeAsync()
    {
        _listener?.Dispose();
        await _factory.DisposeAsync();
        await _notifyStandIn.StopAsync();
        await _vhost.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task Tokens_in_urls_reach_neither_the_log_nor_a_span_even_with_every_category_at_trace()
    {
        using var client = _factory.CreateClient();
        var requests = new (HttpMethod Method, string Path, HttpContent? Body)[]
        {
            (HttpMethod.Post, $"/api/heartbeat/{HeartbeatToken}?status=down&msg=x", null),
            (HttpMethod.Get, $"/api/heartbeat/{HeartbeatToken}", null),
            (HttpMethod.Post, $"/api/webhooks/grafana/{WebhookToken}", Json("{}")),
            (HttpMethod.Get, $"/api/v2/subscriptions/{ManageToken}", null),
            (HttpMethod.Patch, $"/api/v2/subscriptions/{ManageToken}", Json("""{"component_ids":["web"]}""")),
            (HttpMethod.Delete, $"/api/v2/subscriptions/{ManageToken}", null),
            (HttpMethod.Post, "/api/v2/subscriptions/confirm", Json($$"""{"token":"{{ConfirmToken}}"}""")),
            (HttpMethod.Get, $"/subscriptions/confirm?token={ConfirmToken}", null),
            (HttpMethod.Get, $"/subscriptions/manage?token={ManageToken}", null),
            (HttpMethod.Get, $"/subscriptions/unsubscribe?token={UnsubscribeToken}", null),
            (HttpMethod.Post, $"/subscriptions/unsubscribe?token={UnsubscribeToken}", new FormUrlEncodedContent(new Dictionary<string, string> { ["List-Unsubscribe"] = "One-Click" })),
        };
        var answers = new List<string>();
        foreach (var (method, path, body) in requests)
        {
            using var request = new HttpRequestMessage(method, path) { Content = body };
            using var response = await client.SendAsync(request);
            answers.Add($"{method} {path[..Math.Min(path.Length, 30)]} -> {(int)response.StatusCode}");
        }
        // An outbound call with a secret in its path, as Notify.Service makes to a chat webhook (nothing listens on port 9).
        using (var outbound = new HttpClient { Timeout = TimeSpan.FromSeconds(5) })
        {
            try
            {
                using var _ = await outbound.PostAsync(new Uri($"http://127.0.0.1:9/services/{OutboundSecret}?token={ConfirmToken}"), Json("{}"));
            }
            catch (HttpRequestException)
            {
            }
        }
        await _factory.DisposeAsync(); // flushes what the host still holds

        // Not hollow: the request lines were logged, with the token replaced; the manage call reached Notify's stand-in.
        Assert.Contains(_log, line => line.Contains("/api/heartbeat/{token}", StringComparison.Ordinal));
        Assert.Contains(_log, line => line.Contains("/api/v2/subscriptions/{token}", StringComparison.Ordinal));
        Assert.Contains(_log, line => line.Contains("token={token}", StringComparison.Ordinal));
        Assert.Contains(answers, a => a.StartsWith("GET /api/v2/subscriptions/", StringComparison.Ordinal) && a.EndsWith("-> 200", StringComparison.Ordinal));
        Assert.Contains(_spans, s => s.StartsWith("System.Net.Http", StringComparison.Ordinal) && s.Contains("url.full=http://127.0.0.1:9/{redacted}", StringComparison.Ordinal));
        Assert.Contains(_spans, s => s.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal));
        foreach (var secret in Secrets)
        {
            Assert.DoesNotContain(_log, line => line.Contains(secret, StringComparison.Ordinal));
            Assert.DoesNotContain(_spans, span => span.Contains(secret, StringComparison.Ordinal));
        }
    }

    private static Task Answer<T>(ConsumeContext<T> context, object answer) where T : class => context.RespondAsync(answer, answer.GetType());

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private sealed class LogCapture(ConcurrentQueue<string> log) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Logger(categoryName, log);

        public void Dispose()
        {
        }

        private sealed class Logger(string category, ConcurrentQueue<string> log) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull
            {
                // Scopes become attributes of every record in them (IncludeScopes is on for OTLP): capture them as lines too.
                log.Enqueue($"scope {category}: {state}");
                return null;
            }

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var values = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(' ', pairs.Select(p => $"{p.Key}={p.Value}")) : "";
                log.Enqueue($"{logLevel} {category}: {formatter(state, exception)} [{values}] {exception}");
            }
        }
    }
}
