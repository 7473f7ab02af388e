using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace StatusPlatform.AppHost;

/// <summary>
/// A local web site for the demo and the end-to-end tests to monitor: every path answers 200, or 503 while it
/// is switched off (<c>POST /_demo/down</c>, <c>POST /_demo/up</c>, or <see cref="IsUp"/>).
/// </summary>
public sealed class DemoTarget : IAsyncDisposable
{
    private readonly WebApplication _app;
    private volatile bool _isUp = true;
    private long _requests;

    private DemoTarget(WebApplication app) => _app = app;

    public bool IsUp
    {
        get => _isUp;
        set => _isUp = value;
    }

    public long Requests => Interlocked.Read(ref _requests);

    public Uri Url => new(_app.Urls.First() + "/");

    public static async Task<DemoTarget> StartAsync(int port = 0)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var target = new DemoTarget(app);
        app.MapPost("/_demo/down", () => { target.IsUp = false; return "demo target is now DOWN (503)\n"; });
        app.MapPost("/_demo/up", () => { target.IsUp = true; return "demo target is now UP (200)\n"; });
        app.MapFallback(context =>
        {
            Interlocked.Increment(ref target._requests);
            context.Response.StatusCode = target.IsUp ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;
            return context.Response.WriteAsync(target.IsUp ? "demo target is up\n" : "demo target is down\n");
        });
        await app.StartAsync();
        return target;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
