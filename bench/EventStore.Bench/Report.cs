using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace StatusPlatform.EventSourcing.Bench;

/// <summary>
/// One line of the results: a figure, what it is compared with, and the target it is held to. The ratio is over the
/// whole run; <see cref="RoundRatios"/> shows how much it moved from round to round.
/// </summary>
internal sealed record ResultRow(string Scenario, double Figure, string Unit,
    double? Reference = null, double? Ratio = null, string? Target = null, bool? Pass = null,
    IReadOnlyList<double>? RoundRatios = null);

internal sealed record BenchResults(
    DateTimeOffset StartedAt,
    ServerFacts Server,
    BenchOptions Options,
    double SequencerIntervalMs,
    int EventDataBytes,
    int EventMetadataBytes,
    IReadOnlyList<ResultRow> Rows,
    IReadOnlyList<SequencerCatchUp> SequencerCatchUps,
    LagResult Lag);

internal static class Report
{
    public const double BatchRatioTarget = 0.5;
    public const double LagP99TargetMs = 200;
    public const double LagRateTolerance = 0.95;

    public static IReadOnlyList<ResultRow> Rows(ThroughputScenario single, ThroughputScenario batch, ThroughputScenario raw1,
        ThroughputScenario raw10, LagResult lag)
    {
        const string rate = "events/s";
        var batchRatio = batch.EventsPerSecond / raw10.EventsPerSecond;
        var lagRateRatio = lag.AchievedRate / lag.RequestedRate;
        return
        [
            new(single.Name, single.EventsPerSecond, rate, raw1.EventsPerSecond, single.EventsPerSecond / raw1.EventsPerSecond,
                RoundRatios: RoundRatios(single, raw1)),
            new(batch.Name, batch.EventsPerSecond, rate, raw10.EventsPerSecond, batchRatio,
                $">= {BatchRatioTarget:P0}", batchRatio >= BatchRatioTarget, RoundRatios(batch, raw10)),
            new(raw1.Name, raw1.EventsPerSecond, rate),
            new(raw10.Name, raw10.EventsPerSecond, rate),
            new("lag load, 10 events", lag.AchievedRate, rate, lag.RequestedRate, lagRateRatio,
                $">= {LagRateTolerance:P0}", lagRateRatio >= LagRateTolerance),
            new("sequencer lag p50", lag.P50, "ms"),
            new("sequencer lag p95", lag.P95, "ms"),
            new("sequencer lag p99", lag.P99, "ms", Target: $"< {LagP99TargetMs:0} ms", Pass: lag.P99 < LagP99TargetMs),
            new("sequencer lag max", lag.Max, "ms"),
        ];
    }

    public static void Print(TextWriter output, BenchResults results)
    {
        var s = results.Server;
        var o = results.Options;
        output.WriteLine(Invariant($"machine: {s.ProcessorCount} cores; PostgreSQL {s.PostgresVersion}; synchronous_commit={s.SynchronousCommit}; shared_buffers={s.SharedBuffers}"));
        output.WriteLine(Invariant($"run: {o.Writers} writers; {o.WarmupSeconds} s warm-up, then {o.Seconds} s per scenario in {o.Rounds} rounds; sequencer interval {results.SequencerIntervalMs:0} ms; event {results.EventDataBytes} + metadata {results.EventMetadataBytes} bytes of JSON"));
        output.WriteLine();

        string[] header = ["scenario", "figure", "reference", "ratio", "target", "result"];
        var lines = results.Rows.Select(r => new[]
        {
            r.Scenario,
            Format(r.Figure, r.Unit),
            r.Reference is { } reference ? Format(reference, r.Unit) : "",
            r.Ratio is { } ratio ? Invariant($"{ratio:P1}") : "",
            r.Target ?? "",
            r.Pass switch { true => "pass", false => "FAIL", null => "" },
        }).Prepend(header).ToList();
        var widths = header.Select((_, c) => lines.Max(l => l[c].Length)).ToArray();
        foreach (var (line, i) in lines.Select((l, i) => (l, i)))
        {
            // Text left, numbers right.
            output.WriteLine(string.Join("  ", line.Select((cell, c) => c is 0 or 4 or 5 || i == 0 ? cell.PadRight(widths[c]) : cell.PadLeft(widths[c]))).TrimEnd());
            if (i == 0)
                output.WriteLine(string.Join("  ", widths.Select(w => new string('-', w))));
        }
        output.WriteLine();
        foreach (var r in results.Rows.Where(r => r.RoundRatios is { Count: > 1 }))
            output.WriteLine($"ratio of '{r.Scenario}' per round: {string.Join(", ", r.RoundRatios!.Select(x => Invariant($"{x:P0}")))}");
        output.WriteLine(Invariant($"sequencer cycle during the lag run (time between notifications): p50 {results.Lag.CycleP50:N1} ms, p99 {results.Lag.CycleP99:N1} ms"));
        foreach (var c in results.SequencerCatchUps)
            output.WriteLine(Invariant($"sequencer backlog when '{c.Scenario}' writers stopped: up to {c.BacklogEvents:N0} events, cleared within {c.DrainMs:N0} ms"));
    }

    public static async Task WriteJsonAsync(string path, BenchResults results, CancellationToken ct)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        await using var file = File.Create(path);
        await JsonSerializer.SerializeAsync(file, results, BenchJsonContext.Default.BenchResults, ct);
    }

    private static double[] RoundRatios(ThroughputScenario scenario, ThroughputScenario reference) =>
        [.. scenario.Slices.Zip(reference.Slices, (s, r) => s.EventsPerSecond / r.EventsPerSecond)];

    private static string Format(double value, string unit) =>
        unit == "ms" ? Invariant($"{value:N1} ms") : Invariant($"{value:N0} {unit}");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(BenchResults))]
internal sealed partial class BenchJsonContext : JsonSerializerContext;
