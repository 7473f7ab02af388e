using System.Globalization;
using System.Text.Json;

namespace StatusPlatform.Probe.Bench;

/// <summary>One line of the table: the figure, what it is compared with, and the target it is held to.</summary>
internal sealed record Row(string Name, string Figure, string Reference, string Ratio, string Target, bool? Met);

internal sealed record BenchResults(DateTimeOffset StartedAt, string Machine, BenchOptions Options, IReadOnlyList<RunResult> Runs, RestartResult? Restart);

internal static class Report
{
    private const double Megabyte = 1024 * 1024;
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static IReadOnlyList<Row> Rows(BenchResults results)
    {
        var rows = new List<Row>();
        foreach (var run in results.Runs)
        {
            var n = run.Monitors.ToString("N0", CultureInfo.InvariantCulture);
            var largest = run.Monitors == results.Runs.Max(r => r.Monitors);
            var w = run.Window;
            rows.Add(new($"checks/s, {n} monitors", F(w.ChecksPerSecond, "0.0"), $"{F(run.Reference.RequestsPerSecond, "0")} raw loop",
                P(w.ChecksPerSecond / run.Reference.RequestsPerSecond), $">= 99.5 % of {F(run.PlannedPerSecond, "0.0")} planned",
                w.ChecksPerSecond >= run.PlannedPerSecond * 0.995));
            rows.Add(new($"drift p50, {n}", Ms(w.DriftP50Ms), "", "", "", null));
            rows.Add(new($"drift p99, {n}", Ms(w.DriftP99Ms), "", "", "< 1 s", w.DriftP99Ms < 1000));
            rows.Add(new($"drift max, {n}", Ms(w.DriftMaxMs), $"machine {F(w.MachineBusyAtLatestCheck, "0.00")} cores busy", "", "", null));
            rows.Add(new($"missed / doubled slots, {n}", $"{w.MissedSlots} / {w.DoubleSlots}", "", "", "0 / 0", w.MissedSlots == 0 && w.DoubleSlots == 0));
            rows.Add(new($"busiest second, {n}", $"{w.BusiestSecond} checks", $"{F(run.PlannedPerSecond, "0.0")} mean",
                $"{F(w.BusiestSecond / run.PlannedPerSecond, "0.00")}x", "< 1.5x mean", w.BusiestSecond < run.PlannedPerSecond * 1.5));
            rows.Add(new($"CPU, {n}", $"{F(w.CpuCores * 100, "0.0")} % of a core", $"machine {F(w.MachineBusyCores, "0.00")} cores busy", "", "", null));
            rows.Add(new($"CPU per check, {n}", Ms(w.CpuMsPerCheck, "0.000"), $"{Ms(run.Reference.CpuMsPerRequest, "0.000")} raw loop",
                $"{F(w.CpuMsPerCheck / run.Reference.CpuMsPerRequest, "0.0")}x", "", null));
            rows.Add(new($"peak RSS, {n}", $"{F(run.PeakRssBytes / Megabyte, "0")} MB", "", "", largest ? "< 300 MB" : "", largest ? run.PeakRssBytes < 300 * Megabyte : null));
            rows.Add(new($"threads, {n}", run.Threads.ToString(CultureInfo.InvariantCulture), "", "", "", null));
            rows.Add(new($"start until all checked, {n}", $"{F(run.SpawnToAllChecked, "0.0")} s", $"{results.Options.IntervalSeconds} s interval", "",
                $"<= {results.Options.IntervalSeconds} s", run.SpawnToAllChecked <= results.Options.IntervalSeconds));
            if (run.UnderLoad is { } load)
                rows.AddRange(UnderLoadRows(n, run, load, results.Options));
        }
        if (results.Restart is { } restart)
        {
            var interval = results.Options.IntervalSeconds;
            var n = restart.Monitors.ToString("N0", CultureInfo.InvariantCulture);
            rows.Add(new($"restart: process start to active, {n}", $"{F(restart.SpawnToActive, "0.0")} s", "", "", "", null));
            rows.Add(new($"restart: process start to catalog running, {n}", $"{F(restart.SpawnToCatalog, "0.0")} s", "", "", "", null));
            // One interval, plus the drift a check may have on its slot.
            rows.Add(new($"restart: ready to all checked, {n}", $"{F(restart.ReadyToAllChecked, "0.0")} s", $"{interval} s interval",
                P(restart.ReadyToAllChecked / interval), $"<= {interval} s + 1 s drift", restart.ReadyToAllChecked <= interval + 1));
            rows.Add(new($"restart: process start to all checked, {n}", $"{F(restart.SpawnToAllChecked, "0.0")} s", $"{interval} s interval",
                P(restart.SpawnToAllChecked / interval), $"<= {interval} s", restart.SpawnToAllChecked <= interval));
            rows.Add(new($"restart: longest a monitor went unchecked, {n}", $"{F(restart.LongestUncheckedSeconds, "0.0")} s", "", "", "", null));
            rows.Add(new($"restart: catch-up checks, {n}", $"{restart.CaughtUp} monitors", "", "", "", null));
            rows.Add(new($"restart: first round, busiest second, {n}", $"{restart.BusiestSecond} checks", $"{F(restart.FirstRoundMeanPerSecond, "0.0")} mean",
                $"{F(restart.BusiestSecond / restart.FirstRoundMeanPerSecond, "0.00")}x", "< 1.5x mean", restart.BusiestSecond < restart.FirstRoundMeanPerSecond * 1.5));
            rows.Add(new($"restart: slots checked twice across it, {n}", restart.DoubleSlots.ToString(CultureInfo.InvariantCulture), "", "", "", null));
        }
        return rows;
    }

