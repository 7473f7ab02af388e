using System.Globalization;

namespace StatusPlatform.Ingestion.Bench;

/// <summary>The command line: every option has a default, so a bare run is the standard run.</summary>
internal sealed record BenchOptions(int Monitors = 1_000, int Results = 50_000, int Publishers = 16, int IdleSeconds = 10, int StallSeconds = 30,
    string? JsonPath = null)
{
    public const string Usage = """
        Usage: dotnet run -c Release --project bench/Ingestion.Bench -- [options]
          --monitors N      monitors in the catalog, each its own fold (default 1000)
          --results N       CheckCompleted messages measured, in rounds over the monitors; the reference gets the same (default 50000)
          --publishers N    concurrent publishing loops, each waiting for the broker's confirm (default 16)
          --idle-seconds N  how long Incident.Service idles (catalog loaded, one result per monitor folded) before its idle RSS is read (default 10)
          --stall-seconds N give up when no result was folded for N s (default 30)
          --json PATH       also write the results as JSON (bench/results/ is ignored by git)
        PostgreSQL from ConnectionStrings__statusdb, RabbitMQ from ConnectionStrings__messaging and its management API at
        SP_RABBIT_MANAGEMENT_URL (defaults of scripts/infra.sh); the bench creates and drops a database and two virtual hosts.
        """;

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
                "--monitors" => options with { Monitors = Number(name, value, ref error) },
                "--results" => options with { Results = Number(name, value, ref error) },
                "--publishers" => options with { Publishers = Number(name, value, ref error) },
                "--idle-seconds" => options with { IdleSeconds = Number(name, value, ref error) },
                "--stall-seconds" => options with { StallSeconds = Number(name, value, ref error) },
                "--json" => options with { JsonPath = value },
                _ => Unknown(options, name, ref error),
            };
            if (error is not null)
                return null;
        }
        return options;
    }

    private static int Number(string name, string value, ref string? error)
    {
        if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0)
            return n;
        error ??= $"{name} expects a positive whole number, not '{value}'.";
        return 0;
    }

    private static BenchOptions Unknown(BenchOptions options, string name, ref string? error)
    {
        error = $"Unknown option '{name}'.";
        return options;
    }
}
