using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace StatusPlatform.Probe.Tests.Fixtures;

public enum TargetMode
{
    Up,
    Failing,
    Hanging,
}

/// <summary>
/// A real HTTP server on 127.0.0.1 and a free port (or a given one, to come back where it was), the thing a monitor
/// watches. Each path answers 200, 503 or never, as the test sets it, and records when each request arrived and how
/// many were in flight at once.
/// </summary>
public sealed class TargetServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, PathState> _paths = new();

    private TargetServer(WebApplication app, Uri baseUri)
    {
        _app = app;
        BaseUri = baseUri;
    }

    public Uri BaseUri { get; }

    public int Port => BaseUri.Port;

    public static async Task<TargetServer> StartAsync(X509Certificate2? certificate = null, int port = 0)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port, listen =>
        {
            if (certificate is not null)
                listen.UseHttps(certificate);
        }));
        var app = builder.Build();
        TargetServer? server = null;
        app.Run(context => server!.AnswerAsync(context));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        server = new TargetServer(app, new Uri(address));
        return server;
    }

    public string Url(string path) => new Uri(BaseUri, path).ToString();

    public void Set(string path, TargetMode mode) => State(path).Mode = mode;

    public int Requests(string path) => State(path).Requests;

    /// <summary>When each request to this path arrived, on this machine's clock (the one the probes plan by).</summary>
    public IReadOnlyList<DateTimeOffset> Arrivals(string path) => [.. State(path).Arrivals];

    public int MostInFlight(string path) => State(path).MostInFlight;

    /// <summary>How many distinct TCP connections the requests to this path came on.</summary>
    public int Connections(string path) => State(path).Connections.Count;

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private PathState State(string path) => _paths.GetOrAdd(path.StartsWith('/') ? path : "/" + path, _ => new PathState());

    private async Task AnswerAsync(HttpContext context)
    {
        var state = State(context.Request.Path);
        state.Arrivals.Enqueue(DateTimeOffset.UtcNow);
        state.Connections.TryAdd(context.Connection.Id, 0);
        state.Enter();
        try
        {
            switch (state.Mode)
            {
                case TargetMode.Up:
                    await context.Response.WriteAsync("ok");
                    break;
                case TargetMode.Failing:
                    context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                    break;
                case TargetMode.Hanging:
                    try
                    {
                        await Task.Delay(Timeout.Infinite, context.RequestAborted);
                    }
                    catch (OperationCanceledException)
                    {
                        // The probe gave up and closed the connection, as it should.
                    }
                    break;
            }
        }
        finally
        {
            state.Leave();
        }
    }

    private sealed class PathState
    {
        private int _requests;
        private int _inFlight;
        private int _mostInFlight;

        public volatile TargetMode Mode;

        public ConcurrentDictionary<string, byte> Connections { get; } = new();

        public ConcurrentQueue<DateTimeOffset> Arrivals { get; } = new();

        public int Requests => Volatile.Read(ref _requests);

        public int MostInFlight => Volatile.Read(ref _mostInFlight);

        public void Enter()
        {
            Interlocked.Increment(ref _requests);
            var now = Interlocked.Increment(ref _inFlight);
            int most;
            while (now > (most = Volatile.Read(ref _mostInFlight)) && Interlocked.CompareExchange(ref _mostInFlight, now, most) != most)
            {
            }
        }

        public void Leave() => Interlocked.Decrement(ref _inFlight);
    }
}
