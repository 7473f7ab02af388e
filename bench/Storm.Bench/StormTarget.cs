using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace StatusPlatform.Storm.Bench;

/// <summary>
/// What the monitors watch: one Kestrel server in the bench process, a path per monitor (<c>/m/&lt;i&gt;</c>), answering 200
/// until <see cref="IsUp"/> is switched off and 503 from then on, for every path in the same instant: the shared
/// dependency that takes a thousand monitors down at once. It remembers which monitors it has seen since
/// <see cref="ResetSeen"/>, so the bench knows when the probe has checked all of them.
/// </summary>
internal sealed class StormTarget : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly int[] _seen;
    private volatile bool _isUp = true;
    private int _seenCount;

    private StormTarget(WebApplication app, int monitors) => (_app, _seen) = (app, new int[monitors]);

    public bool IsUp
    {
        get => _isUp;
        set => _isUp = value;
    }

    /// <summary>Distinct monitors requested since the last <see cref="ResetSeen"/>.</summary>
    public int SeenCount => Volatile.Read(ref _seenCount);

    public string Url(int monitor) => string.Create(CultureInfo.InvariantCulture, $"{_app.Urls.First()}/m/{monitor}");

    public static async Task<StormTarget> StartAsync(int monitors)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var target = new StormTarget(app, monitors);
        var up = Encoding.ASCII.GetBytes("up\n");
        var down = Encoding.ASCII.GetBytes("down\n");
        app.MapGet("/m/{monitor:int}", (int monitor, HttpContext context) =>
        {
            if (monitor >= 0 && monitor < target._seen.Length && Interlocked.Exchange(ref target._seen[monitor], 1) == 0)
                Interlocked.Increment(ref target._seenCount);
            var isUp = target.IsUp;
            context.Response.StatusCode = isUp ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;
            return context.Response.Body.WriteAsync(isUp ? up : down).AsTask();
        });
        await app.StartAsync();
        return target;
    }

    public void ResetSeen()
    {
        for (var i = 0; i < _seen.Length; i++)
            Volatile.Write(ref _seen[i], 0);
        Volatile.Write(ref _seenCount, 0);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>The run's configuration file: components with automation on, each with its http monitors on the target.</summary>
internal static class StormCatalog
{
    public static string ComponentId(int c) => $"storm-{c:D4}";

    public static string WriteConfigFile(BenchOptions options, StormTarget target, string directory)
    {
        var yaml = new StringBuilder();
        yaml.AppendLine("page:\n  name: Storm bench\n  url: http://127.0.0.1:1\n  time_zone: Etc/UTC\ncomponents:");
        for (var c = 0; c < options.Components; c++)
            yaml.AppendLine(CultureInfo.InvariantCulture, $"  - id: {ComponentId(c)}\n    name: Storm component {c}\n    automation: true");
        yaml.AppendLine("monitors:");
        // The timeout only has to be within the interval: the target answers at once, up or down.
        var timeout = Math.Min(5, options.IntervalSeconds);
        for (var i = 0; i < options.Monitors; i++)
        {
            yaml.AppendLine(CultureInfo.InvariantCulture, $"  - id: storm-m{i:D5}\n    component: {ComponentId(i / options.MonitorsPerComponent)}\n    kind: http\n    url: {target.Url(i)}");
            yaml.AppendLine(CultureInfo.InvariantCulture,
                $"    interval: {options.IntervalSeconds}s\n    timeout: {timeout}s\n    failure_threshold: {options.FailureThreshold}\n    success_threshold: 1");
        }
        var path = Path.Combine(directory, "storm-bench.yaml");
        File.WriteAllText(path, yaml.ToString());
        return path;
    }
}
