using System.Collections.Concurrent;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StatusPlatform.Probe.Scheduling;

namespace StatusPlatform.Probe.Tests.Fixtures;

/// <summary>One log line the probe wrote.</summary>
public sealed record LogLine(string Category, LogLevel Level, string Message);

/// <summary>
/// Probe.Service as it runs in production (its own bus on RabbitMQ, its hosted services), in this process, on the
/// test's virtual host, with fast catalog timings unless a test sets them; it keeps its log lines for assertions.
/// </summary>
public sealed class ProbeHost(Uri amqpUri, string instanceId, IReadOnlyDictionary<string, string?> settings) : WebApplicationFactory<Program>
{
    private readonly ConcurrentQueue<LogLine> _logs = new();

    public string InstanceId => instanceId;

    public IReadOnlyList<LogLine> Logs => [.. _logs];

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("ConnectionStrings:messaging", amqpUri.ToString());
        builder.UseSetting("Probe:Region", "test-region");
        builder.UseSetting("Probe:InstanceId", instanceId);
        builder.UseSetting("Probe:CatalogRequestTimeout", "00:00:01");
        builder.UseSetting("Probe:CatalogRetryMinDelay", "00:00:00.200");
        builder.UseSetting("Probe:CatalogRetryMaxDelay", "00:00:01");
        // Tests check every second; the heartbeat (a fifth of it) and the warm-up follow.
        builder.UseSetting("Probe:MinimumInterval", "00:00:01");
        foreach (var (key, value) in settings)
            builder.UseSetting(key, value);
        builder.ConfigureLogging(logging => logging.AddProvider(new Collector(_logs)));
        // The first round after a start counts from the process start, and this process is the test runner: pin it far
        // in the past, so every in-process probe plans the plain grid whenever its test runs. RestartTests runs a process.
        builder.ConfigureTestServices(services => services.AddSingleton(new ProbeStart(DateTimeOffset.MinValue)));
    }

    private sealed class Collector(ConcurrentQueue<LogLine> lines) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Logger(categoryName, lines);

        public void Dispose()
        {
        }
    }

    private sealed class Logger(string category, ConcurrentQueue<LogLine> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
                lines.Enqueue(new LogLine(category, logLevel, formatter(state, exception)));
        }
    }
}
