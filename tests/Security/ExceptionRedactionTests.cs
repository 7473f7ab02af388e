using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using StatusPlatform.ServiceDefaults;
using StatusPlatform.TestSupport;

namespace StatusPlatform.Security;

/// <summary>
/// Exceptions carry secrets too: an HttpRequestException naming the URL it failed on, a PostgreSQL error quoting the
/// parameter it could not read. Logged (message, inner exceptions, stack and ToString, as the console and OTLP providers
/// read them) or recorded on a span (the exception event's message and stack, the span's status), they reach providers
/// and exporters with the secrets cut out, and still say what failed: the original type, the redacted URL, the stack.
/// The host is ServiceDefaults as every service gets it, with every category at Trace.
/// </summary>
public sealed class ExceptionRedactionTests : IAsyncLifetime
{
    private const string HeartbeatToken = "hb-exc-redact-7c1e2a9b3d4c6e8f0a";
    private const string ManageToken = "mt-exc-redact-0123456789abcdef00";
    private const string ChatSecret = "T000/B000/exc-redact-chat-secret-42";
    private static readonly string[] Secrets = [HeartbeatToken, ManageToken, ChatSecret, "exc-redact-chat-secret"];

    private readonly ConcurrentQueue<string> _log = new();
    private readonly ConcurrentQueue<Exception> _exceptions = new();
    private readonly ConcurrentQueue<string> _spans = new();
    private readonly ActivitySource _source = new($"{Telemetry.Prefix}.Tests.ExceptionRedaction");
    private IHost _host = null!;
    private ActivityListener? _listener;
    private ActivityTraceId _trace;

