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
            rows.Add(new($"checks/s, {n} monitors", F(run.ChecksPerSecond, "0.0"), $"{F(run.Reference.RequestsPerSecond, "0")} raw loop",
                P(run.ChecksPerSecond / run.Reference.RequestsPerSecond), $">= 99.5 % of {F(run.PlannedPerSecond, "0.0")} planned",
                run.ChecksPerSecond >= run.PlannedPerSecond * 0.995));
            rows.Add(new($"drift p50, {n}", Ms(run.DriftP50Ms), "", "", "", null));
            rows.Add(new($"drift p99, {n}", Ms(run.DriftP99Ms), "", "", "< 1 s", run.DriftP99Ms < 1000));
            rows.Add(new($"drift max, {n}", Ms(run.DriftMaxMs), $"machine {F(run.MachineBusyAtLatestCheck, "0.00")} cores busy", "", "", null));
            rows.Add(new($"missed / doubled slots, {n}", $"{run.MissedSlots} / {run.DoubleSlots}", "", "", "0 / 0", run.MissedSlots == 0 && run.DoubleSlots == 0));
            rows.Add(new($"busiest second, {n}", $"{run.BusiestSecond} checks", $"{F(run.PlannedPerSecond, "0.0")} mean",
                $"{F(run.BusiestSecond / run.PlannedPerSecond, "0.00")}x", "< 1.5x mean", run.BusiestSecond < run.PlannedPerSecond * 1.5));
            rows.Add(new($"CPU, {n}", $"{F(run.CpuCores * 100, "0.0")} % of a core", $"machine {F(run.MachineBusyCores, "0.00")} cores busy", "", "", null));
            rows.Add(new($"CPU per check, {n}", Ms(run.CpuMsPerCheck, "0.000"), $"{Ms(run.Reference.CpuMsPerRequest, "0.000")} raw loop",
                $"{F(run.CpuMsPerCheck / run.Reference.CpuMsPerRequest, "0.0")}x", "", null));
            rows.Add(new($"peak RSS, {n}", $"{F(run.PeakRssBytes / Megabyte, "0")} MB", "", "", largest ? "< 300 MB" : "", largest ? run.PeakRssBytes < 300 * Megabyte : null));
            rows.Add(new($"threads, {n}", run.Threads.ToString(CultureInfo.InvariantCulture), "", "", "", null));
            rows.Add(new($"start until all checked, {n}", $"{F(run.SpawnToAllChecked, "0.0")} s", "", "", "", null));
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
        }
        return rows;
    }

    public static void Print(TextWriter output, BenchResults results)
    {
        output.WriteLine($"Probe.Bench {results.StartedAt:yyyy-MM-dd HH:mm} UTC, {results.Machine}");
        output.WriteLine($"monitors at {results.Options.IntervalSeconds} s against nginx; {results.Options.MeasuredIntervals} intervals measured per run; "
            + $"raw loop: {results.Options.ReferenceConcurrency} concurrent GETs on fresh connections for {results.Options.ReferenceSeconds} s before each run");
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

    private static string Ms(double ms, string format = "0.0") => $"{F(ms, format)} ms";
}