    /// <summary>The same probe again while wrk hammers StatusApi, each figure beside the one without load.</summary>
    private static IEnumerable<Row> UnderLoadRows(string n, RunResult run, UnderLoadResult load, BenchOptions options)
    {
        var (w, without) = (load.Window, run.Window);
        var wrk = load.Wrk;
        yield return new($"under load: wrk summary.json, {options.WrkConnections} conns", $"{F(wrk.RequestsPerSecond, "0")} req/s",
            $"p50 {Ms(wrk.P50Ms)}, p99 {Ms(wrk.P99Ms)}", "", "no errors", wrk.Errors == 0 && wrk.Non2xx == 0);
        yield return new($"under load: checks/s, {n}", F(w.ChecksPerSecond, "0.0"), $"{F(without.ChecksPerSecond, "0.0")} without",
            P(w.ChecksPerSecond / without.ChecksPerSecond), $">= 99.5 % of {F(run.PlannedPerSecond, "0.0")} planned", w.ChecksPerSecond >= run.PlannedPerSecond * 0.995);
        yield return new($"under load: drift p50, {n}", Ms(w.DriftP50Ms), $"{Ms(without.DriftP50Ms)} without", Ratio(w.DriftP50Ms, without.DriftP50Ms), "", null);
        yield return new($"under load: drift p99, {n}", Ms(w.DriftP99Ms), $"{Ms(without.DriftP99Ms)} without", Ratio(w.DriftP99Ms, without.DriftP99Ms), "< 1 s", w.DriftP99Ms < 1000);
        // "Unchanged" at the scale of the schedule: a tenth of the drift target, a third of a percent of a 30 s interval.
        yield return new($"under load: drift p99 added, {n}", Ms(w.DriftP99Ms - without.DriftP99Ms), "", "", "< 100 ms", w.DriftP99Ms - without.DriftP99Ms < 100);
        yield return new($"under load: drift max, {n}", Ms(w.DriftMaxMs), $"{Ms(without.DriftMaxMs)} without; machine {F(w.MachineBusyAtLatestCheck, "0.00")} cores busy", "", "", null);
        yield return new($"under load: missed / doubled slots, {n}", $"{w.MissedSlots} / {w.DoubleSlots}", "", "", "0 / 0", w.MissedSlots == 0 && w.DoubleSlots == 0);
        yield return new($"under load: CPU, {n}", $"{F(w.CpuCores * 100, "0.0")} % of a core", $"machine {F(w.MachineBusyCores, "0.00")} cores busy", "", "", null);
    }

    public static void Print(TextWriter output, BenchResults results)
    {
        output.WriteLine($"Probe.Bench {results.StartedAt:yyyy-MM-dd HH:mm} UTC, {results.Machine}");
        output.WriteLine($"monitors at {results.Options.IntervalSeconds} s against nginx; {results.Options.MeasuredIntervals} intervals measured per run; "
            + $"raw loop: {results.Options.ReferenceConcurrency} concurrent GETs on fresh connections for {results.Options.ReferenceSeconds} s before each run");
        if (results.Runs.FirstOrDefault(r => r.UnderLoad is not null) is { } loaded)
            output.WriteLine($"under load: the {loaded.Monitors:N0}-monitor probe measured again for as long while wrk -t{results.Options.WrkThreads} "
                + $"-c{results.Options.WrkConnections} hammers StatusApi's /api/v2/summary.json (Release, own process) on the same cores");
        output.WriteLine();
        var rows = Rows(results);
        string[] headers = ["", "figure", "reference", "ratio", "target", ""];
        var cells = rows.Select(r => new[] { r.Name, r.Figure, r.Reference, r.Ratio, r.Target, r.Met switch { true => "ok", false => "MISSED", null => "" } }).ToList();
        var widths = headers.Select((h, i) => cells.Select(c => c[i].Length).Append(h.Length).Max()).ToArray();
        output.WriteLine(string.Join(" | ", headers.Select((h, i) => h.PadRight(widths[i]))).TrimEnd());
        output.WriteLine(string.Join("-|-", widths.Select(w => new string('-', w))));
        foreach (var row in cells)
            output.WriteLine(string.Join(" | ", row.Select((c, i) => i is 1 or 2 or 3 ? c.PadLeft(widths[i]) : c.PadRight(widths[i]))).TrimEnd());
    }

    public static async Task WriteJsonAsync(string path, BenchResults results, CancellationToken ct)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        await using var file = File.Create(path);
        await JsonSerializer.SerializeAsync(file, new { results, rows = Rows(results) }, Indented, ct);
    }

    private static string F(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);

    private static string P(double ratio) => $"{F(ratio * 100, "0.0")} %";

    private static string Ratio(double value, double reference) => reference > 0 ? $"{F(value / reference, "0.0")}x" : "";

    private static string Ms(double ms, string format = "0.0") => $"{F(ms, format)} ms";
}
