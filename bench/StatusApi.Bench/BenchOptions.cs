using System.Globalization;

namespace StatusPlatform.StatusApi.Bench;

/// <summary>The command line: every option has a default, so a bare <c>dotnet run</c> is the standard run.</summary>
internal sealed record BenchOptions(
    int Seconds = 15,
    int WarmupSeconds = 3,
    IReadOnlyList<int>? Connections = null,
    int Threads = 2,
    int Changes = 50,
    int ChangeRate = 10,
    int Samples = 2_000)
{
    public const string Usage = """
        Usage: dotnet run -c Release --project bench/StatusApi.Bench -- [options]
          --seconds N        measured seconds per wrk run (default 15)
          --warmup N         unmeasured wrk seconds against each server first (default 3)
          --connections L    comma-separated wrk connection counts (default 64,256)
          --threads N        wrk threads (default 2)
          --changes N        changes per pass of the single requests around changes, and pauses (default 50)
          --change-rate N    changes per second during the run under change (default 10; 0 skips that run)
          --samples N        sequential requests per server for the single-request latencies (default 2000)
        Needs wrk and nginx (Debian: apt-get install wrk nginx-light). PostgreSQL comes from ConnectionStrings__statusdb,
        RabbitMQ from ConnectionStrings__messaging; the bench creates and drops a database and a virtual host of its own.
        """;

    public IReadOnlyList<int> ConnectionCounts => Connections ?? [64, 256];

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
                "--seconds" => options with { Seconds = Number(name, value, ref error) },
                "--warmup" => options with { WarmupSeconds = Number(name, value, ref error, allowZero: true) },
                "--connections" => options with { Connections = Numbers(name, value, ref error) },
                "--threads" => options with { Threads = Number(name, value, ref error) },
                "--changes" => options with { Changes = Number(name, value, ref error) },
                "--change-rate" => options with { ChangeRate = Number(name, value, ref error, allowZero: true) },
                "--samples" => options with { Samples = Number(name, value, ref error) },
                _ => Unknown(options, name, ref error),
            };
            if (error is not null)
                return null;
        }
        if (options.ConnectionCounts.Any(c => c < options.Threads))
            error = "--connections must not be fewer than --threads (wrk needs a connection per thread).";
        return error is null ? options : null;
    }

    private static int Number(string name, string value, ref string? error, bool allowZero = false)
    {
        if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && (n > 0 || (allowZero && n == 0)))
            return n;
        error ??= $"{name} expects a {(allowZero ? "non-negative" : "positive")} whole number, not '{value}'.";
        return 0;
    }

    private static int[] Numbers(string name, string value, ref string? error)
    {
        var parts = value.Split(',');
        var numbers = new int[parts.Length];
        for (var i = 0; i < parts.Length; i++)
            numbers[i] = Number(name, parts[i].Trim(), ref error);
        return numbers;
    }

    private static BenchOptions Unknown(BenchOptions options, string name, ref string? error)
    {
        error = $"Unknown option '{name}'.";
        return options;
    }
}
