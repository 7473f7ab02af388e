using System.Collections.Concurrent;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace StatusPlatform.Faults.Fixtures;

/// <summary>Incident.Service in-process on a database and virtual host of <paramref name="infra"/>, with its log captured.</summary>
public sealed class InProcessIncidentService(Infra infra, string catalogYaml, Dictionary<string, string?>? settings = null) : IAsyncDisposable
{
    private WebApplicationFactory<Program>? _factory;

    public string ConnectionString { get; private set; } = "";

    public Uri Amqp { get; private set; } = null!;

    public string ConfigFile { get; } = Path.Combine(Path.GetTempPath(), $"sp-faults-{Guid.NewGuid():N}.yaml");

    public ConcurrentQueue<CapturedLog> Log { get; } = new();

    public async Task StartAsync()
    {
        await File.WriteAllTextAsync(ConfigFile, catalogYaml);
        ConnectionString = await infra.CreateDatabaseAsync();
        Amqp = await infra.CreateVirtualHostAsync();
        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(web => web
            .UseSetting("ConnectionStrings:statusdb", ConnectionString)
            .UseSetting("ConnectionStrings:messaging", Amqp.ToString())
            .UseSetting("StatusPlatform:ConfigFile", ConfigFile)
            .ConfigureAppConfiguration((_, config) => config.AddInMemoryCollection(settings ?? []))
            .ConfigureLogging(logging => logging.AddProvider(new CapturingLoggerProvider(Log))));
        _ = _factory.Server; // starts the host: schemas, catalog, sequencer, projections, relay, consumers
        // Healthy includes the bus with its receive endpoints bound: a result published before that would be dropped by
        // the broker (no queue bound to the exchange yet), which is the broker's contract, not a fault under test.
        using var client = _factory.CreateClient();
        await CheckStream.Until(async () =>
        {
            using var health = await client.GetAsync(new Uri("/health", UriKind.Relative));
            return health.IsSuccessStatusCode;
        }, TimeSpan.FromSeconds(120), "Incident.Service to be healthy");
    }

    public CheckStream Stream(int components, int cycles) => new(ConnectionString, Amqp, components, cycles);

    public async ValueTask DisposeAsync()
    {
        if (_factory is not null)
            await _factory.DisposeAsync();
        if (Amqp is not null)
            await infra.DeleteVirtualHostAsync(Amqp);
        if (ConnectionString.Length > 0)
            await infra.DropDatabaseAsync(ConnectionString);
        File.Delete(ConfigFile);
    }
}

public sealed record CapturedLog(LogLevel Level, string Category, string Message, Exception? Exception);

/// <summary>Keeps every log entry of the host, so a test can check what was (and was not) written.</summary>
public sealed class CapturingLoggerProvider(ConcurrentQueue<CapturedLog> log) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, log);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<CapturedLog> log) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
                log.Enqueue(new CapturedLog(logLevel, category, formatter(state, exception), exception));
        }
    }
}
