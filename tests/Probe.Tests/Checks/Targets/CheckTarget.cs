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

namespace StatusPlatform.Probe.Tests.Checks.Targets;

/// <summary>A request as the target saw it.</summary>
public sealed record SeenRequest(string Method, string Path, string Host, string? UserAgent, string? Token, string? ContentType, string Body);

/// <summary>
/// A real Kestrel server on 127.0.0.1 (HTTPS with the given certificate) with one route per behaviour an HTTP check must
/// tell apart: JSON, text, slow answers, redirects, status codes, a body that stalls, an answer that never comes.
/// </summary>
public sealed class CheckTarget : IAsyncDisposable
{
    public const string Json = """{"status":"UP","items":[{"id":1,"name":"first"},{"id":2}],"version":"2.4.1"}""";
    public const string Text = "Welcome to the shop. Everything is fine.";

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<SeenRequest> _seen = new();

    private CheckTarget(WebApplication app) => _app = app;

    public Uri BaseUri { get; private set; } = null!;

    public IReadOnlyList<SeenRequest> Seen => [.. _seen];

    public static async Task<CheckTarget> StartAsync(X509Certificate2? certificate = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen =>
        {
            if (certificate is not null)
                listen.UseHttps(certificate);
        }));
        var app = builder.Build();
        var target = new CheckTarget(app);
        app.Use(async (context, next) =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync(context.RequestAborted);
            var headers = context.Request.Headers;
            target._seen.Enqueue(new SeenRequest(context.Request.Method, context.Request.Path, headers.Host.ToString(), headers.UserAgent.FirstOrDefault(),
                headers["X-Probe-Token"].FirstOrDefault(), headers.ContentType.FirstOrDefault(), body));
            await next(context);
        });
        app.Map("/json", () => Results.Text(Json, "application/json"));
        app.Map("/text", () => Results.Text(Text));
        app.Map("/slow/{ms:int}", async (int ms, CancellationToken aborted) =>
        {
            await Task.Delay(ms, aborted);
            return Results.Text("ok");
        });
        app.Map("/redirect/{hops:int}", (int hops) => hops > 0 ? Results.Redirect($"/redirect/{hops - 1}") : Results.Text("arrived"));
        app.Map("/see-other", (HttpContext context) =>
        {
            context.Response.StatusCode = StatusCodes.Status303SeeOther;
            context.Response.Headers.Location = "/text";
        });
        app.Map("/to", (string url) => Results.Redirect(url));
        app.Map("/status/{code:int}", (int code) => Results.StatusCode(code));
        app.Map("/stall-body", async (HttpContext context) =>
        {
            context.Response.ContentLength = 1000;
            await context.Response.WriteAsync("partial", context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
            await HangAsync(context.RequestAborted);
        });
        app.Map("/hang", (HttpContext context) => HangAsync(context.RequestAborted));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        target.BaseUri = new Uri(address);
        return target;
    }

    public string Url(string path) => new Uri(BaseUri, path).ToString();

    /// <summary>The same URL with "localhost" for the address, so that the check has a name to resolve.</summary>
    public string LocalhostUrl(string path) => new UriBuilder(new Uri(BaseUri, path)) { Host = "localhost" }.Uri.ToString();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static async Task HangAsync(CancellationToken aborted)
    {
        try
        {
            await Task.Delay(Timeout.Infinite, aborted);
        }
        catch (OperationCanceledException)
        {
            // The probe gave up and closed the connection, as it should.
        }
    }
}
