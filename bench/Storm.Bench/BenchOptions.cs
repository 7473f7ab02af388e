using System.Globalization;

namespace StatusPlatform.Storm.Bench;

/// <summary>The command line: every option has a default, so a bare run is the standard run (two to three minutes).</summary>
internal sealed record BenchOptions(
    int Components = 200,
    int MonitorsPerComponent = 5,
    int IntervalSeconds = 10,
    int FailureThreshold = 2,
    int Connections = 32,
    int Rate = 500,
    int Threads = 1,
    int WarmupSeconds = 3,
    int QuietSeconds = 15,
    int ReferenceSeconds = 8,
    int LimitSeconds = 50,
    IReadOnlyList<string>? Endpoints = null,
    string? JsonPath = null)
{
    public const string Usage = """
        Usage: dotnet bench/Storm.Bench/bin/Release/net10.0/Storm.Bench.dll [options]
          --components N            components on the page, each with automation on (default 200)
          --per-component N         http monitors per component (default 5: 1,000 monitors)
          --interval N              every monitor's interval in seconds (default 10, the probe's floor; below 10 lowers the floor)
          --failure-threshold N     consecutive failures before a monitor is down (default 2; recovery takes 1 success)
          --connections N           wrk connections per endpoint, every endpoint loaded at once (default 32)
          --rate N                  at most N requests/s per endpoint: each connection pauses connections/N s after a
                                    response (default 500); 0 sends again at once, saturating the machine as StatusApi.Bench does
          --threads N               wrk threads per endpoint (default 1)
          --warmup N                unmeasured wrk seconds before the quiet window and before the nginx reference (default 3)
          --quiet-seconds N         length of the quiet window (default 15)
          --reference-seconds N     length of each nginx reference window (default 8)
          --limit N                 give up on the storm or the recovery after N s (the run reports what it got; default 50)
          --endpoints L             public API paths under /api/v2/, comma-separated (default summary.json,incidents/unresolved.json)
          --json PATH               also write the results as JSON (bench/results/ is ignored by git)
        Needs wrk and nginx (Debian: apt-get install wrk nginx-light), PostgreSQL from ConnectionStrings__statusdb and
        RabbitMQ from ConnectionStrings__messaging with its management API at SP_RABBIT_MANAGEMENT_URL (defaults of
        scripts/infra.sh). The bench creates and drops a database and a virtual host of its own.
        """;

    public IReadOnlyList<string> Paths => Endpoints ?? ["summary.json", "incidents/unresolved.json"];

    public int Monitors => Components * MonitorsPerComponent;

    /// <summary>Parses <paramref name="args"/>; null when they ask for help or are wrong (the error is in <paramref name="error"/>).</summary>
    public static BenchOptions? Parse(string[] args, out string? error)
    {
        var options = new BenchOptions();
        error = null;
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            if (name is "-h" or "--help")
                return null;
            if (i + 1 >= args.Length)
            {
                error = $"{name} needs a value.";
                return null;
            }
            var value = args[++i];
            options = name switch
            {
                "--components" => options with { Components = Number(name, value, ref error) },
                "--per-component" => options with { MonitorsPerComponent = Number(name, value, ref error) },
                "--interval" => options with { IntervalSeconds = Number(name, value, ref error) },
                "--failure-threshold" => options with { FailureThreshold = Number(name, value, ref error) },
                "--connections" => options with { Connections = Number(name, value, ref error) },
                "--rate" => options with { Rate = Number(name, value, ref error, allowZero: true) },
                "--threads" => options with { Threads = Number(name, value, ref error) },
                "--warmup" => options with { WarmupSeconds = Number(name, value, ref error, allowZero: true) },
                "--quiet-seconds" => options with { QuietSeconds = Number(name, value, ref error) },
                "--reference-seconds" => options with { ReferenceSeconds = Number(name, value, ref error) },
                "--limit" => options with { LimitSeconds = Number(name, value, ref error) },
                "--endpoints" => options with { Endpoints = ParsePaths(name, value, ref error) },
                "--json" => options with { JsonPath = value },
                _ => Unknown(options, name, ref error),
            };
            if (error is not null)
                return null;
        }
        if (options.Connections < options.Threads)
            error = "--connections must not be fewer than --threads (wrk needs a connection per thread).";
        else if (options.Components > 9_999 || options.Monitors > 99_999)
            error = "--components must be at most 9,999 and --components x --per-component at most 99,999.";
        return error is null ? options : null;
    }

    private static int Number(string name, string value, ref string? error, bool allowZero = false)
    {
        if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && (n > 0 || (allowZero && n == 0)))
            return n;
        error ??= $"{name} expects a {(allowZero ? "non-negative" : "positive")} whole number, not '{value}'.";
        return 0;
    }

    private static string[] ParsePaths(string name, string value, ref string? error)
    {
        var paths = value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (paths.Length == 0 || paths.Any(p => p.StartsWith('/') || !p.EndsWith(".json", StringComparison.Ordinal)))
            error ??= $"{name} expects paths under /api/v2/ ending in .json without a leading slash, e.g. summary.json,components.json; not '{value}'.";
        return paths;
    }

    private static BenchOptions Unknown(BenchOptions options, string name, ref string? error)
    {
        error = $"Unknown option '{name}'.";
        return options;
    }
}
