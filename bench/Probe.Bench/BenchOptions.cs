using System.Globalization;

namespace StatusPlatform.Probe.Bench;

/// <summary>The command line: every option has a default, so a bare <c>dotnet run</c> is the standard run.</summary>
internal sealed record BenchOptions(
    IReadOnlyList<int> Monitors,
    int IntervalSeconds = 30,
    int MeasuredIntervals = 3,
    int ReferenceSeconds = 10,
    int ReferenceConcurrency = 8,
    bool Restart = true,
    int? UnderLoad = null,
    int WrkConnections = 64,
    int WrkThreads = 2,
    string? JsonPath = null)
{
    /// <summary>The monitor count measured a second time under load when --under-load is not given, if it is run at all.</summary>
    public const int DefaultUnderLoad = 10_000;

    public const string Usage = """
        Usage: dotnet run -c Release --project bench/Probe.Bench -- [options]
          --monitors N,N,...        monitor counts, one probe run each (default 5000,10000,20000)
          --interval N              monitor interval in seconds (default 30)
          --measured-intervals N    intervals measured per run, after every monitor was checked once (default 3)
          --reference-seconds N     seconds of the raw HttpClient loop before each run (default 10)
          --reference-concurrency N concurrent requests in the raw loop (default 8)
          --no-restart              skip the restart measurement after the largest run
          --under-load N            the monitor count (one of --monitors) measured again while wrk loads StatusApi's
                                    summary.json (default 10000 when it is run; 0 skips)
          --wrk-connections N       wrk connections in the run under load (default 64)
          --wrk-threads N           wrk threads in the run under load (default 2)
          --json PATH               also write the results as JSON
        RabbitMQ comes from ConnectionStrings__messaging (throwaway virtual hosts are created and deleted), nginx from
        /usr/sbin/nginx (apt-get install nginx). The run under load also needs wrk (apt-get install wrk) and PostgreSQL
        from ConnectionStrings__statusdb (a throwaway database for StatusApi). Build first: dotnet build -c Release bench/Probe.Bench.
        """;

    public TimeSpan Interval => TimeSpan.FromSeconds(IntervalSeconds);

    /// <summary>Parses <paramref name="args"/>; null when they ask for help or are wrong (the error is in <paramref name="error"/>).</summary>
    public static BenchOptions? Parse(string[] args, out string? error)
    {
        var options = new BenchOptions([5_000, 10_000, 20_000]);
        error = null;
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            if (name is "-h" or "--help")
                return null;
            if (name == "--no-restart")
            {
                options = options with { Restart = false };
                continue;
            }
            if (i + 1 >= args.Length)
            {
                error = $"{name} needs a value.";
                return null;
            }
            var value = args[++i];
            try
            {
                options = name switch
                {
                    "--monitors" => options with { Monitors = [.. value.Split(',').Select(Positive)] },
                    "--interval" => options with { IntervalSeconds = Positive(value) },
                    "--measured-intervals" => options with { MeasuredIntervals = Positive(value) },
                    "--reference-seconds" => options with { ReferenceSeconds = Positive(value) },
                    "--reference-concurrency" => options with { ReferenceConcurrency = Positive(value) },
                    "--under-load" => options with { UnderLoad = value == "0" ? 0 : Positive(value) },
                    "--wrk-connections" => options with { WrkConnections = Positive(value) },
                    "--wrk-threads" => options with { WrkThreads = Positive(value) },
                    "--json" => options with { JsonPath = value },
                    _ => throw new FormatException($"Unknown option {name}."),
                };
            }
            catch (FormatException e)
            {
                error = e.Message.StartsWith("Unknown", StringComparison.Ordinal) ? e.Message : $"{name} {value}: {e.Message}";
                return null;
            }
        }
        if (options.UnderLoad is > 0 and var count && !options.Monitors.Contains(count))
        {
            error = $"--under-load {count}: not one of the monitor counts ({string.Join(',', options.Monitors)}).";
            return null;
        }
        return options;
    }

    /// <summary>The monitor count whose run is measured again under load; null when none is.</summary>
    public int? UnderLoadMonitors => UnderLoad switch
    {
        0 => null,
        null => Monitors.Contains(DefaultUnderLoad) ? DefaultUnderLoad : null,
        var count => count,
    };

    private static int Positive(string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : throw new FormatException("expects a positive whole number.");
}