    public async Task InitializeAsync()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Production" });
        builder.Logging.SetMinimumLevel(LogLevel.Trace);
        builder.Logging.AddProvider(new ExceptionCapture(_log, _exceptions));
        builder.AddServiceDefaults();
        _host = builder.Build();
        await _host.StartAsync();
        // After the host's telemetry SDK: a span's end reaches this listener after the SDK's processors have run.
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == _source.Name || source.Name == "Npgsql",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                // Other test classes run in parallel in this process: only this test's trace counts.
                if (activity.TraceId == _trace)
                    _spans.Enqueue(Describe(activity));
            },
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public async Task DisposeAsync()
    {
        _listener?.Dispose();
        await _host.StopAsync();
        _host.Dispose();
        _source.Dispose();
    }

    [Fact]
    public async Task Secrets_in_logged_and_recorded_exceptions_reach_neither_a_provider_nor_a_span()
    {
        var logger = _host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("StatusPlatform.Tests.ExceptionRedaction");
        var http = Thrown(() => throw new HttpRequestException(
            $"Response status code does not indicate success: 404 (Not Found) for https://status.example.test/api/heartbeat/{HeartbeatToken}?status=down",
            new InvalidOperationException($"while asking https://status.example.test/subscriptions/manage?token={ManageToken}")));
        var plain = Thrown(() => throw new InvalidOperationException("The component 'web' has no monitor."));

        using (var outer = _source.StartActivity("exception-redaction"))
        {
            Assert.NotNull(outer);
            _trace = outer.TraceId;
            // A real PostgreSQL error that quotes its parameter, through Npgsql's own span (Npgsql records it as an event).
            PostgresException postgres;
            await using (var dataSource = NpgsqlDataSource.Create(Infrastructure.PostgresConnectionString))
            await using (var command = dataSource.CreateCommand("select $1::int"))
            {
                command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = $"https://hooks.slack.com/services/{ChatSecret}" });
                postgres = await Assert.ThrowsAsync<PostgresException>(() => command.ExecuteScalarAsync());
            }
            Assert.Contains(ChatSecret, postgres.Message, StringComparison.Ordinal); // not hollow: the error does quote it

            logger.LogError(http, "Heartbeat relay failed");
            logger.LogWarning(postgres, "Could not record the subscriber");
            logger.LogError(plain, "Nothing secret here");
            outer.AddException(http);
            outer.SetStatus(ActivityStatusCode.Error, http.Message);
            // A library that builds the event itself, as MassTransit does for a faulted consumer.
            using var library = _source.StartActivity("library-event");
            Assert.NotNull(library);
            library.AddEvent(new ActivityEvent("exception", tags: new ActivityTagsCollection
            {
                ["exception.type"] = nameof(HttpRequestException),
                ["exception.message"] = http.Message,
                ["exception.stacktrace"] = http.ToString(),
            }));
            library.AddEvent(new ActivityEvent("retried"));
        }

        // Not hollow: the records are there, with the original type names, the redacted URLs and the stack.
        Assert.Contains(_log, line => line.Contains("System.Net.Http.HttpRequestException: Response status code", StringComparison.Ordinal)
            && line.Contains("/api/heartbeat/{token}?status=down", StringComparison.Ordinal)
            && line.Contains("---> System.InvalidOperationException: while asking", StringComparison.Ordinal)
            && line.Contains("token={token}", StringComparison.Ordinal)
            && line.Contains(nameof(Thrown), StringComparison.Ordinal));
        Assert.Contains(_log, line => line.Contains("Npgsql.PostgresException", StringComparison.Ordinal)
            && line.Contains("hooks.slack.com/services/{token}", StringComparison.Ordinal));
        var redacted = Assert.IsType<RedactedException>(_exceptions.First(e => e.Message.StartsWith("Response status code", StringComparison.Ordinal)));
        Assert.Equal(typeof(HttpRequestException).FullName, redacted.OriginalType);
        Assert.Contains("while asking", redacted.InnerException?.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(Thrown), redacted.StackTrace, StringComparison.Ordinal);
        // An exception without a secret reaches the providers as itself.
        Assert.Same(plain, Assert.Single(_exceptions, e => e.Message.StartsWith("The component", StringComparison.Ordinal)));

        Assert.Contains(_spans, s => s.StartsWith("Npgsql ", StringComparison.Ordinal) && s.Contains("event exception", StringComparison.Ordinal)
            && s.Contains("hooks.slack.com/services/{token}", StringComparison.Ordinal));
        Assert.Contains(_spans, s => s.StartsWith(_source.Name, StringComparison.Ordinal) && s.Contains("event exception", StringComparison.Ordinal)
            && s.Contains("exception.stacktrace=System.Net.Http.HttpRequestException", StringComparison.Ordinal)
            && s.Contains("/api/heartbeat/{token}", StringComparison.Ordinal) && s.Contains("status=Error", StringComparison.Ordinal));
        // Replaced, not added to: one exception event, still before the event that followed it.
        var librarySpan = Assert.Single(_spans, s => s.Contains(" library-event ", StringComparison.Ordinal));
        Assert.Matches(@"(?s)event exception exception\.type=HttpRequestException exception\.message=[^|]*/api/heartbeat/\{token\}\?status=down .* event retried $", librarySpan);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(librarySpan, "event exception"));
        foreach (var secret in Secrets)
        {
            Assert.DoesNotContain(_log, line => line.Contains(secret, StringComparison.Ordinal));
            Assert.DoesNotContain(_spans, span => span.Contains(secret, StringComparison.Ordinal));
        }
    }

    private static Exception Thrown(Action action)
    {
        try
        {
            action();
        }
        catch (Exception e)
        {
            return e;
        }
        throw new InvalidOperationException("The action did not throw.");
    }

    private static string Describe(Activity activity) =>
        $"{activity.Source.Name} {activity.DisplayName} status={activity.Status} {activity.StatusDescription} "
        + string.Join(' ', activity.TagObjects.Select(t => $"{t.Key}={t.Value}")) + " "
        + string.Join(' ', activity.Events.Select(e => $"event {e.Name} " + string.Join(' ', e.Tags.Select(t => $"{t.Key}={t.Value}"))));

    /// <summary>What a provider reads of a record: the message, and of the exception what the console (ToString) and OTLP (message, stack) print.</summary>
    private sealed class ExceptionCapture(ConcurrentQueue<string> log, ConcurrentQueue<Exception> exceptions) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Logger(categoryName, log, exceptions);

        public void Dispose()
        {
        }

        private sealed class Logger(string category, ConcurrentQueue<string> log, ConcurrentQueue<Exception> exceptions) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (exception is null)
                    return;
                exceptions.Enqueue(exception);
                var chain = string.Join(" | ", Chain(exception).Select(e => $"{e.Message} @ {e.StackTrace}"));
                log.Enqueue($"{logLevel} {category}: {formatter(state, exception)} [{chain}] {exception}");
            }

            private static IEnumerable<Exception> Chain(Exception exception)
            {
                for (var e = exception; e is not null; e = e.InnerException)
                    yield return e;
            }
        }
    }
}
