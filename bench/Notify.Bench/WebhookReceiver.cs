using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace StatusPlatform.Notify.Bench;

/// <summary>A Kestrel receiver on loopback that answers 204 to every POST and counts them.</summary>
internal sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private long _received;
    private long _lastAtTicks;
    private long _firstAtTicks;

    private WebhookReceiver(WebApplication app) => _app = app;

    public Uri BaseUri { get; private set; } = null!;

    public long Received => Interlocked.Read(ref _received);

    public long LastAtTicks => Interlocked.Read(ref _lastAtTicks);

    public long FirstAtTicks => Interlocked.Read(ref _firstAtTicks);

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.Run(async context =>
        {
            await context.Request.Body.CopyToAsync(Stream.Null, context.RequestAborted);
            Interlocked.Increment(ref receiver._received);
            var now = Stopwatch.GetTimestamp();
            Interlocked.CompareExchange(ref receiver._firstAtTicks, now, 0);
            Interlocked.Exchange(ref receiver._lastAtTicks, now);
            context.Response.StatusCode = 204;
        });
        await app.StartAsync();
        receiver.BaseUri = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/') + "/");
        return receiver;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
