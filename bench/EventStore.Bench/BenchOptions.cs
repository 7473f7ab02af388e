using System.Globalization;
using System.Text.Json.Serialization;

namespace StatusPlatform.EventSourcing.Bench;

/// <summary>The command line: every option has a default, so a bare <c>dotnet run</c> is the standard run.</summary>
internal sealed record BenchOptions(
    int Seconds = 10,
    int Rounds = 5,
    int WarmupSeconds = 2,
    int Writers = 8,
    int LagRate = 5_000,
    int? SequencerIntervalMs = null,
    string? JsonPath = null)
{
    public const string Usage = """
        Usage: dotnet run -c Release --project bench/EventStore.Bench -- [options]
          --seconds N               measured seconds per scenario (default 10)
          --rounds N                slices each scenario's seconds into N turns taken with its reference (default 5)
          --warmup N                warm-up seconds before each scenario (default 2)
          --writers N               concurrent writers (default 8)
          --lag-rate N              events/s of the paced load in the lag scenario (default 5000)
          --sequencer-interval-ms N override EventStoreOptions.SequencerInterval (default: the store's, 20 ms)
          --json PATH               also write the results as JSON
        PostgreSQL comes from ConnectionStrings__statusdb; the bench creates and drops a database of its own.
        """;

    [JsonIgnore]
    public TimeSpan Duration => TimeSpan.FromSeconds(Seconds);

    [JsonIgnore]
    public TimeSpan Slice => TimeSpan.FromSeconds(Seconds / (double)Rounds);

    [JsonIgnore]
    public TimeSpan Warmup => TimeSpan.FromSeconds(WarmupSeconds);

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
                "--seconds" => options with { Seconds = Positive(name, value, ref error) },
                "--rounds" => options with { Rounds = Positive(name, value, ref error) },
                "--warmup" => options with { WarmupSeconds = Positive(name, value, ref error, allowZero: true) },
                "--writers" => options with { Writers = Positive(name, value, ref error) },
                "--lag-rate" => options with { LagRate = Positive(name, value, ref error) },
                "--sequencer-interval-ms" => options with { SequencerIntervalMs = Positive(name, value, ref error) },
                "--json" => options with { JsonPath = value },
                _ => Unknown(options, name, ref error),
            };
            if (error is not null)
                return null;
        }
        return options;
    }

    private static int Positive(string name, string value, ref string? error, bool allowZero = false)
    {
        if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && (n > 0 || (allowZero && n == 0)))
            return n;
        error = $"{name} expects a {(allowZero ? "non-negative" : "positive")} whole number, not '{value}'.";
        return 0;
    }

    private static BenchOptions Unknown(BenchOptions options, string name, ref string? error)
    {
        error = $"Unknown option '{name}'.";
        return options;
    }
}
